"""Case supervision changes: draw a sample, assign / cancel / complete a review,
declare and withdraw an interest. Services flush, never commit (STYLE R5)."""

import logging

import sqlalchemy as sa
import sqlalchemy.orm as so

from casebank.cases.models import CaseFile
from casebank.supervision import queries, sampling
from casebank.supervision.models import (
    AssignmentStatus,
    InterestDeclaration,
    ReviewAssignment,
    SampledCase,
    SampleDraw,
)
from portal import audit
from portal.auth.roles import REVIEWERS
from portal.exceptions import Conflict, InvalidState, NotAllowed, ValidationFailed
from portal.extensions import db
from portal.notifications import events as notify_events
from portal.orgs.models import Organisation, OrgKind
from portal.timeutil import utcnow

logger = logging.getLogger(__name__)


class DrawExists(Conflict):
    """The agency already has a draw for the period; ``draw`` is that draw."""

    def __init__(self, message, draw):
        super().__init__(message)
        self.draw = draw


def draw_sample(
    agency: Organisation,
    period_text: str,
    actor,
    *,
    rate: float,
    seed: int | None = None,
) -> SampleDraw:
    """Draw and log a random sample of the agency's unflagged checked cases.

    :param period_text: ``YYYY-MM`` or ``YYYY-Qn`` (decision dates).
    :param rate: share to draw, ``0 < rate <= 1``.
    :param seed: the seed, or None for a fresh random one.
    :return: the new :class:`SampleDraw` (flushed, audited).
    :raises ValidationFailed: bad period, rate or seed, not an agency, or no candidate.
    :raises DrawExists: the agency has a draw for this or an overlapping period.
    """
    try:
        period = sampling.parse_period(period_text)
    except sampling.PeriodError as exc:
        raise ValidationFailed(str(exc)) from exc
    if agency.kind != OrgKind.AGENCY:
        raise ValidationFailed("只能对执法部门抽取案卷")
    if not 0 < rate <= 1:
        raise ValidationFailed("抽取比例应大于 0% 且不超过 100%")
    if seed is None:
        seed = sampling.new_seed()
    elif not 0 <= seed <= sampling.MAX_SEED:
        raise ValidationFailed(f"随机种子应为 0 至 {sampling.MAX_SEED} 之间的整数")
    existing = queries.overlapping_draw(agency.id, period.start, period.end)
    if existing is not None:
        raise DrawExists(
            f"{agency.name}{existing.period} 已抽取过（抽查 #{existing.id}），"
            "不重复抽取",
            existing,
        )
    candidates = queries.sample_candidates(agency.id, period.start, period.end)
    if not candidates:
        raise ValidationFailed(
            f"{agency.name}在{period.label}没有可抽查的案卷（已检查且无问题的案卷）"
        )
    drawn = sampling.draw(candidates, rate, seed)
    draw = SampleDraw(
        agency_id=agency.id,
        period=period.key,
        period_start=period.start,
        period_end=period.end,
        rate=rate,
        seed=seed,
        candidate_count=len(candidates),
        candidate_digest=sampling.candidate_digest(candidates),
        drawn_ids=drawn,
        created_by_id=actor.user.id if actor.user else None,
    )
    db.session.add(draw)
    db.session.flush()
    db.session.add_all(SampledCase(draw_id=draw.id, case_id=i) for i in drawn)
    db.session.flush()
    audit.record(
        "case_sample_drawn",
        actor,
        draw,
        after={
            "部门": agency.name,
            "期间": period.key,
            "比例": rate,
            "种子": str(seed),
            "候选数": len(candidates),
            "抽中": drawn,
        },
    )
    logger.info("Sample %r drawn by %s", draw, actor.label)
    return draw


def assign_case(case: CaseFile, assignee, actor, due_on=None) -> ReviewAssignment:
    """Give ``case`` to ``assignee`` for review.

    :raises NotAllowed: the assignee holds no reviewer role covering the agency, or
        has a conflict of interest with it (own organisation or declared).
    :raises InvalidState: the case already has an open assignment.
    """
    agency = case.agency
    if not assignee.is_active_account or not assignee.has_role(*REVIEWERS):
        raise NotAllowed(f"{assignee.name}不是可分配评查任务的监督人员")
    reason = queries.conflict_reason(assignee, agency)
    if reason:
        raise NotAllowed(reason)
    if not queries.is_eligible_reviewer(assignee, agency):
        raise NotAllowed(f"{assignee.name}的监督范围不包括{agency.name}")
    current = queries.open_assignments_by_case([case.id]).get(case.id)
    if current is not None:
        raise InvalidState(f"该案卷已分配给{current.assignee.name}，请先撤回再重新分配")
    assignment = ReviewAssignment(
        case_id=case.id,
        assignee_id=assignee.id,
        assigned_by_id=actor.user.id if actor.user else None,
        due_on=due_on,
    )
    db.session.add(assignment)
    db.session.flush()  # the partial unique index stops a concurrent second one
    audit.record(
        "review_assigned",
        actor,
        assignment,
        after={
            "案卷": case.audit_label,
            "评查人": assignee.audit_label,
            "评查期限": due_on.isoformat() if due_on else "",
        },
    )
    notify_events.review_assigned(assignment)
    return assignment


