"""Device binding of attempts (issue #5): when an arrangement forbids changing
device, an attempt may only be continued by the browser that started it.

A browser is identified by a random token kept in a long-lived signed cookie
(set by the views, see :mod:`exams.attempts.views`); the attempt stores only the token's
SHA-256, so the database never holds a usable cookie. An administrator of the
arrangement can release the binding: the next browser that opens the attempt
becomes its device. Services flush; the edge commits.
"""

import hashlib
import logging
from dataclasses import dataclass

from exams.attempts.models import AttemptEvent
from portal import audit
from portal.exceptions import InvalidState, NotAllowed
from portal.extensions import db

logger = logging.getLogger(__name__)

REFUSAL_MESSAGE = (
    "本次考试不允许更换设备作答，请使用开始考试的设备继续，或联系考试管理员"
)


@dataclass(frozen=True)
class Device:
    """The requesting browser: its device token (None if it has none) and a short
    description for the event log (address, browser)."""

    token: str | None
    detail: str = ""


class DeviceRefused(NotAllowed):
    """The attempt is bound to another device and the arrangement forbids changes."""

    status_code = 403


def hash_token(token):
    """The stored form of a device token (hex SHA-256), or None without a token."""
    if not token:
        return None
    return hashlib.sha256(token.encode()).hexdigest()


def check_device(attempt, device, now, claim=False):
    """Let a request through if it comes from the attempt's device, or if the
    arrangement allows changing device.

    Only opening the exam page (``claim=True``: start, resume, the page itself)
    moves the attempt to a new device, logged as ``device_changed``: autosaves
    and heartbeats of two open devices must not flip it back and forth, and
    after a release the old device's still-open page must not take it back.
    When changes are forbidden, a request from any other device — or, while no
    device is bound (after a release), any request that does not claim it — is
    refused and logged as ``device_refused``; nothing else changes. The caller
    must commit so that the event is kept.

    :param device: the requesting :class:`Device`.
    :param claim: the request opens the exam page and may bind the attempt.
    :raises DeviceRefused: another device, and the arrangement forbids changes.
    """
    if attempt.status != "in_progress":
        return
    digest = hash_token(device.token)
    if digest is not None and digest == attempt.device_hash:
        return
    allowed = attempt.arrangement.allow_device_change
    if allowed and not claim:
        return
    if allowed or (claim and attempt.device_hash is None and digest is not None):
        # A change of device (or the first device after a release).
        if digest is not None:
            db.session.add(
                AttemptEvent(
                    attempt_id=attempt.id,
                    kind="device_changed",
                    at=now,
                    detail=device.detail[:200],
                )
            )
            attempt.device_hash = digest
            db.session.flush()
        return
    db.session.add(
        AttemptEvent(
            attempt_id=attempt.id,
            kind="device_refused",
            at=now,
            detail=device.detail[:200],
        )
    )
    db.session.flush()
    logger.warning("Attempt %s refused another device", attempt.id)
    raise DeviceRefused(REFUSAL_MESSAGE)


def release_device(attempt, actor, now):
    """Release an attempt's device binding so that the candidate may continue on
    another device: the next one to open the exam page becomes bound, and until
    then saves from any device (the old one's open page) are refused. Audited.

    :raises InvalidState: the attempt is no longer in progress.
    """
    if attempt.status != "in_progress":
        raise InvalidState("答卷已提交，无需更换设备")
    before = attempt.device_hash is not None
    attempt.device_hash = None
    db.session.add(
        AttemptEvent(
            attempt_id=attempt.id,
            kind="device_released",
            at=now,
            detail=(actor.label or "")[:200],
        )
    )
    db.session.flush()
    audit.record(
        "attempt_device_released",
        actor,
        attempt,
        before={"bound": before},
        after={"bound": False},
    )
    return attempt
