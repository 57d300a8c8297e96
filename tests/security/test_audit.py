"""等保2.0 安全审计: outcome field; bank/paper/arrangement authoring, exam start and
submission (once, candidate + IP), refused access, CSRF and rate-limit hits."""

from datetime import timedelta

import sqlalchemy as sa
from freezegun import freeze_time

from portal.audit.models import AuditLog
from portal.extensions import db
from tests.exams.practice_helpers import (
    EXAM_START,
    exam_over,
    four_types,
    make_questions,
    open_bank,
)
from tests.security.conftest import login_client


def _entries(action):
    return db.session.scalars(
        sa.select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)
    ).all()


def test_outcomes_of_login(auth, world):
    auth.login("officer", "wrong-Passw0rd")
    auth.login("officer")
    assert [e.outcome for e in _entries("login_failed")] == ["failure"]
    assert [e.outcome for e in _entries("login")] == ["success"]


def test_bank_and_paper_creation_are_audited(app, world):
    client = login_client(app, "training_admin")
    response = client.post(
        "/admin/exams/banks", data={"code": "SEC1", "name": "安全测试题库"}
    )
    assert response.status_code == 302
    (entry,) = _entries("bank_created")
    assert entry.actor_id == world.users["training_admin"].id
    assert entry.ip == "127.0.0.1"
    response = client.post(
        "/admin/exams/papers",
        data={
            "name": "安全测试试卷",
            "kind": "fixed",
            "total_score": "100",
            "pass_mark": "60",
            "pool_factor": "1",
            "multiple_policy": "all_or_nothing",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    (entry,) = _entries("paper_created")
    assert entry.target_label == "安全测试试卷"


def test_exam_start_and_single_submission_audited_with_candidate_and_ip(app, world):
    bank = open_bank("EXAM", None, is_open=False)
    make_questions(bank, four_types("审计"))
    arrangement = exam_over(world, bank)
    officer = world.users["officer"]
    with freeze_time(EXAM_START + timedelta(minutes=5)):
        client = login_client(app, "officer")
        response = client.post(f"/exams/{arrangement.id}/start")
        assert response.status_code == 302
        (started,) = _entries("attempt_started")
        assert started.actor_id == officer.id
        assert started.ip == "127.0.0.1"
        attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
        client.post(f"/exams/attempts/{attempt_id}/submit")
        client.post(f"/exams/attempts/{attempt_id}/submit")  # a second tab
    (submitted,) = _entries("attempt_submitted")
    assert submitted.actor_id == officer.id
    assert submitted.ip == "127.0.0.1"


def test_refused_access_is_audited(app, world):
    client = login_client(app, "officer")
    assert client.get("/admin/users").status_code == 403
    assert client.get("/exams/attempts/999999").status_code == 404
    refused = _entries("access_refused")
    assert [e.outcome for e in refused] == ["refused", "refused"]
    assert refused[0].actor_id == world.users["officer"].id
    assert "/admin/users" in refused[0].target_label
    assert "/exams/attempts/999999" in refused[1].target_label


def test_rate_limit_hits_are_audited(app, world):
    app.config["LOGIN_RATE_LIMIT"] = "2 per minute"
    client = app.test_client()
    statuses = [
        client.post("/login", data={"login": "nobody", "password": "x"}).status_code
        for _ in range(3)
    ]
    assert statuses[-1] == 429
    (entry,) = _entries("rate_limited")
    assert entry.outcome == "refused"


def test_csrf_failures_are_audited(app, world):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = client.post("/login", data={"login": "officer", "password": "x"})
    assert response.status_code == 400
    (entry,) = _entries("csrf_failed")
    assert entry.outcome == "refused"
    assert entry.target_label == "POST /login"
