"""questions (issue #12): knowledge points can be retired

Revision ID: b7c2d9e4f150
Revises: b7d41c2e9a10
Create Date: 2026-12-07 04:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c2d9e4f150'
down_revision = 'b7d41c2e9a10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('knowledge_points', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('is_active', sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade():
    with op.batch_alter_table('knowledge_points', schema=None) as batch_op:
        batch_op.drop_column('is_active')
