"""suggestion_nonces: one-shot tokens spent server-side (captcha nonces, receipts)

Revision ID: 3b7e9c1d2a40
Revises: c966b278b5f1
Create Date: 2026-12-06 17:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3b7e9c1d2a40'
down_revision = 'c966b278b5f1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'suggestion_nonces',
        sa.Column('nonce', sa.String(length=64), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('payload', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('nonce', name=op.f('pk_suggestion_nonces')),
    )
    with op.batch_alter_table('suggestion_nonces', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_suggestion_nonces_expires_at'), ['expires_at'], unique=False
        )


def downgrade():
    with op.batch_alter_table('suggestion_nonces', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestion_nonces_expires_at'))
    op.drop_table('suggestion_nonces')
