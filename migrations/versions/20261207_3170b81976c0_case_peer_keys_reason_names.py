"""consistency: reason names stored with the comparison key (a reason every peer
states explains no outlier)

Revision ID: 3170b81976c0
Revises: 32a750d29754
Create Date: 2026-12-07 19:25:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3170b81976c0'
down_revision = '32a750d29754'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_peer_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason_names', sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table('case_peer_keys', schema=None) as batch_op:
        batch_op.drop_column('reason_names')
