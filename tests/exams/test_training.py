"""Training (培训): uploads, scope, heartbeats, completion, hours, the unit report."""

import io
from datetime import datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from exams.attempts.models import Attempt
from exams.attempts.services import save_answer, submit_attempt
from exams.training import services
from exams.training.models import (
    MaterialProgress,
    TrainingCompletion,
    TrainingCourse,
)
from portal.actor import Actor
from portal.audit.models import AuditLog
from portal.extensions import db
from portal.timeutil import to_utc
from tests.exams.training_support import (
    login,
    make_course,
    quiz_paper,
    text_material,
)

# Heartbeats ---------------------------------------------------------------------------


def test_heartbeats_credit_elapsed_time_with_caps(app, world):
    """Does time credit follow the server clock: start anchors, a beat credits the
    elapsed seconds (≤ 40), a replay credits ~nothing, a long gap nothing, a
    hidden page nothing?"""
    course = make_course(world)
    material = text_material(course, minutes=2)
    learner = world.users["auxiliary"]
    t0 = datetime(2026, 3, 1, 2, 0, 0)

    def beat(at, **kw):
        progress = services.record_heartbeat(material, learner, at, **kw)
        db.session.commit()
        return progress.seconds

    assert beat(t0, start=True) == 0
    assert beat(t0 + timedelta(seconds=30)) == 30
    assert beat(t0 + timedelta(seconds=30)) == 30  # replayed request: no time passed
    assert beat(t0 + timedelta(seconds=31)) == 31  # a replay a second later: 1 s
    assert beat(t0 + timedelta(seconds=91)) == 71  # 60 s late: capped at 40
    assert beat(t0 + timedelta(seconds=300)) == 71  # gap > 90 s: re-anchor only
    assert beat(t0 + timedelta(seconds=330), visible=False) == 71  # hidden
    assert beat(t0 + timedelta(seconds=360)) == 71  # first beat after: anchor
    assert beat(t0 + timedelta(seconds=390)) == 101
    progress = db.session.scalar(sa.select(MaterialProgress))
    assert progress.completed_at is None
    assert beat(t0 + timedelta(seconds=420)) == 131
    db.session.refresh(progress)
    assert progress.completed_at == t0 + timedelta(seconds=420)  # ≥ 2 minutes


def test_heartbeat_endpoint_uses_server_clock(app, world):
    """Over HTTP with a frozen clock: beats every 30 s credit 30 s each, a hidden
    report stops the count, and the client cannot claim time."""
    course = make_course(world)
    material = text_material(course, minutes=1)
    services.publish_course(course, Actor.system(), datetime(2026, 1, 2))
    db.session.commit()
    url = f"/training/materials/{material.id}/heartbeat"
    with freeze_time("2026-03-01 02:00:00") as clock:
        client = login(app, "auxiliary")
        assert client.post(url, json={"state": "start"}).json["seconds"] == 0
        clock.tick(30)
        assert (
            client.post(url, json={"state": "beat", "seconds": 9999}).json["seconds"]
            == 30
        )
        assert client.post(url, json={"state": "beat"}).json["seconds"] == 30
        clock.tick(20)
        assert client.post(url, json={"state": "hidden"}).json["seconds"] == 30
        clock.tick(600)  # the tab stays in the background
        assert client.post(url, json={"state": "beat"}).json["seconds"] == 30
        clock.tick(30)
        data = client.post(url, json={"state": "beat"}).json
        assert data["seconds"] == 60
        assert data["done"] is True
        assert client.post(url, json={"state": "bogus"}).status_code == 400


# Completion ------------------------------------------------------------------------------


