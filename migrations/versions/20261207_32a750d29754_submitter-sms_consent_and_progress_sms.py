"""submitter-sms: SMS consent and progress SMS of suggestion submitters

Revision ID: 32a750d29754
Revises: c3d9f1a2b7e4
Create Date: 2026-12-07 05:32:47.045988

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '32a750d29754'
down_revision = 'c3d9f1a2b7e4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('suggestion_submitter_sms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('suggestion_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=40), nullable=False),
    sa.Column('text', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name=op.f('ck_suggestion_submitter_sms_status_valid')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_suggestion_submitter_sms_attempts_nonnegative')),
    sa.ForeignKeyConstraint(['suggestion_id'], ['suggestions.id'], name=op.f('fk_suggestion_submitter_sms_suggestion_id_suggestions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestion_submitter_sms')),
    sa.UniqueConstraint('suggestion_id', 'event', name='uq_suggestion_submitter_sms_event')
    )
    with op.batch_alter_table('suggestion_submitter_sms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suggestion_submitter_sms_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestion_submitter_sms_suggestion_id'), ['suggestion_id'], unique=False)

    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sms_consent_at', sa.DateTime(), nullable=True))



def downgrade():
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.drop_column('sms_consent_at')

    with op.batch_alter_table('suggestion_submitter_sms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestion_submitter_sms_suggestion_id'))
        batch_op.drop_index(batch_op.f('ix_suggestion_submitter_sms_next_attempt_at'))

    op.drop_table('suggestion_submitter_sms')
