"""Collectors of the daily job: what is due soon or overdue, and for whom.

Each returns :class:`~portal.notifications.jobs.DueItem` rows; the job turns each into
one notification (keyed by object, state and deadline, so a changed deadline is told
again) and lists them all in the day's digest.
"""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from portal.auth.models import Role
from portal.extensions import db
from portal.notifications.events import holders_over
from portal.notifications.jobs import DueItem
from portal.notifications.service import path_for
from portal.timeutil import to_local
from portal.workdays.calendar import DeadlineFlag


def _calendar():
    from portal.workdays.queries import calendar

    return calendar()


def _ids(users):
    return [u if isinstance(u, int) else u.id for u in users]


def opinions(now):
    """Open 监督意见书: due soon → the agency's handlers; overdue → handlers and
    the supervision staff over the agency."""
    from casebank.opinions.models import OPEN_FOR_REPLY, SupervisionOpinion

    today, cal = to_local(now).date(), _calendar()
    warn = current_app.config["OPINION_WARN_WORKDAYS"]
    rows = db.session.scalars(
        sa.select(SupervisionOpinion).where(
            SupervisionOpinion.status.in_([s.value for s in OPEN_FOR_REPLY])
        )
    )
    items = []
    for opinion in rows:
        flag = cal.flag(opinion.due_on, today, warn)
        if flag not in (DeadlineFlag.WARNING, DeadlineFlag.OVERDUE):
            continue
        overdue = flag == DeadlineFlag.OVERDUE
        users = _ids(holders_over(opinion.agency, Role.AGENCY_HANDLER))
        if overdue:
            users += _ids(holders_over(opinion.agency, Role.SUPERVISION_STAFF))
        state = "overdue" if overdue else "soon"
        for user_id in dict.fromkeys(users):
            items.append(
                DueItem(
                    user_id=user_id,
                    kind="opinion_overdue" if overdue else "opinion_due_soon",
                    title=f"监督意见书 {opinion.number}（{opinion.agency.name}）整改"
                    + ("已逾期" if overdue else "即将到期"),
                    link=path_for("opinions.show_opinion", opinion_id=opinion.id),
                    due_at=opinion.due_on,
                    key=f"opinion:{opinion.id}:{state}:{opinion.due_on}",
                    overdue=overdue,
                )
            )
    return items


def suggestions(now):
    """Items in 办理中 without a reply waiting: due soon → handlers; overdue →
    handlers and the supervision staff."""
    from portal.notifications.events import _handlers_of, _staff_of
    from portal.suggestions.handling.services import open_reply
    from portal.suggestions.models import Status, Suggestion

    today, cal = to_local(now).date(), _calendar()
    warn = current_app.config["SUGGESTION_WARN_WORKDAYS"]
    rows = db.session.scalars(
        sa.select(Suggestion).where(
            Suggestion.status == Status.PROCESSING.value, Suggestion.due_on.is_not(None)
        )
    )
    items = []
    for suggestion in rows:
        if open_reply(suggestion) is not None:
            continue
        flag = cal.flag(suggestion.due_on, today, warn)
        if flag not in (DeadlineFlag.WARNING, DeadlineFlag.OVERDUE):
            continue
        overdue = flag == DeadlineFlag.OVERDUE
        handlers = _ids(_handlers_of(suggestion))
        staff = _ids(_staff_of(suggestion)) if overdue else []
        state = "overdue" if overdue else "soon"
        for user_id in dict.fromkeys(handlers + staff):
            link = (
                path_for("suggestion_handling.show_task", suggestion_id=suggestion.id)
                if user_id in handlers
                else path_for(
                    "suggestion_handling.show_suggestion", suggestion_id=suggestion.id
                )
            )
            items.append(
                DueItem(
                    user_id=user_id,
                    kind="suggestion_overdue" if overdue else "suggestion_due_soon",
                    title=f"意见建议 {suggestion.number} 办理"
                    + ("已逾期" if overdue else "即将到期"),
                    link=link,
                    due_at=suggestion.due_on,
                    key=f"suggestion:{suggestion.id}:{state}:{suggestion.due_on}",
                    overdue=overdue,
                )
            )
    return items


def suggestion_acceptance(now):
    """Pending items whose 受理期限 is near or past → the staff who manage them."""
    from portal.notifications.events import staff_managing
    from portal.suggestions.models import Status, Suggestion

    today, cal = to_local(now).date(), _calendar()
    warn = current_app.config["SUGGESTION_WARN_WORKDAYS"]
    rows = db.session.scalars(
        sa.select(Suggestion).where(
            Suggestion.status == Status.PENDING.value,
            Suggestion.accept_due_on.is_not(None),
        )
    )
    items = []
    for suggestion in rows:
        flag = cal.flag(suggestion.accept_due_on, today, warn)
        if flag not in (DeadlineFlag.WARNING, DeadlineFlag.OVERDUE):
            continue
        overdue = flag == DeadlineFlag.OVERDUE
        state = "overdue" if overdue else "soon"
        for user in staff_managing(suggestion):
            items.append(
                DueItem(
                    user_id=user.id,
                    kind="suggestion_accept_due",
                    title=f"意见建议 {suggestion.number} 受理"
                    + ("已逾期" if overdue else "即将到期"),
                    link=path_for(
                        "suggestion_handling.show_suggestion",
                        suggestion_id=suggestion.id,
                    ),
                    due_at=suggestion.accept_due_on,
                    key=f"suggestion:{suggestion.id}:accept:{state}:"
                    f"{suggestion.accept_due_on}",
                    overdue=overdue,
                )
            )
    return items


