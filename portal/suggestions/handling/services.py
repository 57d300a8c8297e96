"""Handling of suggestions by staff and agency handlers (issue #7, part 2).

Services flush, views commit (STYLE R5). Every status change writes a timeline
event (public or internal) and an audit entry. Every change goes through
:func:`lock`, the shared optimistic lock (:mod:`portal.locking`) on
``suggestions.version``: exactly one of two concurrent actions goes through; the
other (or a double submit) gets :class:`StaleForm`.
"""

import sqlalchemy as sa
from flask import current_app

from portal import audit
from portal.exceptions import InvalidState, NotAllowed, ValidationFailed
from portal.extensions import db
from portal.locking import claim
from portal.notifications import events as notify_events
from portal.orgs.models import OrgKind
from portal.suggestions.handling import access
from portal.suggestions.handling.models import (
    ReplyStatus,
    RequestStatus,
    SuggestionReply,
)
from portal.suggestions.handling.sms import tell_submitter
from portal.suggestions.models import (
    EventKind,
    Status,
    SuggestionAttachment,
    SuggestionEvent,
)
from portal.timeutil import to_local, utcnow

STALE_MESSAGE = (
    "该意见建议刚刚已被他人处理（或重复提交），页面内容已过期，请查看最新状态后再操作。"
)


def china_today():
    return to_local(utcnow()).date()


def lock(suggestion, seen_version):
    """Claim the change of ``suggestion`` for this transaction.

    :param seen_version: the version the acting form was rendered with.
    :raises StaleForm: someone changed the item since (or this is a resend).
    """
    claim(suggestion, seen_version, STALE_MESSAGE)


def add_event(suggestion, kind, actor, *, note="", public=True, status=None):
    """Append a timeline entry (``status`` also becomes the item's status)."""
    now = utcnow()
    if status is not None:
        suggestion.status = status.value
    event = SuggestionEvent(
        at=now,
        kind=kind.value,
        status_after=status.value if status is not None else None,
        note=note,
        is_public=public,
        actor_id=actor.user.id if actor.user is not None else None,
    )
    suggestion.events.append(event)
    return event


def _require(suggestion, *statuses, message):
    if suggestion.status not in {s.value for s in statuses}:
        raise InvalidState(message)


def _audit(action, actor, suggestion, before_status, **after):
    audit.record(
        action,
        actor,
        suggestion,
        before={"status": before_status},
        after={"status": suggestion.status, **after},
    )


# Triage -------------------------------------------------------------------------


def accept_suggestion(suggestion, version, actor):
    """受理: a pending item is accepted for handling.

    :raises InvalidState: the item is not waiting for triage.
    :raises StaleForm: see :func:`lock`.
    """
    lock(suggestion, version)
    _require(suggestion, Status.PENDING, message="只有“受理中”的意见建议可以受理。")
    before = suggestion.status
    suggestion.accepted_at = utcnow()
    add_event(
        suggestion,
        EventKind.ACCEPTED,
        actor,
        note="您反映的问题已受理，将转交有关部门办理。",
        status=Status.ACCEPTED,
    )
    _audit("suggestion_accepted", actor, suggestion, before)
    db.session.flush()
    tell_submitter(suggestion, "accepted")


