"""Review-queue benchmark (issue #6, case supervision): GETs of the 评查任务队列 page
over 10,000 cases on PostgreSQL.

A throwaway PostgreSQL database is migrated with ``flask db upgrade`` (so the
indexes are the migrations' own), then filled by bulk inserts: 12 agencies, 10,000
checked cases over 2025–2026 (30 % with 1–3 findings), a 5 % sample draw per agency
and quarter through the real service, 1,000 open assignments. Supervision staff
(scope: the city) then request the queue's first page, a deep page and filtered
pages with the Flask test client (whole request: routing, session, queries,
template), and one case page (with its similar-cases panel). Target: p95 < 300 ms.
"""

import hashlib
import os
import random
from datetime import date, timedelta
from pathlib import Path

from bench import summarise, timed

ROOT = Path(__file__).resolve().parents[1]
DECISIONS = ROOT / "tests" / "data" / "decisions"
CASES = {"full": 10_000, "quick": 2_000}
ITERATIONS = {"full": (40, 3), "quick": (8, 2)}
AGENCIES = 12
TARGET_P95_MS = 300

PAGES = [
    ("queue_first_page", "/casebank/supervision/queue"),
    ("queue_page_20", "/casebank/supervision/queue?page=20"),
    ("queue_unassigned_high", "/casebank/supervision/queue?severity=high&assigned=no"),
    ("queue_agency_quarter", None),  # agency + period, filled in at run time
    ("queue_sampled", "/casebank/supervision/queue?sampled=yes"),
]


def _texts():
    return [p.read_text("utf-8") for p in sorted(DECISIONS.glob("*.txt"))][:40]


def _seed(total, progress):
    """Organisations, users and ``total`` cases by bulk insert; returns ids."""
    import sqlalchemy as sa

    from casebank.cases.models import CaseFile, CaseFinding
    from casebank.supervision.models import ReviewAssignment
    from casebank.supervision.services import draw_sample
    from portal.actor import Actor
    from portal.admin.services import create_user, grant_role
    from portal.auth.models import Role
    from portal.exceptions import ValidationFailed
    from portal.extensions import db
    from portal.orgs.models import DEFAULT_DOMAINS
    from portal.orgs.services import create_org, ensure_domains

    rng = random.Random(6)  # noqa: S311 - reproducible bench data
    actor = Actor.system()
    ensure_domains(DEFAULT_DOMAINS)
    city = create_org("BQ", "基准市", "city", None, actor)
    districts = [
        create_org(f"BQ-{d}", f"基准{d}区", "district", city, actor) for d in "AB"
    ]
    agencies = [
        create_org(
            f"BQ-AG{n:02d}", f"基准执法局{n:02d}", "agency", districts[n % 2], actor
        )
        for n in range(AGENCIES)
    ]
    staff, _ = create_user(
        actor,
        username="bench-staff",
        name="基准监督科",
        organisation=city,
        password="Bench-pass-1",
        audited=False,
    )
    staff.must_change_password = False
    grant_role(staff, Role.SUPERVISION_STAFF, actor, scope=city)
    reviewers = []
    for n in range(5):
        user, _ = create_user(
            actor,
            username=f"bench-inspector{n}",
            name=f"基准监督员{n}",
            organisation=agencies[(n + 1) % AGENCIES],
            password="Bench-pass-1",
            audited=False,
        )
        grant_role(user, Role.INVITED_SUPERVISOR, actor, scope=city)
        reviewers.append(user)
    db.session.commit()

    progress(f"review-queue: inserting {total} cases …")
    texts = _texts()
    start = date(2025, 1, 1)
    rows, findings = [], []
    for n in range(total):
        severity = rng.choice([1, 2, 3]) if rng.random() < 0.3 else 0
        text = texts[n % len(texts)] + f"\n（基准流水号 {n:06d}）\n"
        rows.append(
            {
                "agency_id": agencies[n % AGENCIES].id,
                "source_kind": "paste",
                "sha256": hashlib.sha256(text.encode()).hexdigest(),
                "size_bytes": 0,
                "text": text,
                "doc_number": f"基准罚〔{2025 + n % 2}〕{n}号",
                "decision_date": start + timedelta(days=rng.randrange(730)),
                "fine_yuan": float(rng.randrange(100, 50_000)),
                "check_status": "checked",
                "finding_count": rng.randint(1, 3) if severity else 0,
                "max_severity_rank": severity,
            }
        )
    db.session.execute(sa.insert(CaseFile), rows)
    db.session.commit()
    flagged = db.session.execute(
        sa.select(
            CaseFile.id, CaseFile.finding_count, CaseFile.max_severity_rank
        ).where(CaseFile.finding_count > 0)
    ).all()
    names = {1: "low", 2: "medium", 3: "high"}
    for case_id, count, rank in flagged:
        for position in range(count):
            findings.append(
                {
                    "case_id": case_id,
                    "position": position,
                    "code": "BENCH",
                    "severity": names[rank],
                    "severity_rank": rank,
                    "message": "基准发现",
                    "evidence": "",
                    "spans": [],
                }
            )
    db.session.execute(sa.insert(CaseFinding), findings)
    db.session.commit()

    progress("review-queue: drawing samples and assigning …")
    draws = 0
    for agency in agencies:
        for year in (2025, 2026):
            for quarter in range(1, 5):
                try:
                    draw_sample(
                        agency, f"{year}-Q{quarter}", actor, rate=0.05, seed=draws
                    )
                except ValidationFailed:  # no clean case that quarter
                    continue
                draws += 1
    case_ids = [cid for cid, *_ in flagged]
    rng.shuffle(case_ids)
    agency_of = dict(
        db.session.execute(sa.select(CaseFile.id, CaseFile.agency_id)).all()
    )
    assignments = []
    for case_id in case_ids[:1000]:
        eligible = [u for u in reviewers if u.organisation_id != agency_of[case_id]]
        assignments.append(
            {
                "case_id": case_id,
                "assignee_id": rng.choice(eligible).id,
                "status": "open",
            }
        )
    db.session.execute(sa.insert(ReviewAssignment), assignments)
    db.session.commit()
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()
    return {
        "agencies": AGENCIES,
        "cases": total,
        "flagged": len(flagged),
        "findings": len(findings),
        "sample_draws": draws,
        "open_assignments": len(assignments),
        "agency_id": agencies[3].id,
        "case_id": case_ids[0],
    }


