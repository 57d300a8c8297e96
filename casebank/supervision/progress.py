"""Where each case stands between the steps: assigned, under review, reviewed,
opinion issued — for the queue's column and filter — and reviewers' workloads."""

import sqlalchemy as sa

from casebank.cases.models import CaseFile
from casebank.supervision.models import AssignmentStatus, ReviewAssignment
from casebank.supervision.queries import ancestor_ids, conflict_reason
from portal.auth.models import User, UserRole
from portal.auth.roles import REVIEWERS
from portal.extensions import db

# filter value -> label (the queue's 评查进度 select).
STATES = {
    "unassigned": "未分配",
    "assigned": "已分配",
    "in_review": "评查中",
    "reviewed": "已评查",
    "opinion": "已签发意见书",
}


def _models():
    from casebank.opinions.models import SupervisionOpinion
    from casebank.reviews.models import CaseReview

    return CaseReview, SupervisionOpinion


def state_condition(state):
    """SQL condition on ``CaseFile`` for one of :data:`STATES` (None if unknown)."""
    review, opinion = _models()
    has_opinion = sa.exists().where(opinion.case_id == CaseFile.id)
    submitted = sa.exists().where(
        review.case_id == CaseFile.id, review.status == "submitted"
    )
    draft = sa.exists().where(
        review.case_id == CaseFile.id, review.status != "submitted"
    )
    open_task = sa.exists().where(
        ReviewAssignment.case_id == CaseFile.id,
        ReviewAssignment.status == AssignmentStatus.OPEN,
    )
    return {
        "unassigned": sa.and_(~open_task, ~submitted, ~has_opinion),
        "assigned": sa.and_(open_task, ~draft, ~submitted, ~has_opinion),
        "in_review": sa.and_(draft, ~submitted, ~has_opinion),
        "reviewed": sa.and_(submitted, ~has_opinion),
        "opinion": has_opinion,
    }.get(state)


def progress_by_case(case_ids):
    """case id → ``{"reviews": [CaseReview…], "opinion": latest opinion or None}``."""
    review, opinion = _models()
    result = {cid: {"reviews": [], "opinion": None} for cid in case_ids}
    if not case_ids:
        return result
    for row in db.session.scalars(
        sa.select(review).where(review.case_id.in_(case_ids)).order_by(review.id)
    ):
        result[row.case_id]["reviews"].append(row)
    for row in db.session.scalars(
        sa.select(opinion).where(opinion.case_id.in_(case_ids)).order_by(opinion.id)
    ):
        result[row.case_id]["opinion"] = row
    return result


def case_progress(case):
    """The 评查进度 of one case, as the queue shows it: ``{"reviews": [...],
    "opinion": latest opinion or None, "assignment": open assignment or None}``."""
    from casebank.supervision.queries import open_assignments_by_case

    state = progress_by_case([case.id])[case.id]
    state["assignment"] = open_assignments_by_case([case.id]).get(case.id)
    return state


def open_workload(user_ids):
    """user id → number of open review tasks."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        sa.select(ReviewAssignment.assignee_id, sa.func.count())
        .where(
            ReviewAssignment.assignee_id.in_(user_ids),
            ReviewAssignment.status == AssignmentStatus.OPEN,
        )
        .group_by(ReviewAssignment.assignee_id)
    )
    return dict(rows.all())


def reviewers_for_agencies(agencies):
    """Active reviewers whose scope covers at least one of ``agencies``, with their
    open workload (two queries): ``[(user, open_count)]`` by name."""
    above = {i for agency in agencies for i in ancestor_ids(agency)}
    if not above:
        return []
    users = list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.is_active_account.is_(True),
                sa.exists().where(
                    UserRole.user_id == User.id,
                    UserRole.role.in_([r.value for r in REVIEWERS]),
                    UserRole.scope_id.in_(above),
                ),
            )
            .order_by(User.name, User.id)
        )
    )
    load = open_workload([u.id for u in users])
    return [(u, load.get(u.id, 0)) for u in users]


def reviewers_covering(agency):
    """Active users with a reviewer role whose scope covers ``agency``, each with
    their open workload and why they may not review it (None when eligible).

    :return: a list of ``(user, open_count, reason)``, eligible first.
    """
    above = ancestor_ids(agency)
    users = list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.is_active_account.is_(True),
                sa.exists().where(
                    UserRole.user_id == User.id,
                    UserRole.role.in_([r.value for r in REVIEWERS]),
                    UserRole.scope_id.in_(above),
                ),
            )
            .order_by(User.name, User.id)
        )
    )
    load = open_workload([u.id for u in users])
    rows = [(u, load.get(u.id, 0), conflict_reason(u, agency)) for u in users]
    return sorted(rows, key=lambda r: (r[2] is not None, r[1]))
