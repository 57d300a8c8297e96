"""The autosave/heartbeat fast path in front of Flask (exams/attempts/fastpath.py):
it answers a repeat save and a heartbeat exactly as the Flask view does, and hands
every request that breaks a rule to the view, which gives the same reply and
records the same events as without it (SQLite and PostgreSQL)."""

import re
from datetime import timedelta

import sqlalchemy as sa
from flask_login.utils import _create_identifier
from freezegun import freeze_time
from itsdangerous import URLSafeSerializer

from exams.attempts.admission import save_slots
from exams.attempts.fastpath import flask_login_identifier
from exams.attempts.models import Answer, Attempt, AttemptEvent
from exams.banks.models import QuestionVersion
from portal.audit.models import AuditLog
from portal.auth.models import User
from portal.extensions import db
from tests.exams.test_attempts import START, setup_exam

NONCE = re.compile(r"'nonce-[^']+'")


class Fast:
    """Counts the requests the fast path answered itself."""

    def __init__(self, app):
        self.path = app.extensions["exam_fast_path"]
        self.base = self.path.served
        self.statements = []
        self.path.trace = self.statements.append

    @property
    def served(self):
        return self.path.served - self.base

    def close(self):
        self.path.trace = None


def _start(client, auth, username):
    auth.login(username)
    response = client.post(f"/exams/{_start.arrangement_id}/start")
    assert response.status_code == 302, response.status_code
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _begin(app, client, auth, world, **kwargs):
    arrangement = setup_exam(world, **kwargs)
    _start.arrangement_id = arrangement.id
    with freeze_time(START + timedelta(minutes=1)):
        attempt_id = _start(client, auth, world.users["officer"].username)
    return arrangement, attempt_id


def _position_of(attempt_id, qtype):
    attempt = db.session.get(Attempt, attempt_id)
    for position, item in enumerate(attempt.candidate_paper.items):
        if db.session.get(QuestionVersion, item["version_id"]).type == qtype:
            return position
    raise AssertionError(qtype)


def _csrf(client, attempt_id):
    page = client.get(f"/exams/attempts/{attempt_id}")
    return re.search(r'data-csrf="([^"]+)"', page.text).group(1)


def _headers(response):
    return sorted(
        (name, NONCE.sub("'nonce-x'", value))
        for name, value in response.headers.items()
        if name != "Set-Cookie"
    )


