"""Reads of case supervision: the review queue, who may review a case (conflict of
interest in SQL), supervisors' assignments, sample draws and declarations.

The conflict-of-interest rule (docs/case-supervision.md): a person never reviews a
case of an agency that is their own organisation or lies below it, nor of an agency
at or below an organisation they declared an interest in (active declaration).
Organisations carry materialised paths (``/1/4/9/``), so "the agency lies at or
below X" is "X's id is one of the ids in the agency's path".
"""

from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from casebank.cases.models import CaseFile, CheckStatus
from casebank.cases.queries import org_scope_filter, visible_case
from casebank.supervision.models import (
    AssignmentStatus,
    InterestDeclaration,
    ReviewAssignment,
    SampledCase,
    SampleDraw,
)
from portal.auth.models import Role, User, UserRole
from portal.auth.roles import CASE_WORKERS, REVIEWERS
from portal.extensions import db
from portal.orgs.models import Organisation

# Who may be given cases to review.
# Who runs the queue: draws samples and assigns cases.

SEVERITY_FILTERS = {"high": 3, "medium": 2, "low": 1, "none": 0}


def ancestor_ids(org: Organisation) -> list[int]:
    """Ids of ``org`` and every organisation above it (from its path)."""
    return [int(part) for part in org.path.strip("/").split("/") if part]


def conflict_free_users(agency: Organisation):
    """SQL condition on ``User`` rows: no conflict of interest with ``agency``.

    Not a member of the agency or of an organisation above it, and no active
    declaration of interest in the agency or an organisation above it.
    """
    above = ancestor_ids(agency)
    declared = sa.exists().where(
        InterestDeclaration.user_id == User.id,
        InterestDeclaration.withdrawn_at.is_(None),
        InterestDeclaration.organisation_id.in_(above),
    )
    return sa.and_(User.organisation_id.not_in(above), ~declared)


def eligible_reviewers(agency: Organisation):
    """Select the active users who may review cases of ``agency``, by name.

    They hold a reviewer role whose scope covers the agency, and have no conflict
    of interest with it (:func:`conflict_free_users`).
    """
    above = ancestor_ids(agency)
    covered = sa.exists().where(
        UserRole.user_id == User.id,
        UserRole.role.in_([r.value for r in REVIEWERS]),
        UserRole.scope_id.in_(above),
    )
    return (
        sa.select(User)
        .where(User.is_active_account.is_(True), covered, conflict_free_users(agency))
        .order_by(User.name, User.id)
    )


def is_eligible_reviewer(user, agency: Organisation) -> bool:
    """True when :func:`eligible_reviewers` of ``agency`` includes ``user``."""
    stmt = eligible_reviewers(agency).where(User.id == user.id)
    return db.session.scalar(stmt) is not None


def active_declarations(user) -> list[InterestDeclaration]:
    """The user's declarations that are not withdrawn."""
    return list(
        db.session.scalars(
            sa.select(InterestDeclaration)
            .where(
                InterestDeclaration.user_id == user.id,
                InterestDeclaration.withdrawn_at.is_(None),
            )
            .options(so.joinedload(InterestDeclaration.organisation))
        )
    )


def conflict_reason(user, agency: Organisation) -> str | None:
    """Why ``user`` may not review cases of ``agency`` (Chinese), or None."""
    above = set(ancestor_ids(agency))
    if user.organisation_id in above:
        return (
            f"{user.name}所在单位（{user.organisation.name}）与"
            f"{agency.name}存在隶属关系，须回避"
        )
    for declaration in active_declarations(user):
        if declaration.organisation_id in above:
            return f"{user.name}已申报与{declaration.organisation.name}存在利益冲突，须回避"
    return None


def _conflict_free_agencies(user):
    """SQL condition on the case's ``Organisation`` (agency): no conflict with user."""
    paths = [user.organisation.path] + [
        d.organisation.path for d in active_declarations(user)
    ]
    return sa.and_(*(~Organisation.path.startswith(p, autoescape=True) for p in paths))


def _assigned_open(user):
    return sa.exists().where(
        ReviewAssignment.case_id == CaseFile.id,
        ReviewAssignment.assignee_id == user.id,
        ReviewAssignment.status == AssignmentStatus.OPEN,
    )


