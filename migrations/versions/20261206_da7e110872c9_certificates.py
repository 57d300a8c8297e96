"""certificates: issued on the qualification path, annual review, status, verification

Revision ID: da7e110872c9
Revises: 7c1d2e3f4a5b
Create Date: 2026-12-06 12:48:28.339674

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'da7e110872c9'
down_revision = '7c1d2e3f4a5b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('verify_code', sa.String(length=64), nullable=False),
    sa.Column('holder_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('domain_names', sa.JSON(), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_cause', sa.String(length=16), nullable=False),
    sa.Column('status_reason', sa.String(length=200), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(), nullable=False),
    sa.Column('last_reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('reviewed_year', sa.Integer(), nullable=True),
    sa.Column('review_attempt_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('valid', 'suspended', 'expired', 'revoked')", name=op.f('ck_certificates_status_valid')),
    sa.CheckConstraint("status NOT IN ('suspended', 'revoked') OR status_reason <> ''", name=op.f('ck_certificates_reason_required')),
    sa.CheckConstraint("status_cause IN ('issued', 'admin', 'regrade', 'review', 'expiry', 'replaced')", name=op.f('ck_certificates_cause_valid')),
    sa.CheckConstraint('(last_reviewed_at IS NULL) = (reviewed_year IS NULL)', name=op.f('ck_certificates_review_fields_together')),
    sa.CheckConstraint('expires_at > issued_at', name=op.f('ck_certificates_expiry_after_issue')),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_certificates_attempt_id_attempts')),
    sa.ForeignKeyConstraint(['holder_id'], ['users.id'], name=op.f('fk_certificates_holder_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_certificates_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['review_attempt_id'], ['attempts.id'], name=op.f('fk_certificates_review_attempt_id_attempts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('attempt_id', name=op.f('uq_certificates_attempt_id')),
    sa.UniqueConstraint('number', name=op.f('uq_certificates_number')),
    sa.UniqueConstraint('verify_code', name=op.f('uq_certificates_verify_code'))
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificates_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_holder_id'), ['holder_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index('uq_certificates_one_live_per_holder', ['holder_id'], unique=True, sqlite_where=sa.text("status IN ('valid', 'suspended')"), postgresql_where=sa.text("status IN ('valid', 'suspended')"))



def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index('uq_certificates_one_live_per_holder', sqlite_where=sa.text("status IN ('valid', 'suspended')"), postgresql_where=sa.text("status IN ('valid', 'suspended')"))
        batch_op.drop_index(batch_op.f('ix_certificates_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_certificates_holder_id'))
        batch_op.drop_index(batch_op.f('ix_certificates_expires_at'))

    op.drop_table('certificates')
