"""Opinion numbers: ``{prefix}〔{year}〕第{n}号``, unique and gap-free per year.

The sequence is the shared document counter (:mod:`portal.numbering`, kind
``opinion``, one period per year): concurrent issuers are serialised and a
transaction that rolls back takes its number back with it.
"""

from flask import current_app

from portal import numbering

DEFAULT_PREFIX = "执法监督"
KIND = "opinion"


def prefix():
    return current_app.config.get("OPINION_NUMBER_PREFIX") or DEFAULT_PREFIX


def format_number(year: int, seq: int) -> str:
    return f"{prefix()}〔{year}〕第{seq}号"


def next_seq(year: int) -> int:
    """Draw the next sequence number of ``year`` (inside the caller's transaction)."""
    return numbering.next_value(KIND, year)


def last_seq(year: int) -> int:
    return numbering.last_value(KIND, year)