def case_visibility(user):
    """SQL condition on ``CaseFile`` joined to its agency ``Organisation``: the cases
    ``user`` may open (scope for staff/handlers/admins; for invited supervisors the
    cases assigned to them without a conflict)."""
    if user.has_role(*CASE_WORKERS):
        scoped = org_scope_filter(user)
    else:
        scoped = sa.false()
    if user.has_role(Role.INVITED_SUPERVISOR):
        return sa.or_(
            scoped, sa.and_(_assigned_open(user), _conflict_free_agencies(user))
        )
    return scoped


def _staff_scope_filter(user):
    """SQL condition on ``Organisation``: agencies in ``user``'s supervision-staff
    scope only (an agency-handler scope the same user may hold does not count)."""
    paths = [s.path for s in user.scopes_for(Role.SUPERVISION_STAFF)]
    if not paths:
        return sa.false()
    return sa.or_(*(Organisation.path.startswith(p, autoescape=True) for p in paths))


def reviewable_case(user, case_id: int) -> CaseFile | None:
    """The case if ``user`` may review it, else None (the view answers 404).

    System administrators: every case. Supervision staff: cases of agencies in
    their supervision-staff scope (not their agency-handler scope) with no conflict
    of interest (:func:`conflict_reason`). Invited supervisors: an open assignment
    of the case and no conflict of interest with its agency.
    """
    if user.has_role(Role.SYS_ADMIN):
        case = visible_case(user, case_id)
        if case is not None:
            return case
    if user.has_role(Role.SUPERVISION_STAFF):
        case = db.session.scalar(
            sa.select(CaseFile)
            .join(Organisation, CaseFile.agency_id == Organisation.id)
            .where(
                CaseFile.id == case_id,
                _staff_scope_filter(user),
                _conflict_free_agencies(user),
            )
        )
        if case is not None:
            return case
    if not user.has_role(Role.INVITED_SUPERVISOR):
        return None
    return db.session.scalar(
        sa.select(CaseFile)
        .join(Organisation, CaseFile.agency_id == Organisation.id)
        .where(
            CaseFile.id == case_id,
            _assigned_open(user),
            _conflict_free_agencies(user),
        )
    )


def _sampled():
    return sa.exists().where(SampledCase.case_id == CaseFile.id)


def _open_assignment():
    return sa.exists().where(
        ReviewAssignment.case_id == CaseFile.id,
        ReviewAssignment.status == AssignmentStatus.OPEN,
    )


def review_queue(
    user,
    agency_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    severity: str = "",
    assigned: bool | None = None,
    sampled: bool | None = None,
):
    """Select the review queue in ``user``'s scope: checked cases with findings
    (most severe first, then latest decision) followed by sampled unflagged ones.

    :param date_from: first decision date of the period (inclusive).
    :param date_to: last decision date of the period (inclusive).
    :param severity: ``high``/``medium``/``low`` (highest finding) or ``none``.
    :param assigned: True for cases with an open assignment, False for the others.
    :param sampled: True for cases drawn by a sample, False for the others.
    """
    stmt = (
        sa.select(CaseFile)
        .join(Organisation, CaseFile.agency_id == Organisation.id)
        .where(
            org_scope_filter(user),
            CaseFile.check_status == CheckStatus.CHECKED,
            sa.or_(CaseFile.max_severity_rank > 0, _sampled()),
        )
        .options(so.contains_eager(CaseFile.agency))
    )
    if agency_id:
        stmt = stmt.where(CaseFile.agency_id == agency_id)
    if date_from:
        stmt = stmt.where(CaseFile.decision_date >= date_from)
    if date_to:
        stmt = stmt.where(CaseFile.decision_date <= date_to)
    if severity in SEVERITY_FILTERS:
        stmt = stmt.where(CaseFile.max_severity_rank == SEVERITY_FILTERS[severity])
    if assigned is not None:
        stmt = stmt.where(_open_assignment() if assigned else ~_open_assignment())
    if sampled is not None:
        stmt = stmt.where(_sampled() if sampled else ~_sampled())
    return stmt.order_by(
        CaseFile.max_severity_rank.desc(),
        CaseFile.decision_date.desc(),
        CaseFile.id.desc(),
    )


