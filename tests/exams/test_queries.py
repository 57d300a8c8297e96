"""The candidate's dashboard overview: open, upcoming and released results."""

from datetime import timedelta

from freezegun import freeze_time

from exams.attempts.services import save_answer, start_attempt, submit_attempt
from exams.papers.services import create_arrangement, enrol_candidates
from exams.queries import candidate_overview
from portal.extensions import db
from tests.exams.test_attempts import START, key_for, setup_exam


def _later_arrangement(arrangement, world, hours):
    later = create_arrangement(
        arrangement.paper,
        name="下一场",
        kind="training",
        window_start=START + timedelta(hours=hours),
        window_end=START + timedelta(hours=hours + 2),
        duration_minutes=30,
    )
    enrol_candidates(later, users=[world.users["officer"]])
    db.session.commit()
    return later


def test_open_upcoming_and_released_results(app, world):
    """An open exam shows its closing time and the attempt in progress; a future
    one is upcoming; a graded attempt appears only once results are released."""
    arrangement = setup_exam(world, window_hours=8)
    arrangement.release_policy = "after_window"
    later = _later_arrangement(arrangement, world, hours=24)
    officer = world.users["officer"]
    now = START + timedelta(minutes=5)

    overview = candidate_overview(officer.id, now)
    assert [e.arrangement.id for e in overview.open] == [arrangement.id]
    assert overview.open[0].closes_at == arrangement.window_end
    assert overview.open[0].attempts_left == 1
    assert overview.open[0].in_progress is None
    assert [e.arrangement.id for e in overview.upcoming] == [later.id]

    attempt = start_attempt(arrangement, officer, now)
    overview = candidate_overview(officer.id, now)
    assert overview.open[0].in_progress.id == attempt.id

    for position in range(len(attempt.candidate_paper.items)):
        save_answer(attempt, position, key_for(attempt, position), 1, now)
    submit_attempt(attempt, now + timedelta(minutes=10))
    db.session.commit()
    overview = candidate_overview(officer.id, now + timedelta(minutes=11))
    assert overview.open == []  # no attempts left
    assert overview.results == []  # not released before the window ends
    overview = candidate_overview(officer.id, arrangement.window_end)
    assert [a.id for a in overview.results] == [attempt.id]


def test_exempt_and_expired_exams_are_not_open(app, world):
    """An exempt candidate has nothing to do; a closed window is not open."""
    arrangement = setup_exam(world, window_hours=2)
    officer = world.users["officer"]
    assert candidate_overview(officer.id, arrangement.window_end).open == []
    arrangement.candidates[0].is_exempt = True
    arrangement.candidates[0].exempt_reason = "已持有执法证"
    db.session.commit()
    assert candidate_overview(officer.id, START + timedelta(minutes=1)).open == []


def test_dashboard_lists_the_open_exam(app, world, client, auth):
    """The officer's dashboard shows the open exam with a start button."""
    arrangement = setup_exam(world, window_hours=8)
    arrangement.name = "二〇二七年度执法资格考试<b>"
    db.session.commit()
    with freeze_time(START + timedelta(minutes=5)):
        auth.login("officer")
        html = client.get("/dashboard").get_data(as_text=True)
    assert 'data-testid="open-exam"' in html
    assert 'data-testid="learning-summary"' in html
    assert "执法证书：" in html
    assert "二〇二七年度执法资格考试&lt;b&gt;" in html
    assert f"/exams/{arrangement.id}/notice" in html  # 开始考试 → 考试须知


def test_dashboard_of_non_candidates_has_no_exam_overview(app, world, client, auth):
    """Supervisors see no candidate overview."""
    auth.login("supervision_staff")
    html = client.get("/dashboard").get_data(as_text=True)
    assert "candidate-overview" not in html


def test_a_general_exam_waits_for_its_special_prerequisite(app, world):
    """资格-通用 is listed as waiting for 资格-专门 until the candidate passes it."""
    special = setup_exam(world, window_hours=8)
    special.kind = "qual_special"
    general = _later_arrangement(special, world, hours=0)
    general.kind, general.prerequisite_id = "qual_general", special.id
    db.session.commit()
    officer = world.users["officer"]
    now = START + timedelta(minutes=5)
    entries = {e.arrangement.id: e for e in candidate_overview(officer.id, now).open}
    assert entries[general.id].waiting_for.id == special.id
    assert entries[special.id].waiting_for is None

    attempt = start_attempt(special, officer, now)
    for position in range(len(attempt.candidate_paper.items)):
        save_answer(attempt, position, key_for(attempt, position), 1, now)
    submit_attempt(attempt, now + timedelta(minutes=10))
    db.session.commit()
    assert attempt.passed
    later = now + timedelta(minutes=11)
    entries = {e.arrangement.id: e for e in candidate_overview(officer.id, later).open}
    assert entries[general.id].waiting_for is None


def test_learning_summary_counts_certificate_hours_and_mistakes(app, world):
    """The dashboard summary shows the newest certificate with its status, this
    year's hours against the requirement and the 错题本 entries to revisit."""
    from datetime import datetime
    from decimal import Decimal

    from exams.queries import learning_summary
    from exams.training.models import TrainingCompletion
    from tests.exams.cert_setup import qualify
    from tests.exams.training_support import make_course

    officer = world.users["officer"]
    now = datetime(2026, 6, 1, 2, 0)
    empty = learning_summary(officer, now)
    assert empty.certificate is None
    assert empty.hours_earned == 0
    assert empty.open_mistakes == 0

    qualify(officer, datetime(2026, 3, 2, 1, 0))
    course = make_course(world, year=2026, hours="4")
    db.session.add(
        TrainingCompletion(
            user_id=officer.id,
            course_id=course.id,
            year=2026,
            hours=Decimal(4),
            completed_at=now,
        )
    )
    db.session.commit()
    summary = learning_summary(officer, now)
    assert summary.certificate is not None
    assert summary.certificate_status == "有效"
    assert summary.year == 2026
    assert summary.hours_earned == Decimal(4)
    assert summary.hours_required == 0  # officers: TRAINING_REQUIRED_HOURS_OFFICER
    # The qualification exams were answered correctly: nothing to revisit.
    assert summary.open_mistakes == 0
