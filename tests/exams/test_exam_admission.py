"""Exam day under load (issue #17): the autosave fast path keeps every rule, a
save is a heartbeat, and a full worker answers 503 + Retry-After at once; the
retried save is stored."""

from datetime import timedelta

import sqlalchemy as sa
from freezegun import freeze_time

from exams.attempts.admission import save_slots
from exams.attempts.models import Answer, Attempt
from portal.extensions import db
from tests.exams.test_attempts import START, setup_exam


def _start(client, auth, world, arrangement):
    auth.login(world.users["officer"].username)
    response = client.post(f"/exams/{arrangement.id}/start")
    assert response.status_code == 302
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _count_statements(app):
    seen = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    return seen, lambda: sa.event.remove(db.engine, "before_cursor_execute", record)


def test_full_worker_answers_503_and_the_retry_is_stored(app, client, world, auth):
    arrangement = setup_exam(world)
    with freeze_time(START + timedelta(minutes=1)):
        attempt_id = _start(client, auth, world, arrangement)
        url = f"/exams/attempts/{attempt_id}/answers"
        slots = save_slots(app)
        taken = 0
        while slots.acquire(blocking=False):  # every slot of this process busy
            taken += 1
        assert taken == app.config["EXAM_SAVE_CONCURRENCY"]
        try:
            busy = client.post(url, json={"position": 0, "response": ["B"], "seq": 5})
            assert busy.status_code == 503
            assert busy.headers["Retry-After"] == str(
                app.config["EXAM_SAVE_RETRY_AFTER"]
            )
            assert busy.get_json()["busy"] is True
            assert "稍后自动重试" in busy.get_json()["error"]
            beat = client.post(
                f"/exams/attempts/{attempt_id}/events", json={"kind": "heartbeat"}
            )
            assert beat.status_code == 503
        finally:
            for _ in range(taken):
                slots.release()
        assert db.session.scalar(sa.select(sa.func.count(Answer.id))) == 0
        retried = client.post(url, json={"position": 0, "response": ["B"], "seq": 5})
        assert retried.status_code == 200
        assert retried.get_json()["seq"] == 5
    stored = db.session.execute(sa.select(Answer.position, Answer.response)).all()
    assert [tuple(row) for row in stored] == [(0, ["B"])]


def test_repeat_save_is_one_statement_and_a_heartbeat(app, client, world, auth):
    """A save — an item's first save included — is answered in front of Flask
    (exams/attempts/fastpath.py): no ORM or SQLAlchemy statement, one SQL
    statement on PostgreSQL (the rules, the attempt's UPDATE and the answer's
    upsert in a CTE; the item's type for checking the response is cached per
    attempt), the attempt's UPDATE then the answer's upsert on SQLite; it moves
    last_seen_at (a save is a heartbeat)."""
    arrangement = setup_exam(world)
    fast = app.extensions["exam_fast_path"]
    with freeze_time(START + timedelta(minutes=1)):
        attempt_id = _start(client, auth, world, arrangement)
        url = f"/exams/attempts/{attempt_id}/answers"
    # The test's ORM transaction ends here, as each request's does in production.
    db.session.commit()
    with freeze_time(START + timedelta(minutes=8, seconds=50)):
        seen, stop = _count_statements(app)
        served = fast.served
        try:
            first = client.post(url, json={"position": 1, "response": ["A"], "seq": 1})
        finally:
            stop()
        assert first.get_json()["seq"] == 1
        assert fast.served == served + 1
        assert seen == []
    with freeze_time(START + timedelta(minutes=9)):
        seen, stop = _count_statements(app)
        traced = []
        fast.trace = traced.append
        try:
            reply = client.post(url, json={"position": 1, "response": ["C"], "seq": 2})
        finally:
            stop()
            fast.trace = None
        assert reply.get_json() == {
            "ok": True,
            "seq": 2,
            "flagged": False,
            "remaining": 52 * 60,
        }
    assert seen == []
    kinds = [" ".join(s.split()[:3]) for s in traced]
    if db.engine.dialect.name == "postgresql":
        assert kinds == ["WITH att AS"], traced
    else:
        assert kinds == ["UPDATE attempts AS", "INSERT INTO answers"], traced
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.last_seen_at == START + timedelta(minutes=9)
    answer = db.session.scalar(sa.select(Answer).where(Answer.position == 1))
    assert (answer.response, answer.seq) == (["C"], 2)


def test_fast_path_keeps_the_rules(app, client, world, auth, factories):
    """Stale seq, another candidate's attempt, a past deadline: the same answers
    as before the fast path."""
    arrangement = setup_exam(world, duration=20)
    with freeze_time(START + timedelta(minutes=1)):
        attempt_id = _start(client, auth, world, arrangement)
        url = f"/exams/attempts/{attempt_id}/answers"
        client.post(url, json={"position": 2, "response": ["A"], "seq": 10})
        stale = client.post(url, json={"position": 2, "response": ["B"], "seq": 9})
        assert stale.status_code == 200
        assert stale.get_json()["seq"] == 10
        flagged = client.post(
            url, json={"position": 2, "response": ["A"], "seq": 11, "flagged": True}
        )
        assert flagged.get_json()["flagged"] is True
        auth.logout()
        auth.login(world.users["auxiliary"].username)
        other = client.post(url, json={"position": 2, "response": ["C"], "seq": 99})
        assert other.status_code in (403, 404)
        auth.logout()
        auth.login(world.users["officer"].username)
    with freeze_time(START + timedelta(minutes=22)):
        late = client.post(url, json={"position": 2, "response": ["C"], "seq": 12})
        assert late.status_code == 409
        assert late.get_json()["closed"] is True
        beat = client.post(
            f"/exams/attempts/{attempt_id}/events", json={"kind": "heartbeat"}
        )
        assert beat.status_code == 409
    answer = db.session.scalar(sa.select(Answer).where(Answer.position == 2))
    assert (answer.response, answer.seq, answer.flagged) == (["A"], 11, True)
    assert db.session.get(Attempt, attempt_id).status != "in_progress"


def test_a_save_that_waited_too_long_upstream_gets_503(app, client, world, auth):
    """The proxy stamped the request 5 s ago (X-Request-Start): 503 at once; a
    fresh stamp (or none) is served."""
    import time

    arrangement = setup_exam(world)
    app.config["EXAM_SAVE_MAX_WAIT_MS"] = 2000
    with freeze_time(START + timedelta(minutes=1)):
        attempt_id = _start(client, auth, world, arrangement)
        url = f"/exams/attempts/{attempt_id}/answers"
        body = {"position": 0, "response": ["A"], "seq": 7}
        stale = client.post(
            url, json=body, headers={"X-Request-Start": f"t={time.time() - 5:.3f}"}
        )
        assert stale.status_code == 503
        assert stale.headers["Retry-After"] == "3"
        assert db.session.scalar(sa.select(sa.func.count(Answer.id))) == 0
        fresh = client.post(
            url,
            json=body,
            headers={"X-Request-Start": f"t={int(time.time() * 1000)}"},
        )
        assert fresh.status_code == 200
