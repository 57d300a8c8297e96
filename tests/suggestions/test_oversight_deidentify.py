"""De-identification: contact data removed SUGGESTION_RETENTION_DAYS after
closure (freezegun), anonymous items untouched, audited, the CHECK holds, the
repeat-complaint figure survives, run by the CLI and by the periodic jobs."""

import json
import os
import subprocess
import sys
import uuid
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from portal import create_app, jobs
from portal.audit.models import AuditLog
from portal.config import TestConfig
from portal.extensions import db
from portal.suggestions.models import Suggestion, SuggestionEvent
from portal.suggestions.oversight import stats
from tests.conftest import REDIS_URL
from tests.factories import Factories
from tests.portal.test_jobs import _redis_or_skip
from tests.suggestions.oversight_support import known_data_set, make_suggestion

JOB = "portal.suggestions.oversight.jobs.deidentify_suggestions"

CLOSED = datetime(2026, 3, 1, 2, 0)  # + 180 days = 2026-08-28 02:00 UTC


def _closed(world, phone="13912345678", **fields):
    values = {
        "status": "closed",
        "closed_at": CLOSED,
        "submitted_at": datetime(2026, 1, 5, 2, 0),
        "description": "我的电话 13912345678，身份证 420102199001011234。",
        "rating_comment": "回访电话 13700001111",
        "contest_reason": None,
    }
    values.update(fields)
    return make_suggestion(world.agency, phone, **values)


def _runs():
    return db.session.scalars(
        sa.select(AuditLog)
        .where(AuditLog.action == "suggestions_deidentified")
        .order_by(AuditLog.id)
    ).all()


