"""start admission queue (issue #17): exam_start_tickets

Revision ID: e17a9c3b5d21
Revises: a1c4e0b7d2f3
Create Date: 2026-12-07 02:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e17a9c3b5d21'
down_revision = 'a1c4e0b7d2f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'exam_start_tickets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('arrangement_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('admit_at', sa.DateTime(), nullable=False),
        sa.Column('tat_after', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['arrangement_id'], ['exam_arrangements.id'], name=op.f('fk_exam_start_tickets_arrangement_id_exam_arrangements'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_exam_start_tickets_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_start_tickets')),
        sa.UniqueConstraint('arrangement_id', 'user_id', name=op.f('uq_exam_start_tickets_arrangement_id')),
    )
    with op.batch_alter_table('exam_start_tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_start_tickets_arrangement_id'), ['arrangement_id'], unique=False)


def downgrade():
    with op.batch_alter_table('exam_start_tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exam_start_tickets_arrangement_id'))
    op.drop_table('exam_start_tickets')
