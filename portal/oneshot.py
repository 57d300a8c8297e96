"""One-shot tokens kept server-side (shell helper; used by the captcha of the
login form and of the public suggestion form, and by the suggestion receipt).

The session cookie is signed but readable and can be replayed, so whatever must
work only once (a captcha challenge, the receipt that shows the query code) is
settled here: :func:`spend` records a key and fails on the second try,
:func:`take` hands out a stored payload once. Expired rows are pruned on the way.
Both flush only; the caller commits.

The table keeps the name it got with the suggestions feature,
``suggestion_nonces``: renaming it would be a migration for no behaviour.
"""

import time
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.timeutil import utcnow


class OneShotToken(db.Model):
    """A one-shot token spent server-side: a checked captcha's nonce (so a replayed
    session cookie cannot reuse a solved captcha), or a receipt id with its
    ``payload`` (the query code shown once on the receipt page). Rows past
    ``expires_at`` are useless and pruned opportunistically."""

    __tablename__ = "suggestion_nonces"

    nonce: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    expires_at: so.Mapped[datetime] = so.mapped_column(index=True)
    payload: so.Mapped[str | None] = so.mapped_column(sa.Text)

    def __repr__(self):
        return f"<OneShotToken {self.nonce[:6]}…>"


def _prune(now):
    db.session.execute(sa.delete(OneShotToken).where(OneShotToken.expires_at < now))


def spend(key, expires, payload=None):
    """Record ``key`` (valid until the epoch second ``expires``).

    :return: False if it was recorded before (a replay).
    """
    _prune(utcnow())
    until = datetime.fromtimestamp(expires, UTC).replace(tzinfo=None)
    try:
        with db.session.begin_nested():
            db.session.add(OneShotToken(nonce=key, expires_at=until, payload=payload))
    except IntegrityError:
        return False
    return True


def store(key, payload, seconds):
    """Keep ``payload`` under ``key`` for ``seconds``."""
    spend(key, int(time.time()) + seconds, payload)


def take(key):
    """The payload stored under ``key``, removed on the way; None when unknown,
    taken before or expired."""
    now = utcnow()
    row = db.session.execute(
        sa.delete(OneShotToken)
        .where(OneShotToken.nonce == key, OneShotToken.expires_at >= now)
        .returning(OneShotToken.payload)
    ).first()
    _prune(now)
    return row.payload if row is not None else None