def test_repeat_save_and_heartbeat_are_answered_as_flask_does(app, client, world, auth):
    arrangement, attempt_id = _begin(app, client, auth, world)
    fast = Fast(app)
    url = f"/exams/attempts/{attempt_id}/answers"
    beat_url = f"/exams/attempts/{attempt_id}/events"
    try:
        with freeze_time(START + timedelta(minutes=1, seconds=10)):
            app.config["WTF_CSRF_ENABLED"] = True
            token = {"X-CSRFToken": _csrf(client, attempt_id)}
            # An item's first save creates its row: on the fast path as in the view.
            firsts = {}
            for enabled, position in ((True, 0), (False, 1)):
                app.config["EXAM_FAST_PATH"] = enabled
                firsts[enabled] = client.post(
                    url,
                    json={"position": position, "response": ["A"], "seq": 1},
                    headers=token,
                )
            assert fast.served == 1
            assert firsts[True].status_code == firsts[False].status_code == 200
            assert _headers(firsts[True]) == _headers(firsts[False])
            assert firsts[True].data == firsts[False].data
            before = fast.served
            replies = {}
            for enabled in (True, False):
                app.config["EXAM_FAST_PATH"] = enabled
                seq = 2 if enabled else 3
                replies[enabled] = (
                    client.post(
                        url,
                        json={"position": 0, "response": ["B"], "seq": seq},
                        headers=token,
                    ),
                    client.post(beat_url, json={"kind": "heartbeat"}, headers=token),
                )
            assert fast.served == before + 2
        for fast_reply, flask_reply in zip(replies[True], replies[False], strict=True):
            assert fast_reply.status_code == flask_reply.status_code == 200
            assert _headers(fast_reply) == _headers(flask_reply)
        assert replies[True][0].data == replies[False][0].data.replace(
            b'"seq":3', b'"seq":2'
        )
        assert replies[True][0].get_json() == {
            "ok": True,
            "seq": 2,
            "flagged": False,
            "remaining": 60 * 60 - 10,
        }
        assert replies[True][1].data == replies[False][1].data
        assert replies[True][1].get_json()["limit"] == 3
        app.config["EXAM_FAST_PATH"] = True
        # Two minutes later: the idle clock (seen_at) is refreshed and the cookie
        # re-sent, as the session policy does; a 标记 with the answer is kept.
        with freeze_time(START + timedelta(minutes=4)):
            served = fast.served
            later = client.post(
                url,
                json={"position": 0, "response": ["C"], "seq": 4, "flagged": True},
                headers=token,
            )
            assert fast.served == served + 1
            assert later.get_json()["flagged"] is True
            assert "session=" in later.headers["Set-Cookie"]
            cookie = client.get_cookie("session").value
            data = app.session_interface.get_signing_serializer(app).loads(cookie)
            assert data["seen_at"] == int((START + timedelta(minutes=4)).timestamp())
        # PostgreSQL: one statement per save; SQLite: two.
        saves = [s for s in fast.statements if "INSERT INTO answers" in s]
        assert saves
    finally:
        fast.close()
    answer = db.session.scalar(
        sa.select(Answer).where(Answer.attempt_id == attempt_id, Answer.position == 0)
    )
    assert (answer.response, answer.seq, answer.flagged) == (["C"], 4, True)
    items = db.session.get(Attempt, attempt_id).candidate_paper.items
    rows = db.session.scalars(
        sa.select(Answer)
        .where(Answer.attempt_id == attempt_id)
        .order_by(Answer.position)
    ).all()
    assert [(a.position, a.version_id, a.score) for a in rows] == [
        (0, items[0]["version_id"], None),
        (1, items[1]["version_id"], None),
    ]
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.last_seen_at == START + timedelta(minutes=4)