def test_completion_requires_materials_then_a_passed_quiz(app, world):
    """Is the quiz closed until materials are done, does a failed quiz not
    complete the course, and does a pass record one completion with the hours?"""
    paper = quiz_paper()
    course = make_course(world, paper_id=paper.id, hours="6")
    material = text_material(course, minutes=1)
    learner = world.users["auxiliary"]
    with freeze_time("2026-05-10 02:00:00") as clock:
        services.publish_course(course, Actor.system(), datetime(2026, 5, 10))
        db.session.commit()
        assert course.arrangement.kind == "training"
        client = login(app, "auxiliary")
        response = client.post(f"/training/courses/{course.id}/quiz")
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/training/courses/{course.id}")
        assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 0
        assert "学完全部材料" in client.get(f"/training/courses/{course.id}").get_data(
            as_text=True
        )

        url = f"/training/materials/{material.id}/heartbeat"
        client.post(url, json={"state": "start"})
        for _ in range(2):
            clock.tick(30)
            client.post(url, json={"state": "beat"})
        assert services.materials_done(course, learner.id)
        assert services.sync_completion(course, learner.id) is None  # quiz pending

        response = client.post(f"/training/courses/{course.id}/quiz")
        assert "/exams/attempts/" in response.headers["Location"]
        attempt = db.session.scalar(sa.select(Attempt))
        save_answer(
            attempt,
            0,
            "对",
            1,
            services.utcnow() if False else datetime(2026, 5, 10, 2, 2),
        )
        submit_attempt(attempt, datetime(2026, 5, 10, 2, 3))
        db.session.commit()
        assert attempt.passed is False
        assert services.sync_completion(course, learner.id) is None

        clock.tick(120)
        response = client.post(f"/training/courses/{course.id}/quiz")
        second = db.session.scalar(sa.select(Attempt).where(Attempt.number == 2))
        assert second is not None
        save_answer(second, 0, "错", 1, datetime(2026, 5, 10, 2, 5))
        submit_attempt(second, datetime(2026, 5, 10, 2, 6))
        db.session.commit()
        page = client.get(f"/training/courses/{course.id}").get_data(as_text=True)
    assert "已于 2026-05-10 10:06 完成本课程，计 6 学时" in page
    completion = db.session.scalar(sa.select(TrainingCompletion))
    assert completion.hours == Decimal("6.0")
    assert completion.quiz_score == Decimal("100.00")
    assert completion.completed_at == datetime(2026, 5, 10, 2, 6)
    assert completion.year == 2026
    # Idempotent: syncing again (page views, the periodic job) adds nothing.
    assert services.sync_completion(course, learner.id).id == completion.id
    assert services.sync_pending_completions() == 0
    assert db.session.scalar(sa.select(sa.func.count(TrainingCompletion.id))) == 1
    # A completed course does not reopen its quiz.
    with pytest.raises(services.InvalidState):
        services.open_quiz(course, learner, datetime(2026, 5, 11))


def test_course_without_quiz_completes_when_materials_done(app, world):
    """Does a course with no quiz complete (dated by the last material) once every
    material has its time?"""
    course = make_course(world, hours="2")
    material = text_material(course, minutes=0)
    learner = world.users["auxiliary"]
    services.record_heartbeat(material, learner, datetime(2026, 6, 1, 1, 0), start=True)
    db.session.commit()
    completion = services.sync_completion(course, learner.id)
    assert completion is not None
    assert completion.quiz_score is None
    assert completion.completed_at == datetime(2026, 6, 1, 1, 0)


# Publishing --------------------------------------------------------------------------------


def test_publish_needs_materials_and_is_audited(app, world):
    """Is an empty course not publishable, and are publish and unpublish audited?"""
    course = make_course(world)
    client = login(app, "training_admin")
    client.post(f"/admin/training/courses/{course.id}/publish")
    db.session.refresh(course)
    assert course.is_published is False
    text_material(course)
    response = client.post(f"/admin/training/courses/{course.id}/publish")
    assert response.status_code == 302
    db.session.refresh(course)
    assert course.is_published is True
    client.post(f"/admin/training/courses/{course.id}/unpublish")
    db.session.refresh(course)
    assert course.is_published is False
    actions = db.session.scalars(
        sa.select(AuditLog.action)
        .where(AuditLog.target_type == "TrainingCourse")
        .order_by(AuditLog.id)
    ).all()
    assert actions[-2:] == ["training_course_published", "training_course_unpublished"]
    entry = db.session.scalar(
        sa.select(AuditLog).where(AuditLog.action == "training_course_published")
    )
    assert entry.actor_name.endswith("（training_admin）")


def test_admin_creates_course_in_scope_only(app, world):
    """Can a training admin create a course for their district but not for an
    organisation outside their subtree?"""
    client = login(app, "training_admin")
    form = {
        "title": "执法礼仪",
        "year": "2026",
        "credit_hours": "2.5",
        "for_auxiliary": "y",
        "organisation_id": str(world.other_district.id),
        "paper_id": "0",
        "quiz_minutes": "30",
        "quiz_attempts": "3",
    }
    assert client.post("/admin/training/courses/new", data=form).status_code == 400
    form["organisation_id"] = str(world.district.id)
    assert client.post("/admin/training/courses/new", data=form).status_code == 302
    course = db.session.scalar(sa.select(TrainingCourse))
    assert course.credit_hours == Decimal("2.5")
    assert course.organisation_id == world.district.id


