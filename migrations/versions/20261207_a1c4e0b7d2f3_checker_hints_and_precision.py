"""checker hints and precision states (branch checker): case_files.hints (提示, not
findings) and checker_precision_states (a finding code demoted to 提示 in a scope)

Revision ID: a1c4e0b7d2f3
Revises: a16e5ec0b001
Create Date: 2026-12-07 02:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c4e0b7d2f3'
down_revision = 'a16e5ec0b001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hints', sa.JSON(), nullable=True))
    op.create_table(
        'checker_precision_states',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('scope', sa.String(length=16), nullable=False),
        sa.Column('scope_id', sa.Integer(), nullable=False),
        sa.Column('demoted', sa.Boolean(), nullable=False),
        sa.Column('labelled', sa.Integer(), nullable=False),
        sa.Column('confirmed', sa.Integer(), nullable=False),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code', 'scope', 'scope_id'),
    )


def downgrade():
    op.drop_table('checker_precision_states')
    with op.batch_alter_table('case_files', schema=None) as batch_op:
        batch_op.drop_column('hints')
