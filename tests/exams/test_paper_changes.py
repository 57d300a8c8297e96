"""Changing papers and arrangements, the one start rule, 考试须知, 补考 on a
different paper and the focused exam page (issue #12)."""

import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from exams.attempts.eligibility import check_start
from exams.attempts.models import AttemptEvent
from exams.attempts.services import (
    record_event,
    save_answer,
    start_attempt,
    submit_attempt,
)
from exams.banks.models import QuestionVersion
from exams.banks.services import commit_import, ensure_bank, plan_import
from exams.formats.model import ImportedQuestion, ImportResult
from exams.papers import arrangements as lifecycle
from exams.papers import services as papers
from exams.papers.models import CandidatePaper
from portal.actor import Actor
from portal.audit.models import AuditLog
from portal.exceptions import InvalidState, NotAllowed
from portal.extensions import db
from portal.notifications.models import Notification
from tests import factories

START = datetime(2027, 3, 1, 1, 0)  # UTC


def _bank(code, singles=4, judgements=2, fills=0):
    bank = ensure_bank(code)
    rows = [
        ImportedQuestion(
            type="single",
            stem=f"{code}单选{n}：第{n}种情形应当如何处理？",
            options={"A": f"甲{n}", "B": f"乙{n}", "C": f"丙{n}"},
            key=["A"],
            knowledge_point="公共法律知识/行政处罚法",
            source=f"s{n}",
        )
        for n in range(singles)
    ]
    rows += [
        ImportedQuestion(
            type="true_false",
            stem=f"{code}判断{n}：第{n}项陈述是否正确？",
            key=["对"],
            source=f"t{n}",
        )
        for n in range(judgements)
    ]
    rows += [
        ImportedQuestion(
            type="fill_blank",
            stem=f"{code}填空{n}：不服行政处罚的，可以申请____。",
            blanks=[["行政复议"]],
            source=f"f{n}",
        )
        for n in range(fills)
    ]
    plan = plan_import(ImportResult(questions=rows, format="xlsx"), bank)
    assert plan.errors == []
    return bank, commit_import(plan, bank, Actor.system())


def _blueprint(bank, singles=2, judgements=1, pool_factor=Decimal(1)):
    rules = [
        {
            "bank_id": bank.id,
            "type": "true_false",
            "count": judgements,
            "score_each": Decimal(40),
        },
        {
            "bank_id": bank.id,
            "type": "single",
            "count": singles,
            "score_each": Decimal(60) / singles,
        },
    ]
    return papers.create_blueprint_paper(
        "变更测试卷", rules, pool_factor=pool_factor, pass_mark=Decimal(60)
    )


def _arrangement(
    world,
    paper,
    *,
    status="published",
    attempts=1,
    makeup=1,
    release="immediate",
    hours=8,
    users=("officer",),
):
    arrangement = papers.create_arrangement(
        paper,
        name="变更测试考试",
        kind="training",
        window_start=START,
        window_end=START + timedelta(hours=hours),
        duration_minutes=30,
        attempts_allowed=attempts,
        makeup_attempts=makeup,
        release_policy=release,
        tab_switch_limit=3,
        status=status,
        organisation_id=world.district.id,
    )
    papers.enrol_candidates(arrangement, users=[world.users[u] for u in users])
    db.session.flush()
    return arrangement


def _notes(user, kind):
    return db.session.scalars(
        sa.select(Notification.title).where(
            Notification.user_id == user.id, Notification.kind == kind
        )
    ).all()


def _fail(attempt, at):
    """Submit with every answer left blank: graded and failed."""
    submit_attempt(attempt, at)
    assert attempt.status == "graded"
    assert attempt.passed is False
    return attempt


def _version_ids(attempt):
    return {item["version_id"] for item in attempt.candidate_paper.items}


# Papers --------------------------------------------------------------------------


