"""The exam page's save counter starts at ``Date.now()`` (about 1.8e12): it must fit
the database on both backends (it overflowed a PostgreSQL INTEGER, so every
browser autosave failed there; found by the load benchmark), and an older retry
must still lose to a newer save."""

from datetime import timedelta

import sqlalchemy as sa
from freezegun import freeze_time

from exams.attempts.models import Answer, Attempt
from tests.exams.test_attempts import START, setup_exam

DATE_NOW_MS = 1_796_000_000_000  # 2026-12 in milliseconds, as attempt.js sends it


def test_browser_sized_seq_is_saved_and_ordered(app, client, world, auth):
    arrangement = setup_exam(world)
    with freeze_time(START + timedelta(minutes=1)):
        auth.login(world.users["officer"].username)
        response = client.post(f"/exams/{arrangement.id}/start")
        assert response.status_code == 302
        attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
        url = f"/exams/attempts/{attempt_id}/answers"
        newer = client.post(
            url, json={"position": 0, "response": ["B"], "seq": DATE_NOW_MS + 2}
        )
        assert newer.status_code == 200
        assert newer.get_json() == {
            "ok": True,
            "seq": DATE_NOW_MS + 2,
            "flagged": False,
            "remaining": 60 * 60,
        }
        stale = client.post(
            url, json={"position": 0, "response": ["C"], "seq": DATE_NOW_MS + 1}
        )
        assert stale.get_json()["seq"] == DATE_NOW_MS + 2
        other = client.post(
            url, json={"position": 1, "response": ["A"], "seq": DATE_NOW_MS + 3}
        )
        assert other.status_code == 200
        for bad in (-1, 5, 99):  # the paper has 5 items
            refused = client.post(
                url, json={"position": bad, "response": ["A"], "seq": DATE_NOW_MS + 4}
            )
            assert refused.status_code == 409
            assert refused.get_json() == {
                "ok": False,
                "error": "题号无效",
                "closed": False,
            }
    stored = {
        a.position: (a.seq, a.response)
        for a in app.extensions["sqlalchemy"].session.scalars(
            sa.select(Answer).where(Answer.attempt_id == attempt_id)
        )
    }
    assert stored == {0: (DATE_NOW_MS + 2, ["B"]), 1: (DATE_NOW_MS + 3, ["A"])}


def test_heartbeat_reply(app, client, world, auth):
    """The event reply (built before the commit) carries the server's view."""
    arrangement = setup_exam(world, tab_limit=3)
    with freeze_time(START + timedelta(minutes=1)):
        auth.login(world.users["officer"].username)
        client.post(f"/exams/{arrangement.id}/start")
    with freeze_time(START + timedelta(minutes=11)):
        attempt_id = app.extensions["sqlalchemy"].session.scalar(sa.select(Attempt.id))
        reply = client.post(
            f"/exams/attempts/{attempt_id}/events", json={"kind": "hidden"}
        ).get_json()
    assert reply == {
        "ok": True,
        "status": "in_progress",
        "switches": 1,
        "limit": 3,
        "remaining": 50 * 60,
    }
