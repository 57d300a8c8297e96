"""Exam-taking rules through the candidate routes, on a frozen clock (issue #5):
the server deadline, resume after a refresh, late saves, the periodic close,
extra time, heartbeats, flags (标记) and double submits. The device rule and
monitoring: test_attempt_devices.py."""

import re
from datetime import timedelta

import sqlalchemy as sa
from freezegun import freeze_time

from exams.attempts.jobs import close_expired_attempts
from exams.attempts.models import Answer, Attempt, AttemptEvent
from exams.attempts.services import start_attempt
from exams.papers.services import adjust_candidate
from portal.actor import Actor
from portal.audit.models import AuditLog
from portal.extensions import db
from tests import factories
from tests.exams.test_attempts import START, key_for, setup_exam


def signed_in(app, username="officer"):
    """A fresh browser (own cookie jar) signed in as ``username``."""
    return factories.signed_in(app, username)


def start(client, arrangement):
    """Press 开始考试 / 继续答题; return the attempt id from the redirect."""
    response = client.post(f"/exams/{arrangement.id}/start")
    assert response.status_code == 302, response.get_data(as_text=True)
    match = re.search(r"/exams/attempts/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def page_remaining(client, attempt_id):
    """The remaining seconds the exam page was rendered with (from the server)."""
    page = client.get(f"/exams/attempts/{attempt_id}")
    assert page.status_code == 200
    return int(re.search(r'data-remaining="(\d+)"', page.get_data(as_text=True))[1])


def events(attempt_id):
    return db.session.scalars(
        sa.select(AttemptEvent.kind)
        .where(AttemptEvent.attempt_id == attempt_id)
        .order_by(AttemptEvent.id)
    ).all()


# Time ----------------------------------------------------------------------------


def test_deadline_fixed_at_start_and_resume_keeps_counting(app, world):
    """The deadline is fixed when the attempt starts; a refresh or a second 开始
    returns the same attempt, and the remaining time keeps decreasing."""
    arrangement = setup_exam(world, duration=60)
    with freeze_time(START + timedelta(minutes=5)) as clock:
        client = signed_in(app)
        attempt_id = start(client, arrangement)
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.deadline_at == START + timedelta(minutes=65)
        assert page_remaining(client, attempt_id) == 3600
        clock.tick(timedelta(minutes=10))
        assert page_remaining(client, attempt_id) == 3000  # the refresh
        assert start(client, arrangement) == attempt_id  # 继续答题
        clock.tick(timedelta(minutes=20))
        before = page_remaining(client, attempt_id)
        clock.tick(timedelta(seconds=30))
        after = page_remaining(client, attempt_id)
    assert (before, after) == (1800, 1770)
    db.session.refresh(attempt)
    assert attempt.deadline_at == START + timedelta(minutes=65)
    assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 1


def test_late_json_save_is_refused_and_closed_at_the_deadline(app, world):
    """A save arriving after the deadline gets 409 with a Chinese message; the
    attempt is submitted at its deadline, not at the time of the late request."""
    arrangement = setup_exam(world, duration=30)
    with freeze_time(START) as clock:
        client = signed_in(app)
        attempt_id = start(client, arrangement)
        attempt = db.session.get(Attempt, attempt_id)
        clock.tick(timedelta(minutes=29))
        ok = client.post(
            f"/exams/attempts/{attempt_id}/answers",
            json={"position": 0, "response": key_for(attempt, 0), "seq": 1},
        )
        assert ok.get_json()["remaining"] == 60
        clock.tick(timedelta(minutes=2))
        late = client.post(
            f"/exams/attempts/{attempt_id}/answers",
            json={"position": 1, "response": ["A"], "seq": 2},
        )
    assert late.status_code == 409
    body = late.get_json()
    assert body["closed"] is True
    assert "考试时间已到，答卷已自动提交，本次修改未保存" == body["error"]
    db.session.refresh(attempt)
    assert attempt.status == "graded"
    assert attempt.submit_reason == "deadline"
    assert attempt.submitted_at == attempt.deadline_at == START + timedelta(minutes=30)
    assert [a.position for a in attempt.answers] == [0]


def test_periodic_job_closes_at_the_deadline_on_the_real_clock(app, world):
    """``close_expired_attempts`` (run by ``flask jobs periodic``) reads the clock:
    nothing before the deadline, then the attempt is submitted at its deadline."""
    arrangement = setup_exam(world, duration=45)
    attempt = start_attempt(arrangement, world.users["officer"], START)
    db.session.commit()
    with freeze_time(START + timedelta(minutes=44, seconds=59)):
        assert close_expired_attempts() == 0
    with freeze_time(START + timedelta(hours=3)):
        assert close_expired_attempts() == 1
        assert close_expired_attempts() == 0  # already closed
    db.session.commit()
    db.session.refresh(attempt)
    assert attempt.status == "graded"
    assert attempt.submit_reason == "deadline"
    assert attempt.submitted_at == START + timedelta(minutes=45)


def test_window_end_cuts_the_deadline_through_the_page(app, world):
    """Starting 25 minutes before the window closes shows 25 minutes, not 60."""
    arrangement = setup_exam(world, duration=60, window_hours=1)
    with freeze_time(START + timedelta(minutes=35)):
        client = signed_in(app)
        attempt_id = start(client, arrangement)
        assert page_remaining(client, attempt_id) == 25 * 60
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.deadline_at == arrangement.window_end


def test_extra_time_extends_the_deadline_but_not_past_the_window(app, world):
    """A candidate given 15 extra minutes gets 75; near the window end the window
    still wins."""
    arrangement = setup_exam(world, duration=60, window_hours=2)
    entry = arrangement.candidates[0]
    adjust_candidate(
        arrangement, entry, Actor.system(), action="extra", extra_minutes=15
    )
    db.session.commit()
    with freeze_time(START):
        client = signed_in(app)
        attempt_id = start(client, arrangement)
        assert page_remaining(client, attempt_id) == 75 * 60
    assert db.session.get(Attempt, attempt_id).deadline_at == START + timedelta(
        minutes=75
    )

    late = setup_exam(world, duration=60, window_hours=2)
    late.name = "晚开考试"
    adjust_candidate(
        late, late.candidates[0], Actor.system(), action="extra", extra_minutes=15
    )
    attempt = start_attempt(late, world.users["officer"], START + timedelta(minutes=80))
    assert attempt.deadline_at == START + timedelta(hours=2)  # 40 min, not 75


def test_heartbeat_moves_last_seen_and_resyncs(app, world):
    """A heartbeat stores no event row: it moves ``last_seen_at`` and returns the
    server's remaining seconds; after the deadline it reports the attempt closed."""
    arrangement = setup_exam(world, duration=30)
    with freeze_time(START) as clock:
        client = signed_in(app)
        attempt_id = start(client, arrangement)
        clock.tick(timedelta(minutes=7))
        beat = client.post(
            f"/exams/attempts/{attempt_id}/events", json={"kind": "heartbeat"}
        )
        assert beat.get_json() == {
            "ok": True,
            "status": "in_progress",
            "switches": 0,
            "limit": 3,
            "remaining": 23 * 60,
        }
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.last_seen_at == START + timedelta(minutes=7)
        clock.tick(timedelta(minutes=1))
        client.post(f"/exams/attempts/{attempt_id}/events", json={"kind": "hidden"})
        client.post(f"/exams/attempts/{attempt_id}/events", json={"kind": "visible"})
        client.post(f"/exams/attempts/{attempt_id}/events", json={"kind": "paste"})
        assert events(attempt_id) == ["hidden", "visible", "paste"]
        clock.tick(timedelta(minutes=30))
        closed = client.post(
            f"/exams/attempts/{attempt_id}/events", json={"kind": "heartbeat"}
        )
    assert closed.status_code == 409
    assert closed.get_json()["closed"] is True
    db.session.refresh(attempt)
    assert attempt.submitted_at == START + timedelta(minutes=30)
    assert attempt.tab_switches == 1  # "visible" and "paste" are no focus losses


# Flags ---------------------------------------------------------------------------


def test_flag_an_unanswered_question_then_answer_and_unflag(app, world):
    """标记 works on an unanswered item (no response stored), survives a save of
    the answer, shows on a reload, and can be removed."""
    arrangement = setup_exam(world)
    with freeze_time(START):
        client = signed_in(app)
        attempt_id = start(client, arrangement)
        url = f"/exams/attempts/{attempt_id}/answers"
        flagged = client.post(url, json={"position": 2, "flagged": True})
        assert flagged.get_json()["flagged"] is True
        answer = db.session.scalar(
            sa.select(Answer).where(
                Answer.attempt_id == attempt_id, Answer.position == 2
            )
        )
        assert (answer.flagged, answer.response) == (True, None)
        page = client.get(f"/exams/attempts/{attempt_id}").get_data(as_text=True)
        assert re.search(r'id="question-2"[^>]*data-flagged="true"', page)
        assert re.search(r'id="question-1"[^>]*data-flagged="false"', page)
        attempt = db.session.get(Attempt, attempt_id)
        client.post(
            url, json={"position": 2, "response": key_for(attempt, 2), "seq": 4}
        )
        db.session.refresh(answer)
        assert answer.flagged is True
        assert answer.response == key_for(attempt, 2)
        client.post(url, json={"position": 2, "flagged": False})
        db.session.refresh(answer)
        assert (answer.flagged, answer.seq) == (False, 4)  # the answer is untouched
        client.post(f"/exams/attempts/{attempt_id}/submit")
        late = client.post(url, json={"position": 0, "flagged": True})
    assert late.status_code == 409
    assert late.get_json()["error"] == "答卷已提交，不能再修改"


# Submits -------------------------------------------------------------------------


def test_double_submit_from_two_clients_gives_one_result(app, world):
    """Two browsers of the same candidate (device change allowed) submit: one
    result, one submission time, one audit entry."""
    arrangement = setup_exam(world)
    with freeze_time(START) as clock:
        first, second = signed_in(app), signed_in(app)
        attempt_id = start(first, arrangement)
        assert start(second, arrangement) == attempt_id
        attempt = db.session.get(Attempt, attempt_id)
        for position in range(len(attempt.candidate_paper.items)):
            first.post(
                f"/exams/attempts/{attempt_id}/answers",
                json={
                    "position": position,
                    "response": key_for(attempt, position),
                    "seq": 1,
                },
            )
        clock.tick(timedelta(minutes=10))
        one = first.post(f"/exams/attempts/{attempt_id}/submit")
        clock.tick(timedelta(seconds=3))
        two = second.post(f"/exams/attempts/{attempt_id}/submit")
        again = first.post(f"/exams/attempts/{attempt_id}/submit")
    assert (
        one.headers["Location"] == two.headers["Location"] == again.headers["Location"]
    )
    db.session.refresh(attempt)
    assert attempt.submitted_at == START + timedelta(minutes=10)
    assert attempt.score == 100
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditLog.id)).where(
                AuditLog.action == "attempt_submitted"
            )
        )
        == 1
    )
    assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 1