def reject_suggestion(suggestion, version, reason, actor):
    """不予受理, with a reason shown to the submitter on the status page.

    :raises ValidationFailed: no reason.
    :raises InvalidState: the item was already accepted, merged or decided.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写不予受理的理由。")
    lock(suggestion, version)
    _require(
        suggestion,
        Status.PENDING,
        Status.ACCEPTED,
        message="只有尚未转交办理的意见建议可以不予受理。",
    )
    before = suggestion.status
    suggestion.public_reason = reason
    # A final state: the de-identification job counts its retention from here.
    suggestion.closed_at = utcnow()
    add_event(
        suggestion, EventKind.REJECTED, actor, note=reason, status=Status.REJECTED
    )
    _audit("suggestion_rejected", actor, suggestion, before, reason=reason)
    db.session.flush()
    tell_submitter(suggestion, "rejected")


def merge_suggestion(suggestion, target, version, note, actor):
    """Merge a duplicate into ``target`` (the main item), which carries on.

    The duplicate becomes 已合并处理 with ``merged_into_id``; both timelines note
    it (public on the duplicate, so its submitter learns the main number; internal
    on the main item).

    :raises ValidationFailed: target is the item itself or is not a live item.
    :raises InvalidState: the duplicate is already assigned or decided.
    """
    if target is None or target.id == suggestion.id:
        raise ValidationFailed("请填写另一件意见建议的受理编号作为主件。")
    if target.status in (Status.MERGED, Status.REJECTED):
        raise ValidationFailed(
            f"受理编号 {target.number} 本身已{target.status_label}，不能作为主件。"
        )
    lock(suggestion, version)
    _require(
        suggestion,
        Status.PENDING,
        Status.ACCEPTED,
        message="只有尚未转交办理的意见建议可以合并。",
    )
    lock(target, target.version)
    before = suggestion.status
    suggestion.merged_into_id = target.id
    # A final state for this submission (the main item carries on): the
    # de-identification job counts its retention from here.
    suggestion.closed_at = utcnow()
    add_event(
        suggestion,
        EventKind.MERGED,
        actor,
        note=f"您反映的问题与受理编号 {target.number} 的问题相同，已合并办理，"
        "办理结果见下方主件的进度。",
        status=Status.MERGED,
    )
    note = (note or "").strip()
    add_event(
        target,
        EventKind.MERGED,
        actor,
        note=f"受理编号 {suggestion.number} 已作为重复件并入本件。"
        + (f"说明：{note}" if note else ""),
        public=False,
    )
    _audit(
        "suggestion_merged", actor, suggestion, before, into=target.number, note=note
    )
    db.session.flush()
    tell_submitter(suggestion, "merged")


# Assignment and deadlines -----------------------------------------------------------


def deadline_limits():
    """``(minimum, default, maximum)`` working days of a handling deadline."""
    config = current_app.config
    return (
        config["SUGGESTION_DEADLINE_MIN_WORKDAYS"],
        config["SUGGESTION_DEADLINE_WORKDAYS"],
        config["SUGGESTION_DEADLINE_MAX_WORKDAYS"],
    )


def assign_suggestion(
    suggestion, version, agency, handler, actor, calendar, deadline_workdays=None
):
    """Assign an accepted item to an agency (and optionally one of its handlers).

    The first assignment (and the first after a 退单) sets ``due_on`` =
    ``deadline_workdays`` working days after the assignment date (China date);
    staff choose it within :func:`deadline_limits` (default
    ``SUGGESTION_DEADLINE_WORKDAYS``). Re-assigning an item in 办理中 (before a
    reply is approved) changes agency/handler and keeps the deadline.

    :param handler: a user holding 部门经办人 over ``agency``, or None.
    :param calendar: a :class:`portal.workdays.calendar.Calendar`.
    :param deadline_workdays: working days to the handling deadline, or None for
        the default.
    :raises ValidationFailed: not an agency, outside the staff's region, a
        handler who does not cover the agency, or a deadline outside the limits.
    :raises InvalidState: not accepted/processing, or a reply waits for approval.
    """
    if agency is None or agency.kind != OrgKind.AGENCY:
        raise ValidationFailed("请选择办理的执法部门。")
    low, default, high = deadline_limits()
    days = default if deadline_workdays is None else deadline_workdays
    if not low <= days <= high:
        raise ValidationFailed(f"办理期限应为 {low} 至 {high} 个工作日。")
    if actor.user is not None and not access.manages_agency(actor.user, agency):
        raise NotAllowed("只能转交本辖区内的执法部门办理。")
    if handler is not None and not access.handler_covers(handler, agency):
        raise ValidationFailed(f"{handler.name} 不是 {agency.name} 的部门经办人。")
    lock(suggestion, version)
    _require(
        suggestion,
        Status.ACCEPTED,
        Status.PROCESSING,
        message="只有已受理或办理中的意见建议可以转交办理。",
    )
    if suggestion.status == Status.PROCESSING and open_reply(suggestion) is not None:
        # The waiting reply was written by the current agency/handler; approving
        # it after a re-assignment would credit the wrong agency.
        raise InvalidState("本件有一份答复正在等待审核，请先审核通过或退回后再转交。")
    before = suggestion.status
    now = utcnow()
    first = suggestion.status == Status.ACCEPTED
    suggestion.assigned_org_id = agency.id
    suggestion.assigned_org = agency
    suggestion.handler_id = handler.id if handler is not None else None
    suggestion.agency_returned_at = None
    suggestion.agency_return_reason = None
    if first:
        suggestion.assigned_at = now
        suggestion.due_on = calendar.add_workdays(to_local(now).date(), days)
    add_event(
        suggestion,
        EventKind.ASSIGNED,
        actor,
        note=f"已转交{agency.name}办理，办理期限至 {suggestion.due_on:%Y-%m-%d}。",
        status=Status.PROCESSING,
    )
    _audit(
        "suggestion_assigned",
        actor,
        suggestion,
        before,
        agency=agency.name,
        handler=handler.audit_label if handler is not None else None,
        due_on=suggestion.due_on,
        deadline_workdays=days if first else None,
    )
    db.session.flush()
    notify_events.suggestion_assigned(suggestion)


def return_to_staff(suggestion, version, reason, actor):
    """退单: the assigned agency's handler returns a mis-assigned item, with a
    reason, to the supervision staff, who assign it again (with a new deadline).

    The item goes back to 已受理 without agency, handler or deadline; a waiting
    extension request lapses. The submitter's timeline says only that the
    handling agency is being re-determined; the reason stays internal.

    :raises ValidationFailed: no reason.
    :raises InvalidState: not in 办理中, or a reply waits for approval.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写退单理由。")
    lock(suggestion, version)
    _require(suggestion, Status.PROCESSING, message="只有办理中的意见建议可以退单。")
    if open_reply(suggestion) is not None:
        raise InvalidState("本件已有答复在等待审核，不能退单。")
    agency, before = suggestion.assigned_org, suggestion.status
    now = utcnow()
    for request in suggestion.extension_requests:
        if request.status == RequestStatus.OPEN.value:
            request.status = RequestStatus.REFUSED.value
            request.decided_at = now
            request.decision_note = "办理单位已退单。"
    suggestion.assigned_org_id = None
    suggestion.assigned_org = None
    suggestion.handler_id = None
    suggestion.due_on = None
    suggestion.extension_days = 0
    suggestion.extension_reason = None
    suggestion.agency_returned_at = now
    suggestion.agency_return_reason = reason
    add_event(
        suggestion,
        EventKind.AGENCY_RETURNED,
        actor,
        note="正在重新确定办理单位，确定后将转交办理。",
        status=Status.ACCEPTED,
    )
    add_event(
        suggestion,
        EventKind.AGENCY_RETURNED,
        actor,
        note=f"{agency.name}退单，理由：{reason}",
        public=False,
    )
    _audit(
        "suggestion_returned_by_agency",
        actor,
        suggestion,
        before,
        agency=agency.name,
        reason=reason,
    )
    db.session.flush()
    notify_events.suggestion_returned(suggestion, agency, reason)


