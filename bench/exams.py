"""Question-bank benchmarks (issue #4): a 5,000-question .xlsx import, dry run and
commit, on file SQLite and (when reachable) PostgreSQL."""

import os
import random
import tempfile
import time
from decimal import Decimal

TOTAL = {"full": 5000, "quick": 500}
_SUBJECTS = [
    "当事人",
    "执法人员",
    "行政机关",
    "经营者",
    "建设单位",
    "运输企业",
    "排污单位",
    "个体工商户",
]
_ACTS = [
    "擅自设置户外广告",
    "未按规定明码标价",
    "超标排放大气污染物",
    "未取得许可从事经营",
    "逾期不缴纳罚款",
    "拒绝接受监督检查",
    "违法占用城市道路",
    "销售过期食品",
]
_ASKS = [
    "应当如何处理",
    "适用哪一法律条款",
    "可以处以何种处罚",
    "裁量时应当考虑哪些情节",
    "执法程序有何要求",
    "是否可以不予处罚",
]


def _questions(total, seed=42):
    from exams.formats.model import ImportedQuestion

    rng = random.Random(seed)
    rows = []
    for n in range(total):
        stem = (
            f"第{n + 1}题：{rng.choice(_SUBJECTS)}在{rng.randint(1, 28)}日"
            f"{rng.choice(_ACTS)}（涉及{rng.randint(2, 999)}处、{rng.randint(1, 99)}平方米），"
            f"{rng.choice(_ASKS)}？编号{rng.randint(10**6, 10**7)}"
        )
        kind = rng.choice(["single", "multiple", "true_false", "fill_blank"])
        common = {
            "stem": stem,
            "difficulty": rng.randint(1, 5),
            "score": Decimal(rng.choice([1, 2])),
            "knowledge_point": "公共法律知识/行政处罚法",
            "explanation": "见《行政处罚法》相关规定。",
        }
        if kind in ("single", "multiple"):
            options = {k: f"选项{k}{n}" for k in "ABCD"}
            key = ["B"] if kind == "single" else ["A", "C"]
            rows.append(ImportedQuestion(type=kind, options=options, key=key, **common))
        elif kind == "true_false":
            rows.append(ImportedQuestion(type=kind, key=["对"], **common))
        else:
            common["stem"] = stem + "答：____。"
            rows.append(
                ImportedQuestion(type=kind, blanks=[["行政复议", "复议"]], **common)
            )
    return rows


def _run_on(url, total, progress):  # noqa: PLR0915
    from exams.banks.models import Question
    from exams.banks.services import commit_import, ensure_bank, plan_import
    from exams.formats.xlsx import read_xlsx, write_xlsx
    from portal import create_app
    from portal.actor import Actor
    from portal.config import TestConfig
    from portal.extensions import db

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    content = write_xlsx(_questions(total))
    with app.app_context():
        db.drop_all()
        db.create_all()
        bank = ensure_bank("BENCH")
        db.session.commit()
        start = time.perf_counter()
        result = read_xlsx(content)
        read_s = time.perf_counter() - start
        plan = plan_import(result, bank)
        dry_s = time.perf_counter() - start
        db.session.rollback()
        progress(f"  dry run: {dry_s:.1f} s ({len(plan.errors)} errors)")
        bank = ensure_bank("BENCH")
        plan = plan_import(read_xlsx(content), bank)
        commit_import(plan, bank, Actor.system())
        db.session.commit()
        total_s = time.perf_counter() - start
        saved = db.session.scalar(db.select(db.func.count(Question.id)))
        generation = _generate_papers(bank, CANDIDATES[plan_name(total)], progress)
        db.session.remove()
        db.drop_all()
    return {
        "questions": total,
        "file_mib": round(len(content) / 2**20, 2),
        "read_s": round(read_s, 2),
        "dry_run_s": round(dry_s, 2),
        "dry_run_plus_commit_s": round(total_s, 2),
        "saved": saved,
        "near_duplicates": len(plan.near_duplicates),
        **generation,
    }


def plan_name(total):
    return "full" if total >= TOTAL["full"] else "quick"


CANDIDATES = {"full": 2000, "quick": 200}


def _generate_papers(bank, candidates, progress):
    """Pre-generate personal papers (blueprint: 4 rules, 50 questions) for
    ``candidates`` users of one arrangement."""
    from datetime import datetime, timedelta

    from exams.papers.services import (
        create_arrangement,
        create_blueprint_paper,
        enrol_candidates,
        pregenerate,
    )
    from portal.actor import Actor
    from portal.auth.models import User
    from portal.extensions import db
    from portal.orgs.models import Organisation

    city = Organisation(code="BENCH", name="基准市", kind="city", path="")
    db.session.add(city)
    db.session.flush()
    city.path = f"/{city.id}/"
    users = [
        User(
            username=f"bench{n}", name=f"考生{n}", organisation=city, password_hash="x"
        )
        for n in range(candidates)
    ]
    db.session.add_all(users)
    paper = create_blueprint_paper(
        "基准试卷",
        [
            {"bank_id": bank.id, "type": kind, "count": count, "score_each": Decimal(2)}
            for kind, count in (
                ("single", 20),
                ("multiple", 10),
                ("true_false", 10),
                ("fill_blank", 10),
            )
        ],
    )
    now = datetime(2027, 1, 1)
    arrangement = create_arrangement(
        paper,
        name="基准考试",
        kind="training",
        window_start=now,
        window_end=now + timedelta(days=1),
    )
    enrol_candidates(arrangement, users=users)
    db.session.commit()
    start = time.perf_counter()
    made = pregenerate(arrangement, Actor.system())
    db.session.commit()
    seconds = time.perf_counter() - start
    progress(f"  papers for {made} candidates: {seconds:.1f} s")
    return {"candidates": made, "paper_generation_s": round(seconds, 2)}


def run(plan="full", progress=print):
    """Run the import benchmark on SQLite and PostgreSQL; returns (records, setup)."""
    total = TOTAL[plan]
    records = []
    with tempfile.TemporaryDirectory() as tmp:
        progress(f"exams: importing {total} questions on SQLite …")
        sqlite_url = "sqlite:///" + os.path.join(tmp, "bench.db")
        records.append(
            {"name": "question_import_sqlite", **_run_on(sqlite_url, total, progress)}
        )
    pg = os.environ.get(
        "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    try:
        progress(f"exams: importing {total} questions on PostgreSQL …")
        records.append(
            {"name": "question_import_postgresql", **_run_on(pg, total, progress)}
        )
    except Exception as exc:  # noqa: BLE001 - report, do not fail the whole bench
        records.append(
            {"name": "question_import_postgresql", "skipped": str(exc)[:200]}
        )
    return records, {"questions": total}