def test_paper_settings_and_rules_change_until_used_then_copy(app, world):
    """Settings and rules change freely until a personal paper is drawn; then
    every change is refused with a Chinese reason and 复制为新试卷 gives an
    unused copy that can be changed."""
    admin = Actor.system()
    bank, _ = _bank("CHG1", singles=6, judgements=2)
    paper = _blueprint(bank)
    assert papers.update_paper_settings(
        paper, admin, pass_mark=Decimal(70), multiple_policy="partial"
    ) == ["pass_mark", "multiple_policy"]
    rule = paper.rules[1]
    papers.update_rule(paper, rule, admin, count=3, score_each=Decimal(20))
    assert papers.validate_paper(paper) == []
    with pytest.raises(InvalidState, match="及格分不能高于总分"):
        papers.update_paper_settings(paper, admin, pass_mark=Decimal(120))
    extra = papers.add_rule(
        paper, admin, bank_id=bank.id, type="single", count=1, score_each=Decimal(5)
    )
    papers.remove_rule(paper, extra, admin)
    assert [r.position for r in paper.rules] == [1, 2]
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditLog.id)).where(
                AuditLog.action == "paper_edited", AuditLog.target_id == str(paper.id)
            )
        )
        >= 4
    )
    assert not papers.paper_used(paper)

    arrangement = _arrangement(world, paper)
    papers.pregenerate(arrangement, admin)
    assert papers.paper_used(paper)
    with pytest.raises(InvalidState, match="试卷已被使用"):
        papers.update_paper_settings(paper, admin, pass_mark=Decimal(50))
    with pytest.raises(InvalidState, match="复制为新试卷"):
        papers.update_rule(paper, rule, admin, count=2)
    with pytest.raises(InvalidState, match="试卷已被使用"):
        papers.remove_rule(paper, rule, admin)

    copy = papers.copy_paper(paper, admin, name="变更测试卷（第二版）")
    assert not papers.paper_used(copy)
    assert [(r.type, r.count) for r in copy.rules] == [
        (r.type, r.count) for r in paper.rules
    ]
    assert (copy.pass_mark, copy.multiple_policy) == (Decimal(70), "partial")
    papers.update_paper_settings(copy, admin, pass_mark=Decimal(50))
    assert paper.pass_mark == Decimal(70)


def test_fixed_paper_search_reorder_remove_and_sections(app, world):
    """A fixed paper is built from search results (bank, type, knowledge point,
    text), reordered and trimmed; the order inside a type is the one the
    candidate sees; sections follow the bank order of types."""
    admin = Actor.system()
    bank, questions = _bank("CHG2", singles=3, judgements=2, fills=1)
    found = db.session.execute(
        papers.search_questions([bank.id], qtype="single", text="单选1")
    ).all()
    assert [q.id for q, _v in found] == [questions[1].id]
    points = db.session.execute(
        papers.search_questions(
            [bank.id], point_id=questions[0].current.knowledge_point_id
        )
    ).all()
    assert {q.id for q, _v in points} == {q.id for q in questions[:3]}
    by_number = db.session.execute(
        papers.search_questions([bank.id], text=str(questions[4].id))
    ).all()
    assert questions[4].id in {q.id for q, _v in by_number}

    paper = papers.create_blueprint_paper(
        "固定卷", [], kind="fixed", total=Decimal(60), pass_mark=Decimal(36)
    )
    # Added: fill, judgement, single 2, single 0, single 1 (types interleaved).
    picked = [questions[5], questions[3], questions[2], questions[0], questions[1]]
    papers.add_fixed_items(paper, picked, Decimal(12))
    items = list(paper.items)
    papers.move_item(paper, items[3], -1, admin)  # single 0 before single 2
    papers.remove_item(paper, paper.items[4], admin)  # drop single 1
    db.session.refresh(paper)
    assert [i.position for i in paper.items] == [1, 2, 3, 4]
    paper.total_score = Decimal(48)
    assert papers.validate_paper(paper) == []
    paper.shuffle_questions = True  # never reorders a fixed paper
    drawn = papers.draw(paper, "any-seed")
    ids = [d.version_id for d in drawn]
    assert ids == [
        questions[0].current_version_id,
        questions[2].current_version_id,
        questions[3].current_version_id,
        questions[5].current_version_id,
    ]
    heads = papers.sections(
        [("single", 12), ("single", 12), ("true_false", 12), ("fill_blank", 12)]
    )
    assert {k: (s.number, s.title, s.count) for k, s in heads.items()} == {
        0: ("一", "单项选择题", 2),
        2: ("二", "判断题", 1),
        3: ("三", "填空题", 1),
    }


# Arrangements ---------------------------------------------------------------------