# Hours and the report ------------------------------------------------------------------------


def _complete(user, course, hours, at):
    db.session.add(
        TrainingCompletion(
            user_id=user.id,
            course_id=course.id,
            year=2026,
            hours=Decimal(hours),
            completed_at=at,
        )
    )


@pytest.fixture
def report_world(world, factories):
    """Learners of the district with known hours; one outside the admin's scope."""
    users = {
        "ahead": factories.user(
            username="aux-ahead", name="甲", role="auxiliary", organisation=world.agency
        ),
        "behind": factories.user(
            username="aux-behind",
            name='=HYPERLINK("x")',
            role="auxiliary",
            organisation=world.agency,
        ),
        "town": factories.user(
            username="aux-town", name="丙", role="auxiliary", organisation=world.town
        ),
        "far": factories.user(
            username="aux-far",
            name="丁",
            role="auxiliary",
            organisation=world.other_agency,
        ),
    }
    c1 = make_course(world, title="课程一", hours="5")
    c2 = make_course(world, title="课程二", hours="3")
    at = datetime(2026, 2, 1)
    _complete(users["ahead"], c1, "5", at)
    _complete(users["ahead"], c2, "3", at)
    _complete(users["town"], c1, "5", at)
    _complete(users["far"], c1, "5", at)
    # The district asks 20 hours of auxiliary staff in 2026 (default would be 40).
    services.set_requirement(
        Actor.system(),
        organisation=world.district,
        role="auxiliary",
        year=2026,
        hours=Decimal(20),
    )
    db.session.commit()
    return users


def test_report_marks_who_is_behind_pro_rata(app, world, report_world):
    """On 1 April (90 of 365 days elapsed) 20 required hours mean 20 × 90/365 ≈ 4.93
    expected: 8 h and 5 h are on track, 0 h is behind; the other county is absent."""
    with freeze_time(to_utc(datetime(2026, 4, 1))):
        client = login(app, "training_admin")
        page = client.get("/admin/training/report?year=2026").get_data(as_text=True)
        behind = page.split('data-testid="behind"')[1]
        assert "aux-behind" in behind
        assert "auxiliary" in behind
        assert "aux-ahead" not in behind
        assert "aux-town" not in behind
        assert "aux-far" not in page
        assert "4.9" in behind  # the expected hours, shown
        response = client.get("/admin/training/report.xlsx?year=2026")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    rows = {r[2]: r for r in book["学员明细"].iter_rows(min_row=2, values_only=True)}
    assert rows["aux-ahead"][4:] == (20, 4.9, 8, 2, "正常")
    assert rows["aux-town"][4:] == (20, 4.9, 5, 1, "正常")
    assert rows["aux-behind"][4:] == (20, 4.9, 0, 0, "落后")
    assert rows["aux-behind"][1] == '\'=HYPERLINK("x")'  # formula neutralised
    assert rows["officer"][4:] == (0, 0, 0, 0, "正常")  # officers: default 0 h
    assert "aux-far" not in rows
    summary = {
        r[0]: r[1:] for r in book["按单位汇总"].iter_rows(min_row=3, values_only=True)
    }
    assert summary[world.agency.full_name] == (
        4,
        2,
        2,
    )  # ahead, officer | behind, auxiliary
    assert summary[world.town.full_name] == (1, 1, 0)
    assert db.session.scalar(
        sa.select(AuditLog).where(AuditLog.action == "training_report_exported")
    )


def test_after_year_end_behind_means_below_required(app, world, report_world):
    """After the year, the whole requirement is due: 8 h and 5 h of 20 are behind."""
    from exams.training.queries import unit_report

    units = unit_report(
        world.users["training_admin"], 2026, to_utc(datetime(2027, 1, 5))
    )
    behind = {r.user.username for u in units for r in u.behind}
    assert behind == {"aux-ahead", "aux-town", "aux-behind", "auxiliary"}
    # Learner page: hours this year against the district's requirement.
    with freeze_time(to_utc(datetime(2026, 6, 1))):
        page = login(app, "aux-ahead").get("/training/").get_data(as_text=True)
    assert "已获 8 / 应修 20 学时" in page
    assert 'aria-label="年度学时进度"' in page
    assert 'data-testid="no-requirement"' not in page
    assert "课程一" in page
    assert "课程二" in page
    # An officer (no requirement by default) sees that said, not a full bar.
    with freeze_time(to_utc(datetime(2026, 6, 1))):
        page = login(app, "officer").get("/training/").get_data(as_text=True)
    assert "应修 0 学时" in page
    assert 'data-testid="no-requirement"' in page
    assert 'aria-label="年度学时进度"' not in page


