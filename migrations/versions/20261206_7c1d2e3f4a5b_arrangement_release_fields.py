"""arrangement release fields: show_answers, results_released_at

Revision ID: 7c1d2e3f4a5b
Revises: da45a8352588
Create Date: 2026-12-06 12:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c1d2e3f4a5b'
down_revision = 'da45a8352588'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('exam_arrangements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('show_answers', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('results_released_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('exam_arrangements', schema=None) as batch_op:
        batch_op.alter_column('show_answers', server_default=None)


def downgrade():
    with op.batch_alter_table('exam_arrangements', schema=None) as batch_op:
        batch_op.drop_column('results_released_at')
        batch_op.drop_column('show_answers')
