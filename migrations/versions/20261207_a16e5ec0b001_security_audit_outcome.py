"""security: audit_logs.outcome (success / failure / refused)

Revision ID: a16e5ec0b001
Revises: afa82f646d35
Create Date: 2026-12-07 01:30:00

Plain ADD/DROP COLUMN (no batch copy): audit_logs carries append-only triggers
that a SQLite table rebuild would drop. The check constraint is added on
PostgreSQL only (SQLite cannot add one to an existing table).
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a16e5ec0b001"
down_revision = "afa82f646d35"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "audit_logs",
        sa.Column(
            "outcome", sa.String(length=16), nullable=False, server_default="success"
        ),
    )
    op.create_index("ix_audit_logs_outcome", "audit_logs", ["outcome"])
    if op.get_bind().dialect.name == "postgresql":
        op.create_check_constraint(
            "ck_audit_logs_outcome_valid",
            "audit_logs",
            "outcome IN ('success', 'failure', 'refused')",
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("ck_audit_logs_outcome_valid", "audit_logs", type_="check")
    op.drop_index("ix_audit_logs_outcome", table_name="audit_logs")
    op.drop_column("audit_logs", "outcome")
