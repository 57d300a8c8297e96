"""Taking an exam (issue #5 core): server deadline, idempotent start and submit,
late saves refused, out-of-order saves, tab-switch limit, grading, auto-close."""

import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from exams.attempts.models import Attempt, AttemptEvent
from exams.attempts.services import (
    AttemptClosed,
    close_expired,
    record_event,
    remaining_seconds,
    save_answer,
    start_attempt,
    submit_attempt,
)
from exams.banks.models import QuestionVersion
from exams.banks.services import commit_import, ensure_bank, plan_import
from exams.formats.model import ImportedQuestion, ImportResult
from exams.papers.services import (
    create_arrangement,
    create_blueprint_paper,
    enrol_candidates,
)
from portal.actor import Actor
from portal.exceptions import NotAllowed
from portal.extensions import db

START = datetime(2027, 1, 10, 1, 0)  # stored UTC


def setup_exam(world, *, duration=60, window_hours=8, tab_limit=3, policy="partial"):
    bank = ensure_bank("ATT")
    rows = [
        ImportedQuestion(
            type="single",
            stem=f"单选{n}：第{n}种情形？",
            options={"A": f"甲{n}", "B": f"乙{n}", "C": f"丙{n}"},
            key=["A"],
            source=f"s{n}",
        )
        for n in range(3)
    ] + [
        ImportedQuestion(
            type="multiple",
            stem="多选：下列哪些属于行政处罚？",
            options={"A": "警告", "B": "罚款", "C": "批评教育", "D": "没收违法所得"},
            key=["A", "B", "D"],
            source="m",
        ),
        ImportedQuestion(
            type="fill_blank",
            stem="不服行政处罚的，可以申请____。",
            blanks=[["行政复议", "复议"]],
            source="f",
        ),
    ]
    plan = plan_import(ImportResult(questions=rows, format="xlsx"), bank)
    commit_import(plan, bank, Actor.system())
    paper = create_blueprint_paper(
        "考试卷",
        [
            {
                "bank_id": bank.id,
                "type": "single",
                "count": 3,
                "score_each": Decimal(20),
            },
            {
                "bank_id": bank.id,
                "type": "multiple",
                "count": 1,
                "score_each": Decimal(30),
            },
            {
                "bank_id": bank.id,
                "type": "fill_blank",
                "count": 1,
                "score_each": Decimal(10),
            },
        ],
        pool_factor=Decimal(1),
    )
    paper.multiple_policy = policy
    arrangement = create_arrangement(
        paper,
        name="考试",
        kind="training",
        window_start=START,
        window_end=START + timedelta(hours=window_hours),
        duration_minutes=duration,
        tab_switch_limit=tab_limit,
        attempts_allowed=1,
        makeup_attempts=0,
    )
    enrol_candidates(arrangement, users=[world.users["officer"]])
    db.session.commit()
    return arrangement


def key_for(attempt, position):
    """The correct response of a drawn item (tests answer like a good candidate)."""
    item = attempt.candidate_paper.items[position]
    version = db.session.get(QuestionVersion, item["version_id"])
    if version.type == "fill_blank":
        return ["复议"]
    return version.spec["key"]


def test_start_is_idempotent_and_deadline_is_server_side(app, world):
    """Starting twice gives one attempt; the deadline is start + duration, cut at
    the window end; before the window nothing starts."""
    arrangement = setup_exam(world, duration=60, window_hours=8)
    officer = world.users["officer"]
    with pytest.raises(NotAllowed, match="尚未开始"):
        start_attempt(arrangement, officer, START - timedelta(minutes=1))
    first = start_attempt(arrangement, officer, START + timedelta(minutes=5))
    again = start_attempt(arrangement, officer, START + timedelta(minutes=6))
    assert first.id == again.id
    assert first.deadline_at == START + timedelta(minutes=65)
    assert remaining_seconds(first, START + timedelta(minutes=64)) == 60
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 1


