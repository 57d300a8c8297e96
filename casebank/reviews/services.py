"""State changes: publish a template version, save/submit a review, label a
finding. Services flush, never commit; the caller commits."""

import logging
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa

from casebank.reviews import scoring
from casebank.reviews.defaults import DEFAULT_TEMPLATE
from casebank.reviews.models import (
    CaseReview,
    FindingLabel,
    LabelDecision,
    ReviewDeduction,
    ReviewStatus,
    ScoreItem,
    ScoreSection,
    ScoreTemplate,
)
from casebank.reviews.queries import current_template, finding_key, review_for
from casebank.reviews.template_text import parse
from portal import audit, locking
from portal.exceptions import Conflict, InvalidState, ValidationFailed
from portal.extensions import db
from portal.notifications import events as notify_events
from portal.timeutil import utcnow

logger = logging.getLogger(__name__)

STALE_MESSAGE = (
    "该评查表已在其他页面或窗口中保存过，本次保存未生效。"
    "下方显示的是您本次填写的内容；核对已保存的内容后，如以本次为准，请再次保存。"
)
MAX_NOTE = 500
MAX_OPINION = 5000
MAX_REASON = 1000


def publish_template(parsed, actor) -> ScoreTemplate:
    """Publish a parsed template as the next version (audited).

    :param parsed: a :class:`template_text.ParsedTemplate` (already validated).
    :raises Conflict: when another version was published at the same moment.
    :return: the new :class:`ScoreTemplate`.
    """
    latest = db.session.scalar(sa.select(sa.func.max(ScoreTemplate.version))) or 0
    template = ScoreTemplate(
        version=latest + 1,
        name=parsed.name,
        excellent_min=parsed.excellent_min,
        pass_min=parsed.pass_min,
        created_by_id=actor.user.id if actor.user is not None else None,
    )
    for position, section in enumerate(parsed.sections):
        row = ScoreSection(position=position, name=section.name, points=section.points)
        for item_position, item in enumerate(section.items):
            row.items.append(
                ScoreItem(
                    position=item_position,
                    text=item.text,
                    max_deduction=item.max_deduction,
                    veto=item.veto,
                )
            )
        template.sections.append(row)
    db.session.add(template)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError as exc:
        raise Conflict("评分模板刚刚已由他人发布了新版本，请刷新后重新编辑。") from exc
    audit.record(
        "review_template_published",
        actor,
        template,
        after={
            "version": template.version,
            "sections": {s.name: s.points for s in template.sections},
            "items": len(template.items),
            "excellent_min": template.excellent_min,
            "pass_min": template.pass_min,
        },
    )
    logger.info("Review template v%s published by %s", template.version, actor.label)
    return template


def ensure_template(actor) -> ScoreTemplate:
    """The current template; publishes the default one first if there is none."""
    template = current_template()
    if template is None:
        try:
            template = publish_template(parse(DEFAULT_TEMPLATE), actor)
        except Conflict:
            # Another request published the first version at the same moment.
            template = current_template()
    return template


def parse_entries(template, raw: dict) -> tuple[dict, dict]:
    """Read the sheet's raw values (item id → points text, vetoed flag, note).

    :param raw: item id → ``{"points": str, "vetoed": bool, "note": str}``.
    :return: (item id → :class:`scoring.Entry`, item id → Chinese error).
    """
    entries, errors = {}, {}
    for item in template.items:
        value = raw.get(item.id) or {}
        note = (value.get("note") or "").strip()
        vetoed = bool(value.get("vetoed")) and item.veto
        text = (str(value.get("points") or "")).strip() or "0"
        points = Decimal(0)
        if item.veto and not item.max_deduction:
            text = "0"
        try:
            points = Decimal(text)
            if not points.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            errors[item.id] = "扣分应为数字"
        else:
            if points < 0 or points > item.max_deduction:
                errors[item.id] = f"扣分应在0到{item.max_deduction.normalize():f}分之间"
            elif points * 2 != (points * 2).to_integral():
                errors[item.id] = "扣分以0.5分为单位"
        if len(note) > MAX_NOTE:
            errors[item.id] = f"说明不能超过{MAX_NOTE}字"
        if (points > 0 or vetoed) and not note and item.id not in errors:
            errors[item.id] = "扣分或否决时请填写说明（问题所在）"
        entries[item.id] = scoring.Entry(points, vetoed, note)
    return entries, errors