def _time_similar(setup, iterations, warmup, progress):
    """The similar-cases panel alone (pool queries + TF-IDF ranking)."""
    import sqlalchemy as sa

    from casebank.cases.models import CaseFile
    from casebank.supervision.similar import similar_cases
    from portal.auth.models import User
    from portal.extensions import db

    staff = db.session.scalar(sa.select(User).where(User.username == "bench-staff"))
    case = db.session.get(CaseFile, setup["case_id"])
    progress("review-queue: similar_cases() alone")
    samples = timed(lambda: similar_cases(staff, case), iterations, warmup)
    record = summarise("similar_cases_call", samples, warmup)
    record["within_target"] = record["p95_ms"] < TARGET_P95_MS
    return record


def _run(total, iterations, warmup, progress):
    from bench import loadkit
    from portal import create_app
    from portal.config import TestConfig
    from portal.extensions import db

    url = loadkit.create_database()
    try:
        progress("review-queue: migrating a fresh PostgreSQL database …")
        loadkit.migrate(url, dict(os.environ))
        app = create_app(
            TestConfig, SQLALCHEMY_DATABASE_URI=url, NLP_EMBEDDING_MODEL="none"
        )
        records = []
        with app.app_context():
            setup = _seed(total, progress)
            db.session.remove()
            client = app.test_client()
            response = client.post(
                "/login", data={"login": "bench-staff", "password": "Bench-pass-1"}
            )
            assert response.status_code == 302, response.status_code
            pages = [
                (
                    name,
                    path
                    or f"/casebank/supervision/queue?agency_id={setup['agency_id']}"
                    "&period=2026-Q2",
                )
                for name, path in PAGES
            ]
            pages.append(
                ("case_page_with_similar", f"/casebank/cases/{setup['case_id']}")
            )
            for name, path in pages:

                def get(path=path):
                    page = client.get(path)
                    assert page.status_code == 200, (path, page.status_code)
                    db.session.remove()

                progress(f"review-queue: {name} ({path})")
                samples = timed(get, iterations, warmup)
                record = summarise(name, samples, warmup, path=path)
                record["within_target"] = record["p95_ms"] < TARGET_P95_MS
                records.append(record)
            records.append(_time_similar(setup, iterations, warmup, progress))
            db.session.remove()
            db.engine.dispose()
        return records, setup
    finally:
        loadkit.drop_database(url)


def run(plan="full", progress=print):
    """The review-queue page benchmark; returns (records, setup)."""
    total = CASES[plan]
    iterations, warmup = ITERATIONS[plan]
    try:
        records, setup = _run(total, iterations, warmup, progress)
    except Exception as exc:  # noqa: BLE001 - report, do not fail the whole bench
        return [{"name": "review_queue", "skipped": str(exc)[:300]}], {"cases": total}
    setup.update(
        database="postgresql",
        client="flask test client (whole request)",
        target_p95_ms=TARGET_P95_MS,
    )
    return records, setup