def test_nearest_requirement_wins_and_default_applies(app, world):
    """Does a town's own requirement override the district's, and the configured
    default apply where no row exists?"""
    from exams.training.queries import Requirements

    services.set_requirement(
        Actor.system(),
        organisation=world.district,
        role="auxiliary",
        year=2026,
        hours=Decimal(20),
    )
    services.set_requirement(
        Actor.system(),
        organisation=world.town,
        role="auxiliary",
        year=2026,
        hours=Decimal(12),
    )
    db.session.commit()
    table = Requirements(2026)
    assert table.for_role(world.town.path, "auxiliary") == Decimal(12)
    assert table.for_role(world.agency.path, "auxiliary") == Decimal(20)
    assert table.for_role(world.other_agency.path, "auxiliary") == Decimal(40)
    assert Requirements(2027).for_role(world.town.path, "auxiliary") == Decimal(40)


def test_demo_course_is_seeded_once(app, world):
    """Does the demo seed publish one city-wide course, and nothing on a rerun?"""
    from exams.training.seed import seed_training_demo

    assert seed_training_demo(Actor.system(), world.city) == 1
    assert seed_training_demo(Actor.system(), world.city) == 0
    course = db.session.scalar(sa.select(TrainingCourse))
    assert course.is_published
    assert [m.kind for m in course.materials] == ["text"]
    page = login(app, "auxiliary").get(f"/training/materials/{course.materials[0].id}")
    assert "持证上岗" in page.get_data(as_text=True)


def test_materials_can_be_reordered(app, world):
    """Does 上移/下移 swap a material with its neighbour (audited), and do the ends
    stay put?"""
    course = make_course(world)
    first = text_material(course)
    second = services.add_text_material(
        course, Actor.system(), title="第二讲", body="内容", required_minutes=1
    )
    db.session.commit()
    client = login(app, "training_admin")
    url = f"/admin/training/materials/{second.id}/move"
    assert client.post(url, data={"direction": "up"}).status_code == 302
    db.session.expire_all()
    assert [m.id for m in course.materials] == [second.id, first.id]
    client.post(url, data={"direction": "up"})  # already first
    db.session.expire_all()
    assert [m.id for m in course.materials] == [second.id, first.id]
    client.post(url, data={"direction": "down"})
    db.session.expire_all()
    assert [m.id for m in course.materials] == [first.id, second.id]
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditLog.id)).where(
                AuditLog.action == "training_material_moved"
            )
        )
        == 2
    )


def test_course_page_lists_learner_progress_in_scope(app, world, factories):
    """Does the admin's course page list the audience learners of their scope with
    materials done and completion, and nobody else?"""
    course = make_course(world, organisation_id=world.city.id, hours="3")
    material = text_material(course, minutes=0)
    services.publish_course(course, Actor.system(), datetime(2026, 1, 2))
    factories.user(
        username="aux-far", role="auxiliary", organisation=world.other_agency
    )
    services.record_heartbeat(
        material, world.users["auxiliary"], datetime(2026, 3, 1, 1, 0), start=True
    )
    services.sync_completion(course, world.users["auxiliary"].id)
    db.session.commit()
    page = login(app, "training_admin").get(f"/admin/training/courses/{course.id}")
    # The course is city-wide, so the district admin cannot open it at all…
    assert page.status_code == 404
    page = login(app, "sys_admin").get(f"/admin/training/courses/{course.id}")
    html = page.get_data(as_text=True)
    # One learners table, in the page body (it once sat in the <title> block too,
    # putting its markup into the browser tab's title).
    assert html.count('data-testid="learners"') == 1
    title = html.split("<title>")[1].split("</title>")[0]
    assert "<" not in title
    assert "学员进度" not in title
    table = html.split('data-testid="learners"')[1]
    assert "aux-far" in table  # the system admin sees the whole city
    row = table.split("auxiliary</td>")[1].split("</tr>")[0]
    assert "1/1" in row
    assert "2026-03-01" in row
    assert "officer" not in table  # not in the audience