def open_assignments_by_case(case_ids) -> dict[int, ReviewAssignment]:
    """The open assignment (with its assignee) of each of ``case_ids`` that has one."""
    if not case_ids:
        return {}
    rows = db.session.scalars(
        sa.select(ReviewAssignment)
        .where(
            ReviewAssignment.case_id.in_(list(case_ids)),
            ReviewAssignment.status == AssignmentStatus.OPEN,
        )
        .options(so.joinedload(ReviewAssignment.assignee))
    )
    return {a.case_id: a for a in rows}


def sampled_case_ids(case_ids) -> set[int]:
    """Which of ``case_ids`` were drawn by a sample."""
    if not case_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(SampledCase.case_id).where(SampledCase.case_id.in_(case_ids))
        )
    )


def assignments_of(user, status: str = AssignmentStatus.OPEN):
    """Select ``user``'s assignments in ``status``, oldest first (with case, agency)."""
    return (
        sa.select(ReviewAssignment)
        .where(
            ReviewAssignment.assignee_id == user.id, ReviewAssignment.status == status
        )
        .options(
            so.joinedload(ReviewAssignment.case).joinedload(CaseFile.agency),
        )
        .order_by(ReviewAssignment.assigned_at, ReviewAssignment.id)
    )


def assignment_history(case_id: int) -> list[ReviewAssignment]:
    """Every assignment of the case, newest first."""
    return list(
        db.session.scalars(
            sa.select(ReviewAssignment)
            .where(ReviewAssignment.case_id == case_id)
            .options(
                so.joinedload(ReviewAssignment.assignee),
                so.joinedload(ReviewAssignment.assigned_by),
            )
            .order_by(ReviewAssignment.assigned_at.desc(), ReviewAssignment.id.desc())
        )
    )


def draws_visible_to(user):
    """Select the sample draws of agencies in ``user``'s scope, newest first."""
    return (
        sa.select(SampleDraw)
        .join(Organisation, SampleDraw.agency_id == Organisation.id)
        .where(org_scope_filter(user))
        .options(so.contains_eager(SampleDraw.agency))
        .order_by(SampleDraw.created_at.desc(), SampleDraw.id.desc())
    )


def visible_draw(user, draw_id: int) -> SampleDraw | None:
    """The draw if its agency is in ``user``'s scope, else None."""
    return db.session.scalar(draws_visible_to(user).where(SampleDraw.id == draw_id))


def draw_for(agency_id: int, period: str) -> SampleDraw | None:
    """The draw of ``agency_id`` for exactly ``period``, if there is one."""
    return db.session.scalar(
        sa.select(SampleDraw).where(
            SampleDraw.agency_id == agency_id, SampleDraw.period == period
        )
    )


def overlapping_draw(agency_id: int, start: date, end: date) -> SampleDraw | None:
    """A draw of the agency whose period overlaps ``start``–``end`` (month/quarter)."""
    return db.session.scalar(
        sa.select(SampleDraw)
        .where(
            SampleDraw.agency_id == agency_id,
            SampleDraw.period_start <= end,
            SampleDraw.period_end >= start,
        )
        .order_by(SampleDraw.id)
        .limit(1)
    )


def sample_candidates(agency_id: int, start: date, end: date) -> list[int]:
    """Ids (ascending) of the agency's checked cases without findings whose decision
    date lies in ``start``–``end``: what a sample draw chooses from."""
    return list(
        db.session.scalars(
            sa.select(CaseFile.id)
            .where(
                CaseFile.agency_id == agency_id,
                CaseFile.check_status == CheckStatus.CHECKED,
                CaseFile.finding_count == 0,
                CaseFile.decision_date >= start,
                CaseFile.decision_date <= end,
            )
            .order_by(CaseFile.id)
        )
    )


def declarations_of(user) -> list[InterestDeclaration]:
    """All of ``user``'s declarations (withdrawn ones too), newest first."""
    return list(
        db.session.scalars(
            sa.select(InterestDeclaration)
            .where(InterestDeclaration.user_id == user.id)
            .options(so.joinedload(InterestDeclaration.organisation))
            .order_by(
                InterestDeclaration.declared_at.desc(), InterestDeclaration.id.desc()
            )
        )
    )


def declarable_organisations() -> list[Organisation]:
    """Every organisation, in tree order (a supervisor may know of any conflict)."""
    return list(db.session.scalars(sa.select(Organisation).order_by(Organisation.path)))
