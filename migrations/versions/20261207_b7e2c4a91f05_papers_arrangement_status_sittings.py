"""papers (issue #12): arrangement status and cancel reason; one personal paper
per sitting (a 补考 draws its own) with the count of repeated items

Revision ID: b7e2c4a91f05
Revises: b7c2d9e4f150
Create Date: 2026-12-07 04:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e2c4a91f05'
down_revision = 'b7c2d9e4f150'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('exam_arrangements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=16), server_default='published', nullable=False))
        batch_op.add_column(sa.Column('cancel_reason', sa.String(length=200), server_default='', nullable=False))
        batch_op.create_check_constraint('status_valid', "status IN ('draft', 'published', 'cancelled')")
    with op.batch_alter_table('candidate_papers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sitting', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('repeated', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_constraint('uq_candidate_papers_arrangement_id', type_='unique')
        batch_op.create_unique_constraint('uq_candidate_papers_sitting', ['arrangement_id', 'user_id', 'sitting'])


def downgrade():
    with op.batch_alter_table('candidate_papers', schema=None) as batch_op:
        batch_op.drop_constraint('uq_candidate_papers_sitting', type_='unique')
        batch_op.create_unique_constraint('uq_candidate_papers_arrangement_id', ['arrangement_id', 'user_id'])
        batch_op.drop_column('repeated')
        batch_op.drop_column('sitting')
    with op.batch_alter_table('exam_arrangements', schema=None) as batch_op:
        batch_op.drop_constraint('status_valid', type_='check')
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('status')
