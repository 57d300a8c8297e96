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
        entered = client.post(f"/exams/{arrangement.id}/start")
        assert "/exams/attempts/" in entered.headers["Location"]
        # The fourth still waits, now first in line.
        auth.logout()
        auth.login(names[3])
        status = client.get(
            f"/exams/{arrangement.id}/queue", headers={"Accept": "application/json"}
        ).get_json()
        assert status == {"ready": False, "position": 1, "wait": 1}
    with freeze_time(T0 + timedelta(seconds=2)):
        entered = client.post(f"/exams/{arrangement.id}/start")
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