def certificates(now):
    """Holders of live certificates expiring soon, or whose 年度审验 is due within
    30 days or overdue."""
    from exams.certs.models import LIVE_STATUSES, Certificate

    config = current_app.config
    expiring = timedelta(days=config["CERT_EXPIRING_DAYS"])
    interval = timedelta(days=config["CERT_REVIEW_INTERVAL_DAYS"])
    rows = db.session.scalars(
        sa.select(Certificate).where(
            Certificate.status.in_(LIVE_STATUSES), Certificate.expires_at > now
        )
    )
    link = path_for("certs.my_certificates")
    items = []
    for cert in rows:
        if cert.expires_at <= now + expiring:
            items.append(
                DueItem(
                    user_id=cert.holder_id,
                    kind="cert_expiring",
                    title=f"执法证书 {cert.number} 即将到期",
                    link=link,
                    due_at=cert.expires_at,
                    key=f"cert:{cert.id}:expiring:{cert.expires_at:%Y-%m-%d}",
                )
            )
        review_due = (cert.last_reviewed_at or cert.issued_at) + interval
        if review_due <= now + timedelta(days=30):
            overdue = review_due <= now
            items.append(
                DueItem(
                    user_id=cert.holder_id,
                    kind="cert_review_due",
                    title=f"执法证书 {cert.number} 年度审验"
                    + ("已逾期" if overdue else "即将到期"),
                    link=link,
                    due_at=review_due,
                    key=f"cert:{cert.id}:review:{review_due:%Y-%m-%d}",
                    overdue=overdue,
                )
            )
    return items


def results_to_release(now):
    """Arrangements released by hand whose window has closed in the last 30 days
    and whose results are not out → the training administrators over their
    organisation (the 工作台's 待公布成绩的考试)."""
    from exams.papers.models import ExamArrangement
    from portal.orgs.models import Organisation

    rows = db.session.scalars(
        sa.select(ExamArrangement).where(
            ExamArrangement.release_policy == "manual",
            ExamArrangement.results_released_at.is_(None),
            ExamArrangement.window_end <= now,
            ExamArrangement.window_end > now - timedelta(days=30),
        )
    )
    items = []
    for arrangement in rows:
        org = db.session.get(Organisation, arrangement.organisation_id)
        for user in holders_over(org, Role.TRAINING_ADMIN):
            items.append(
                DueItem(
                    user_id=user.id,
                    kind="results_to_release",
                    title=f"考试“{arrangement.name}”已结束，成绩待公布",
                    link=path_for(
                        "exam_papers.show_arrangement", arrangement_id=arrangement.id
                    ),
                    due_at=arrangement.window_end,
                    key=f"arrangement:{arrangement.id}:to_release",
                    note=f"{to_local(arrangement.window_end):%Y-%m-%d %H:%M} 已结束",
                )
            )
    return items


def review_tasks(now):
    """Open review tasks with a 评查期限: due within 2 days → the assignee; overdue →
    the assignee and the one who assigned it."""
    from casebank.supervision.models import AssignmentStatus, ReviewAssignment

    today = to_local(now).date()
    rows = db.session.scalars(
        sa.select(ReviewAssignment).where(
            ReviewAssignment.status == AssignmentStatus.OPEN,
            ReviewAssignment.due_on.is_not(None),
            ReviewAssignment.due_on <= today + timedelta(days=2),
        )
    )
    items = []
    for task in rows:
        overdue = task.due_on < today
        users = [task.assignee_id]
        if overdue and task.assigned_by_id:
            users.append(task.assigned_by_id)
        state = "overdue" if overdue else "soon"
        for user_id in dict.fromkeys(users):
            link = (
                path_for("reviews.edit_review", case_id=task.case_id)
                if user_id == task.assignee_id
                else path_for("supervision.assign_case", case_id=task.case_id)
            )
            items.append(
                DueItem(
                    user_id=user_id,
                    kind="review_due",
                    title=f"评查任务 {task.case.title}"
                    + ("已逾期" if overdue else "即将到期"),
                    link=link,
                    due_at=task.due_on,
                    key=f"assignment:{task.id}:{state}:{task.due_on}",
                    overdue=overdue,
                )
            )
    return items
