"""What each role's dashboard panel shows: the work waiting for them (see
:mod:`portal.main.workqueue`), a few figures and links to the pages of the role."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app

from portal.audit.models import AuditLog
from portal.auth.models import Role, User
from portal.auth.queries import users_visible_to
from portal.auth.roles import (
    AREA_WORKERS,
    LEARNERS,
    SCOPED_CASE_WORKERS,
    SUPERVISION_MANAGERS,
    TRAINING_ADMINS,
)
from portal.extensions import db
from portal.main import workqueue
from portal.timeutil import utcnow


@dataclass
class Panel:
    role: Role
    title: str
    figures: list = field(default_factory=list)  # (label, value)
    links: list = field(default_factory=list)  # (label, endpoint)
    work: list = field(default_factory=list)  # workqueue.Work, what needs them now


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
        panel = Panel(role=role, title=role.label)
        if role in workqueue.BUILDERS:
            panel.work = workqueue.BUILDERS[role](user, utcnow())
        if role in TRAINING_ADMINS:
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
                ("题库管理", "exam_banks.list_banks"),
                ("试卷", "exam_papers.list_papers"),
                ("考试安排", "exam_papers.list_arrangements"),
                ("主观题阅卷", "exam_grading.grading_queue"),
                ("法律法规库", "laws.list_laws"),
                ("证书管理", "certs.list_certificates"),
            ]
        if role in TRAINING_ADMINS:
            panel.links.append(("培训管理", "training_admin.list_courses"))
        if role == Role.SUPERVISION_STAFF:
            # The work entries link to the queue, opinions and suggestions.
            panel.links.append(("裁量基准目录", "casebank.list_catalogues"))
        if role in SCOPED_CASE_WORKERS:
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
        if role in SUPERVISION_MANAGERS:
            panel.links += [
                ("监督统计", "reviews.show_dashboard"),
                ("评分模板", "reviews.list_templates"),
            ]
        if role in LEARNERS and ("我的考试", "exams.list_exams") not in panel.links:
            panel.links.append(("我的考试", "exams.list_exams"))
        if role == Role.OFFICER:
            panel.links.append(("我的证书", "certs.my_certificates"))
        if role in LEARNERS:
            panel.links += [
                ("练习", "practice.home"),
                ("错题本", "practice.list_mistakes"),
                ("掌握情况", "practice.show_mastery"),
            ]
        if role in LEARNERS:
            link = ("我的培训（课程与培训记录）", "training.my_training")
            if link not in panel.links:
                panel.links.append(link)
        if role in LEARNERS and user.domains:
            panel.figures.append(("执法领域", "、".join(d.name for d in user.domains)))
        if role == Role.OFFICER and user.cert_number:
            panel.figures.append(("执法证号", user.cert_number))
        if role in AREA_WORKERS:
            scopes = "、".join(s.name for s in user.scopes_for(role))
            panel.figures.append(("负责范围", scopes or "未设置"))
            if role == Role.INVITED_SUPERVISOR and user.contact_point:
                panel.figures.append(("联系点", user.contact_point))
        panels.append(panel)
    return panels
