"""Background jobs: inline without Redis, through a real RQ worker with Redis."""

import os
import subprocess
import sys
import time
import uuid

import pytest
import sqlalchemy as sa

from portal import create_app, jobs
from portal.audit.models import AuditLog
from portal.config import TestConfig
from portal.extensions import db
from tests.conftest import REDIS_URL


def _stage_files(folder, old=2, fresh=1):
    os.makedirs(folder, exist_ok=True)
    long_ago = time.time() - 48 * 3600
    for i in range(old):
        path = os.path.join(folder, f"old-{i}.xlsx")
        open(path, "wb").close()
        os.utime(path, (long_ago, long_ago))
    for i in range(fresh):
        open(os.path.join(folder, f"fresh-{i}.xlsx"), "wb").close()


def test_job_runs_inline_without_redis(app):
    """Without REDIS_URL, does enqueue run the job at once and commit its work?"""
    folder = os.path.join(app.config["UPLOAD_DIR"], "imports")
    _stage_files(folder)
    assert jobs.enqueue(jobs.purge_import_uploads) is None
    assert sorted(os.listdir(folder)) == ["fresh-0.xlsx"]
    entry = db.session.scalar(
        sa.select(AuditLog).where(AuditLog.action == "import_uploads_purged")
    )
    assert entry is not None
    assert "2" in entry.after


def _redis_or_skip():
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    try:
        Redis.from_url(REDIS_URL).ping()
    except RedisConnectionError:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is required but not reachable at {REDIS_URL}")
        pytest.skip("Redis not reachable")


@pytest.mark.redis
def test_job_runs_through_real_rq_worker(tmp_path):
    """With REDIS_URL, is the job queued in Redis and executed by `flask jobs worker`?"""
    _redis_or_skip()
    database = f"sqlite:///{tmp_path / 'jobs.db'}"
    uploads = tmp_path / "uploads"
    queue_name = f"zhifa-test-{uuid.uuid4().hex[:8]}"
    settings = {
        "SQLALCHEMY_DATABASE_URI": database,
        "REDIS_URL": REDIS_URL,
        "RQ_QUEUE": queue_name,
        "UPLOAD_DIR": str(uploads),
    }
    app = create_app(TestConfig, **settings)
    with app.app_context():
        db.create_all()
        _stage_files(str(uploads / "imports"), old=3, fresh=1)
        job_id = jobs.enqueue(jobs.purge_import_uploads, max_age_hours=24)
        assert job_id is not None
        queue = jobs.get_queue()
        assert queue.count == 1
        # Nothing happened yet: the job waits for a worker.
        assert len(os.listdir(uploads / "imports")) == 4

        env = dict(
            os.environ,
            DATABASE_URL=database,
            REDIS_URL=REDIS_URL,
            RQ_QUEUE=queue_name,
            UPLOAD_DIR=str(uploads),
            PORTAL_INSTANCE_PATH=str(tmp_path / "instance"),
            FLASK_APP="wsgi.py",
        )
        flask = os.path.join(os.path.dirname(sys.executable), "flask")
        result = subprocess.run(
            [flask, "jobs", "worker", "--burst"],
            env=env,
            cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-2000:]

        from rq.job import Job

        job = Job.fetch(job_id, connection=queue.connection)
        assert job.get_status() == "finished", result.stderr[-2000:]
        assert job.return_value() == 3
        assert os.listdir(uploads / "imports") == ["fresh-0.xlsx"]
        db.session.remove()
        entry = db.session.scalar(
            sa.select(AuditLog).where(AuditLog.action == "import_uploads_purged")
        )
        assert entry is not None
        assert entry.actor_name == "系统"
        queue.delete(delete_jobs=True)
        db.engine.dispose()