def test_every_broken_rule_gets_the_views_reply(app, client, world, auth, factories):
    """Wrong CSRF token, another user's attempt, an old session_version, an
    inactive account, a pending password change, the idle timeout, a past
    deadline, another device, a stale seq, a wrong item, a malformed body, a
    response of the wrong shape: none is answered by the fast path, and each gets
    the view's reply and events."""
    arrangement, attempt_id = _begin(app, client, auth, world, duration=30)
    fast = Fast(app)
    url = f"/exams/attempts/{attempt_id}/answers"
    officer = world.users["officer"]
    try:
        with freeze_time(START + timedelta(minutes=2)):
            app.config["WTF_CSRF_ENABLED"] = True
            token = {"X-CSRFToken": _csrf(client, attempt_id)}
            for position in range(5):
                assert (
                    client.post(
                        url,
                        json={"position": position, "response": None, "seq": 10},
                        headers=token,
                    ).status_code
                    == 200
                )
            served = fast.served

            def save(body=None, headers=token, position=0, seq=20, **kwargs):
                if body is None:
                    body = {"position": position, "response": ["A"], "seq": seq}
                return client.post(url, json=body, headers=headers, **kwargs)

            bad_token = save(headers={"X-CSRFToken": "forged"})
            assert bad_token.status_code == 400
            no_token = save(headers={})
            assert no_token.status_code == 400
            stale = save(seq=5)
            assert stale.get_json()["seq"] == 10
            wrong_item = save(position=7)
            assert (wrong_item.status_code, wrong_item.get_json()["error"]) == (
                409,
                "题号无效",
            )
            wrong_shape = save(body={"position": 0, "response": 12345, "seq": 21})
            assert wrong_shape.status_code == 400
            assert "作答格式不正确" in wrong_shape.get_json()["error"]
            malformed = client.post(
                url,
                data=b'{"position": 0,',
                content_type="application/json",
                headers=token,
            )
            assert (malformed.status_code, malformed.get_json()["error"]) == (
                400,
                "请求格式错误",
            )
            flag_only = save(body={"position": 1, "flagged": True})
            assert flag_only.get_json()["flagged"] is True
            assert fast.served == served
            assert save(seq=22).status_code == 200
            assert fast.served == served + 1
            served = fast.served

            # The account changes under the session (each undone after).
            for column, value, undo in (
                ("session_version", officer.session_version + 1, None),
                ("is_active_account", False, True),
                ("must_change_password", True, False),
            ):
                before = getattr(officer, column) if undo is None else undo
                setattr(officer, column, value)
                db.session.flush()
                refused = save(seq=30)
                assert refused.status_code in (302, 401), column
                setattr(officer, column, before)
                db.session.flush()
            assert fast.served == served

            # Another candidate's attempt, from a client holding the same device
            # cookie (CSRF off, so that only ownership can refuse it).
            app.config["WTF_CSRF_ENABLED"] = False
            other = app.test_client()
            type(auth)(other).login(world.users["auxiliary"].username)
            other.set_cookie("exam_device", client.get_cookie("exam_device").value)
            foreign = other.post(
                url, json={"position": 0, "response": ["B"], "seq": 99}
            )
            assert foreign.status_code == 404
            foreign_beat = other.post(
                f"/exams/attempts/{attempt_id}/events", json={"kind": "heartbeat"}
            )
            assert foreign_beat.status_code == 404
            assert fast.served == served
            app.config["WTF_CSRF_ENABLED"] = True

        # Another device, where the arrangement forbids a change: refused and
        # logged (device_refused), by the view.
        arrangement.allow_device_change = False
        db.session.flush()
        with freeze_time(START + timedelta(minutes=3)):
            signer = URLSafeSerializer(app.secret_key, salt="exam-device")
            client.set_cookie("exam_device", signer.dumps("d" * 43))
            other_device = save(seq=40)
            assert other_device.status_code == 403
            assert other_device.get_json()["device"] == "refused"
            assert fast.served == served
            refused = db.session.scalars(
                sa.select(AttemptEvent.kind).where(
                    AttemptEvent.attempt_id == attempt_id
                )
            ).all()
            assert "device_refused" in refused

        # The idle timeout (30 minutes without a request): the view logs out and
        # audits it.
        with freeze_time(START + timedelta(minutes=34)):
            idle = save(seq=50)
            assert idle.status_code == 302
            assert "/login" in idle.headers["Location"]
            assert fast.served == served
            assert db.session.scalar(
                sa.select(sa.func.count(AuditLog.id)).where(
                    AuditLog.action == "session_expired"
                )
            )
    finally:
        fast.close()
    answer = db.session.scalar(
        sa.select(Answer).where(Answer.attempt_id == attempt_id, Answer.position == 0)
    )
    assert (answer.response, answer.seq) == (["A"], 22)


def test_past_deadline_is_closed_by_the_view(app, client, world, auth):
    arrangement, attempt_id = _begin(app, client, auth, world, duration=20)
    fast = Fast(app)
    url = f"/exams/attempts/{attempt_id}/answers"
    try:
        with freeze_time(START + timedelta(minutes=2)):
            assert (
                client.post(
                    url, json={"position": 0, "response": ["A"], "seq": 1}
                ).status_code
                == 200
            )
            assert (
                client.post(
                    url, json={"position": 0, "response": ["B"], "seq": 2}
                ).status_code
                == 200
            )
            served = fast.served
            assert served == 2  # the first save and the repeat
        with freeze_time(START + timedelta(minutes=21)):
            late = client.post(url, json={"position": 0, "response": ["C"], "seq": 3})
            assert late.status_code == 409
            assert late.get_json()["closed"] is True
            beat = client.post(
                f"/exams/attempts/{attempt_id}/events", json={"kind": "heartbeat"}
            )
            assert beat.status_code == 409
            assert fast.served == served
    finally:
        fast.close()
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.status != "in_progress"
    assert attempt.submit_reason == "deadline"
    assert db.session.scalar(
        sa.select(sa.func.count(AuditLog.id)).where(
            AuditLog.action == "attempt_submitted"
        )
    )


