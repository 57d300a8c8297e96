"""Demo suggestions in different handling states, built with the real services
(``flask seed demo``). Idempotent: items are keyed by their form token."""

import sqlalchemy as sa

from portal.actor import Actor
from portal.auth.models import User
from portal.extensions import db
from portal.suggestions.handling import feedback, services
from portal.suggestions.models import Suggestion
from portal.suggestions.services import Submission, submit_suggestion
from portal.workdays.queries import calendar

# (key, category, organisation code, description, final state)
DEMO = [
    (
        "pending",
        "fines",
        "JC-DH-CG",
        "东湖区湖滨路早市，城管队员对流动摊贩当场罚款 200 元，未出具罚款决定书和票据。",
        "pending",
    ),
    (
        "duplicate",
        "fines",
        "JC-DH-CG",
        "湖滨路早市城管当场罚款 200 元，不给票据，也没有出示执法证件。",
        "merged",
    ),
    (
        "processing",
        "inspections",
        "JC-DH-SJ",
        "同一家小餐馆一个月内被市场监管部门检查了五次，每次检查内容相同，影响正常经营。",
        "processing",
    ),
    (
        "replied",
        "fees",
        "JC-DH-CG",
        "夜市摊位被收取每月 300 元“管理费”，没有收费依据，也不开收据。",
        "replied",
    ),
    (
        "closed",
        "suggestion",
        "JC-DH-CG",
        "建议在执法车辆上配备执法记录仪并公开投诉电话，方便群众监督。",
        "closed",
    ),
]


def load_demo_suggestions(orgs, actor):
    """Create the demo items not yet present. :return: how many were created."""
    staff_user = db.session.scalar(sa.select(User).where(User.username == "supervisor"))
    handler_user = db.session.scalar(sa.select(User).where(User.username == "handler"))
    if staff_user is None or handler_user is None:
        return 0
    staff = Actor(user=staff_user)
    handler = Actor(user=handler_user)
    public = Actor(user=None, is_public=True)
    cal = calendar()
    created = 0
    items = {}
    for key, category, org_code, text, state in DEMO:
        token = f"demo-suggestion-{key}"
        existing = db.session.scalar(
            sa.select(Suggestion).where(Suggestion.form_token == token)
        )
        if existing is not None:
            items[key] = existing
            continue
        item, _ = submit_suggestion(
            Submission(
                form_token=token,
                category=category,
                organisation_id=orgs[org_code].id,
                place="东湖区",
                occurred_on=None,
                description=text,
                is_anonymous=key == "closed",
                contact_phone=None if key == "closed" else "13800000000",
                contact_name=None if key == "closed" else "演示反映人",
                hide_name=True,
            ),
            [],
            public,
        )
        items[key] = item
        created += 1
        if state == "pending":
            continue
        if state == "merged":
            services.merge_suggestion(
                item, items["pending"], item.version, "同一早市", staff
            )
            continue
        services.accept_suggestion(item, item.version, staff)
        agency = orgs[org_code]
        assigned = handler_user if org_code == "JC-DH-CG" else None
        services.assign_suggestion(item, item.version, agency, assigned, staff, cal)
        if state == "processing":
            continue
        services.submit_reply(
            item,
            item.version,
            "经核查，反映情况属实，已责令停止并退还相关款项，对责任人进行了批评教育。",
            [],
            handler,
        )
        services.approve_reply(item, item.version, staff)
        services.publish_reply(
            item,
            item.version,
            "经核查，反映情况属实，已责令停止并退还相关款项，对责任人进行了批评教育。",
            staff,
        )
        if state == "closed":
            feedback.rate_suggestion(item, 5, "处理及时", public)
    db.session.flush()
    return created
