"""workplace2: suggestion 受理 deadline, 退单, published reply photos

Revision ID: b7d41c2e9a10
Revises: b4e2c7d1a9f0
Create Date: 2026-12-07 04:30:00

Pending items get their 受理期限 computed here from the stored calendar (Monday to
Friday plus the entered holidays and 调休 days) and the default of 7 working days.
"""

from datetime import date, timedelta

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "b7d41c2e9a10"
down_revision = "b4e2c7d1a9f0"
branch_labels = None
depends_on = None

KINDS = (
    "'submitted', 'accepted', 'rejected', 'merged', 'assigned', 'extended', "
    "'replied', 'reply_returned', 'reply_published', 'closed', 'rated', "
    "'contested', 'reopened'"
)
ACCEPT_WORKDAYS = 7
CHINA = timedelta(hours=8)


def upgrade():
    with op.batch_alter_table("suggestions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("accept_due_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("agency_returned_at", sa.DateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("agency_return_reason", sa.Text(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_suggestions_accept_due_on"), ["accept_due_on"], unique=False
        )
    with op.batch_alter_table("suggestion_attachments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("suggestion_events", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_suggestion_events_kind_valid"), type_="check")
        batch_op.create_check_constraint(
            "kind_valid", f"kind IN ({KINDS}, 'agency_returned')"
        )
    _backfill_accept_due()


def _backfill_accept_due():
    bind = op.get_bind()
    overrides = {}
    for day, is_workday in bind.execute(
        sa.text("SELECT day, is_workday FROM calendar_days")
    ):
        if isinstance(day, str):
            day = date.fromisoformat(day[:10])
        overrides[day] = bool(is_workday)
    rows = bind.execute(
        sa.text("SELECT id, submitted_at FROM suggestions WHERE status = 'pending'")
    ).all()
    for row_id, submitted_at in rows:
        if isinstance(submitted_at, str):
            submitted_at = _parse(submitted_at)
        day, remaining = (submitted_at + CHINA).date(), ACCEPT_WORKDAYS
        while remaining:
            day += timedelta(days=1)
            if overrides.get(day, day.weekday() < 5):
                remaining -= 1
        bind.execute(
            sa.text("UPDATE suggestions SET accept_due_on = :due WHERE id = :id"),
            {"due": day, "id": row_id},
        )


def _parse(text):
    from datetime import datetime

    return datetime.fromisoformat(text.replace(" ", "T")[:26])


def downgrade():
    with op.batch_alter_table("suggestion_events", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_suggestion_events_kind_valid"), type_="check")
        batch_op.create_check_constraint("kind_valid", f"kind IN ({KINDS})")
    with op.batch_alter_table("suggestion_attachments", schema=None) as batch_op:
        batch_op.drop_column("published_at")
    with op.batch_alter_table("suggestions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_suggestions_accept_due_on"))
        batch_op.drop_column("agency_return_reason")
        batch_op.drop_column("agency_returned_at")
        batch_op.drop_column("accept_due_on")