def _close(assignment: ReviewAssignment, status: str, reason: str | None):
    """Close an open assignment with one conditional UPDATE (``WHERE status =
    'open'``), so of a concurrent 标记完成 and 撤回 exactly one succeeds.

    :raises InvalidState: the assignment is no longer open (in memory or in the
        database).
    """
    if assignment.status != AssignmentStatus.OPEN:
        raise InvalidState("该评查任务已结束")
    closed_at = utcnow()
    result = db.session.execute(
        sa.update(ReviewAssignment)
        .where(
            ReviewAssignment.id == assignment.id,
            ReviewAssignment.status == AssignmentStatus.OPEN,
        )
        .values(status=status, closed_at=closed_at, close_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.expire(assignment)
        raise InvalidState("该评查任务已结束")
    # Bring the loaded object in line with the row without another UPDATE.
    so.attributes.set_committed_value(assignment, "status", status)
    so.attributes.set_committed_value(assignment, "closed_at", closed_at)
    so.attributes.set_committed_value(assignment, "close_reason", reason)


def cancel_assignment(assignment: ReviewAssignment, actor, reason: str = "撤回分配"):
    """Withdraw an open assignment (the case returns to 未分配)."""
    _close(assignment, AssignmentStatus.CANCELLED, reason)
    audit.record(
        "review_assignment_cancelled", actor, assignment, after={"原因": reason}
    )


def complete_assignment(assignment: ReviewAssignment, actor):
    """The assignee marks the review done.

    :raises NotAllowed: the actor is not the assignee.
    """
    if actor.user is None or actor.user.id != assignment.assignee_id:
        raise NotAllowed("只有被分配的评查人可以完成该任务")
    _close(assignment, AssignmentStatus.DONE, None)
    audit.record("review_assignment_done", actor, assignment)


def complete_on_review(case: CaseFile, reviewer, actor) -> bool:
    """Close ``reviewer``'s open assignment of ``case`` when their 评查表 is
    submitted (audited). Returns whether there was one."""
    assignment = db.session.scalar(
        sa.select(ReviewAssignment).where(
            ReviewAssignment.case_id == case.id,
            ReviewAssignment.assignee_id == reviewer.id,
            ReviewAssignment.status == AssignmentStatus.OPEN,
        )
    )
    if assignment is None:
        return False
    _close(assignment, AssignmentStatus.DONE, "评查表已提交")
    audit.record("review_assignment_done", actor, assignment)
    return True


def declare_interest(user, organisation: Organisation, reason: str, actor):
    """Record the user's interest in ``organisation`` (and everything below it).

    Open assignments of cases of agencies at or below the organisation are
    cancelled at once (reason: 申报利益冲突), so the conflict blocks the review
    immediately; the queue shows those cases as unassigned again.

    :return: (the new declaration, the number of cancelled assignments).
    :raises ValidationFailed: empty reason.
    :raises InvalidState: an active declaration for this organisation exists.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写申报理由")
    if any(
        d.organisation_id == organisation.id for d in queries.active_declarations(user)
    ):
        raise InvalidState(f"您已申报与{organisation.name}存在利益冲突")
    declaration = InterestDeclaration(
        user_id=user.id, organisation_id=organisation.id, reason=reason[:500]
    )
    db.session.add(declaration)
    db.session.flush()
    audit.record(
        "interest_declared",
        actor,
        declaration,
        after={"申报人": user.audit_label, "单位": organisation.name, "理由": reason},
    )
    affected = db.session.scalars(
        sa.select(ReviewAssignment)
        .join(CaseFile, ReviewAssignment.case_id == CaseFile.id)
        .join(Organisation, CaseFile.agency_id == Organisation.id)
        .where(
            ReviewAssignment.assignee_id == user.id,
            ReviewAssignment.status == AssignmentStatus.OPEN,
            Organisation.path.startswith(organisation.path, autoescape=True),
        )
    ).all()
    for assignment in affected:
        cancel_assignment(assignment, actor, reason="申报利益冲突，自动撤回")
    return declaration, len(affected)


def withdraw_interest(declaration: InterestDeclaration, actor):
    """Withdraw an active declaration (kept in the history).

    :raises NotAllowed: the actor is not the declarant.
    :raises InvalidState: already withdrawn.
    """
    if actor.user is None or actor.user.id != declaration.user_id:
        raise NotAllowed("只能撤回本人的申报")
    if declaration.withdrawn_at is not None:
        raise InvalidState("该申报已撤回")
    declaration.withdrawn_at = utcnow()
    db.session.flush()
    audit.record("interest_withdrawn", actor, declaration)


def can_review(user) -> bool:
    """Whether ``user`` holds a role that can be given reviews."""
    return user.has_role(*REVIEWERS)
