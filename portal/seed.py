"""Deterministic, idempotent demo data built on the same services as the views."""

import random

import sqlalchemy as sa

from portal import audit
from portal.actor import Actor
from portal.admin.services import create_user, grant_role
from portal.auth.idcard import make_id_number
from portal.auth.models import Role, User
from portal.extensions import db
from portal.orgs.models import DEFAULT_DOMAINS, Organisation
from portal.orgs.services import create_org, ensure_domains

DEMO_PASSWORD = "Zhifa@2026"  # noqa: S105 - published demo credential

# (code, name, kind, parent code, domain codes)
ORGANISATIONS = [
    ("JC", "江城市", "city", None, []),
    ("JC-DH", "东湖区", "district", "JC", []),
    ("JC-XS", "西山县", "district", "JC", []),
    ("JC-DH-HB", "湖滨街道", "town", "JC-DH", []),
    ("JC-DH-QS", "青山街道", "town", "JC-DH", []),
    ("JC-XS-CG", "城关镇", "town", "JC-XS", []),
    ("JC-XS-LT", "柳塘乡", "town", "JC-XS", []),
    ("JC-SFJ", "江城市司法局", "agency", "JC", []),
    ("JC-CG", "江城市城市管理综合行政执法局", "agency", "JC", ["chengguan"]),
    ("JC-SJ", "江城市市场监督管理局", "agency", "JC", ["market"]),
    ("JC-HJ", "江城市生态环境局", "agency", "JC", ["ecology"]),
    ("JC-JT", "江城市交通运输局", "agency", "JC", ["transport"]),
    ("JC-DH-CG", "东湖区城市管理局", "agency", "JC-DH", ["chengguan"]),
    ("JC-DH-SJ", "东湖区市场监督管理局", "agency", "JC-DH", ["market"]),
    ("JC-XS-ZF", "西山县综合行政执法局", "agency", "JC-XS", ["chengguan", "transport"]),
    ("JC-XS-SJ", "西山县市场监督管理局", "agency", "JC-XS", ["market"]),
    ("JC-DH-HB-ZF", "湖滨街道综合行政执法队", "agency", "JC-DH-HB", ["chengguan"]),
]

ENFORCEMENT_AGENCIES = [o[0] for o in ORGANISATIONS if o[2] == "agency" and o[4]]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文斌宁浩宇晨欣怡"

# Named accounts whose logins are printed by ``make run``.
NAMED_USERS = [
    ("admin", "系统管理员", "JC-SFJ", [(Role.SYS_ADMIN, None)]),
    ("train_city", "市培训管理员", "JC-SFJ", [(Role.TRAINING_ADMIN, "JC")]),
    ("train_dh", "东湖区培训管理员", "JC-DH-CG", [(Role.TRAINING_ADMIN, "JC-DH")]),
    ("officer", "演示执法人员", "JC-DH-CG", [(Role.OFFICER, None)]),
    ("aux", "演示执法辅助人员", "JC-DH-HB-ZF", [(Role.AUXILIARY, None)]),
    ("supervisor", "执法监督科工作人员", "JC-SFJ", [(Role.SUPERVISION_STAFF, "JC")]),
    (
        "inspector",
        "特邀监督员（东湖区）",
        "JC-SFJ",
        [(Role.INVITED_SUPERVISOR, "JC-DH")],
    ),
    ("handler", "东湖区城管局经办人", "JC-DH-CG", [(Role.AGENCY_HANDLER, "JC-DH-CG")]),
]


def _person(rng, index, region_code):
    name = rng.choice(SURNAMES) + "".join(
        rng.choice(GIVEN) for _ in range(rng.choice([1, 2]))
    )
    birth = f"{1970 + index % 30}{1 + index % 12:02d}{1 + index % 28:02d}"
    id_number = make_id_number(f"{region_code}{birth}{index % 1000:03d}")
    phone = f"139{rng.randrange(10**8):08d}"
    return name, id_number, phone


