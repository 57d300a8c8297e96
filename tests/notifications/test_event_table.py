"""The events of issue #15 not covered in test_events.py: each test drives the
real service (or the daily job) and checks who got which notification, with a
link to the object. docs/notifications.md lists every event with its test."""

from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from exams.attempts.models import Answer
from exams.attempts.services import (
    correct_key,
    save_answer,
    start_attempt,
    submit_attempt,
)
from exams.certs.models import Certificate
from exams.papers.services import create_arrangement, enrol_candidates
from exams.results.services import release_results
from portal.actor import Actor
from portal.extensions import db
from portal.notifications.jobs import daily_digest
from portal.notifications.models import Notification
from portal.suggestions.handling import services as handling
from portal.suggestions.oversight.services import escalate
from portal.timeutil import to_local, utcnow
from portal.workdays.queries import calendar
from tests.suggestions.handling_support import make_suggestion


def _notes(user, kind):
    return db.session.scalars(
        sa.select(Notification)
        .where(Notification.user_id == user.id, Notification.kind == kind)
        .order_by(Notification.id)
    ).all()


def test_results_released_score_corrected_and_certificate_due(app, world):
    """公布成绩 tells the candidate who sat; a key correction that changes their
    score tells them the new score; the daily job tells a certificate holder of
    the coming expiry and the 年度审验 due — each once."""
    from tests.portal.test_authz_matrix import Ctx, _paper

    officer = world.users["officer"]
    start = datetime(2026, 6, 1, 1, 0)
    arrangement = create_arrangement(
        _paper(Ctx(world, None)),
        name="成绩通知考试",
        kind="training",
        window_start=start,
        window_end=start + timedelta(hours=2),
        release_policy="manual",
        organisation_id=world.district.id,
    )
    enrol_candidates(arrangement, users=[officer])
    attempt = start_attempt(arrangement, officer, start + timedelta(minutes=5))
    save_answer(attempt, 0, True, seq=1, now=start + timedelta(minutes=6))
    submit_attempt(attempt, start + timedelta(minutes=10))
    db.session.commit()
    assert attempt.score == Decimal(100)
    release_results(arrangement, Actor.system(), start + timedelta(hours=3))
    release_results(arrangement, Actor.system(), start + timedelta(hours=4))
    db.session.commit()
    (released,) = _notes(officer, "result_released")
    assert released.link == f"/exams/attempts/{attempt.id}/result"
    assert _notes(world.users["auxiliary"], "result_released") == []

    version = db.session.scalar(
        sa.select(Answer.version_id).where(Answer.attempt_id == attempt.id)
    )
    from exams.banks.models import QuestionVersion

    correct_key(
        db.session.get(QuestionVersion, version),
        {"type": "true_false", "key": False},
        Actor.system(),
    )
    db.session.commit()
    (changed,) = _notes(officer, "score_changed")
    assert "100" in changed.body
    assert "0" in changed.body
    assert changed.link == released.link

    now = utcnow()
    db.session.add(
        Certificate(
            number="JC-TEST-000001",
            verify_code="v" * 32,
            holder_id=officer.id,
            organisation_id=world.agency.id,
            attempt_id=attempt.id,
            issued_at=now - timedelta(days=3 * 365 - 30),
            expires_at=now + timedelta(days=30),
            status="valid",
            status_changed_at=now,
        )
    )
    db.session.commit()
    daily_digest(now)
    daily_digest(now)
    db.session.commit()
    (expiring,) = _notes(officer, "cert_expiring")
    (review,) = _notes(officer, "cert_review_due")
    assert "已逾期" in review.title  # issued nearly three years ago, never reviewed
    assert expiring.link == review.link == "/certificates/"


def test_course_published_tells_its_audience(app, world):
    """Publishing a course tells the auxiliary staff of its subtree, not others."""
    from exams.training import services as training
    from tests.exams.training_support import make_course, text_material

    course = make_course(world)
    text_material(course)
    training.publish_course(course, Actor.system(), datetime(2026, 1, 2))
    db.session.commit()
    (note,) = _notes(world.users["auxiliary"], "course_assigned")
    assert course.title in note.title
    assert note.link == f"/training/courses/{course.id}"
    assert _notes(world.users["officer"], "course_assigned") == []


def test_review_submitted_tells_the_staff(app, world):
    """A submitted 评查表 tells the supervision staff over the agency."""
    from casebank.reviews.services import ensure_template, save_review
    from tests.casebank.supervision_util import make_case

    staff = world.users["supervision_staff"]
    case = make_case(world.agency, severity=3)
    save_review(
        case,
        staff,
        ensure_template(Actor.system()),
        {},
        "文书要素齐全。",
        0,
        Actor(user=staff),
        submit=True,
    )
    db.session.commit()
    (note,) = _notes(staff, "review_submitted")
    assert note.link == f"/casebank/cases/{case.id}"
    assert _notes(world.users["agency_handler"], "review_submitted") == []


def test_suggestion_published_due_soon_and_escalation(app, world):
    """Publication tells the handlers; a deadline one working day away tells the
    handler (not the staff) once; a supervisor's 转办 tells the staff."""
    staff, handler = world.users["supervision_staff"], world.users["agency_handler"]
    actor = Actor(user=staff)
    item, _ = make_suggestion(world.agency)
    handling.accept_suggestion(item, item.version, actor)
    handling.assign_suggestion(
        item, item.version, world.agency, None, actor, calendar()
    )
    item.due_on = calendar().add_workdays(to_local(utcnow()).date(), 1)
    db.session.commit()
    daily_digest()
    daily_digest()
    db.session.commit()
    (soon,) = _notes(handler, "suggestion_due_soon")
    assert item.number in soon.title
    assert _notes(staff, "suggestion_due_soon") == []

    handling.submit_reply(item, item.version, "已核查处理。", [], Actor(user=handler))
    handling.approve_reply(item, item.version, actor)
    handling.publish_reply(item, item.version, "已核查处理。", actor)
    db.session.commit()
    (published,) = _notes(handler, "suggestion_published")
    assert item.number in published.title

    escalate(
        item,
        Actor(user=world.users["invited_supervisor"]),
        "群众反映多次，建议评查案卷。",
    )
    db.session.commit()
    (received,) = _notes(staff, "escalation_received")
    assert "建议评查案卷" in received.body
    assert received.link == "/suggestions/manage/escalations"
