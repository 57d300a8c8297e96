"""Document numbers: one gap-free counter per (kind, period) for every feature.

Each feature keeps its own number format (监督意见书 ``执法监督〔2026〕第1号``,
受理编号 ``JC-20261206-0001``, certificates ``JC-2026-000001``) and draws the
sequence here. Drawing is one atomic ``INSERT … ON CONFLICT DO UPDATE …
RETURNING`` on SQLite and PostgreSQL: the counter row stays locked until the
caller's transaction ends, so concurrent issuers are serialised, and a
transaction that rolls back takes its number back with it (no gaps). Like every
service this flushes (executes) and never commits.
"""

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql, sqlite

from portal.extensions import db


class DocumentCounter(db.Model):
    """The last sequence number used for one kind of document in one period."""

    __tablename__ = "document_counters"
    __table_args__ = (sa.CheckConstraint("last_value > 0", name="last_positive"),)

    kind: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    period: so.Mapped[str] = so.mapped_column(sa.String(16), primary_key=True)
    last_value: so.Mapped[int]

    def __repr__(self):
        return f"<DocumentCounter {self.kind} {self.period} {self.last_value}>"


def next_value(kind: str, period, floor: int = 0) -> int:
    """Draw the next sequence number of ``kind`` in ``period`` (inside the
    caller's transaction).

    :param period: the year, day … the sequence restarts in (stored as text).
    :param floor: a number already used outside the counter (e.g. documents
        made before the counter existed): the value drawn is always above it.
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    last = DocumentCounter.last_value
    statement = (
        insert(DocumentCounter)
        .values(kind=kind, period=str(period), last_value=floor + 1)
        .on_conflict_do_update(
            index_elements=[DocumentCounter.kind, DocumentCounter.period],
            set_={"last_value": sa.case((last < floor, floor), else_=last) + 1},
        )
        .returning(DocumentCounter.last_value)
    )
    return db.session.execute(statement).scalar_one()


def last_value(kind: str, period) -> int:
    """The last number drawn (0 when none was)."""
    return (
        db.session.scalar(
            sa.select(DocumentCounter.last_value).where(
                DocumentCounter.kind == kind, DocumentCounter.period == str(period)
            )
        )
        or 0
    )
