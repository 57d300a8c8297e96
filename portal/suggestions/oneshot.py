"""One-shot tokens kept server-side in ``suggestion_nonces``.

The session cookie is signed but readable and can be replayed, so whatever must
work only once (a captcha challenge, the receipt that shows the query code) is
settled here: :func:`spend` records a key and fails on the second try,
:func:`take` hands out a stored payload once. Expired rows are pruned on the way.
Both flush only; the caller commits.
"""

import time
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.suggestions.models import SuggestionNonce
from portal.timeutil import utcnow


def _prune(now):
    db.session.execute(
        sa.delete(SuggestionNonce).where(SuggestionNonce.expires_at < now)
    )


def spend(key, expires, payload=None):
    """Record ``key`` (valid until the epoch second ``expires``).

    :return: False if it was recorded before (a replay).
    """
    _prune(utcnow())
    until = datetime.fromtimestamp(expires, UTC).replace(tzinfo=None)
    try:
        with db.session.begin_nested():
            db.session.add(
                SuggestionNonce(nonce=key, expires_at=until, payload=payload)
            )
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
        sa.delete(SuggestionNonce)
        .where(SuggestionNonce.nonce == key, SuggestionNonce.expires_at >= now)
        .returning(SuggestionNonce.payload)
    ).first()
    _prune(now)
    return row.payload if row is not None else None
