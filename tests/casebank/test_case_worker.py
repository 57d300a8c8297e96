"""The case check through a real RQ worker (Redis on this machine)."""

import os
import subprocess
import sys
import uuid

import pytest

from casebank.cases import checks
from casebank.cases.intake import Entry
from casebank.cases.models import CaseFile
from casebank.cases.services import add_cases
from portal import create_app, jobs
from portal.actor import Actor
from portal.config import TestConfig
from portal.extensions import db
from tests.conftest import REDIS_URL
from tests.factories import Factories
from tests.portal.test_jobs import _redis_or_skip

TEXT = (
    "甲区城管局\n行政处罚决定书\n江城城管罚〔2024〕12号\n"
    "当事人：王某，男。\n经查，当事人在人行道擅自设置广告牌。\n"
    "决定：罚款人民币5000元。\n甲区城管局\n2024年3月5日\n"
)


@pytest.mark.redis
def test_cases_are_checked_by_the_rq_worker(tmp_path):
    """With REDIS_URL, are added cases left pending, queued in chunks, and checked
    by `flask jobs worker`?"""
    _redis_or_skip()
    database = f"sqlite:///{tmp_path / 'cases.db'}"
    queue_name = f"zhifa-test-{uuid.uuid4().hex[:8]}"
    settings = {
        "SQLALCHEMY_DATABASE_URI": database,
        "REDIS_URL": REDIS_URL,
        "RQ_QUEUE": queue_name,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "CASE_CHECK_CHUNK": 2,
    }
    app = create_app(TestConfig, **settings)
    with app.app_context():
        db.create_all()
        factories = Factories()
        city = factories.org("测试市", "city", code="C")
        agency = factories.org("甲区城管局", "agency", city, code="C-CG")
        db.session.commit()
        entries = [
            Entry(f"{n}.txt", data=t.encode(), text=t)
            for n, t in ((n, TEXT.replace("12号", f"{n}号")) for n in range(3))
        ]
        batch = add_cases(
            entries,
            Actor.system(),
            agency=agency,
            agencies=[agency],
            upload_dir=settings["UPLOAD_DIR"],
        )
        db.session.commit()
        ids = [r["case_id"] for r in batch.results]
        assert checks.enqueue_checks(ids) == 2  # chunks of 2
        queue = jobs.get_queue()
        assert queue.count == 2
        assert {db.session.get(CaseFile, i).check_status for i in ids} == {"pending"}

        env = dict(
            os.environ,
            DATABASE_URL=database,
            REDIS_URL=REDIS_URL,
            RQ_QUEUE=queue_name,
            UPLOAD_DIR=settings["UPLOAD_DIR"],
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
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        db.session.remove()
        for case_id in ids:
            case = db.session.get(CaseFile, case_id)
            assert case.check_status == "checked", result.stderr[-2000:]
            assert case.review["penalties"]["fine_yuan"] == 5000.0
            assert case.review["decision_date"] == "2024-03-05"
        queue.delete(delete_jobs=True)
        db.session.remove()
        db.engine.dispose()