def test_full_limiter_answers_503_as_the_view_does(app, client, world, auth):
    arrangement, attempt_id = _begin(app, client, auth, world)
    fast = Fast(app)
    url = f"/exams/attempts/{attempt_id}/answers"
    body = {"position": 0, "response": ["B"], "seq": 5}
    try:
        with freeze_time(START + timedelta(minutes=1, seconds=5)):
            assert client.post(url, json=body).status_code == 200
            slots = save_slots(app)
            taken = 0
            while slots.acquire(blocking=False):
                taken += 1
            try:
                replies = {}
                for enabled in (True, False):
                    app.config["EXAM_FAST_PATH"] = enabled
                    before = fast.served
                    replies[enabled] = client.post(url, json=dict(body, seq=6))
                    assert fast.served == before + (1 if enabled else 0)
            finally:
                for _ in range(taken):
                    slots.release()
                app.config["EXAM_FAST_PATH"] = True
        busy, flask_busy = replies[True], replies[False]
        assert busy.status_code == flask_busy.status_code == 503
        assert busy.headers["Retry-After"] == "3"
        assert _headers(busy) == _headers(flask_busy)
        assert busy.data == flask_busy.data
    finally:
        fast.close()
    answer = db.session.scalar(sa.select(Answer).where(Answer.attempt_id == attempt_id))
    assert answer.seq == 5


def test_lone_surrogate_is_cleaned_on_the_fast_path(app, client, world, auth):
    arrangement, attempt_id = _begin(app, client, auth, world)
    fast = Fast(app)
    url = f"/exams/attempts/{attempt_id}/answers"
    blank = _position_of(attempt_id, "fill_blank")
    try:
        with freeze_time(START + timedelta(minutes=1, seconds=5)):
            assert (
                client.post(
                    url, json={"position": blank, "response": ["x"], "seq": 1}
                ).status_code
                == 200
            )
            body = '{"position": %d, "response": ["\\ud800ok"], "seq": 2}' % blank
            reply = client.post(
                url,
                data=body.encode(),
                content_type="application/json",
            )
            assert reply.status_code == 200
            assert fast.served == 2
    finally:
        fast.close()
    answer = db.session.scalar(sa.select(Answer).where(Answer.position == blank))
    assert answer.response == ["\ufffdok"]


def test_session_identifier_is_flask_logins(app):
    headers = {"User-Agent": "Mozilla/5.0 考试", "X-Forwarded-For": "10.0.0.7, 1.2.3.4"}
    for extra in (headers, {"User-Agent": "curl/8"}, {}):
        with app.test_request_context(
            "/", headers=extra, environ_base={"REMOTE_ADDR": "192.0.2.9"}
        ) as ctx:
            assert flask_login_identifier(ctx.request.environ) == _create_identifier()


def test_user_check_needs_a_candidate_role(app, client, world, auth):
    """A user who lost the candidate role is refused by the view (403)."""
    arrangement, attempt_id = _begin(app, client, auth, world)
    fast = Fast(app)
    url = f"/exams/attempts/{attempt_id}/answers"
    officer = db.session.get(User, world.users["officer"].id)
    try:
        with freeze_time(START + timedelta(minutes=1, seconds=5)):
            assert (
                client.post(
                    url, json={"position": 0, "response": ["A"], "seq": 1}
                ).status_code
                == 200
            )
            served = fast.served  # a first save: answered by the fast path
            for grant in list(officer.roles):
                db.session.delete(grant)
            db.session.flush()
            refused = client.post(
                url, json={"position": 0, "response": ["B"], "seq": 2}
            )
            assert refused.status_code == 403
            assert fast.served == served
    finally:
        fast.close()
