"""Template filters and the role-based navigation shared by every page."""

from flask import url_for
from flask_login import current_user

from portal.auth.idcard import mask_id_number, mask_phone
from portal.auth.models import Role
from portal.timeutil import to_local

# (label, endpoint, roles allowed); None means every signed-in user.
NAVIGATION = [
    ("工作台", "main.dashboard", None),
    ("我的考试", "exams.list_exams", {Role.OFFICER, Role.AUXILIARY}),
    ("我的培训", "training.my_training", {Role.OFFICER, Role.AUXILIARY}),
    ("练习", "practice.home", {Role.OFFICER, Role.AUXILIARY}),
    ("我的证书", "certs.my_certificates", {Role.OFFICER}),
    ("用户管理", "admin.list_users", {Role.SYS_ADMIN, Role.TRAINING_ADMIN}),
    ("组织机构", "orgs.list_orgs", {Role.SYS_ADMIN, Role.TRAINING_ADMIN}),
    ("题库", "exams_admin.list_banks", {Role.SYS_ADMIN, Role.TRAINING_ADMIN}),
    ("培训管理", "training_admin.list_courses", {Role.SYS_ADMIN, Role.TRAINING_ADMIN}),
    ("证书", "certs.list_certificates", {Role.SYS_ADMIN, Role.TRAINING_ADMIN}),
    ("法律法规库", "laws.list_laws", None),
    ("裁量基准", "casebank.list_catalogues", None),
    (
        "案卷",
        "casebank.list_cases",
        {Role.SYS_ADMIN, Role.SUPERVISION_STAFF, Role.AGENCY_HANDLER},
    ),
    ("监督意见书", "opinions.list_opinions", {Role.SYS_ADMIN, Role.SUPERVISION_STAFF}),
    ("待整改意见书", "opinions.todo", {Role.AGENCY_HANDLER}),
    ("工作日历", "workdays.show_calendar", {Role.SYS_ADMIN, Role.SUPERVISION_STAFF}),
    ("评查队列", "supervision.show_queue", {Role.SYS_ADMIN, Role.SUPERVISION_STAFF}),
    ("我的评查任务", "supervision.my_assignments", {Role.INVITED_SUPERVISOR}),
    ("监督统计", "reviews.show_dashboard", {Role.SYS_ADMIN, Role.SUPERVISION_STAFF}),
    (
        "意见建议",
        "suggestion_handling.list_inbox",
        {Role.SYS_ADMIN, Role.SUPERVISION_STAFF},
    ),
    ("待办理", "suggestion_handling.list_tasks", {Role.AGENCY_HANDLER}),
    ("审计日志", "audit.list_entries", {Role.SYS_ADMIN}),
    ("意见建议统计", "oversight.show_stats", {Role.SYS_ADMIN, Role.SUPERVISION_STAFF}),
    (
        "监督员转办",
        "oversight.list_escalations",
        {Role.SYS_ADMIN, Role.SUPERVISION_STAFF},
    ),
    ("群众意见监督", "oversight.list_supervised", {Role.INVITED_SUPERVISOR}),
]


def nav_items():
    if not current_user.is_authenticated or current_user.must_change_password:
        return []
    items = []
    for label, endpoint, roles in NAVIGATION:
        if roles is None or current_user.has_role(*roles):
            items.append((label, endpoint, url_for(endpoint)))
    return items


def format_datetime(value, fmt="%Y-%m-%d %H:%M"):
    """Show a stored UTC datetime in China Standard Time."""
    local = to_local(value)
    return local.strftime(fmt) if local else ""


def init_app(app):
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(mask_phone, "mask_phone")
    app.add_template_filter(mask_id_number, "mask_id")
    app.context_processor(lambda: {"nav_items": nav_items, "Role": Role})
