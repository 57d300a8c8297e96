"""answers.seq as BIGINT: the exam page starts its save counter at Date.now()
(milliseconds since 1970, about 1.8e12), which overflows a PostgreSQL INTEGER;
every browser autosave failed with 500 on PostgreSQL (found by the load benchmark).

Revision ID: 91247dd648e9
Revises: dbaef2688f72
Create Date: 2026-12-06 12:56:47.848699

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '91247dd648e9'
down_revision = 'dbaef2688f72'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.alter_column('seq',
               existing_type=sa.INTEGER(),
               type_=sa.BigInteger(),
               existing_nullable=False)


def downgrade():
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.alter_column('seq',
               existing_type=sa.BigInteger(),
               type_=sa.INTEGER(),
               existing_nullable=False)
