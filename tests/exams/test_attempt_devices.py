"""The device rule (允许更换设备继续作答), attempt monitoring (答卷监控) and CSRF
on the exam page's JSON endpoints (issue #5)."""

import re
from datetime import timedelta

import sqlalchemy as sa
from freezegun import freeze_time

from exams.attempts.models import Answer, Attempt
from exams.attempts.services import start_attempt
from exams.banks.models import QuestionVersion
from portal.audit.models import AuditLog
from portal.extensions import db
from tests.exams.test_attempt_rules import events, page_remaining, signed_in, start
from tests.exams.test_attempts import START, key_for, setup_exam

REFUSAL = "本次考试不允许更换设备作答，请使用开始考试的设备继续，或联系考试管理员"


# Devices -------------------------------------------------------------------------


def test_device_change_refused_when_forbidden_until_an_admin_releases(app, world):
    """When the arrangement forbids changing device, another browser of the same
    candidate is refused everywhere (page, saves, events, submit, start) with the
    Chinese message, each refusal is logged, and the attempt is not touched. After
    an administrator's release (audited) the other browser may continue."""
    arrangement = setup_exam(world)
    arrangement.allow_device_change = False
    arrangement.organisation_id = world.district.id
    db.session.commit()
    with freeze_time(START + timedelta(minutes=1)) as clock:
        phone, laptop = signed_in(app), signed_in(app)
        attempt_id = start(phone, arrangement)
        assert phone.get_cookie("exam_device") is not None
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.device_hash
        assert len(attempt.device_hash) == 64
        base = f"/exams/attempts/{attempt_id}"
        phone.post(
            f"{base}/answers",
            json={"position": 0, "response": key_for(attempt, 0), "seq": 1},
        )
        clock.tick(timedelta(minutes=1))

        page = laptop.get(base)
        assert page.status_code == 403
        assert REFUSAL in page.get_data(as_text=True)
        resumed = laptop.post(f"/exams/{arrangement.id}/start")
        assert resumed.status_code == 403
        assert REFUSAL in resumed.get_data(as_text=True)
        save = laptop.post(
            f"{base}/answers", json={"position": 0, "response": ["C"], "seq": 9}
        )
        assert save.status_code == 403
        assert save.get_json() == {"ok": False, "error": REFUSAL, "device": "refused"}
        flag = laptop.post(f"{base}/answers", json={"position": 1, "flagged": True})
        assert flag.status_code == 403
        event = laptop.post(f"{base}/events", json={"kind": "hidden"})
        assert event.status_code == 403
        submit = laptop.post(f"{base}/submit")
        assert submit.status_code == 403
        # A forged (unsigned) cookie is no way around it.
        laptop.set_cookie("exam_device", "x" * 43)
        assert laptop.get(base).status_code == 403

        db.session.expire_all()
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.status == "in_progress"
        assert attempt.tab_switches == 0
        assert [(a.position, a.response, a.flagged) for a in attempt.answers] == [
            (0, key_for(attempt, 0), False)
        ]
        assert events(attempt_id) == ["device_refused"] * 7
        assert phone.get(base).status_code == 200  # the starting device goes on

        admin = signed_in(app, "training_admin")
        timeline = admin.get(f"/admin/exams/attempts/{attempt_id}")
        assert "设备拒绝" in timeline.get_data(as_text=True)
        assert "允许更换设备" in timeline.get_data(as_text=True)
        released = admin.post(f"/admin/exams/attempts/{attempt_id}/release-device")
        assert released.headers["Location"].endswith(
            f"/admin/exams/attempts/{attempt_id}"
        )
        entry = db.session.scalar(
            sa.select(AuditLog).where(AuditLog.action == "attempt_device_released")
        )
        assert entry.actor_id == world.users["training_admin"].id
        assert entry.target_id == str(attempt_id)

        # Until a device opens the page, the old one's open page is refused too.
        stale = phone.post(f"{base}/events", json={"kind": "heartbeat"})
        assert stale.status_code == 403
        assert laptop.get(base).status_code == 200  # now the laptop holds it
        ok = laptop.post(
            f"{base}/answers", json={"position": 1, "response": ["B"], "seq": 2}
        )
        assert ok.get_json()["ok"] is True
        assert phone.get(base).status_code == 403  # and the phone is refused
    assert events(attempt_id)[-4:] == [
        "device_released",
        "device_refused",
        "device_changed",
        "device_refused",
    ]


