"""attempt device binding: attempts.device_hash (SHA-256 of the device cookie)

Revision ID: fc6a0e355dc3
Revises: 16784818a39b
Create Date: 2026-12-06 12:45:56.189078

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fc6a0e355dc3'
down_revision = '16784818a39b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device_hash', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_column('device_hash')