def seed_demo(seed=42, users=60):
    """Create the demo city, agencies and about ``users`` accounts covering every role.

    Running it again creates nothing new. Every account gets ``DEMO_PASSWORD``.

    :return: a dict with counts of what was created.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    actor = Actor.system()
    created = {"organisations": 0, "users": 0}
    domains = {d.code: d for d in ensure_domains(DEFAULT_DOMAINS)}
    orgs = {o.code: o for o in db.session.scalars(sa.select(Organisation))}
    for code, name, kind, parent, domain_codes in ORGANISATIONS:
        if code not in orgs:
            orgs[code] = create_org(
                code,
                name,
                kind,
                orgs.get(parent),
                actor,
                domains=[domains[c] for c in domain_codes],
            )
            created["organisations"] += 1

    existing = set(db.session.scalars(sa.select(User.username)))

    def add(username, name, org_code, grants, index, **extra):
        if username in existing:
            return
        person_name, id_number, phone = _person(rng, index, "420102")
        user, _ = create_user(
            actor,
            username=username,
            name=name or person_name,
            organisation=orgs[org_code],
            id_number=id_number,
            phone=phone,
            password=DEMO_PASSWORD,
            audited=False,
            **extra,
        )
        user.must_change_password = False
        for role, scope in grants:
            grant_role(user, role, actor, scope=orgs[scope] if scope else None)
        existing.add(username)
        created["users"] += 1

    for index, (username, name, org_code, grants) in enumerate(NAMED_USERS):
        extra = {}
        if username == "officer":
            extra = {"cert_number": "JC0000001", "domains": [domains["chengguan"]]}
        if username == "inspector":
            extra = {"contact_point": "东湖区湖滨街道联系点"}
        add(username, name, org_code, grants, index, **extra)

    plan = []
    for i in range(users - len(NAMED_USERS)):
        agency = ENFORCEMENT_AGENCIES[i % len(ENFORCEMENT_AGENCIES)]
        if i < 30:
            plan.append((f"officer{i + 1:02d}", agency, Role.OFFICER, None))
        elif i < 40:
            plan.append((f"aux{i - 29:02d}", agency, Role.AUXILIARY, None))
        elif i < 44:
            plan.append(
                (
                    f"inspector{i - 39:02d}",
                    "JC-SFJ",
                    Role.INVITED_SUPERVISOR,
                    ["JC-DH", "JC-XS"][i % 2],
                )
            )
        elif i < 46:
            plan.append(
                (f"supervisor{i - 43:02d}", "JC-SFJ", Role.SUPERVISION_STAFF, "JC")
            )
        else:
            plan.append((f"handler{i - 45:02d}", agency, Role.AGENCY_HANDLER, agency))
    for offset, (username, org_code, role, scope) in enumerate(plan):
        index = len(NAMED_USERS) + offset
        extra = {}
        if role == Role.OFFICER:
            agency_domains = orgs[org_code].domains
            extra = {"cert_number": f"JC{index:07d}", "domains": list(agency_domains)}
        if role == Role.INVITED_SUPERVISOR:
            extra = {"contact_point": f"{orgs[scope].name}联系点"}
        add(username, None, org_code, [(role, scope)], index, **extra)

    from casebank.cases.demo import load_demo_cases
    from portal.workdays import services as workdays
    from portal.workdays.queries import missing_years

    bundled_years = [int(y) for y in workdays.bundled_schedule()["years"]]
    for year in missing_years(*bundled_years):
        workdays.load_bundled_year(year, actor)
    from casebank.demo import load_demo_catalogues
    from exams.seed import seed_exams_demo
    from exams.training.seed import seed_training_demo

    seed_training_demo(actor, orgs["JC"])
    created["catalogues"] = load_demo_catalogues(orgs["JC"], actor)
    created["cases"] = load_demo_cases(orgs, actor)
    from casebank.supervision.demo import load_demo_supervision

    # Not counted in ``created``: assignments only exist alongside new demo cases.
    load_demo_supervision(orgs, actor)
    from casebank.opinions.demo import load_demo_opinions

    created["opinions"] = load_demo_opinions(orgs)
    created["questions"] = seed_exams_demo(actor, orgs["JC"])
    from casebank.reviews.services import ensure_template

    ensure_template(actor)  # the default scoring template (评分模板), once
    from portal.suggestions.handling.demo import load_demo_suggestions

    created["suggestions"] = load_demo_suggestions(orgs, actor)
    if any(created.values()):
        audit.record("demo_seeded", actor, after=created)
    db.session.flush()
    return created
