"""What each role's dashboard panel shows (figures now, features as they land)."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app

from portal.audit.models import AuditLog
from portal.auth.models import Role, User
from portal.auth.queries import users_visible_to
from portal.extensions import db
from portal.timeutil import utcnow


@dataclass
class Panel:
    role: Role
    title: str
    figures: list = field(default_factory=list)  # (label, value)
    links: list = field(default_factory=list)  # (label, endpoint)
    coming: list = field(default_factory=list)  # planned features, shown as such


COMING = {
    Role.SUPERVISION_STAFF: ["案卷评查（评分与监督意见）", "群众意见建议办理"],
    Role.INVITED_SUPERVISOR: ["待评查案卷", "所联系区域的群众意见建议"],
    Role.AGENCY_HANDLER: ["待办理的意见建议", "评查整改通知"],
    Role.SYS_ADMIN: ["系统参数设置"],
}


def _count(select):
    return db.session.scalar(sa.select(sa.func.count()).select_from(select.subquery()))


def panels_for(user):
    """Build the dashboard panels for every role ``user`` holds.

    :return: a list of :class:`Panel`, in role order.
    """
    panels = []
    for role in Role:
        if role not in user.role_set:
            continue
        panel = Panel(role=role, title=role.label, coming=COMING.get(role, []))
        if role in (Role.SYS_ADMIN, Role.TRAINING_ADMIN):
            visible = users_visible_to(user)
            # No account is locked any more: the figure counts repeated failures.
            failing = visible.where(
                User.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]
            )
            panel.figures += [
                ("可管理用户", _count(visible)),
                ("连续登录失败账号", _count(failing)),
            ]
            panel.links += [
                ("用户管理", "admin.list_users"),
                ("批量导入", "admin.import_users_view"),
                ("题库管理", "exams_admin.list_banks"),
                ("试卷", "exams_admin.list_papers"),
                ("考试安排", "exams_admin.list_arrangements"),
                ("主观题阅卷", "exams_admin.grading_queue"),
                ("法律法规库", "laws.list_laws"),
                ("证书管理", "certs.list_certificates"),
            ]
        if role in (Role.SYS_ADMIN, Role.TRAINING_ADMIN):
            panel.links.append(("培训管理", "training_admin.list_courses"))
        if role == Role.SUPERVISION_STAFF:
            panel.links.append(("裁量基准目录", "casebank.list_catalogues"))
        if role in (Role.SUPERVISION_STAFF, Role.AGENCY_HANDLER):
            from casebank.cases.queries import cases_visible_to

            flagged = cases_visible_to(user, has_findings=True)
            panel.figures.append(("检查发现问题的案卷", _count(flagged)))
            panel.links += [
                ("案卷", "casebank.list_cases"),
                ("添加案卷", "casebank.add_cases"),
            ]
        if role == Role.SYS_ADMIN:
            today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
            failures = sa.select(AuditLog).where(
                AuditLog.action == "login_failed", AuditLog.at >= today
            )
            panel.figures.append(("今日登录失败", _count(failures)))
            panel.links.append(("审计日志", "audit.list_entries"))
        if role in (Role.SUPERVISION_STAFF, Role.SYS_ADMIN):
            panel.links += [
                ("监督统计", "reviews.show_dashboard"),
                ("评分模板", "reviews.list_templates"),
            ]
        if (
            role in (Role.OFFICER, Role.AUXILIARY)
            and ("我的考试", "exams.list_exams") not in panel.links
        ):
            panel.links.append(("我的考试", "exams.list_exams"))
        if role == Role.OFFICER:
            panel.links.append(("我的证书", "certs.my_certificates"))
        if role in (Role.OFFICER, Role.AUXILIARY):
            panel.links += [
                ("练习", "practice.home"),
                ("错题本", "practice.list_mistakes"),
                ("掌握情况", "practice.show_mastery"),
            ]
        if role in (Role.OFFICER, Role.AUXILIARY):
            link = ("我的培训（课程与培训记录）", "training.my_training")
            if link not in panel.links:
                panel.links.append(link)
        if role in (Role.OFFICER, Role.AUXILIARY) and user.domains:
            panel.figures.append(("执法领域", "、".join(d.name for d in user.domains)))
        if role == Role.OFFICER and user.cert_number:
            panel.figures.append(("执法证号", user.cert_number))
        if role in (
            Role.INVITED_SUPERVISOR,
            Role.SUPERVISION_STAFF,
            Role.AGENCY_HANDLER,
        ):
            scopes = "、".join(s.name for s in user.scopes_for(role))
            panel.figures.append(("负责范围", scopes or "未设置"))
            if role == Role.INVITED_SUPERVISOR and user.contact_point:
                panel.figures.append(("联系点", user.contact_point))
        panels.append(panel)
    return panels
