"""Template filters and the role-based navigation shared by every page."""

from flask import url_for
from flask_login import current_user
from markupsafe import Markup

from portal import masking
from portal.auth.models import Role
from portal.auth.roles import (
    CASE_WORKERS,
    LEARNERS,
    SUPERVISION_MANAGERS,
    TRAINING_ADMINS,
)
from portal.textclean import SURROGATES, clean_text
from portal.timeutil import to_local

STAFF = set(SUPERVISION_MANAGERS)
ADMINS = set(TRAINING_ADMINS)

# (label, endpoint, roles allowed) — None means every signed-in user — or
# (label, [entries]) for a menu. A menu shows the entries the user may open; with
# one entry it is shown as that link, with none it is left out.
NAVIGATION = [
    ("工作台", "main.dashboard", None),
    ("我的考试", "exams.list_exams", set(LEARNERS)),
    ("我的培训", "training.my_training", set(LEARNERS)),
    ("练习", "practice.home", set(LEARNERS)),
    ("我的证书", "certs.my_certificates", {Role.OFFICER}),
    (
        "培训考试",
        [
            ("题库", "exam_banks.list_banks", ADMINS),
            ("知识点", "exam_banks.list_knowledge_points", ADMINS),
            ("试卷", "exam_papers.list_papers", ADMINS),
            ("考试安排", "exam_papers.list_arrangements", ADMINS),
            ("主观题阅卷", "exam_grading.grading_queue", ADMINS),
            ("培训管理", "training_admin.list_courses", ADMINS),
            ("证书", "certs.list_certificates", ADMINS),
        ],
    ),
    (
        "案卷评查",
        [
            (
                "案卷",
                "casebank.list_cases",
                set(CASE_WORKERS),
            ),
            ("评查队列", "supervision.show_queue", STAFF),
            ("我的评查任务", "supervision.my_assignments", {Role.INVITED_SUPERVISOR}),
            ("监督意见书", "opinions.list_opinions", STAFF),
            ("待整改意见书", "opinions.todo", {Role.AGENCY_HANDLER}),
            ("监督统计", "reviews.show_dashboard", STAFF),
        ],
    ),
    (
        "群众意见",
        [
            ("意见建议", "suggestion_handling.list_inbox", STAFF),
            ("待办理", "suggestion_handling.list_tasks", {Role.AGENCY_HANDLER}),
            ("意见建议统计", "oversight.show_stats", STAFF),
            ("监督员转办", "oversight.list_escalations", STAFF),
            ("群众意见监督", "oversight.list_supervised", {Role.INVITED_SUPERVISOR}),
        ],
    ),
    (
        "资料",
        [
            ("法律法规库", "laws.list_laws", None),
            ("裁量基准", "casebank.list_catalogues", None),
        ],
    ),
    (
        "系统管理",
        [
            ("用户管理", "admin.list_users", ADMINS),
            ("组织机构", "orgs.list_orgs", ADMINS),
            ("工作日历", "workdays.show_calendar", STAFF),
            ("审计日志", "audit.list_entries", {Role.SYS_ADMIN}),
        ],
    ),
]


def _allowed(roles):
    return roles is None or current_user.has_role(*roles)


def nav_items():
    """``(label, endpoint, url, children)`` for the signed-in user; ``children`` is a
    list of ``(label, endpoint, url)`` for a menu, else empty."""
    if not current_user.is_authenticated or current_user.must_change_password:
        return []
    items = []
    for entry in NAVIGATION:
        if isinstance(entry[1], list):
            children = [
                (label, endpoint, url_for(endpoint))
                for label, endpoint, roles in entry[1]
                if _allowed(roles)
            ]
            if len(children) == 1:
                items.append((*children[0], []))
            elif children:
                items.append((entry[0], children[0][1], None, children))
        elif _allowed(entry[2]):
            items.append((entry[0], entry[1], url_for(entry[1]), []))
    return items


def format_datetime(value, fmt="%Y-%m-%d %H:%M"):
    """Show a stored UTC datetime in China Standard Time."""
    local = to_local(value)
    return local.strftime(fmt) if local else ""


def _finalize(value):
    """Every ``{{ value }}``: a lone surrogate (stored by an old client) cannot be
    encoded and would make the whole page fail; show U+FFFD instead."""
    if isinstance(value, str) and SURROGATES.search(value):
        cleaned = clean_text(value)
        # Already-safe markup stays markup (only a surrogate was replaced).
        return Markup(cleaned) if isinstance(value, Markup) else cleaned  # noqa: S704
    return value


def init_app(app):
    app.jinja_env.finalize = _finalize
    app.add_template_filter(format_datetime, "datetime")
    masking.init_app(app)
    app.context_processor(lambda: {"nav_items": nav_items, "Role": Role})