# Replies ------------------------------------------------------------------------


def open_reply(suggestion):
    """The reply waiting for approval, or None."""
    return db.session.scalar(
        sa.select(SuggestionReply).where(
            SuggestionReply.suggestion_id == suggestion.id,
            SuggestionReply.status == ReplyStatus.SUBMITTED.value,
        )
    )


def latest_approved_reply(suggestion):
    """The most recently approved reply, or None."""
    return db.session.scalar(
        sa.select(SuggestionReply)
        .where(
            SuggestionReply.suggestion_id == suggestion.id,
            SuggestionReply.status == ReplyStatus.APPROVED.value,
        )
        .order_by(SuggestionReply.id.desc())
        .limit(1)
    )


def submit_reply(suggestion, version, text, files, actor):
    """The handler submits a reply (text + checked, stored files) for approval.

    :param files: :class:`portal.suggestions.uploads.StoredFile` objects, already
        written (the caller removes them if this raises or the commit fails).
    :raises ValidationFailed: empty text.
    :raises InvalidState: not in 办理中, or a reply already waits for approval.
    """
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("请填写答复内容。")
    lock(suggestion, version)
    _require(
        suggestion, Status.PROCESSING, message="只有办理中的意见建议可以提交答复。"
    )
    if open_reply(suggestion) is not None:
        raise InvalidState("已有一份答复在等待审核，请等待审核结果。")
    now = utcnow()
    reply = SuggestionReply(
        suggestion=suggestion,
        author_id=actor.user.id,
        text=text,
        status=ReplyStatus.SUBMITTED.value,
        submitted_at=now,
    )
    db.session.add(reply)
    db.session.flush()
    for stored in files:
        db.session.add(
            SuggestionAttachment(
                suggestion_id=suggestion.id,
                reply_id=reply.id,
                stored_name=stored.stored_name,
                original_name=stored.original_name,
                mime=stored.mime,
                size=stored.size,
                sha256=stored.sha256,
                created_at=now,
            )
        )
    audit.record(
        "suggestion_reply_submitted",
        actor,
        suggestion,
        after={"reply": reply.id, "attachments": len(files)},
    )
    db.session.flush()
    notify_events.suggestion_replied(suggestion)
    return reply