def test_racing_first_writes_to_an_item_share_one_row(app, world):
    """When another request inserted the item's row meanwhile (an answer and a 标记
    sent together), the flag lands on that row instead of failing."""
    from exams.attempts.services import save_answer, set_flag

    arrangement = setup_exam(world)
    attempt = start_attempt(arrangement, world.users["officer"], START)
    db.session.commit()
    assert attempt.answers == []  # this request's view: no row yet
    db.session.execute(  # the other request's row, behind the ORM's back
        sa.insert(Answer).values(
            attempt_id=attempt.id,
            position=1,
            version_id=attempt.candidate_paper.items[1]["version_id"],
            response=["B"],
            seq=3,
            flagged=False,
            saved_at=START,
        )
    )
    answer = set_flag(attempt, 1, True, START + timedelta(seconds=1))
    db.session.commit()
    assert (answer.position, answer.response, answer.flagged) == (1, ["B"], True)
    save_answer(attempt, 1, ["C"], seq=2, now=START + timedelta(seconds=2))
    db.session.commit()
    rows = db.session.execute(
        sa.select(Answer.response, Answer.flagged, Answer.seq).where(
            Answer.attempt_id == attempt.id
        )
    ).all()
    assert [tuple(r) for r in rows] == [(["B"], True, 3)]  # the stale save lost
