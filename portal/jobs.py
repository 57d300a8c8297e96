"""Background jobs: RQ on Redis when ``REDIS_URL`` is set, inline otherwise.

A job is a plain function importable by dotted path. It runs inside an application
context and is an "edge" in the sense of STYLE R5: :func:`run_job` commits after it
returns and rolls back if it raises.

Run a worker with ``flask jobs worker``; schedule the periodic jobs by calling
``flask jobs periodic`` from cron or a systemd timer.
"""

import importlib
import logging

import click
from flask import current_app
from flask.cli import AppGroup

from portal.extensions import db

logger = logging.getLogger(__name__)

jobs_cli = AppGroup("jobs", help="后台任务（RQ 队列）")

# Maintenance jobs enqueued by ``flask jobs periodic``.
PERIODIC_JOBS = [
    "portal.jobs.purge_import_uploads",
    "exams.attempts.jobs.close_expired_attempts",
    "exams.certs.jobs.expire_certificates",
    "exams.training.jobs.sync_completions",
    "casebank.cases.checks.check_pending_cases",
    "casebank.consistency.jobs.recompute_consistency",
    "portal.suggestions.oversight.jobs.deidentify_suggestions",
    "portal.suggestions.handling.jobs.close_unrated_suggestions",
    "portal.notifications.jobs.daily_digest",
    "portal.notifications.service.retry_deliveries",
    "portal.suggestions.handling.sms.retry_submitter_sms",
]


def _resolve(path):
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def _path_of(func):
    return f"{func.__module__}.{func.__qualname__}"


def get_queue():
    """The RQ queue of this deployment (requires ``REDIS_URL``)."""
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(current_app.config["REDIS_URL"])
    return Queue(current_app.config["RQ_QUEUE"], connection=connection)


def run_job(path, args=(), kwargs=None, *, own_session=True):
    """Execute the job at ``path`` in the current app context and commit.

    :param own_session: the job owns the session (a worker): end it afterwards.
        Inline jobs run inside the caller's request or command, whose objects must
        stay attached, so they only commit.
    """
    try:
        result = _resolve(path)(*args, **(kwargs or {}))
        db.session.commit()
        _dispatch_notifications()
        return result
    except Exception:
        db.session.rollback()
        logger.exception("Job %s failed", path)
        raise
    finally:
        if own_session:
            db.session.remove()


def _dispatch_notifications():
    from portal.notifications.service import dispatch_ready

    dispatch_ready()


def _run_in_worker(path, args, kwargs):
    # RQ forks a work horse per job; connections inherited from the parent process
    # must not be reused by the child.
    db.engine.dispose(close=False)
    return run_job(path, args, kwargs)


def enqueue(func, *args, **kwargs):
    """Run ``func(*args, **kwargs)`` in the background.

    :return: the RQ job id, or None when the job ran inline (no ``REDIS_URL``).
    """
    path = _path_of(func)
    if not current_app.config.get("REDIS_URL"):
        run_job(path, args, kwargs, own_session=False)
        return None
    job = get_queue().enqueue(_run_in_worker, path, args, kwargs, job_timeout=3600)
    logger.info("Enqueued %s as %s", path, job.id)
    return job.id


def purge_import_uploads(max_age_hours=24):
    """Delete staged import files older than ``max_age_hours``; audited.

    :return: the number of files removed.
    """
    from portal import audit, storage
    from portal.actor import Actor

    removed = sum(
        storage.purge_older_than(prefix, max_age_hours * 3600)
        for prefix in ("imports/", "question-imports/")
    )
    if removed:
        audit.record("import_uploads_purged", Actor.system(), after={"文件数": removed})
    return removed


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="处理完队列中的任务后退出")
def worker_command(burst):
    """Run an RQ worker for this portal's queue."""
    from rq import Worker

    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException(
            "未配置 REDIS_URL：嵌入式部署中任务会直接执行，无需 worker"
        )
    queue = get_queue()
    Worker([queue], connection=queue.connection).work(burst=burst, with_scheduler=True)


@jobs_cli.command("periodic")
def periodic_command():
    """Enqueue the periodic maintenance jobs (call from cron)."""
    for path in PERIODIC_JOBS:
        job_id = enqueue(_resolve(path))
        click.echo(f"{path}: {job_id or '已直接执行'}")


def init_app(app):
    app.cli.add_command(jobs_cli)
