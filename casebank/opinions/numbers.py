"""Opinion numbers: ``{prefix}〔{year}〕第{n}号``, unique and gap-free per year.

The counter is one atomic INSERT … ON CONFLICT DO UPDATE … RETURNING (the technique
of portal/suggestions numbers). The counter row stays locked until the issuing
transaction ends, so concurrent issuers are serialised on PostgreSQL, and a
transaction that rolls back takes its number back with it: no gaps.
"""

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from casebank.opinions.models import OpinionCounter
from portal.extensions import db

DEFAULT_PREFIX = "执法监督"


def prefix():
    return current_app.config.get("OPINION_NUMBER_PREFIX") or DEFAULT_PREFIX


def format_number(year: int, seq: int) -> str:
    return f"{prefix()}〔{year}〕第{seq}号"


def next_seq(year: int) -> int:
    """Draw the next sequence number of ``year`` (inside the caller's transaction)."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(OpinionCounter)
        .values(year=year, last_value=1)
        .on_conflict_do_update(
            index_elements=[OpinionCounter.year],
            set_={"last_value": OpinionCounter.last_value + 1},
        )
        .returning(OpinionCounter.last_value)
    )
    return db.session.execute(statement).scalar_one()


def last_seq(year: int) -> int:
    return (
        db.session.scalar(
            sa.select(OpinionCounter.last_value).where(OpinionCounter.year == year)
        )
        or 0
    )
