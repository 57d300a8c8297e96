"""Write operations of the oversight part: observations, escalations (flush only)."""

import logging

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from casebank.cases.models import CaseFile
from portal import audit
from portal.exceptions import Conflict, ValidationFailed
from portal.extensions import db
from portal.notifications import events as notify_events
from portal.suggestions.oversight.models import (
    Escalation,
    EscalationStatus,
    SupervisorObservation,
)
from portal.timeutil import utcnow

logger = logging.getLogger(__name__)

MAX_TEXT = 5000


def _by_token(model, form_token):
    if not form_token:
        return None
    return db.session.scalar(sa.select(model).where(model.form_token == form_token))


def _insert_once(row, model):
    """Add ``row``; when a concurrent post of the same form won the race on the
    unique ``form_token``, return that one instead (in a savepoint, so the
    caller's transaction stays usable).

    :return: ``(row, created)``.
    """
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        existing = _by_token(model, row.form_token)
        if existing is None:
            raise
        return existing, False
    return row, True


def _clean(text, what):
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(f"请填写{what}")
    if len(text) > MAX_TEXT:
        raise ValidationFailed(f"{what}不能超过 {MAX_TEXT} 字")
    return text


def add_observation(suggestion, actor, text, form_token=None):
    """Record an invited supervisor's observation (监督员意见) on ``suggestion``.

    A second post of the same form (same ``form_token``) returns the first note.

    :raises ValidationFailed: empty or too long text.
    :return: the :class:`SupervisorObservation`.
    """
    existing = _by_token(SupervisorObservation, form_token)
    if existing is not None:
        return existing
    observation, created = _insert_once(
        SupervisorObservation(
            suggestion_id=suggestion.id,
            author_id=actor.user.id,
            text=_clean(text, "监督员意见"),
            form_token=form_token or None,
        ),
        SupervisorObservation,
    )
    if not created:
        return observation
    audit.record(
        "suggestion_observation_added",
        actor,
        observation,
        after={"受理编号": suggestion.number, "字数": len(observation.text)},
    )
    logger.info("Observation on %s by %s", suggestion.number, actor.label)
    return observation


def case_with_number(agency_id, doc_number):
    """The casebank case of ``agency_id`` whose 文号 is ``doc_number``, or None."""
    if not agency_id or not doc_number:
        return None
    return db.session.scalar(
        sa.select(CaseFile)
        .where(CaseFile.agency_id == agency_id, CaseFile.doc_number == doc_number)
        .order_by(CaseFile.id)
        .limit(1)
    )


def escalate(suggestion, actor, reason, doc_number=None, form_token=None):
    """An invited supervisor refers ``suggestion`` to a case review (转案卷评查).

    When a case with the 文号 exists in the item's agency it is linked.

    :raises ValidationFailed: no reason, or a reason / 文号 too long.
    :return: the :class:`Escalation`.
    """
    existing = _by_token(Escalation, form_token)
    if existing is not None:
        return existing
    doc_number = (doc_number or "").strip() or None
    if doc_number and len(doc_number) > 100:
        raise ValidationFailed("文号不能超过 100 字")
    agency_id = suggestion.assigned_org_id or suggestion.organisation_id
    case = case_with_number(agency_id, doc_number)
    escalation, created = _insert_once(
        Escalation(
            suggestion_id=suggestion.id,
            supervisor_id=actor.user.id,
            reason=_clean(reason, "转办理由"),
            doc_number=doc_number,
            case_file_id=case.id if case else None,
            status=EscalationStatus.OPEN.value,
            form_token=form_token or None,
        ),
        Escalation,
    )
    if not created:
        return escalation
    audit.record(
        "suggestion_escalated",
        actor,
        escalation,
        after={
            "受理编号": suggestion.number,
            "文号": doc_number or "",
            "关联案卷": case.audit_label if case else "未找到",
        },
    )
    notify_events.escalation_received(escalation)
    return escalation


def handle_escalation(escalation, actor, note):
    """Supervision staff mark an escalation handled, with a note.

    The change is a conditional update on ``status = 'open'``, so of two staff
    members handling it at once only the first succeeds.

    :raises ValidationFailed: no note.
    :raises Conflict: it was handled already.
    """
    note = _clean(note, "处理情况")
    now = utcnow()
    result = db.session.execute(
        sa.update(Escalation)
        .where(
            Escalation.id == escalation.id,
            Escalation.status == EscalationStatus.OPEN.value,
        )
        .values(
            status=EscalationStatus.HANDLED.value,
            handled_at=now,
            handled_by_id=actor.user.id,
            handled_note=note,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict("该转办事项已处理，请勿重复操作")
    db.session.refresh(escalation)
    audit.record(
        "suggestion_escalation_handled",
        actor,
        escalation,
        before={"状态": EscalationStatus.OPEN.label},
        after={"状态": EscalationStatus.HANDLED.label, "处理情况": note},
    )
    return escalation