def test_draft_is_invisible_until_published(app, world):
    """A draft is neither shown nor told; publishing tells the candidates once."""
    bank, _ = _bank("CHG3")
    arrangement = _arrangement(world, _blueprint(bank), status="draft")
    officer = world.users["officer"]
    assert _notes(officer, "exam_scheduled") == []
    assert check_start(arrangement, officer.id, START).code == "not_enrolled"
    lifecycle.publish(arrangement, Actor.system())
    assert _notes(officer, "exam_scheduled") == ["考试安排：变更测试考试"]
    assert check_start(arrangement, officer.id, START).ok
    with pytest.raises(InvalidState, match="只有草稿"):
        lifecycle.publish(arrangement, Actor.system())
    # Before the first start a candidate can be taken off the list (told).
    lifecycle.remove_candidate(arrangement, arrangement.candidates[0], Actor.system())
    assert _notes(officer, "exam_cancelled") == ["考试取消：变更测试考试"]
    assert check_start(arrangement, officer.id, START).code == "not_enrolled"


def test_arrangement_changes_until_first_start_then_refused(app, world):
    """Window, duration and rules change before the first start (audited, the
    candidates told); after it every change is refused with the reason;
    取消 still works, with a reason, and stops further starts."""
    bank, _ = _bank("CHG4")
    arrangement = _arrangement(world, _blueprint(bank), users=("officer", "auxiliary"))
    officer = world.users["officer"]
    changed = lifecycle.update_arrangement(
        arrangement,
        Actor.system(),
        window_end=START + timedelta(hours=10),
        duration_minutes=45,
    )
    assert changed == ["window_end", "duration_minutes"]
    assert _notes(officer, "exam_changed") == ["考试变更：变更测试考试"]
    log = db.session.scalar(
        sa.select(AuditLog).where(AuditLog.action == "arrangement_changed")
    )
    assert "45" in log.after
    assert "30" in log.before
    lifecycle.postpone(arrangement, Actor.system(), START + timedelta(days=1))
    assert arrangement.window_start == START + timedelta(days=1)
    assert arrangement.window_end == START + timedelta(days=1, hours=10)
    assert len(_notes(officer, "exam_changed")) == 2
    with pytest.raises(InvalidState, match="结束时间必须晚于开始时间"):
        lifecycle.update_arrangement(arrangement, Actor.system(), window_end=START)

    start_attempt(arrangement, officer, START + timedelta(days=1, minutes=5))
    assert lifecycle.started(arrangement)
    with pytest.raises(InvalidState, match="已有考生开始考试"):
        lifecycle.update_arrangement(arrangement, Actor.system(), duration_minutes=60)
    with pytest.raises(InvalidState, match="已有考生开始考试"):
        lifecycle.postpone(arrangement, Actor.system(), START + timedelta(days=2))
    entry = next(c for c in arrangement.candidates if c.user_id == officer.id)
    with pytest.raises(InvalidState, match="已有考生开始考试"):
        lifecycle.remove_candidate(arrangement, entry, Actor.system())
    with pytest.raises(InvalidState, match="请填写取消原因"):
        lifecycle.cancel(arrangement, Actor.system(), " ", START)
    lifecycle.cancel(arrangement, Actor.system(), "考场网络故障", START)
    auxiliary = world.users["auxiliary"]
    assert _notes(auxiliary, "exam_cancelled") == ["考试取消：变更测试考试"]
    check = check_start(arrangement, auxiliary.id, START + timedelta(days=1, hours=1))
    assert (check.ok, check.reason) == (False, "考试已取消：考场网络故障")
    with pytest.raises(NotAllowed, match="考场网络故障"):
        start_attempt(arrangement, auxiliary, START + timedelta(days=1, hours=1))


# The one start rule and 补考 ---------------------------------------------------