def save_review(
    case,
    reviewer,
    template,
    entries: dict,
    opinion: str,
    expected_version: int,
    actor,
    submit: bool = False,
) -> CaseReview:
    """Save ``reviewer``'s sheet of ``case`` as a draft, or submit it (audited).

    :param entries: item id → :class:`scoring.Entry` (from :func:`parse_entries`).
    :param expected_version: the ``version`` the form was built on (0 for a
        sheet that did not exist yet); claimed with :func:`portal.locking.claim`.
    :raises Conflict: the sheet was saved elsewhere since (stale form).
    :raises InvalidState: the review was already submitted.
    :raises ValidationFailed: submit without an opinion, an opinion too long.
    :return: the saved :class:`CaseReview`.
    """
    opinion = (opinion or "").strip()
    if len(opinion) > MAX_OPINION:
        raise ValidationFailed(f"评查意见不能超过{MAX_OPINION}字")
    if submit and not opinion:
        raise ValidationFailed("提交前请填写评查意见")
    review = review_for(case, reviewer)
    if review is not None and _same_content(review, template, entries, opinion):
        # A double submit (or a save that changes nothing): harmless, no-op.
        if review.is_submitted == submit:
            return review
    if review is not None and review.is_submitted:
        raise InvalidState("该评查表已提交，不能再修改。")
    if review is None and expected_version != 0:
        raise Conflict(STALE_MESSAGE)
    if review is not None:
        locking.claim(review, expected_version, message=STALE_MESSAGE)
    if review is None:
        review = CaseReview(
            case_id=case.id, reviewer_id=reviewer.id, template_id=template.id
        )
        db.session.add(review)
    elif review.template_id != template.id:
        raise Conflict(STALE_MESSAGE)
    result = scoring.compute(review.template or template, entries)
    existing = {d.item_id: d for d in review.deductions}
    for item in template.items:
        entry = entries.get(item.id) or scoring.Entry()
        row = existing.get(item.id)
        if row is None:
            row = ReviewDeduction(item_id=item.id)
            review.deductions.append(row)
        row.points, row.vetoed, row.note = entry.points, entry.vetoed, entry.note
    review.opinion = opinion
    review.score = result.score
    review.grade = result.grade
    review.updated_at = utcnow()
    if submit:
        review.status = ReviewStatus.SUBMITTED
        review.submitted_at = utcnow()
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError as exc:
        # The sheet was created in another tab between our read and our write
        # (a concurrent save of an existing sheet is refused by the claim).
        raise Conflict(STALE_MESSAGE) from exc
    if submit:
        from casebank.supervision.services import complete_on_review

        complete_on_review(case, reviewer, actor)
        audit.record(
            "case_review_submitted",
            actor,
            review,
            after={
                "score": str(review.score),
                "grade": result.grade.label,
                "vetoed": result.vetoed,
                "template_version": review.template.version,
            },
        )
        notify_events.review_submitted(review)
    return review


def _same_content(review, template, entries: dict, opinion: str) -> bool:
    """Does the stored sheet hold exactly these entries and this opinion?"""
    if review.template_id != template.id or (review.opinion or "") != opinion:
        return False
    stored = {d.item_id: d for d in review.deductions}
    for item in template.items:
        entry = entries.get(item.id) or scoring.Entry()
        row = stored.get(item.id)
        got = (row.points, row.vetoed, row.note) if row else (Decimal(0), False, "")
        if (Decimal(got[0]), got[1], got[2]) != (
            entry.points,
            entry.vetoed,
            entry.note,
        ):
            return False
    return True


def _checker_snapshot(case) -> dict:
    review = case.review or {}
    snapshot = {
        key: review[key]
        for key in ("checker", "checker_version", "model", "version")
        if key in review
    }
    match = review.get("match") or {}
    snapshot.update(
        {
            "item_id": match.get("item_id"),
            "match_score": match.get("score"),
            "tier": review.get("tier"),
            "catalogue_version_id": case.matched_version_id,
            "checked_at": case.checked_at.isoformat(timespec="seconds")
            if case.checked_at
            else None,
        }
    )
    return snapshot


def label_finding(case, finding, reviewer, decision: str, reason: str, actor):
    """Confirm (确认) or dismiss (驳回, with a reason) a current finding of a case.

    Stores a snapshot of the finding so that the label survives re-checks; a
    second label of the same finding by the same reviewer replaces the first.

    :raises ValidationFailed: unknown decision, dismissal without a reason.
    :return: the :class:`FindingLabel`.
    """
    reason = (reason or "").strip()
    if decision not in tuple(LabelDecision):
        raise ValidationFailed("请选择“确认”或“驳回”")
    if decision == LabelDecision.DISMISSED and not reason:
        raise ValidationFailed("驳回检查发现时请填写理由")
    if len(reason) > MAX_REASON:
        raise ValidationFailed(f"理由不能超过{MAX_REASON}字")
    key = finding_key(finding.code, finding.evidence)
    label = db.session.scalar(
        sa.select(FindingLabel).where(
            FindingLabel.case_id == case.id,
            FindingLabel.reviewer_id == reviewer.id,
            FindingLabel.finding_key == key,
        )
    )
    before = None
    if label is None:
        label = FindingLabel(case_id=case.id, reviewer_id=reviewer.id, finding_key=key)
        db.session.add(label)
    else:
        before = {"decision": label.decision, "reason": label.reason}
    label.code = finding.code
    label.severity = finding.severity
    label.message = finding.message
    label.evidence = finding.evidence or ""
    label.spans = list(finding.spans or [])
    label.checker = _checker_snapshot(case)
    label.decision = decision
    label.reason = reason or None
    label.updated_at = utcnow()
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError as exc:
        raise Conflict("该检查发现刚刚已被标注，请刷新页面后查看。") from exc
    audit.record(
        "finding_labelled",
        actor,
        label,
        before=before,
        after={"decision": decision, "reason": label.reason},
    )
    # The checker's running score moves with every label (docs/nlp.md).
    from casebank.reviews.precision import refresh_states

    refresh_states(actor)
    return label
