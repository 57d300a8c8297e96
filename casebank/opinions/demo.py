"""Demo 监督意见书 for ``flask seed demo``: two opinions of the 东湖区城市管理局 demo
cases, one answered and accepted (已办结), one still open (待整改).

Idempotent: each has a fixed form token and is issued once. Skipped when the demo
accounts (``supervisor``, ``handler``) or the demo cases are missing.
"""

from datetime import timedelta

import sqlalchemy as sa

from casebank.cases.models import CaseFile
from casebank.opinions import services
from casebank.opinions.queries import china_today, opinion_by_form_token
from portal.actor import Actor
from portal.auth.models import User
from portal.extensions import db

AGENCY = "JC-DH-CG"
DEMO = [
    {
        "token": "demo-opinion-answered",
        "days_ago": 30,
        "problems": "一、未在作出处罚决定前告知当事人陈述、申辩的权利；\n"
        "二、决定书未载明罚款的裁量理由。",
        "opinion": "请对该案进行复查，依法补正告知程序，完善裁量说理，"
        "并组织全体执法人员学习《行政处罚法》相关规定。",
        "reply": "已对该案复查并补正告知程序，修订决定书模板增加裁量说理部分，"
        "于本月组织全局执法人员专题学习。",
    },
    {
        "token": "demo-opinion-open",
        "days_ago": 10,
        "problems": "罚款数额超出裁量基准对应档次的上限，且未说明从重处罚的情节。",
        "opinion": "请依照裁量基准重新审查处罚数额，必要时依法撤销或变更原处罚决定，"
        "并将整改情况书面报送。",
        "reply": None,
    },
]


def load_demo_opinions(orgs: dict) -> int:
    """Issue the demo opinions that are not there yet; return how many."""
    agency = orgs.get(AGENCY)
    staff = db.session.scalar(sa.select(User).where(User.username == "supervisor"))
    handler = db.session.scalar(sa.select(User).where(User.username == "handler"))
    if agency is None or staff is None or handler is None:
        return 0
    cases = db.session.scalars(
        sa.select(CaseFile)
        .where(CaseFile.agency_id == agency.id)
        .order_by(CaseFile.id)
        .limit(len(DEMO))
    ).all()
    created = 0
    for spec, case in zip(DEMO, cases, strict=False):
        if opinion_by_form_token(spec["token"]) is not None:
            continue
        draft = services.Draft(
            form_token=spec["token"],
            problems=spec["problems"],
            opinion=spec["opinion"],
            legal_basis="《中华人民共和国行政处罚法》第四十四条、第四十五条",
            deadline_workdays=15,
        )
        opinion = services.issue_opinion(
            case,
            draft,
            Actor(user=staff),
            today=china_today() - timedelta(days=spec["days_ago"]),
        )
        if spec["reply"]:
            services.submit_reply(
                opinion, opinion.version, spec["reply"], [], Actor(user=handler)
            )
            services.accept_reply(
                opinion, opinion.version, Actor(user=staff), "整改到位，予以采纳。"
            )
        created += 1
    return created