def test_start_rule_reasons_and_makeup_after_released_failure(app, world):
    """Every refusal has its reason; a 补考 waits for the released failed result
    and then draws a different paper when the pool is big enough."""
    bank, _ = _bank("CHG5", singles=8, judgements=4)
    paper = _blueprint(bank)  # 2 singles + 1 judgement from 8 + 4
    arrangement = _arrangement(world, paper, release="manual")
    officer = world.users["officer"]
    assert check_start(arrangement, officer.id, START - timedelta(minutes=1)).code == (
        "not_open"
    )
    assert (
        "未到开考时间"
        in check_start(arrangement, officer.id, START - timedelta(minutes=1)).reason
    )
    assert check_start(arrangement, officer.id, START + timedelta(hours=8)).reason == (
        "考试已结束"
    )
    first = start_attempt(arrangement, officer, START + timedelta(minutes=1))
    resume = check_start(arrangement, officer.id, START + timedelta(minutes=2))
    assert resume.ok
    assert resume.resume.id == first.id
    _fail(first, START + timedelta(minutes=10))
    pending = check_start(arrangement, officer.id, START + timedelta(minutes=11))
    assert (pending.ok, pending.code) == (False, "result_pending")
    assert pending.reason.startswith("成绩未公布前不能补考")
    with pytest.raises(NotAllowed, match="成绩未公布前不能补考"):
        start_attempt(arrangement, officer, START + timedelta(minutes=11))

    arrangement.results_released_at = START + timedelta(minutes=12)  # released
    makeup = check_start(arrangement, officer.id, START + timedelta(minutes=13))
    assert makeup.ok
    assert makeup.is_makeup
    assert makeup.sitting == 2
    second = start_attempt(arrangement, officer, START + timedelta(minutes=13))
    assert second.number == 2
    assert second.candidate_paper.sitting == 2
    assert _version_ids(second).isdisjoint(_version_ids(first))
    assert second.candidate_paper.repeated == 0
    _fail(second, START + timedelta(minutes=20))
    used_up = check_start(arrangement, officer.id, START + timedelta(minutes=21))
    assert (used_up.code, used_up.reason) == ("used_up", "考试次数已用完")


def test_makeup_on_an_exact_pool_repeats_and_says_so(app, world):
    """With a pool exactly the size of the draw there is no other paper: the
    补考 uses the same questions (new order) and records how many repeat."""
    bank, _ = _bank("CHG6", singles=2, judgements=1)
    arrangement = _arrangement(world, _blueprint(bank))
    officer = world.users["officer"]
    first = _fail(
        start_attempt(arrangement, officer, START), START + timedelta(minutes=5)
    )
    second = start_attempt(arrangement, officer, START + timedelta(minutes=6))
    assert _version_ids(second) == _version_ids(first)
    assert second.candidate_paper.repeated == 3
    db.session.commit()
    with freeze_time(START + timedelta(minutes=7)):
        client = factories.signed_in(app, "officer")
        page = client.get(f"/exams/attempts/{second.id}").get_data(as_text=True)
    assert "本次补考试卷有 3 道题与此前的试卷相同" in page
    assert (
        db.session.scalar(
            sa.select(sa.func.count(CandidatePaper.id)).where(
                CandidatePaper.arrangement_id == arrangement.id
            )
        )
        == 2
    )


def test_passed_and_prerequisite_reasons(app, world):
    """已通过 stops another sitting; 待前置考试通过 names the prerequisite."""
    bank, _ = _bank("CHG7", singles=2, judgements=1)
    special = _arrangement(world, _blueprint(bank))
    general = _arrangement(world, special.paper)
    general.prerequisite_id = special.id
    officer = world.users["officer"]
    db.session.flush()
    waiting = check_start(general, officer.id, START)
    assert waiting.code == "prerequisite"
    assert "变更测试考试" in waiting.reason
    attempt = start_attempt(special, officer, START)
    for position, item in enumerate(attempt.candidate_paper.items):
        key = db.session.get(QuestionVersion, item["version_id"]).spec["key"]
        save_answer(attempt, position, key, seq=1, now=START)
    submit_attempt(attempt, START + timedelta(minutes=1))
    assert attempt.passed
    assert check_start(special, officer.id, START + timedelta(minutes=2)).reason == (
        "已通过本场考试"
    )
    assert check_start(general, officer.id, START + timedelta(minutes=2)).ok


def test_leaving_the_page_counts_like_a_tab_switch(app, world):
    """A "leave" (back, reload, another page in the same tab) is logged and
    counts toward the tab-switch limit."""
    bank, _ = _bank("CHG8", singles=2, judgements=1)
    arrangement = _arrangement(world, _blueprint(bank))
    attempt = start_attempt(arrangement, world.users["officer"], START)
    assert record_event(attempt, "leave", START + timedelta(minutes=1)) == 1
    record_event(attempt, "hidden", START + timedelta(minutes=2))
    record_event(attempt, "leave", START + timedelta(minutes=3))
    assert attempt.submit_reason == "tab_switch"
    kinds = db.session.scalars(
        sa.select(AttemptEvent.kind).where(AttemptEvent.attempt_id == attempt.id)
    ).all()
    assert kinds.count("leave") == 2


# Routes ---------------------------------------------------------------------------


