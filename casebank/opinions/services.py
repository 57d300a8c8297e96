"""Write operations on 监督意见书. Services flush, views commit (STYLE R5).

Every state change is one conditional UPDATE on (id, version, status): a stale
form or a second person acting at the same moment updates no row and gets a
Chinese refusal, never a double transition.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from casebank.opinions import numbers
from casebank.opinions.models import (
    OPEN_FOR_REPLY,
    EventKind,
    OpinionAttachment,
    OpinionEvent,
    OpinionReply,
    OpinionStatus,
    SupervisionOpinion,
)
from casebank.opinions.queries import china_today, opinion_by_form_token
from portal import audit, locking
from portal.exceptions import Conflict, InvalidState, ValidationFailed
from portal.extensions import db
from portal.notifications import events as notify_events
from portal.timeutil import utcnow
from portal.workdays.queries import calendar

STALE = "该监督意见书已被他人处理或页面已过期，请刷新页面后重试。"


class AlreadyIssued(Conflict):
    """The issue form (its token) was submitted before; ``opinion`` is the result."""

    def __init__(self, opinion):
        super().__init__(f"该监督意见书已签发（{opinion.number}），请勿重复提交。")
        self.opinion = opinion


@dataclass(frozen=True)
class Draft:
    """What the issue form carries (already validated by the form)."""

    form_token: str
    problems: str
    opinion: str
    legal_basis: str | None
    deadline_workdays: int
    review_id: int | None = None


def deadline_bounds():
    return 1, int(current_app.config["OPINION_DEADLINE_MAX_WORKDAYS"])


def _check_workdays(value):
    low, high = deadline_bounds()
    if not isinstance(value, int) or not low <= value <= high:
        raise ValidationFailed(f"整改期限应为 {low} 至 {high} 个工作日。")


def _name(actor):
    return actor.user.name if actor.user is not None else actor.label


def _event(opinion, kind, actor, note="", at=None):
    opinion.events.append(
        OpinionEvent(
            kind=kind.value,
            at=at or utcnow(),
            actor_id=actor.user.id if actor.user is not None else None,
            actor_name=_name(actor),
            note=note or "",
        )
    )


def _by_token(token):
    return opinion_by_form_token(token)


def issue_opinion(case, draft, actor, today=None):
    """Issue a numbered opinion to ``case``'s agency, due N working days later.

    :param case: the :class:`casebank.cases.models.CaseFile` (the view checked scope).
    :param draft: a :class:`Draft`.
    :param today: the China issue date (default: today).
    :raises AlreadyIssued: an opinion with this form token exists.
    :raises ValidationFailed: empty texts or a deadline out of bounds.
    """
    existing = _by_token(draft.form_token)
    if existing is not None:
        raise AlreadyIssued(existing)
    if not draft.problems.strip() or not draft.opinion.strip():
        raise ValidationFailed("请填写发现的问题和监督意见（整改要求）。")
    _check_workdays(draft.deadline_workdays)
    issued_on = today or china_today()
    now = utcnow()
    seq = numbers.next_seq(issued_on.year)
    opinion = SupervisionOpinion(
        number=numbers.format_number(issued_on.year, seq),
        year=issued_on.year,
        seq=seq,
        form_token=draft.form_token,
        case_id=case.id,
        agency_id=case.agency_id,
        review_id=draft.review_id,
        problems=draft.problems.strip(),
        opinion=draft.opinion.strip(),
        legal_basis=(draft.legal_basis or "").strip() or None,
        issued_on=issued_on,
        deadline_workdays=draft.deadline_workdays,
        due_on=calendar().add_workdays(issued_on, draft.deadline_workdays),
        status=OpinionStatus.ISSUED.value,
        issued_by_id=actor.user.id if actor.user is not None else None,
        issued_by_name=_name(actor),
        issued_at=now,
        version=1,
    )
    _event(
        opinion,
        EventKind.ISSUED,
        actor,
        f"送达{case.agency.name}，整改期限 {draft.deadline_workdays} 个工作日"
        f"（{opinion.due_on:%Y年%m月%d日}前）",
        now,
    )
    savepoint = db.session.begin_nested()
    try:
        db.session.add(opinion)
        db.session.flush()
    except sa.exc.IntegrityError:
        # A concurrent double submit won the race for this form token; the view
        # rolls back the whole transaction, the drawn number with it.
        savepoint.rollback()
        existing = _by_token(draft.form_token)
        if existing is None:
            raise
        raise AlreadyIssued(existing) from None
    savepoint.commit()
    audit.record(
        "opinion_issued",
        actor,
        opinion,
        after={
            "case_id": case.id,
            "agency_id": case.agency_id,
            "review_id": draft.review_id,
            "due_on": opinion.due_on,
            "deadline_workdays": draft.deadline_workdays,
        },
    )
    notify_events.opinion_issued(opinion)
    return opinion


def _fresh(opinion, expected_version):
    """Refuse a form rendered from an older state of ``opinion``."""
    locking.check_fresh(opinion, expected_version, STALE)


def _transition(opinion, expected_version, allowed, **values):
    """Move ``opinion`` on when it is still at ``expected_version`` in one of the
    ``allowed`` statuses; otherwise refuse (stale form or concurrent decision)."""
    locking.claim(
        opinion,
        expected_version,
        STALE,
        where=(SupervisionOpinion.status.in_([s.value for s in allowed]),),
        **values,
    )


def submit_reply(opinion, expected_version, text, files, actor):
    """The agency's 整改情况 (with stored attachment files) for review.

    :param files: :class:`portal.suggestions.uploads.StoredFile` already written
        (the caller removes them if this raises or the commit fails).
    """
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("请填写整改情况。")
    _fresh(opinion, expected_version)
    if opinion.status not in OPEN_FOR_REPLY:
        raise InvalidState(
            f"该监督意见书当前为“{opinion.status_enum.label}”，不能提交整改情况。"
        )
    now = utcnow()
    _transition(
        opinion,
        expected_version,
        OPEN_FOR_REPLY,
        status=OpinionStatus.REPLIED.value,
        last_replied_at=now,
    )
    reply = OpinionReply(
        round=len(opinion.replies) + 1,
        text=text,
        submitted_by_id=actor.user.id if actor.user is not None else None,
        submitted_by_name=_name(actor),
        submitted_at=now,
    )
    for stored in files:
        reply.attachments.append(
            OpinionAttachment(
                stored_name=stored.stored_name,
                original_name=stored.original_name,
                mime=stored.mime,
                size=stored.size,
                sha256=stored.sha256,
                created_at=now,
            )
        )
    opinion.replies.append(reply)
    note = f"第 {reply.round} 次回复" + (f"，附件 {len(files)} 个" if files else "")
    _event(opinion, EventKind.REPLIED, actor, note, now)
    db.session.flush()
    audit.record(
        "opinion_replied",
        actor,
        opinion,
        after={"round": reply.round, "attachments": len(files), "text": text[:500]},
    )
    notify_events.opinion_replied(opinion)
    return reply


def _pending_reply(opinion):
    reply = opinion.latest_reply
    if opinion.status != OpinionStatus.REPLIED or reply is None or reply.decision:
        raise InvalidState(
            f"该监督意见书当前为“{opinion.status_enum.label}”，没有待审核的整改情况。"
        )
    return reply


def accept_reply(opinion, expected_version, actor, note=""):
    """采纳: the rectification is accepted and the opinion closed (已办结)."""
    _fresh(opinion, expected_version)
    reply = _pending_reply(opinion)
    now = utcnow()
    _transition(
        opinion,
        expected_version,
        (OpinionStatus.REPLIED,),
        status=OpinionStatus.ACCEPTED.value,
        closed_at=now,
    )
    reply.decision = "accepted"
    reply.decided_by_id = actor.user.id if actor.user is not None else None
    reply.decided_by_name = _name(actor)
    reply.decided_at = now
    _event(opinion, EventKind.ACCEPTED, actor, (note or "").strip(), now)
    db.session.flush()
    audit.record(
        "opinion_accepted",
        actor,
        opinion,
        before={"status": OpinionStatus.REPLIED.value},
        after={"status": OpinionStatus.ACCEPTED.value, "round": reply.round},
    )
    notify_events.opinion_decided(opinion, accepted=True)


def return_reply(opinion, expected_version, reason, actor):
    """退回: the agency must rectify and reply again (reason required)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("退回时请填写退回理由。")
    _fresh(opinion, expected_version)
    reply = _pending_reply(opinion)
    now = utcnow()
    _transition(
        opinion,
        expected_version,
        (OpinionStatus.REPLIED,),
        status=OpinionStatus.RETURNED.value,
    )
    reply.decision = "returned"
    reply.return_reason = reason
    reply.decided_by_id = actor.user.id if actor.user is not None else None
    reply.decided_by_name = _name(actor)
    reply.decided_at = now
    _event(opinion, EventKind.RETURNED, actor, reason, now)
    db.session.flush()
    audit.record(
        "opinion_returned",
        actor,
        opinion,
        before={"status": OpinionStatus.REPLIED.value},
        after={
            "status": OpinionStatus.RETURNED.value,
            "round": reply.round,
            "reason": reason,
        },
    )
    notify_events.opinion_decided(opinion, accepted=False)


def change_deadline(opinion, expected_version, workdays, reason, actor):
    """Set a new number of working days (counted from the issue date)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("变更整改期限时请填写理由。")
    _check_workdays(workdays)
    _fresh(opinion, expected_version)
    if opinion.is_closed:
        raise InvalidState("该监督意见书已办结，不能变更整改期限。")
    before = {"deadline_workdays": opinion.deadline_workdays, "due_on": opinion.due_on}
    due_on = calendar().add_workdays(opinion.issued_on, workdays)
    _transition(
        opinion,
        expected_version,
        tuple(s for s in OpinionStatus if s != OpinionStatus.ACCEPTED),
        deadline_workdays=workdays,
        due_on=due_on,
    )
    _event(
        opinion,
        EventKind.DEADLINE_CHANGED,
        actor,
        f"整改期限改为 {workdays} 个工作日（{due_on:%Y年%m月%d日}前）：{reason}",
    )
    db.session.flush()
    audit.record(
        "opinion_deadline_changed",
        actor,
        opinion,
        before=before,
        after={"deadline_workdays": workdays, "due_on": due_on, "reason": reason},
    )