def approve_reply(suggestion, version, actor):
    """Staff approve the waiting reply: 已答复, ``replied_at`` = its submission time.

    :raises InvalidState: no reply waits for approval.
    """
    lock(suggestion, version)
    reply = open_reply(suggestion)
    if reply is None or suggestion.status != Status.PROCESSING:
        raise InvalidState("没有等待审核的答复。")
    before = suggestion.status
    reply.status = ReplyStatus.APPROVED.value
    reply.decided_at = utcnow()
    reply.decided_by_id = actor.user.id
    suggestion.replied_at = reply.submitted_at
    add_event(
        suggestion,
        EventKind.REPLIED,
        actor,
        note="办理单位已作出答复，答复内容公开后可在本页查看。",
        status=Status.REPLIED,
    )
    _audit("suggestion_reply_approved", actor, suggestion, before, reply=reply.id)
    db.session.flush()
    # Keyed by the reply: an item reopened after a contest is answered again.
    tell_submitter(suggestion, "replied", key=reply.id)


def return_reply(suggestion, version, reason, actor):
    """Staff send the waiting reply back to the handler with a reason.

    :raises ValidationFailed: no reason.
    :raises InvalidState: no reply waits for approval.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写退回理由。")
    lock(suggestion, version)
    reply = open_reply(suggestion)
    if reply is None:
        raise InvalidState("没有等待审核的答复。")
    reply.status = ReplyStatus.RETURNED.value
    reply.return_reason = reason
    reply.decided_at = utcnow()
    reply.decided_by_id = actor.user.id
    add_event(suggestion, EventKind.REPLY_RETURNED, actor, note=reason, public=False)
    audit.record(
        "suggestion_reply_returned",
        actor,
        suggestion,
        after={"reply": reply.id, "reason": reason},
    )
    db.session.flush()
    notify_events.suggestion_reply_returned(suggestion, reason)


def publish_reply(suggestion, version, text, actor, description=None, photo_ids=None):
    """Publish the approved reply's de-personalised text on the public status page.

    :param photo_ids: ids of the approved reply's photos (JPEG/PNG) that staff
        approved for publication; shown to the submitter on the tracking page.
        Photos of the reply not listed are withdrawn. None leaves them as they are.
    :raises ValidationFailed: empty text, or a photo that is not one of the
        approved reply's images.
    :raises InvalidState: no approved reply (status not 已答复).
    """
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("请填写公开的答复内容。")
    lock(suggestion, version)
    if suggestion.status != Status.REPLIED or latest_approved_reply(suggestion) is None:
        raise InvalidState("只有审核通过的答复可以公开。")
    before = suggestion.published_reply
    now = utcnow()
    suggestion.published_reply = text
    if description is not None:
        suggestion.published_description = description.strip() or None
    photos = None
    if photo_ids is not None:
        photos = _publish_photos(latest_approved_reply(suggestion), photo_ids, now)
    suggestion.reply_published_at = now
    add_event(suggestion, EventKind.REPLY_PUBLISHED, actor, note="答复已公开。")
    audit.record(
        "suggestion_reply_published",
        actor,
        suggestion,
        before={"published_reply": before},
        after={
            "published_reply": text,
            "published_description": suggestion.published_description,
            "photos": photos,
        },
    )
    db.session.flush()
    notify_events.suggestion_published(suggestion)
    # Once per approved reply (editing the published text sends nothing more).
    tell_submitter(suggestion, "published", key=latest_approved_reply(suggestion).id)


def _publish_photos(reply, photo_ids, now):
    wanted = {int(i) for i in photo_ids}
    images = {a.id: a for a in reply.attachments if a.is_image}
    unknown = wanted - set(images)
    if unknown:
        raise ValidationFailed("只能公开审核通过的答复中的照片。")
    for attachment_id, attachment in images.items():
        if attachment_id in wanted:
            attachment.published_at = attachment.published_at or now
        else:
            attachment.published_at = None
    return sorted(wanted)


def published_photos(suggestion):
    """Reply photos approved for publication that the submitter of ``suggestion``
    sees: those of the item itself, or of its main item when it was merged."""
    source = suggestion.merged_into or suggestion
    if source.reply_published_at is None and source.published_reply is None:
        return []
    return list(
        db.session.scalars(
            sa.select(SuggestionAttachment)
            .where(
                SuggestionAttachment.suggestion_id == source.id,
                SuggestionAttachment.reply_id.is_not(None),
                SuggestionAttachment.published_at.is_not(None),
            )
            .order_by(SuggestionAttachment.id)
        )
    )