def test_window_end_cuts_the_deadline(app, world):
    """Starting 20 minutes before the window closes gives 20 minutes, not 60."""
    arrangement = setup_exam(world, duration=60, window_hours=1)
    attempt = start_attempt(
        arrangement, world.users["officer"], START + timedelta(minutes=40)
    )
    assert attempt.deadline_at == START + timedelta(hours=1)


def test_saves_grading_and_double_submit(app, world):
    """Answers autosave; an older retried save does not overwrite a newer one; the
    paper's 多选 policy applies; a second submit returns the same result."""
    arrangement = setup_exam(world, policy="partial")
    attempt = start_attempt(arrangement, world.users["officer"], START)
    now = START + timedelta(minutes=10)
    saved = {}
    for position, item in enumerate(attempt.candidate_paper.items):
        version = db.session.get(QuestionVersion, item["version_id"])
        response = key_for(attempt, position)
        if version.type == "multiple":
            response = ["A", "B"]  # a correct subset: 2/3 of 30 under "partial"
        save_answer(attempt, position, response, seq=2, now=now)
        saved[position] = response
    save_answer(attempt, 0, ["C"], seq=1, now=now)  # a stale retry
    assert attempt.answers[0].response == saved[0]
    submit_attempt(attempt, START + timedelta(minutes=20))
    assert attempt.status == "graded"
    assert attempt.score == Decimal("90.00")  # 60 + 20 + 10
    assert attempt.passed is True
    score = attempt.score
    submit_attempt(attempt, START + timedelta(minutes=21))
    assert attempt.score == score
    assert attempt.submitted_at == START + timedelta(minutes=20)
    with pytest.raises(AttemptClosed):
        save_answer(attempt, 0, ["B"], seq=9, now=START + timedelta(minutes=22))


def test_late_save_is_refused_and_closes_the_attempt(app, world):
    """A save after the deadline is refused with a message; the attempt is closed
    at its deadline, not at the time of the late request."""
    arrangement = setup_exam(world, duration=30)
    attempt = start_attempt(arrangement, world.users["officer"], START)
    save_answer(
        attempt, 0, key_for(attempt, 0), seq=1, now=START + timedelta(minutes=29)
    )
    with pytest.raises(AttemptClosed, match="考试时间已到"):
        save_answer(attempt, 1, ["A"], seq=2, now=START + timedelta(minutes=31))
    assert attempt.status == "graded"
    assert attempt.submit_reason == "deadline"
    assert attempt.submitted_at == START + timedelta(minutes=30)
    # only the first item was answered (correctly) before the deadline
    assert attempt.score == Decimal(attempt.candidate_paper.items[0]["score"])
    with pytest.raises(NotAllowed, match="次数已用完"):
        start_attempt(
            arrangement, world.users["officer"], START + timedelta(minutes=40)
        )


def test_tab_switch_limit_submits(app, world):
    """Focus losses are logged; at the configured count the attempt is submitted."""
    arrangement = setup_exam(world, tab_limit=3)
    attempt = start_attempt(arrangement, world.users["officer"], START)
    assert record_event(attempt, "hidden", START + timedelta(minutes=1)) == 1
    record_event(attempt, "heartbeat", START + timedelta(minutes=2))
    record_event(attempt, "blur", START + timedelta(minutes=3))
    assert attempt.status == "in_progress"
    record_event(attempt, "hidden", START + timedelta(minutes=4))
    assert attempt.status != "in_progress"
    assert attempt.submit_reason == "tab_switch"
    kinds = db.session.scalars(
        sa.select(AttemptEvent.kind).where(AttemptEvent.attempt_id == attempt.id)
    ).all()
    # The heartbeat only moved last_seen_at (see test_heartbeat_is_not_an_event).
    assert kinds == ["hidden", "blur", "hidden"]