def test_device_change_allowed_resumes_on_another_browser(app, world):
    """By default (allowed) a second browser resumes the same attempt with the
    answers saved by the first, and the change is logged."""
    arrangement = setup_exam(world)
    assert arrangement.allow_device_change is True
    with freeze_time(START) as clock:
        phone, laptop = signed_in(app), signed_in(app)
        attempt_id = start(phone, arrangement)
        attempt = db.session.get(Attempt, attempt_id)
        multiple = next(
            p
            for p, item in enumerate(attempt.candidate_paper.items)
            if db.session.get(QuestionVersion, item["version_id"]).type == "multiple"
        )
        phone.post(
            f"/exams/attempts/{attempt_id}/answers",
            json={"position": multiple, "response": ["A", "D"], "seq": 1},
        )
        clock.tick(timedelta(minutes=5))
        assert start(laptop, arrangement) == attempt_id
        page = laptop.get(f"/exams/attempts/{attempt_id}").get_data(as_text=True)
        checked = re.findall(r'<input[^>]*id="q(\d+)(\w)"[^>]*checked', page)
        assert sorted(checked) == [(str(multiple), "A"), (str(multiple), "D")]
        assert page_remaining(laptop, attempt_id) == 55 * 60
        reply = laptop.post(
            f"/exams/attempts/{attempt_id}/answers",
            json={"position": 0, "response": key_for(attempt, 0), "seq": 2},
        )
        assert reply.get_json()["ok"] is True
        # Saves of the other open device do not move the attempt back and forth.
        back = phone.post(
            f"/exams/attempts/{attempt_id}/answers",
            json={"position": 1, "response": key_for(attempt, 1), "seq": 3},
        )
        assert back.get_json()["ok"] is True
        assert events(attempt_id) == ["device_changed"]
        assert phone.get(f"/exams/attempts/{attempt_id}").status_code == 200
    assert events(attempt_id) == ["device_changed", "device_changed"]


def test_arrangement_form_has_the_device_rule(app, client, auth, world):
    """The arrangement form offers 允许更换设备继续作答 (on by default); unticked,
    the arrangement binds attempts to their device."""
    from exams.papers.models import ExamArrangement
    from tests.exams.test_papers import fill_bank, paper_for

    bank, _ = fill_bank("DEV")
    paper = paper_for(bank)
    db.session.commit()
    auth.login("training_admin")
    form_page = client.get("/admin/exams/arrangements").get_data(as_text=True)
    assert "允许更换设备继续作答" in form_page
    box = re.search(r'<input[^>]*id="allow_device_change"[^>]*>', form_page)[0]
    assert " checked" in box
    form = {
        "name": "不许换设备的考试",
        "kind": "training",
        "paper_id": str(paper.id),
        "window_start": "2027-03-01T09:00",
        "window_end": "2027-03-01T17:00",
        "duration_minutes": "60",
        "attempts_allowed": "1",
        "makeup_attempts": "0",
        "tab_switch_limit": "3",
        "release_policy": "immediate",
        "prerequisite_id": "0",
        "organisation_id": str(world.district.id),
        "roles": ["officer"],
    }
    assert client.post("/admin/exams/arrangements", data=form).status_code == 302
    allowed = dict(form, name="可换设备的考试", allow_device_change="y")
    assert client.post("/admin/exams/arrangements", data=allowed).status_code == 302
    rules = dict(
        db.session.execute(
            sa.select(ExamArrangement.name, ExamArrangement.allow_device_change)
        ).all()
    )
    assert rules == {"不许换设备的考试": False, "可换设备的考试": True}
    shown = client.get(
        "/admin/exams/arrangements/"
        + str(
            db.session.scalar(
                sa.select(ExamArrangement.id).where(
                    ExamArrangement.name == "不许换设备的考试"
                )
            )
        )
    ).get_data(as_text=True)
    assert "不允许更换设备作答" in shown
    assert "答卷监控" in shown


# Monitoring ----------------------------------------------------------------------


