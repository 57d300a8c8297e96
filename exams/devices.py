"""Device binding of attempts (issue #5): when an arrangement forbids changing
device, an attempt may only be continued by the browser that started it.

A browser is identified by a random token kept in a long-lived signed cookie
(set by the views, see :mod:`exams.views`); the attempt stores only the token's
SHA-256, so the database never holds a usable cookie. An administrator of the
arrangement can release the binding: the next browser that opens the attempt
becomes its device. Services flush; the edge commits.
"""

import hashlib
import logging
from dataclasses import dataclass

from exams.models import AttemptEvent
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


def check_device(attempt, device, now):
    """Let the request through if it comes from the attempt's device, or if the
    arrangement allows changing device (the change is then logged and the
    attempt follows the new device).

    A refused request is logged as a ``device_refused`` event and changes
    nothing else; the caller must commit so the event is kept.

    :param device: the requesting :class:`Device`.
    :raises DeviceRefused: another device, and the arrangement forbids changes.
    """
    if attempt.status != "in_progress":
        return
    digest = hash_token(device.token)
    if digest is not None and digest == attempt.device_hash:
        return
    if attempt.device_hash is not None and not attempt.arrangement.allow_device_change:
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
    if digest is None:
        return
    # Allowed: a change of device (or the first device after a release).
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


def release_device(attempt, actor, now):
    """Release an attempt's device binding so that the candidate may continue on
    another device (the next one to open the attempt becomes bound). Audited.

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