def _deidentify(runner):
    result = runner.invoke(args=["suggestions", "deidentify"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


def test_contact_data_stays_until_the_retention_date(app, world, runner):
    """Is nothing removed one minute before closure + 180 days, and is the run
    still audited with a count of 0?"""
    item = _closed(world)
    with freeze_time("2026-08-28 01:59:00"):
        output = _deidentify(runner)
    assert "0 件" in output
    assert item.contact_phone == "13912345678"
    assert item.contact_name == "张三丰"
    assert item.deidentified_at is None
    (run,) = _runs()
    assert json.loads(run.after)["去标识化条数"] == 0


def test_contact_data_is_removed_after_the_retention_date(app, world, runner):
    """After closure + 180 days, are phone and name gone, numbers typed into free
    text masked, deidentified_at set, the version bumped and one audit entry
    written with the count?"""
    item = _closed(world, published_reply="已与您（13912345678）电话沟通。")
    item.events.append(
        SuggestionEvent(kind="closed", note="回访 13912345678", is_public=False)
    )
    db.session.commit()
    version = item.version
    with freeze_time("2026-08-28 02:00:00"):
        output = _deidentify(runner)
    assert "1 件" in output
    assert item.contact_phone is None
    assert item.contact_name is None
    assert item.deidentified_at == datetime(2026, 8, 28, 2, 0)
    assert "13912345678" not in item.description
    assert "420102199001011234" not in item.description
    assert "139****5678" in item.description
    assert item.rating_comment == "回访电话 137****1111"
    assert item.published_reply == "已与您（139****5678）电话沟通。"
    assert item.events[0].note == "回访 139****5678"
    assert item.version == version + 1
    (run,) = _runs()
    assert run.actor_name == "系统"
    assert json.loads(run.after) == {"去标识化条数": 1, "保存期限（天）": 180}
    # A second run finds nothing more.
    with freeze_time("2026-08-29 02:00:00"):
        assert "0 件" in _deidentify(runner)
    assert len(_runs()) == 2


def test_retention_days_come_from_the_config(app, world, runner):
    """Does SUGGESTION_RETENTION_DAYS decide the date?"""
    app.config["SUGGESTION_RETENTION_DAYS"] = 30
    item = _closed(world)
    with freeze_time("2026-03-31 02:00:00"):
        _deidentify(runner)
    assert item.contact_phone is None


def test_anonymous_open_and_reopened_items_are_untouched(app, world, runner):
    """Are anonymous items, items still in handling and items reopened after
    closure (closed_at kept, status processing) left as they are?"""
    anonymous = _closed(world, phone=None)
    open_item = make_suggestion(world.agency, "13811112222", status="processing")
    reopened = _closed(world, phone="13833334444", status="processing")
    anonymous_text = anonymous.description
    with freeze_time("2027-06-01 00:00:00"):
        assert "0 件" in _deidentify(runner)
    assert anonymous.deidentified_at is None
    assert anonymous.description == anonymous_text
    assert open_item.contact_phone == "13811112222"
    assert reopened.contact_phone == "13833334444"


def test_rejected_and_merged_items_are_deidentified_too(app, world, runner):
    """Do final states other than 已办结 (with closed_at set) count as closure?"""
    rejected = _closed(world, status="rejected")
    merged = _closed(world, phone="13855556666", status="merged")
    with freeze_time("2026-09-01 00:00:00"):
        assert "2 件" in _deidentify(runner)
    assert rejected.contact_phone is None
    assert merged.contact_phone is None


def test_check_constraint_still_refuses_a_named_item_without_phone(app, world):
    """Does the relaxed CHECK still refuse a named item with no phone that was
    not de-identified?"""
    item = _closed(world)
    item.contact_phone = None
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
    else:
        raise AssertionError("a named item without a phone was stored")


def test_repeat_figure_is_the_same_after_deidentification(app, world, runner):
    """Does the repeat-complaint count of a period stay the same once the phones
    it was based on are removed (frozen in is_phone_repeat)?"""
    with freeze_time("2026-12-06 04:00:00"):
        items = known_data_set(world)
        before = stats.load_figures(
            sa.true(), date(2026, 12, 6), date(2026, 1, 1), date(2026, 12, 6)
        )
    assert before.repeats == 3
    with freeze_time("2027-06-01 00:00:00"):
        _deidentify(runner)
    # A, B (closed 2026-11-12) and F (merged) lost their phones; H repeated A.
    assert items["A"].contact_phone is None
    assert items["H"].contact_phone == "13900000001"
    assert items["H"].is_phone_repeat
    assert not items["I"].is_phone_repeat
    after = stats.load_figures(
        sa.true(), date(2027, 6, 1), date(2026, 1, 1), date(2026, 12, 6)
    )
    assert (after.repeats, after.phone_repeats, after.merged) == (3, 2, 1)


def test_periodic_jobs_include_deidentification(app, world):
    """Is the job among `flask jobs periodic`, and does running it inline (no
    Redis) de-identify and commit?"""
    path = JOB
    assert path in jobs.PERIODIC_JOBS
    item = _closed(world)
    with freeze_time("2026-09-01 00:00:00"):
        assert jobs.enqueue(jobs._resolve(path)) is None  # ran inline
    db.session.expire_all()
    assert db.session.get(Suggestion, item.id).contact_phone is None
    assert len(_runs()) == 1


@pytest.mark.redis
def test_deidentification_runs_through_a_real_rq_worker(tmp_path):
    """With REDIS_URL, is the job queued by `flask jobs periodic` and executed by
    `flask jobs worker` (contact data gone, audited by the system)?"""
    _redis_or_skip()
    database = f"sqlite:///{tmp_path / 'jobs.db'}"
    queue_name = f"zhifa-test-{uuid.uuid4().hex[:8]}"
    settings = {
        "SQLALCHEMY_DATABASE_URI": database,
        "REDIS_URL": REDIS_URL,
        "RQ_QUEUE": queue_name,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
    }
    app = create_app(TestConfig, **settings)
    with app.app_context():
        db.create_all()
        world = Factories().world()
        item_id = _closed(world, closed_at=datetime(2020, 1, 1)).id
        job_id = jobs.enqueue(jobs._resolve(JOB))
        assert job_id is not None
        queue = jobs.get_queue()
        env = dict(
            os.environ,
            DATABASE_URL=database,
            REDIS_URL=REDIS_URL,
            RQ_QUEUE=queue_name,
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
        assert job.return_value() == 1
        db.session.remove()
        stored = db.session.get(Suggestion, item_id)
        assert stored.contact_phone is None
        assert stored.deidentified_at is not None
        (run,) = _runs()
        assert run.actor_name == "系统"
        queue.delete(delete_jobs=True)
        db.session.remove()
        db.engine.dispose()