def test_periodic_job_closes_expired_attempts(app, world):
    """The periodic job submits attempts past their deadline (nobody came back)."""
    arrangement = setup_exam(world, duration=30)
    attempt = start_attempt(arrangement, world.users["officer"], START)
    db.session.commit()
    assert close_expired(START + timedelta(minutes=29)) == 0
    assert close_expired(START + timedelta(minutes=31)) == 1
    assert attempt.status == "graded"
    assert attempt.submitted_at == attempt.deadline_at


def test_item_analysis_of_an_arrangement(app, client, auth, world):
    """After grading, the arrangement's item analysis shows each question's facility
    and exports to .xlsx."""
    import io

    from openpyxl import load_workbook

    arrangement = setup_exam(world)
    enrol_candidates(arrangement, users=[world.users["auxiliary"]])
    arrangement.organisation_id = world.district.id
    for username, good in (("officer", True), ("auxiliary", False)):
        attempt = start_attempt(arrangement, world.users[username], START)
        for position in range(len(attempt.candidate_paper.items)):
            response = key_for(attempt, position) if good else ["Z"]
            save_answer(attempt, position, response, seq=1, now=START)
        submit_attempt(attempt, START + timedelta(minutes=5))
    db.session.commit()
    auth.login("training_admin")
    page = client.get(f"/admin/exams/arrangements/{arrangement.id}/analysis")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "参考 2 人" in text
    assert text.count("<td>0.50</td>") == 5  # one right, one wrong on every item
    export = client.get(
        f"/admin/exams/arrangements/{arrangement.id}/analysis?format=xlsx"
    )
    sheet = load_workbook(io.BytesIO(export.data))["试题分析"]
    assert sheet.max_row == 6  # header + 5 items


def test_bank_shows_item_statistics_next_to_questions(app, client, auth, world):
    """The bank page shows each question's facility / discrimination from the most
    recent graded exam that drew from the bank."""
    arrangement = setup_exam(world)
    enrol_candidates(arrangement, users=[world.users["auxiliary"]])
    for username, good in (("officer", True), ("auxiliary", False)):
        attempt = start_attempt(arrangement, world.users[username], START)
        for position in range(len(attempt.candidate_paper.items)):
            response = key_for(attempt, position) if good else ["Z"]
            save_answer(attempt, position, response, seq=1, now=START)
        submit_attempt(attempt, START + timedelta(minutes=5))
    db.session.commit()
    auth.login("sys_admin")
    bank_id = arrangement.paper.rules[0].bank_id
    text = client.get(f"/admin/exams/banks/{bank_id}").get_data(as_text=True)
    assert text.count("0.50 / 1.00") == 5
    assert "最近一次考试：考试" in text


