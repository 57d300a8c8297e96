"""What needs each role now (工作台): counts, the most urgent items and deadlines.

Every entry links to the page where the work is done. Queries are scoped exactly as
those pages scope them, so a count never promises work the user cannot open.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app, url_for

from portal.auth.models import Role
from portal.extensions import db
from portal.timeutil import to_local

SHOW = 5  # items listed under each count


@dataclass
class Item:
    text: str
    url: str
    deadline: str = ""  # e.g. "截止 2026-12-10"
    flag: str = ""  # "warning" / "overdue" / ""


@dataclass
class Work:
    key: str  # stable id for tests and anchors
    label: str
    count: int
    url: str
    items: list = field(default_factory=list)
    urgent: bool = False


def _count(select):
    return db.session.scalar(sa.select(sa.func.count()).select_from(select.subquery()))


def _day(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return to_local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    return str(value)


# Training administrator -----------------------------------------------------------


def training_admin(user, now):
    from exams.attempts.services import pending_manual_answers
    from exams.banks.models import Question
    from exams.banks.queries import visible_banks
    from exams.certs.queries import filtered_certificates
    from exams.papers.models import ExamArrangement
    from exams.training.queries import unit_report
    from portal.auth.queries import organisations_visible_to

    arrangements = sa.select(ExamArrangement)
    if not user.has_role(Role.SYS_ADMIN):
        orgs = sa.select(organisations_visible_to(user).subquery().c.id)
        arrangements = arrangements.where(ExamArrangement.organisation_id.in_(orgs))
    running = arrangements.where(
        ExamArrangement.window_start <= now, ExamArrangement.window_end > now
    ).order_by(ExamArrangement.window_end)
    upcoming = arrangements.where(ExamArrangement.window_start > now).order_by(
        ExamArrangement.window_start
    )
    to_release = arrangements.where(
        ExamArrangement.release_policy == "manual",
        ExamArrangement.results_released_at.is_(None),
        ExamArrangement.window_end <= now,
    ).order_by(ExamArrangement.window_end)

    def arrangement_items(stmt, deadline):
        return [
            Item(
                a.name,
                url_for("exam_papers.show_arrangement", arrangement_id=a.id),
                deadline(a),
            )
            for a in db.session.scalars(stmt.limit(SHOW))
        ]

    bank_ids = [b.id for b in db.session.scalars(visible_banks())]
    review = sa.select(Question).where(
        Question.review_reason != "", Question.bank_id.in_(bank_ids)
    )
    expiring_days = current_app.config["CERT_EXPIRING_DAYS"]
    expiring = filtered_certificates(user, now, expiring_days=expiring_days)
    overdue = filtered_certificates(
        user, now, overdue_days=current_app.config["CERT_REVIEW_INTERVAL_DAYS"]
    )
    year = to_local(now).year
    behind = [row for unit in unit_report(user, year, now) for row in unit.behind]
    return [
        Work(
            "exams_running",
            "进行中的考试",
            _count(running),
            url_for("exam_papers.list_arrangements"),
            arrangement_items(running, lambda a: f"{_day(a.window_end)} 结束"),
        ),
        Work(
            "exams_upcoming",
            "即将开始的考试",
            _count(upcoming),
            url_for("exam_papers.list_arrangements"),
            arrangement_items(upcoming, lambda a: f"{_day(a.window_start)} 开始"),
        ),
        Work(
            "answers_to_mark",
            "待阅卷的主观题答案",
            _count(pending_manual_answers(bank_ids)),
            url_for("exam_grading.grading_queue"),
        ),
        Work(
            "results_to_release",
            "待公布成绩的考试",
            _count(to_release),
            url_for("exam_papers.list_arrangements"),
            arrangement_items(to_release, lambda a: f"{_day(a.window_end)} 已结束"),
            urgent=True,
        ),
        Work(
            "law_review",
            "法条变更待复核的试题",
            _count(review),
            url_for("exam_banks.list_review"),
            urgent=True,
        ),
        Work(
            "certs_expiring",
            f"{expiring_days} 天内到期的执法证书",
            _count(expiring),
            url_for("certs.list_certificates", expiring=expiring_days),
        ),
        Work(
            "certs_review_overdue",
            "年度审验逾期的执法证书",
            _count(overdue),
            url_for("certs.list_certificates", overdue=1),
            urgent=True,
        ),
        Work(
            "hours_behind",
            f"{year} 年度学时落后的人员",
            len(behind),
            url_for("training_admin.show_report", year=year),
            [
                Item(
                    f"{r.user.name}（{r.user.organisation.name}）",
                    url_for("training_admin.show_report", year=year),
                    f"已获 {r.earned:.1f} / 应达 {r.expected:.1f} 学时",
                )
                for r in behind[:SHOW]
            ],
        ),
    ]


# Supervision staff ----------------------------------------------------------------


def supervision_staff(user, now):
    from casebank.cases.models import CaseFile
    from casebank.cases.queries import org_scope_filter
    from casebank.opinions.models import OpinionStatus, SupervisionOpinion
    from casebank.opinions.queries import flag_of, opinions_visible_to
    from casebank.reviews.models import CaseReview
    from casebank.supervision.queries import review_queue
    from portal.orgs.models import Organisation
    from portal.suggestions.handling import access
    from portal.suggestions.handling.models import ReplyStatus, SuggestionReply
    from portal.suggestions.models import Status, Suggestion
    from portal.suggestions.oversight.queries import escalations_for_staff
    from portal.workdays.queries import calendar

    unassigned = review_queue(user, assigned=False)
    unassigned_cases = db.session.scalars(unassigned.limit(SHOW)).all()
    reviewed = (
        sa.select(CaseReview)
        .join(CaseFile, CaseReview.case_id == CaseFile.id)
        .join(Organisation, CaseFile.agency_id == Organisation.id)
        .where(
            org_scope_filter(user),
            CaseReview.status == "submitted",
            ~sa.exists().where(SupervisionOpinion.case_id == CaseReview.case_id),
        )
        .order_by(CaseReview.submitted_at)
    )
    overdue = opinions_visible_to(user, None, "", "overdue")
    replied = opinions_visible_to(user, None, OpinionStatus.REPLIED.value, "")
    pending = sa.select(Suggestion).where(
        access.staff_filter(user), Suggestion.status == Status.PENDING.value
    )
    replies = sa.select(Suggestion).where(
        access.staff_filter(user),
        Suggestion.id.in_(
            sa.select(SuggestionReply.suggestion_id).where(
                SuggestionReply.status == ReplyStatus.SUBMITTED.value
            )
        ),
    )
    to_assign = sa.select(Suggestion).where(
        access.staff_filter(user), Suggestion.status == Status.ACCEPTED.value
    )
    escalations = escalations_for_staff(user, "open")
    cal = calendar()
    today = to_local(now).date()
    warn = current_app.config["SUGGESTION_WARN_WORKDAYS"]

    def accept_flag(suggestion):
        if suggestion.accept_due_on is None:
            return ""
        flag = cal.flag(suggestion.accept_due_on, today, warn).value
        return flag if flag in ("warning", "overdue") else ""

    def opinion_items(stmt):
        return [
            Item(
                f"{o.number}（{o.agency.name}）",
                url_for("opinions.show_opinion", opinion_id=o.id),
                f"整改期限 {_day(o.due_on)}",
                flag_of(o).value,
            )
            for o in db.session.scalars(stmt.limit(SHOW))
        ]

    return [
        Work(
            "cases_unassigned",
            "待分配评查的案卷（检查发现问题或抽中）",
            _count(unassigned),
            url_for("supervision.show_queue", assigned="no"),
            [
                Item(
                    f"{c.title}（{c.agency.name}）",
                    url_for("supervision.assign_case", case_id=c.id),
                )
                for c in unassigned_cases
            ],
        ),
        Work(
            "reviews_awaiting_opinion",
            "已评查、尚未签发意见书的案卷",
            _count(reviewed),
            url_for("supervision.show_queue"),
            [
                Item(
                    f"{r.case.title}：{r.score} 分 {r.grade_label}（{r.reviewer.name}）",
                    url_for("casebank.show_case", case_id=r.case_id),
                    f"{_day(r.submitted_at)} 提交",
                )
                for r in db.session.scalars(reviewed.limit(SHOW))
            ],
        ),
        Work(
            "opinions_replied",
            "整改情况待审核的意见书",
            _count(replied),
            url_for("opinions.list_opinions", status=OpinionStatus.REPLIED.value),
            opinion_items(replied),
        ),
        Work(
            "opinions_overdue",
            "整改逾期的意见书",
            _count(overdue),
            url_for("opinions.list_opinions", flag="overdue"),
            opinion_items(overdue),
            urgent=True,
        ),
        Work(
            "suggestions_pending",
            "待受理的群众意见建议",
            _count(pending),
            url_for("suggestion_handling.list_inbox", status=Status.PENDING.value),
            [
                Item(
                    f"{s.number} {s.category_label}",
                    url_for("suggestion_handling.show_suggestion", suggestion_id=s.id),
                    f"受理期限 {_day(s.accept_due_on)}"
                    if s.accept_due_on
                    else f"{_day(s.submitted_at)} 提交",
                    accept_flag(s),
                )
                for s in db.session.scalars(
                    pending.order_by(
                        Suggestion.accept_due_on, Suggestion.submitted_at
                    ).limit(SHOW)
                )
            ],
        ),
        Work(
            "suggestions_to_assign",
            "已受理待转交（含退单）的意见建议",
            _count(to_assign),
            url_for("suggestion_handling.list_inbox", status=Status.ACCEPTED.value),
            [
                Item(
                    s.number
                    + (
                        f"（退单：{s.agency_return_reason[:30]}）"
                        if s.agency_returned_at
                        else ""
                    ),
                    url_for("suggestion_handling.show_suggestion", suggestion_id=s.id),
                    f"{_day(s.agency_returned_at)} 退回"
                    if s.agency_returned_at
                    else f"{_day(s.accepted_at)} 受理",
                )
                for s in db.session.scalars(
                    to_assign.order_by(
                        Suggestion.agency_returned_at.is_(None), Suggestion.id
                    ).limit(SHOW)
                )
            ],
        ),
        Work(
            "suggestion_replies",
            "待审核的意见建议答复",
            _count(replies),
            url_for("suggestion_handling.list_inbox", status=Status.PROCESSING.value),
            [
                Item(
                    s.number,
                    url_for("suggestion_handling.show_suggestion", suggestion_id=s.id),
                    f"办理期限 {_day(s.due_on)}",
                )
                for s in db.session.scalars(replies.order_by(Suggestion.id).limit(SHOW))
            ],
        ),
        Work(
            "escalations",
            "监督员转办待处理",
            _count(escalations),
            url_for("oversight.list_escalations"),
            [
                Item(
                    f"{e.suggestion.number}：{e.reason[:40]}",
                    url_for("oversight.list_escalations"),
                    f"{_day(e.created_at)} 转办",
                )
                for e in db.session.scalars(escalations.limit(SHOW))
            ],
            urgent=True,
        ),
    ]


# Invited supervisor ---------------------------------------------------------------


def invited_supervisor(user, now):
    from casebank.supervision.queries import assignments_of

    tasks = assignments_of(user)
    return [
        Work(
            "review_tasks",
            "待完成的评查任务",
            _count(tasks),
            url_for("supervision.my_assignments"),
            [
                Item(
                    f"{a.case.title}（{a.case.agency.name}）",
                    url_for("reviews.edit_review", case_id=a.case_id),
                    _assignment_deadline(a),
                    _assignment_flag(a, now),
                )
                for a in db.session.scalars(tasks.limit(SHOW))
            ],
        )
    ]


def _assignment_deadline(assignment):
    due = getattr(assignment, "due_on", None)
    if due is not None:
        return f"评查期限 {_day(due)}"
    return f"{_day(assignment.assigned_at)} 分配"


def _assignment_flag(assignment, now):
    due = getattr(assignment, "due_on", None)
    if due is None:
        return ""
    today = to_local(now).date()
    if today > due:
        return "overdue"
    return "warning" if (due - today).days <= 2 else ""


# Agency handler -------------------------------------------------------------------


def agency_handler(user, now):
    from casebank.opinions.models import OpinionStatus, SupervisionOpinion
    from casebank.opinions.queries import flag_of, todo_for_handler
    from portal.suggestions.handling.queries import tasks
    from portal.workdays.queries import calendar

    waiting = todo_for_handler(user).where(
        SupervisionOpinion.status.in_(
            [OpinionStatus.ISSUED.value, OpinionStatus.RETURNED.value]
        )
    )
    cal = calendar()
    rows = tasks(
        user, cal, to_local(now).date(), current_app.config["SUGGESTION_WARN_WORKDAYS"]
    )
    return [
        Work(
            "opinions_to_answer",
            "待整改答复的监督意见书",
            _count(waiting),
            url_for("opinions.todo"),
            [
                Item(
                    f"{o.number}"
                    + ("（已退回）" if o.status == OpinionStatus.RETURNED else ""),
                    url_for("opinions.show_opinion", opinion_id=o.id),
                    f"整改期限 {_day(o.due_on)}",
                    flag_of(o).value,
                )
                for o in db.session.scalars(waiting.limit(SHOW))
            ],
            urgent=True,
        ),
        Work(
            "suggestion_tasks",
            "转交本单位办理的群众意见建议",
            len(rows),
            url_for("suggestion_handling.list_tasks"),
            [
                Item(
                    r.suggestion.number,
                    url_for(
                        "suggestion_handling.show_task", suggestion_id=r.suggestion.id
                    ),
                    f"办理期限 {_day(r.suggestion.due_on)}",
                    r.flag.value if r.flag else "",
                )
                for r in rows[:SHOW]
            ],
            urgent=True,
        ),
    ]


BUILDERS = {
    Role.TRAINING_ADMIN: training_admin,
    Role.SUPERVISION_STAFF: supervision_staff,
    Role.INVITED_SUPERVISOR: invited_supervisor,
    Role.AGENCY_HANDLER: agency_handler,
}