def test_dashboard_links(app, world):
    """Do auxiliary staff get 我的培训 instead of the 'coming' entries, and training
    admins 培训管理?"""
    page = login(app, "auxiliary").get("/dashboard").get_data(as_text=True)
    assert "/training/" in page
    assert "培训课程</li>" not in page
    page = login(app, "training_admin").get("/dashboard").get_data(as_text=True)
    assert "/admin/training/" in page


# Honest 学时 (issue #12) -------------------------------------------------------------


def test_video_credits_only_playback_of_unwatched_parts(app, world):
    """A video beat carries the playback position: playing credits the newly
    watched seconds (never more than the wall clock); a seek beyond the watched
    part, a pause and re-watching a watched part credit nothing; watched ranges
    are kept on the server."""
    course = make_course(world)
    material = text_material(course, minutes=5)
    material.kind, material.stored_name = "video", "test-video-0001.mp4"
    db.session.commit()
    learner = world.users["auxiliary"]
    t0 = datetime(2026, 3, 1, 2, 0, 0)

    def beat(seconds, position, **kw):
        progress = services.record_heartbeat(
            material,
            learner,
            t0 + timedelta(seconds=seconds),
            client="pageA",
            position=position,
            **kw,
        )
        db.session.commit()
        return progress

    assert beat(0, 0.0, start=True).seconds == 0
    assert beat(30, 30.0).seconds == 30  # played 30 s
    assert beat(60, 45.0).seconds == 45  # 15 s of playback in 30 s (slow network)
    assert beat(90, 400.0).seconds == 45  # sought far ahead: no credit
    assert beat(120, 430.0).seconds == 75  # playing again from there
    assert beat(121, 430.0, visible=False).seconds == 75  # paused
    assert beat(150, 10.0, start=True).seconds == 75  # back to a watched part
    assert beat(180, 40.0).seconds == 75  # 10–40 was watched before: nothing
    progress = beat(210, 70.0)
    assert progress.seconds == 100  # 40–45 watched, 45–70 new: 25 s
    assert progress.watched == [[0.0, 70.0], [400.0, 430.0]]
    # A beat without a position (a script that does not report playback) credits
    # nothing for a video.
    assert beat(240, None).seconds == 100


def test_one_material_at_a_time_across_devices(app, world):
    """While one page beats, another page of the same learner (another material,
    or the same material on a second device) is not credited; once the first is
    hidden, the second may take over."""
    course = make_course(world)
    first = text_material(course, minutes=5)
    second = text_material(course, minutes=5)
    learner = world.users["auxiliary"]
    t0 = datetime(2026, 3, 1, 2, 0, 0)

    def beat(material, seconds, client, **kw):
        progress = services.record_heartbeat(
            material, learner, t0 + timedelta(seconds=seconds), client=client, **kw
        )
        db.session.commit()
        return progress

    beat(first, 0, "phone", start=True)
    assert beat(first, 30, "phone").seconds == 30
    blocked = beat(second, 31, "laptop", start=True)
    assert blocked.blocked
    assert beat(second, 60, "laptop").seconds == 0
    assert beat(first, 60, "phone").seconds == 60
    # The same material on the laptop: not credited either, and the phone's
    # anchor is left alone.
    assert beat(first, 75, "laptop", start=True).blocked
    assert beat(first, 90, "laptop").seconds == 60
    assert beat(first, 90, "phone").seconds == 90
    beat(first, 95, "phone", visible=False)
    beat(second, 100, "laptop", start=True)
    assert beat(second, 130, "laptop").seconds == 30


def test_progress_in_seconds_until_the_first_minute(app, world):
    """The material page and the heartbeat answer show seconds below a minute."""
    course = make_course(world)
    material = text_material(course, minutes=2)
    services.publish_course(course, Actor.system(), datetime(2026, 1, 2))
    db.session.commit()
    url = f"/training/materials/{material.id}/heartbeat"
    with freeze_time("2026-03-01 02:00:00") as clock:
        client = login(app, "auxiliary")
        client.post(url, json={"state": "start", "client": "p1"})
        clock.tick(25)
        data = client.post(url, json={"state": "beat", "client": "p1"}).json
        assert data["seconds"] == 25
        assert data["blocked"] is False
        page = client.get(f"/training/materials/{material.id}").get_data(as_text=True)
        assert "已学 25 秒 / 2 分钟" in page