def test_candidate_pages_and_json_endpoints(app, client, auth, world):
    """The candidate starts from the list (twice → one attempt), autosaves over JSON,
    reports a focus loss, and after submitting sees the released result."""
    from portal.timeutil import utcnow

    arrangement = setup_exam(world)
    now = utcnow()
    arrangement.window_start = now - timedelta(hours=1)
    arrangement.window_end = now + timedelta(hours=2)
    arrangement.release_policy = "immediate"
    db.session.commit()
    auth.login("officer")
    assert arrangement.name in client.get("/exams/").get_data(as_text=True)
    first = client.post(f"/exams/{arrangement.id}/start")
    second = client.post(f"/exams/{arrangement.id}/start")
    assert first.headers["Location"] == second.headers["Location"]
    attempt = db.session.scalar(sa.select(Attempt))
    page = client.get(f"/exams/attempts/{attempt.id}").get_data(as_text=True)
    assert 'id="countdown"' in page
    for position in range(len(attempt.candidate_paper.items)):
        reply = client.post(
            f"/exams/attempts/{attempt.id}/answers",
            json={
                "position": position,
                "response": key_for(attempt, position),
                "seq": 5,
            },
        )
        assert reply.get_json()["ok"] is True
        assert 0 < reply.get_json()["remaining"] <= 3600
    bad = client.post(
        f"/exams/attempts/{attempt.id}/answers", json={"position": 99, "seq": 1}
    )
    assert bad.status_code == 409
    event = client.post(f"/exams/attempts/{attempt.id}/events", json={"kind": "hidden"})
    assert event.get_json()["switches"] == 1
    done = client.post(f"/exams/attempts/{attempt.id}/submit")
    assert done.headers["Location"].endswith(f"/exams/attempts/{attempt.id}/result")
    result = client.get(f"/exams/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "得分 <strong>100.00</strong> 分，合格" in result
    late = client.post(
        f"/exams/attempts/{attempt.id}/answers",
        json={"position": 0, "response": ["B"], "seq": 9},
    )
    assert late.status_code == 409
    assert "不能再修改" in late.get_json()["error"]


def test_blind_grading_queue_and_key_correction(app, client, auth, world):
    """A subjective item waits in the blind queue (no names); the score must lie
    within the item's maximum; grading makes the result final. Correcting a key
    regrades every attempt that used the question, and is audited."""
    from exams.attempts.services import correct_key
    from portal.audit.models import AuditLog

    bank = ensure_bank("GRADE")
    rows = [
        ImportedQuestion(
            type="true_false", stem="判断：行政处罚应当公开。", key=["对"], source="t"
        ),
        ImportedQuestion(
            type="essay",
            stem="简述行政处罚的种类。",
            reference_answer="警告、罚款……",
            source="e",
        ),
    ]
    commit_import(
        plan_import(ImportResult(questions=rows, format="xlsx"), bank),
        bank,
        Actor.system(),
    )
    paper = create_blueprint_paper(
        "含主观题",
        [
            {
                "bank_id": bank.id,
                "type": "true_false",
                "count": 1,
                "score_each": Decimal(40),
            },
            {
                "bank_id": bank.id,
                "type": "essay",
                "count": 1,
                "score_each": Decimal(60),
            },
        ],
        pool_factor=Decimal(1),
    )
    arrangement = create_arrangement(
        paper,
        name="主观题考试",
        kind="training",
        window_start=START,
        window_end=START + timedelta(hours=2),
    )
    enrol_candidates(arrangement, users=[world.users["officer"]])
    attempt = start_attempt(arrangement, world.users["officer"], START)
    for position, item in enumerate(attempt.candidate_paper.items):
        version = db.session.get(QuestionVersion, item["version_id"])
        response = (
            ["对"] if version.type == "true_false" else "警告、罚款、没收违法所得"
        )
        save_answer(attempt, position, response, seq=1, now=START)
    submit_attempt(attempt, START + timedelta(minutes=10))
    db.session.commit()
    assert attempt.status == "submitted"
    assert attempt.passed is None

    auth.login("training_admin")
    page = client.get("/admin/exams/grading").get_data(as_text=True)
    assert "警告、罚款、没收违法所得" in page
    assert world.users["officer"].name not in page
    essay = next(a for a in attempt.answers if a.version.type == "essay")
    too_much = client.post(
        "/admin/exams/grading",
        data={"answer_id": essay.id, "score": "61"},
        follow_redirects=True,
    )
    body = too_much.get_data(as_text=True)
    assert "得分应在 0 至 60 分之间" in body, re.findall(r"alert[^>]*>([^<]*)", body)
    client.post("/admin/exams/grading", data={"answer_id": essay.id, "score": "45"})
    db.session.refresh(attempt)
    assert attempt.status == "graded"
    assert attempt.score == Decimal("85.00")
    assert attempt.passed is True

    judge = next(a for a in attempt.answers if a.version.type == "true_false").version
    assert correct_key(judge, {"type": "true_false", "key": False}, Actor.system()) == 1
    db.session.commit()
    db.session.refresh(attempt)
    assert attempt.score == Decimal("45.00")
    assert attempt.passed is False
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditLog.id)).where(
                AuditLog.action == "key_corrected"
            )
        )
        == 1
    )
