"""Case-file benchmark (issue #6): batch import and check of 1,000 decisions (text
files in a zip) through RQ workers on this machine, end to end.

The import runs the code of the upload screen (expand the zip, add the cases,
commit, enqueue the checks in chunks); then ``flask jobs worker --burst`` processes
(two, one per core) check them. The clock stops when every case is checked. Needs
Redis (``REDIS_URL``, default ``redis://127.0.0.1:6379/14``); a file SQLite database.
"""

import io
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DECISIONS = ROOT / "tests" / "data" / "decisions"
TOTAL = {"full": 1000, "quick": 100}
WORKERS = 2


def _zip(total: int) -> bytes:
    """``total`` distinct decisions: the 城管 dev-set texts with a serial line."""
    texts = [p.read_text("utf-8") for p in sorted(DECISIONS.glob("cg-*.txt"))]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for n in range(total):
            text = texts[n % len(texts)] + f"\n（案卷流水号 {n:05d}）\n"
            archive.writestr(f"batch/{n:05d}.txt", text.encode("utf-8"))
    return buffer.getvalue()


def _setup(app):
    import sqlalchemy as sa

    from casebank import CATALOGUE_DIR
    from casebank.documents import read_document
    from casebank.services import import_catalogue
    from portal.actor import Actor
    from portal.extensions import db
    from portal.orgs.models import DEFAULT_DOMAINS, Domain
    from portal.orgs.services import create_org, ensure_domains

    db.create_all()
    ensure_domains(DEFAULT_DOMAINS)
    actor = Actor.system()
    chengguan = db.session.scalar(sa.select(Domain).where(Domain.code == "chengguan"))
    city = create_org("JC", "江城市", "city", None, actor)
    agency = create_org(
        "JC-CG", "江城市城市管理综合行政执法局", "agency", city, actor, [chengguan]
    )
    path = CATALOGUE_DIR / "chengguan.json"
    import_catalogue(
        read_document(path.name, path.read_bytes()),
        actor,
        jurisdiction=city,
        code="JC-CG",
        domains=[chengguan],
        publish=True,
    )
    db.session.commit()
    return agency.id


def _run(total: int, progress) -> dict:
    from redis import Redis

    from casebank.cases import checks, intake
    from casebank.cases.models import CaseFile
    from casebank.cases.services import add_cases
    from portal import create_app, jobs
    from portal.actor import Actor
    from portal.config import Config
    from portal.extensions import db
    from portal.orgs.models import Organisation

    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    Redis.from_url(redis_url).ping()
    with tempfile.TemporaryDirectory() as tmp:
        database = "sqlite:///" + os.path.join(tmp, "cases.db")
        queue_name = f"zhifa-bench-{uuid.uuid4().hex[:8]}"
        settings = {
            "SQLALCHEMY_DATABASE_URI": database,
            "REDIS_URL": redis_url,
            "RQ_QUEUE": queue_name,
            "UPLOAD_DIR": os.path.join(tmp, "uploads"),
            "NLP_EMBEDDING_MODEL": "none",
        }
        app = create_app(Config, **settings)
        with app.app_context():
            agency_id = _setup(app)
            archive = _zip(total)
            env = dict(
                os.environ,
                DATABASE_URL=database,
                REDIS_URL=redis_url,
                RQ_QUEUE=queue_name,
                UPLOAD_DIR=settings["UPLOAD_DIR"],
                NLP_EMBEDDING_MODEL="none",
                PORTAL_INSTANCE_PATH=os.path.join(tmp, "instance"),
                FLASK_APP="wsgi.py",
            )
            progress(f"cases: importing {total} decisions (zip) and checking …")
            start = time.perf_counter()
            agency = db.session.get(Organisation, agency_id)
            entries = intake.expand_uploads([("batch.zip", archive)], intake.Limits())
            batch = add_cases(
                entries,
                Actor.system(),
                agency=agency,
                agencies=[agency],
                upload_dir=settings["UPLOAD_DIR"],
            )
            db.session.commit()
            ids = [r["case_id"] for r in batch.results if r["outcome"] == "imported"]
            imported_s = time.perf_counter() - start
            job_count = checks.enqueue_checks(ids)
            db.session.remove()
            flask = os.path.join(os.path.dirname(sys.executable), "flask")
            workers = [
                subprocess.Popen(
                    [flask, "jobs", "worker", "--burst"],
                    env=env,
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for _ in range(WORKERS)
            ]
            errors = [w.communicate(timeout=1800)[1][-1000:] for w in workers]
            total_s = time.perf_counter() - start
            import sqlalchemy as sa

            counts = dict(
                db.session.execute(
                    sa.select(CaseFile.check_status, sa.func.count()).group_by(
                        CaseFile.check_status
                    )
                ).all()
            )
            findings = db.session.scalar(sa.select(sa.func.sum(CaseFile.finding_count)))
            jobs.get_queue().delete(delete_jobs=True)
            db.session.remove()
            db.engine.dispose()
        if counts.get("checked", 0) != total:
            raise RuntimeError(f"not all checked: {counts}; {errors}")
        return {
            "decisions": total,
            "imported": len(ids),
            "jobs": job_count,
            "workers": WORKERS,
            "import_seconds": round(imported_s, 2),
            "end_to_end_seconds": round(total_s, 2),
            "per_decision_ms": round(total_s * 1000 / total, 2),
            "statuses": counts,
            "findings": findings,
            "target_seconds": 120,
            "within_target": total_s < 120,
        }


def run(plan="full", progress=print):
    """The batch import-and-check benchmark; returns (records, setup)."""
    total = TOTAL[plan]
    try:
        record = {"name": "case_batch_import_and_check", **_run(total, progress)}
    except Exception as exc:  # noqa: BLE001 - report, do not fail the whole bench
        record = {"name": "case_batch_import_and_check", "skipped": str(exc)[:300]}
    progress(json.dumps(record, ensure_ascii=False))
    return [record], {"decisions": total, "workers": WORKERS, "database": "sqlite"}