def test_monitoring_lists_attempts_and_timeline_in_china_time(app, world):
    """The arrangement's attempts page lists candidate, unit, status, times, reason,
    score and tab switches; the timeline shows start, focus losses, returns and the
    submission in China time, in Chinese, without heartbeats."""
    arrangement = setup_exam(world)
    arrangement.organisation_id = world.district.id
    db.session.commit()
    with freeze_time(START) as clock:
        client = signed_in(app)
        attempt_id = start(client, arrangement)
        base = f"/exams/attempts/{attempt_id}"
        clock.tick(timedelta(minutes=5))
        client.post(f"{base}/events", json={"kind": "hidden"})
        clock.tick(timedelta(seconds=20))
        client.post(f"{base}/events", json={"kind": "visible"})
        client.post(f"{base}/events", json={"kind": "heartbeat"})
        clock.tick(timedelta(minutes=10))
        client.post(f"{base}/submit")
    admin = signed_in(app, "training_admin")
    listing = admin.get(f"/admin/exams/arrangements/{arrangement.id}/attempts")
    text = listing.get_data(as_text=True)
    assert listing.status_code == 200
    officer = world.users["officer"]
    assert officer.name in text
    assert officer.organisation.name in text
    assert "已评分" in text
    assert "主动交卷" in text
    assert "01-10 09:00:00" in text  # started, China time (01:00 UTC)
    assert "01-10 10:00:00" in text  # deadline
    assert "01-10 09:15:20" in text  # submitted
    assert '<span class="badge text-bg-warning">1</span>' in text
    timeline = admin.get(f"/admin/exams/attempts/{attempt_id}").get_data(as_text=True)
    kinds = re.findall(r'data-kind="([a-z_]+)"', timeline)
    assert kinds == ["start", "hidden", "visible", "submit"]
    for label in ("开始作答", "页面隐藏", "返回页面", "交卷", "主动交卷"):
        assert label in timeline
    assert "2027-01-10 09:05:00" in timeline
    assert "2027-01-10 09:05:20" in timeline
    assert "心跳每 30 秒一次" in timeline  # explained, not listed


def test_monitoring_is_scoped_to_the_admins_subtree(app, world):
    """A training administrator of 甲区 gets 404 for an arrangement of 乙县 (list,
    timeline, release); a system administrator sees it; candidates get 403."""
    arrangement = setup_exam(world)
    arrangement.organisation_id = world.other_district.id
    arrangement.allow_device_change = False
    attempt = start_attempt(arrangement, world.users["officer"], START)
    attempt.device_hash = "0" * 64
    db.session.commit()
    urls = [
        ("GET", f"/admin/exams/arrangements/{arrangement.id}/attempts"),
        ("GET", f"/admin/exams/attempts/{attempt.id}"),
        ("POST", f"/admin/exams/attempts/{attempt.id}/release-device"),
    ]
    district_admin = signed_in(app, "training_admin")
    for method, url in urls:
        assert district_admin.open(url, method=method).status_code == 404, url
    officer = signed_in(app, "officer")
    for method, url in urls:
        assert officer.open(url, method=method).status_code == 403, url
    db.session.refresh(attempt)
    assert attempt.device_hash == "0" * 64
    sys_admin = signed_in(app, "sys_admin")
    assert sys_admin.get(urls[0][1]).status_code == 200
    assert sys_admin.get(urls[1][1]).status_code == 200
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditLog.id)).where(
                AuditLog.action == "attempt_device_released"
            )
        )
        == 0
    )


def test_release_refused_after_submission(app, world):
    """Releasing the device of a submitted attempt changes nothing (message)."""
    arrangement = setup_exam(world)
    arrangement.organisation_id = world.district.id
    attempt = start_attempt(arrangement, world.users["officer"], START)
    from exams.attempts.services import submit_attempt

    submit_attempt(attempt, START + timedelta(minutes=1))
    db.session.commit()
    admin = signed_in(app, "sys_admin")
    page = admin.post(
        f"/admin/exams/attempts/{attempt.id}/release-device", follow_redirects=True
    )
    assert "答卷已提交，无需更换设备" in page.get_data(as_text=True)
    assert attempt.status != "in_progress"


def test_json_saves_and_release_need_the_csrf_token(app, world):
    """With CSRF on (as in production), a 标记 save without the page's token is
    refused and nothing is stored; with the X-CSRFToken header of the exam page it
    is saved. The release form needs its token too."""
    arrangement = setup_exam(world)
    arrangement.organisation_id = world.district.id
    db.session.commit()
    with freeze_time(START):
        client = signed_in(app)
        admin = signed_in(app, "sys_admin")
        attempt_id = start(client, arrangement)
        page = client.get(f"/exams/attempts/{attempt_id}").get_data(as_text=True)
        token = re.search(r'data-csrf="([^"]+)"', page)[1]
        app.config["WTF_CSRF_ENABLED"] = True
        url = f"/exams/attempts/{attempt_id}/answers"
        forged = client.post(url, json={"position": 0, "flagged": True})
        assert forged.status_code == 400
        assert db.session.scalar(sa.select(sa.func.count(Answer.id))) == 0
        ok = client.post(
            url, json={"position": 0, "flagged": True}, headers={"X-CSRFToken": token}
        )
        assert ok.get_json()["flagged"] is True
        release = admin.post(f"/admin/exams/attempts/{attempt_id}/release-device")
        assert release.status_code == 400
    assert "device_released" not in events(attempt_id)
