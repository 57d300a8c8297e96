"""Start admission (issue #17): with the gate at 1 candidate per second and a
burst of 2, the first two candidates enter at once, the others wait in the
排队中 queue in click order with their position shown, enter when their turn
comes, and their clock starts when they enter. On the database gate (SQLite and
PostgreSQL) and on the Redis gate."""

import os
from datetime import timedelta

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from exams.attempts.models import Attempt, StartTicket
from exams.papers.services import enrol_candidates
from portal.extensions import db
from tests.exams.test_attempts import START, setup_exam

T0 = START + timedelta(minutes=5)


def _candidates(world, factories, arrangement, count):
    users = [
        factories.user(username=f"queue{n}", role="officer", organisation=world.agency)
        for n in range(count)
    ]
    enrol_candidates(arrangement, users=users)
    db.session.commit()
    return [u.username for u in users]


def _click_start(client, auth, username, arrangement):
    auth.logout()
    auth.login(username)
    return client.post(f"/exams/{arrangement.id}/start")


def _attempt_of(username):
    from portal.auth.models import User

    return db.session.scalar(
        sa.select(Attempt)
        .join(User, User.id == Attempt.user_id)
        .where(User.username == username)
    )


def _run_gate(app, client, auth, world, factories):
    app.config.update(EXAM_START_RATE=1, EXAM_START_BURST=2)
    arrangement = setup_exam(world, duration=60)
    names = _candidates(world, factories, arrangement, 4)
    with freeze_time(T0):
        first = [_click_start(client, auth, n, arrangement) for n in names[:2]]
        assert all("/exams/attempts/" in r.headers["Location"] for r in first)
        waiting = [_click_start(client, auth, n, arrangement) for n in names[2:]]
        assert all(
            r.headers["Location"].endswith(f"/exams/{arrangement.id}/queue")
            for r in waiting
        )
        # Positions follow the click order: the last one to click is second.
        page = client.get(f"/exams/{arrangement.id}/queue")
        assert page.status_code == 200
        assert "排队中" in page.text
        assert 'id="queue-position">2<' in page.text
        status = client.get(
            f"/exams/{arrangement.id}/queue", headers={"Accept": "application/json"}
        ).get_json()
        assert status == {"ready": False, "position": 2, "wait": 2}
        # A second click keeps the place (no new ticket, no attempt).
        again = client.post(f"/exams/{arrangement.id}/start")
        assert again.headers["Location"].endswith("/queue")
        assert _attempt_of(names[3]) is None
        auth.logout()
        auth.login(names[2])
        status = client.get(
            f"/exams/{arrangement.id}/queue", headers={"Accept": "application/json"}
        ).get_json()
        assert status == {"ready": False, "position": 1, "wait": 1}
    with freeze_time(T0 + timedelta(seconds=1)):
        status = client.get(
            f"/exams/{arrangement.id}/queue", headers={"Accept": "application/json"}
        ).get_json()
        assert status["ready"] is True
        # The 排队中 page enters through /enter (not limited by nginx).
        entered = client.post(f"/exams/{arrangement.id}/enter")
        assert "/exams/attempts/" in entered.headers["Location"]
        # The fourth still waits, now first in line.
        auth.logout()
        auth.login(names[3])
        status = client.get(
            f"/exams/{arrangement.id}/queue", headers={"Accept": "application/json"}
        ).get_json()
        assert status == {"ready": False, "position": 1, "wait": 1}
    with freeze_time(T0 + timedelta(seconds=2)):
        entered = client.post(f"/exams/{arrangement.id}/enter")
        assert "/exams/attempts/" in entered.headers["Location"]
    db.session.expire_all()
    started = {n: _attempt_of(n) for n in names}
    # The clock starts at admission, not at the click.
    assert started[names[0]].started_at == T0
    assert started[names[2]].started_at == T0 + timedelta(seconds=1)
    assert started[names[2]].deadline_at == T0 + timedelta(seconds=1, minutes=60)
    assert started[names[3]].started_at == T0 + timedelta(seconds=2)
    assert started[names[3]].deadline_at == T0 + timedelta(seconds=2, minutes=60)
    return arrangement


