"""The one extension of an item's deadline: requested by the handler (optional)
and granted by staff, or granted by staff directly. Services flush; views commit."""

import sqlalchemy as sa
from flask import current_app

from portal import audit
from portal.exceptions import InvalidState, ValidationFailed
from portal.extensions import db
from portal.suggestions.handling.models import ExtensionRequest, RequestStatus
from portal.suggestions.handling.services import add_event, lock
from portal.suggestions.models import EventKind, Status
from portal.timeutil import utcnow


def open_request(suggestion):
    """The extension request waiting for staff, or None."""
    return db.session.scalar(
        sa.select(ExtensionRequest).where(
            ExtensionRequest.suggestion_id == suggestion.id,
            ExtensionRequest.status == RequestStatus.OPEN.value,
        )
    )


def _extensible(suggestion):
    if suggestion.status != Status.PROCESSING:
        raise InvalidState("只有办理中的意见建议可以延期。")
    if suggestion.extension_days:
        raise InvalidState("每件意见建议只能延期一次，本件已延期过。")


def request_extension(suggestion, version, reason, actor):
    """The handler asks for the extension, with a reason (staff decide).

    :raises ValidationFailed: no reason.
    :raises InvalidState: not in 办理中, already extended, or a request waits.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写申请延期的理由。")
    lock(suggestion, version)
    _extensible(suggestion)
    if open_request(suggestion) is not None:
        raise InvalidState("已有一份延期申请在等待批准。")
    request = ExtensionRequest(
        suggestion=suggestion,
        requested_by_id=actor.user.id,
        reason=reason,
        requested_at=utcnow(),
        status=RequestStatus.OPEN.value,
    )
    db.session.add(request)
    db.session.flush()
    audit.record(
        "suggestion_extension_requested",
        actor,
        suggestion,
        after={"request": request.id, "reason": reason},
    )
    return request


def extend_deadline(suggestion, version, reason, actor, calendar):
    """Grant the one extension (``SUGGESTION_EXTENSION_WORKDAYS`` working days,
    counted from the current deadline), with a reason; a waiting handler's request
    is thereby granted.

    :raises ValidationFailed: no reason.
    :raises InvalidState: not in 办理中, or already extended once.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写延期理由。")
    lock(suggestion, version)
    _extensible(suggestion)
    days = current_app.config["SUGGESTION_EXTENSION_WORKDAYS"]
    old_due = suggestion.due_on
    suggestion.due_on = calendar.add_workdays(old_due, days)
    suggestion.extension_days = days
    suggestion.extension_reason = reason
    request = open_request(suggestion)
    if request is not None:
        request.status = RequestStatus.GRANTED.value
        request.decided_at = utcnow()
        request.decided_by_id = actor.user.id if actor.user is not None else None
    add_event(
        suggestion,
        EventKind.EXTENDED,
        actor,
        note=f"办理期限延长 {days} 个工作日，至 {suggestion.due_on:%Y-%m-%d}。",
    )
    audit.record(
        "suggestion_extended",
        actor,
        suggestion,
        before={"due_on": old_due},
        after={
            "due_on": suggestion.due_on,
            "reason": reason,
            "request": request.id if request is not None else None,
        },
    )
    db.session.flush()


def refuse_extension(suggestion, version, note, actor):
    """Staff refuse the handler's waiting request (the deadline stays).

    :raises ValidationFailed: no reason for the refusal.
    :raises InvalidState: no request waits.
    """
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("请填写不予延期的理由。")
    lock(suggestion, version)
    request = open_request(suggestion)
    if request is None:
        raise InvalidState("没有等待批准的延期申请。")
    request.status = RequestStatus.REFUSED.value
    request.decided_at = utcnow()
    request.decided_by_id = actor.user.id
    request.decision_note = note
    audit.record(
        "suggestion_extension_refused",
        actor,
        suggestion,
        after={"request": request.id, "note": note},
    )
    db.session.flush()