def test_candidate_pages_notice_focused_exam_and_makeup_refusal(app, world):
    """我的考试 offers 开始考试 only when a start would succeed and links to the
    考试须知 (facts, start button); the clock starts on its POST; the exam page
    has no site navigation, has section headings and a fixed live warning; a
    leave is accepted; a 补考 before release is refused with the reason on
    every page."""
    bank, _ = _bank("CHG9", singles=6, judgements=3)
    arrangement = _arrangement(world, _blueprint(bank), release="manual")
    db.session.commit()
    with freeze_time(START - timedelta(minutes=10)):
        client = factories.signed_in(app, "officer")
        html = client.get("/exams/").get_data(as_text=True)
        assert "未到开考时间" in html
        assert f"/exams/{arrangement.id}/notice" not in html
    with freeze_time(START + timedelta(minutes=1)):
        html = client.get("/exams/").get_data(as_text=True)
        assert f"/exams/{arrangement.id}/notice" in html
        assert "开始考试" in html
        dashboard = client.get("/dashboard").get_data(as_text=True)
        assert f"/exams/{arrangement.id}/notice" in dashboard
        notice = client.get(f"/exams/{arrangement.id}/notice").get_data(as_text=True)
        for fact in (
            "30 分钟",
            "3 题",
            "100.0 分 / 60.0 分",
            "累计 3 次将自动交卷",
            "不能粘贴",
            "自动交卷",
            "开始答题",
        ):
            assert fact in notice, fact
        response = client.post(f"/exams/{arrangement.id}/start")
        attempt_id = int(
            re.search(r"/attempts/(\d+)$", response.headers["Location"])[1]
        )
        page = client.get(f"/exams/attempts/{attempt_id}").get_data(as_text=True)
        assert 'id="mainNav"' not in page
        assert "<footer" not in page
        assert "一、单项选择题" in page
        assert "二、判断题" in page
        assert page.index("一、单项选择题") < page.index("二、判断题")
        assert 'class="alert alert-warning exam-warning d-none" role="alert"' in page
        reply = client.post(
            f"/exams/attempts/{attempt_id}/events", json={"kind": "leave"}
        ).get_json()
        assert reply["ok"]
        assert reply["switches"] == 1
        # The notice of a running attempt goes back to it.
        again = client.get(f"/exams/{arrangement.id}/notice")
        assert again.headers["Location"].endswith(f"/exams/attempts/{attempt_id}")
        client.post(f"/exams/attempts/{attempt_id}/submit")
    with freeze_time(START + timedelta(minutes=20)):
        html = client.get("/exams/").get_data(as_text=True)
        assert "成绩未公布前不能补考" in html
        assert f"/exams/{arrangement.id}/notice" not in html
        dashboard = client.get("/dashboard").get_data(as_text=True)
        assert "成绩未公布前不能补考" in dashboard
        notice = client.get(f"/exams/{arrangement.id}/notice").get_data(as_text=True)
        assert "现在不能开始：成绩未公布前不能补考" in notice
        assert "confirm-start" not in notice
        refused = client.post(f"/exams/{arrangement.id}/start", follow_redirects=True)
        assert "成绩未公布前不能补考" in refused.get_data(as_text=True)