def test_database_gate_queues_in_click_order(app, client, auth, world, factories):
    arrangement = _run_gate(app, client, auth, world, factories)
    tickets = db.session.scalars(
        sa.select(StartTicket.admit_at)
        .where(StartTicket.arrangement_id == arrangement.id)
        .order_by(StartTicket.id)
    ).all()
    assert tickets == [T0, T0, T0 + timedelta(seconds=1), T0 + timedelta(seconds=2)]


def test_redis_gate_queues_in_click_order(app, client, auth, world, factories):
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL not set")
    from redis import Redis

    redis = Redis.from_url(url)
    for key in redis.scan_iter("*exam-gate:*"):
        redis.delete(key)
    app.config["REDIS_URL"] = url
    app.extensions.pop("exam_gate_redis", None)
    try:
        _run_gate(app, client, auth, world, factories)
        assert db.session.scalar(sa.select(sa.func.count(StartTicket.id))) == 0
        assert any(redis.scan_iter("*exam-gate:*:tat"))
    finally:
        for key in redis.scan_iter("*exam-gate:*"):
            redis.delete(key)
        app.config["REDIS_URL"] = None
        app.extensions.pop("exam_gate_redis", None)


def test_resume_never_waits(app, client, auth, world, factories):
    """A candidate with an attempt in progress goes straight back in, even when
    the queue is long."""
    app.config.update(EXAM_START_RATE=0.01, EXAM_START_BURST=1)
    arrangement = setup_exam(world, duration=60)
    names = _candidates(world, factories, arrangement, 2)
    with freeze_time(T0):
        assert (
            "/attempts/"
            in _click_start(client, auth, names[0], arrangement).headers["Location"]
        )
        assert (
            _click_start(client, auth, names[1], arrangement)
            .headers["Location"]
            .endswith("/queue")
        )
        assert (
            "/attempts/"
            in _click_start(client, auth, names[0], arrangement).headers["Location"]
        )


def test_notice_script_gets_where_to_go_next_and_enter_keeps_the_gate(
    app, client, auth, world, factories
):
    """The notice page's script (start.js) asks JSON: the answer names the next
    page — the exam, or the queue. /enter (the queue page's and 继续答题's
    button, which nginx does not limit) does not jump the queue."""
    app.config.update(EXAM_START_RATE=1, EXAM_START_BURST=1)
    arrangement = setup_exam(world, duration=60)
    names = _candidates(world, factories, arrangement, 3)
    json_reply = {"Accept": "application/json"}
    with freeze_time(T0):
        auth.login(names[0])
        notice = client.get(f"/exams/{arrangement.id}/notice")
        assert 'id="start-form"' in notice.text
        assert "exams/start.js" in notice.text
        first = client.post(f"/exams/{arrangement.id}/start", headers=json_reply)
        assert first.status_code == 200
        attempt = _attempt_of(names[0])
        assert first.get_json() == {"next": f"/exams/attempts/{attempt.id}"}
        # Resuming through /enter: straight back in.
        again = client.post(f"/exams/{arrangement.id}/enter", headers=json_reply)
        assert again.get_json() == {"next": f"/exams/attempts/{attempt.id}"}

        auth.logout()
        auth.login(names[1])
        queued = client.post(f"/exams/{arrangement.id}/start", headers=json_reply)
        assert queued.get_json() == {"next": f"/exams/{arrangement.id}/queue"}
        page = client.get(f"/exams/{arrangement.id}/queue")
        assert f'action="/exams/{arrangement.id}/enter"' in page.text

        auth.logout()
        auth.login(names[2])
        early = client.post(f"/exams/{arrangement.id}/enter")
        assert early.headers["Location"].endswith(f"/exams/{arrangement.id}/queue")
        assert _attempt_of(names[2]) is None
    with freeze_time(T0 + timedelta(seconds=2)):
        entered = client.post(f"/exams/{arrangement.id}/enter", headers=json_reply)
        assert entered.get_json()["next"].startswith("/exams/attempts/")
