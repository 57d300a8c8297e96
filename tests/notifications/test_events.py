"""Events notify the people who must act or who wait for them (issue #15)."""

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from casebank.opinions.models import OpinionStatus
from exams.papers.services import adjust_candidate, enrol_candidates
from portal.actor import Actor
from portal.extensions import db
from portal.notifications.jobs import daily_digest
from portal.notifications.models import Notification, NotificationPreference
from portal.notifications.service import notify
from portal.suggestions.handling import services as handling
from portal.timeutil import utcnow
from portal.workdays.queries import calendar
from tests.casebank.opinions_support import issue, login, make_case, reply_data
from tests.smtp_support import SmtpServer
from tests.suggestions.handling_support import make_suggestion


@pytest.fixture
def smtp(app):
    server = SmtpServer().start()
    app.config.update(server.config())
    yield server
    server.stop()


def _notes(user, kind=None):
    query = sa.select(Notification).where(Notification.user_id == user.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return db.session.scalars(query.order_by(Notification.id)).all()


def test_opinion_loop_notifies_each_side_and_mails_after_the_response(
    app, world, client, smtp
):
    """Issue → handler told; handler replies over HTTP → staff told by 站内信 and by
    e-mail (sent after the response); return and accept → handler told."""
    staff, handler = world.users["supervision_staff"], world.users["agency_handler"]
    db.session.add(
        NotificationPreference(
            user_id=staff.id, email="staff@example.cn", email_enabled=True
        )
    )
    db.session.commit()
    opinion = issue(make_case(world.agency), staff, today=date(2026, 11, 2))
    (issued,) = _notes(handler, "opinion_issued")
    assert issued.link == f"/casebank/opinions/{opinion.id}"
    assert _notes(world.users["officer"]) == []

    login(client, handler.username)
    response = client.post(
        f"/casebank/opinions/{opinion.id}/reply",
        data=reply_data(opinion),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    # A WSGI server closes every response once sent; delivery runs then.
    assert smtp.mailbox.to("staff@example.cn") == []
    response.close()
    (replied,) = _notes(staff, "opinion_replied")
    assert opinion.number in replied.title
    (mail,) = smtp.mailbox.to("staff@example.cn")
    assert mail["Subject"] == replied.title

    staff_client = app.test_client()
    login(staff_client, staff.username)
    db.session.expire_all()
    staff_client.post(
        f"/casebank/opinions/{opinion.id}/return",
        data={"version": opinion.version, "reason": "未附整改证明材料"},
    )
    (returned,) = _notes(handler, "opinion_returned")
    assert "未附整改证明材料" in returned.body
    client.post(
        f"/casebank/opinions/{opinion.id}/reply",
        data=reply_data(db.session.get(type(opinion), opinion.id), text="补充材料"),
        content_type="multipart/form-data",
    )
    db.session.expire_all()
    assert len(_notes(staff, "opinion_replied")) == 2
    staff_client.post(
        f"/casebank/opinions/{opinion.id}/accept",
        data={"version": opinion.version, "note": "整改到位"},
    )
    db.session.expire_all()
    assert opinion.status == OpinionStatus.ACCEPTED
    assert len(_notes(handler, "opinion_accepted")) == 1


def test_failing_smtp_does_not_break_the_action(app, world, client):
    """With the SMTP server down, does the handler's reply still succeed (the
    delivery is recorded for retry)?"""
    staff, handler = world.users["supervision_staff"], world.users["agency_handler"]
    db.session.add(
        NotificationPreference(
            user_id=staff.id, email="staff@example.cn", email_enabled=True
        )
    )
    db.session.commit()
    from tests.smtp_support import free_port

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    opinion = issue(make_case(world.agency), staff, today=date(2026, 11, 2))
    login(client, handler.username)
    response = client.post(
        f"/casebank/opinions/{opinion.id}/reply",
        data=reply_data(opinion),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    response.close()
    db.session.expire_all()
    assert opinion.status == OpinionStatus.REPLIED
    (note,) = _notes(staff, "opinion_replied")
    (delivery,) = note.deliveries
    assert delivery.status == "pending"
    assert delivery.attempts == 1
    assert delivery.last_error


def test_suggestion_events_and_daily_overdue_notice(app, world):
    """Assign → handler; reply → staff; return → handler; overdue → handler and
    staff once, plus one digest a day."""
    staff, handler = world.users["supervision_staff"], world.users["agency_handler"]
    actor = Actor(user=staff)
    item, _ = make_suggestion(world.agency)
    handling.accept_suggestion(item, item.version, actor)
    handling.assign_suggestion(
        item, item.version, world.agency, None, actor, calendar()
    )
    db.session.commit()
    (assigned,) = _notes(handler, "suggestion_assigned")
    assert assigned.link == f"/suggestions/manage/tasks/{item.id}"
    handling.submit_reply(
        item, item.version, "已现场核查并整改。", [], Actor(user=handler)
    )
    db.session.commit()
    assert len(_notes(staff, "suggestion_replied")) == 1
    handling.return_reply(item, item.version, "请补充整改照片", actor)
    db.session.commit()
    (returned,) = _notes(handler, "suggestion_reply_returned")
    assert "请补充整改照片" in returned.body

    item.due_on = date.today() - timedelta(days=3)
    db.session.commit()
    assert daily_digest() == 2
    db.session.commit()
    assert len(_notes(handler, "suggestion_overdue")) == 1
    assert len(_notes(staff, "suggestion_overdue")) == 1
    (digest,) = _notes(handler, "digest")
    assert "已逾期 1 项" in digest.title
    assert item.number in digest.body
    # Running the job again the same day adds nothing.
    daily_digest()
    db.session.commit()
    assert len(_notes(handler)) == 4


def test_opinion_due_soon_and_overdue_from_the_daily_job(app, world):
    staff, handler = world.users["supervision_staff"], world.users["agency_handler"]
    opinion = issue(make_case(world.agency), staff, today=date(2026, 11, 2))
    now = datetime.combine(opinion.due_on, datetime.min.time()) - timedelta(hours=8)
    daily_digest(now=now)
    db.session.commit()
    assert len(_notes(handler, "opinion_due_soon")) == 1
    assert _notes(staff, "opinion_overdue") == []
    daily_digest(now=now + timedelta(days=3))
    db.session.commit()
    assert len(_notes(handler, "opinion_overdue")) == 1
    assert len(_notes(staff, "opinion_overdue")) == 1


def test_exam_scheduled_and_exempted(app, world):
    """Enrolment tells candidates once; 免考 tells that candidate it is cancelled."""
    from tests.portal.test_authz_matrix import Ctx, _arrangement

    ctx = Ctx(world, None)
    arrangement = _arrangement(ctx)
    officer = world.users["officer"]
    enrol_candidates(arrangement, users=[officer, world.users["auxiliary"]])
    enrol_candidates(arrangement, users=[officer])
    db.session.commit()
    (scheduled,) = _notes(officer, "exam_scheduled")
    assert arrangement.name in scheduled.title
    assert len(_notes(world.users["auxiliary"], "exam_scheduled")) == 1
    entry = next(c for c in arrangement.candidates if c.user_id == officer.id)
    adjust_candidate(
        arrangement, entry, Actor.system(), action="exempt", reason="外出培训"
    )
    db.session.commit()
    (cancelled,) = _notes(officer, "exam_cancelled")
    assert "外出培训" in cancelled.body


def test_arrangement_level_exam_change_and_cancellation(app, world):
    """``exam_changed`` and ``exam_cancelled`` (for the exam-scheduling services
    to call) tell each candidate who is not exempt, once per change."""
    from portal.notifications import events
    from tests.portal.test_authz_matrix import Ctx, _arrangement

    arrangement = _arrangement(Ctx(world, None))
    officer, auxiliary = world.users["officer"], world.users["auxiliary"]
    enrol_candidates(arrangement, users=[officer, auxiliary])
    entry = next(c for c in arrangement.candidates if c.user_id == auxiliary.id)
    adjust_candidate(arrangement, entry, Actor.system(), action="exempt", reason="病假")
    arrangement.window_start += timedelta(days=1)
    arrangement.window_end += timedelta(days=1)
    events.exam_changed(arrangement, "考试推迟一天。")
    events.exam_changed(arrangement, "考试推迟一天。")  # a resend: nothing new
    db.session.commit()
    (changed,) = _notes(officer, "exam_changed")
    assert "考试推迟一天" in changed.body
    assert changed.link == "/exams/"
    assert _notes(auxiliary, "exam_changed") == []
    events.exam_changed(arrangement, "考场改为二楼。")
    events.exam_cancelled(arrangement, "场地检修")
    db.session.commit()
    assert len(_notes(officer, "exam_changed")) == 2
    (cancelled,) = _notes(officer, "exam_cancelled")
    assert "场地检修" in cancelled.body


def test_suggestion_return_notifies_staff_who_can_open_it(app, world):
    """退单 tells the staff who manage the item now (the reason in the body) and
    nobody who could not open it."""
    staff = world.users["supervision_staff"]
    suggestion, _ = make_suggestion(world.agency)
    actor = Actor(user=staff)
    handling.accept_suggestion(suggestion, suggestion.version, actor)
    handling.assign_suggestion(
        suggestion, suggestion.version, world.agency, None, actor, calendar()
    )
    handling.return_to_staff(
        suggestion,
        suggestion.version,
        "不属于本局职责。",
        Actor(user=world.users["agency_handler"]),
    )
    db.session.commit()
    (note,) = _notes(staff, "suggestion_returned")
    assert "不属于本局职责" in note.body
    assert _notes(world.users["agency_handler"], "suggestion_returned") == []
    assert _notes(world.users["sys_admin"], "suggestion_returned") == []


def test_notify_outside_request_dispatches_after_job_commit(app, world, smtp):
    """A notification made inside a job is mailed once the job commits."""
    from portal.jobs import run_job

    officer = world.users["officer"]
    db.session.add(
        NotificationPreference(
            user_id=officer.id, email="o@example.cn", email_enabled=True
        )
    )
    db.session.commit()
    run_job(
        "tests.notifications.test_events.job_that_notifies",
        (officer.id,),
        own_session=False,
    )
    assert len(smtp.mailbox.to("o@example.cn")) == 1
    assert utcnow()


def job_that_notifies(user_id):
    notify(user_id, "digest", "任务中的通知")