def test_admin_routes_change_then_refuse_after_start(app, world):
    """The arrangement page changes the window before the first start and shows
    the refusal after it; a used paper offers 复制为新试卷 instead of edits."""
    bank, _ = _bank("CHG10", singles=4, judgements=2)
    paper = _blueprint(bank)
    arrangement = _arrangement(world, paper)
    db.session.commit()
    admin = factories.signed_in(app, "training_admin")
    form = {
        "edit-name": "变更测试考试",
        "edit-window_start": "2027-03-01T09:00",
        "edit-window_end": "2027-03-01T20:00",
        "edit-duration_minutes": "40",
        "edit-attempts_allowed": "1",
        "edit-makeup_attempts": "1",
        "edit-tab_switch_limit": "3",
        "edit-release_policy": "immediate",
    }
    url = f"/admin/exams/arrangements/{arrangement.id}"
    response = admin.post(f"{url}/edit", data=form, follow_redirects=True)
    assert "考试安排已修改，已通知考生" in response.get_data(as_text=True)
    db.session.refresh(arrangement)
    assert arrangement.window_end == START + timedelta(hours=11)
    assert arrangement.duration_minutes == 40
    start_attempt(arrangement, world.users["officer"], START + timedelta(minutes=1))
    db.session.commit()
    page = admin.get(url).get_data(as_text=True)
    assert "已有考生开始考试" in page
    assert f'action="/admin/exams/arrangements/{arrangement.id}/edit"' not in page
    form["edit-duration_minutes"] = "90"
    refused = admin.post(f"{url}/edit", data=form, follow_redirects=True)
    assert "修改未保存：已有考生开始考试" in refused.get_data(as_text=True)
    db.session.refresh(arrangement)
    assert arrangement.duration_minutes == 40

    paper_page = admin.get(f"/admin/exams/papers/{paper.id}").get_data(as_text=True)
    assert "复制为新试卷" in paper_page
    assert "修改试卷设置" not in paper_page
    assert "一、判断题" not in paper_page
    assert "一、单项选择题" in paper_page
    copied = admin.post(
        f"/admin/exams/papers/{paper.id}/copy",
        data={"copy-name": "变更测试卷（新）"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "已复制为新试卷" in copied
    assert "修改试卷设置" in copied


def test_fixed_paper_routes_search_add_move_remove(app, world):
    """Through the pages: search by type and text, tick results, move and remove;
    the bank's other types are not offered when filtered."""
    bank, questions = _bank("CHG11", singles=3, judgements=2)
    paper = papers.create_blueprint_paper(
        "固定路由卷", [], kind="fixed", total=Decimal(30), pass_mark=Decimal(18)
    )
    db.session.commit()
    admin = factories.signed_in(app, "training_admin")
    url = f"/admin/exams/papers/{paper.id}"
    page = admin.get(f"{url}?bank={bank.id}&type=single&q=CHG11").get_data(as_text=True)
    assert "找到 3 道试题" in page
    assert "CHG11判断" not in page
    picked = [questions[2].id, questions[0].id]
    added = admin.post(
        f"{url}/items/add",
        data={"question_id": [str(i) for i in picked], "score": "10"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "已加入 2 道试题" in added
    db.session.expire_all()
    assert [i.version.question_id for i in paper.items] == picked
    second = paper.items[1]
    admin.post(f"{url}/items/{second.id}/move", data={"direction": "up"})
    db.session.expire_all()
    assert [i.version.question_id for i in paper.items] == picked[::-1]
    admin.post(f"{url}/items/{paper.items[0].id}/remove")
    db.session.expire_all()
    assert [i.version.question_id for i in paper.items] == [picked[0]]
    assert [i.position for i in paper.items] == [1]


def test_one_candidate_added_by_hand_is_told(app, world):
    """添加一名考生 on the arrangement page: a newcomer adds one person without
    preparing an .xlsx list; the new candidate is told of the published exam
    (once), an unknown login and a second add change nothing, and the add is
    refused once someone has started."""
    bank, _ = _bank("CHG-ADD")
    arrangement = _arrangement(world, _blueprint(bank))
    auxiliary = world.users["auxiliary"]
    db.session.commit()
    admin = factories.signed_in(app, "training_admin")
    url = f"/admin/exams/arrangements/{arrangement.id}"
    page = admin.get(url).get_data(as_text=True)
    assert "添加一名考生" in page
    assert 'id="add-login"' in page
    unknown = admin.post(
        f"{url}/candidates/add", data={"add-login": "nobody"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "考生未添加" in unknown
    added = admin.post(
        f"{url}/candidates/add",
        data={"add-login": auxiliary.username},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert f"已添加考生 {auxiliary.name}" in added
    db.session.expire_all()
    assert auxiliary.id in {c.user_id for c in arrangement.candidates}
    assert _notes(auxiliary, "exam_scheduled") == ["考试安排：变更测试考试"]
    # The officer, on the list from the start, is not told a second time.
    assert _notes(world.users["officer"], "exam_scheduled") == [
        "考试安排：变更测试考试"
    ]
    assert db.session.scalar(
        sa.select(sa.func.count(AuditLog.id)).where(
            AuditLog.action == "candidates_enrolled"
        )
    )
    again = admin.post(
        f"{url}/candidates/add",
        data={"add-login": auxiliary.username},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "已在考试名单中" in again
    assert _notes(auxiliary, "exam_scheduled") == ["考试安排：变更测试考试"]
    start_attempt(arrangement, world.users["officer"], START)
    db.session.commit()
    refused = admin.post(
        f"{url}/candidates/add",
        data={"add-login": world.users["training_admin"].username},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "考生未添加" in refused
