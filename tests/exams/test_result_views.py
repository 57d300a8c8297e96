"""Results: manual release (audited, idempotent, scoped), what the candidate's
result page shows under each release policy, the answer review with keys, and the
考试统计 page and its Excel exports."""

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from freezegun import freeze_time
from openpyxl import load_workbook

from exams.attempts.services import (
    grade_manually,
    pending_manual_answers,
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
from exams.results.services import review_items
from portal.actor import Actor
from portal.audit.models import AuditLog
from portal.extensions import db
from portal.laws.services import add_provision
from tests.exams.test_attempts import START, key_for, setup_exam
from tests.exams.test_reports import answer, build_report_world

END = START + timedelta(hours=8)  # setup_exam's window: 09:00 UTC = 17:00 北京时间


def submitted_attempt(world, *, policy="immediate", show_answers=False, makeup=0):
    """The world officer's graded attempt: every item answered correctly except
    the 多选 (A and B chosen, key A B D: 20 of 30 under 'partial')."""
    arrangement = setup_exam(world)
    arrangement.release_policy = policy
    arrangement.show_answers = show_answers
    arrangement.makeup_attempts = makeup
    arrangement.organisation_id = world.district.id
    attempt = start_attempt(arrangement, world.users["officer"], START)
    for position, item in enumerate(attempt.candidate_paper.items):
        version = db.session.get(QuestionVersion, item["version_id"])
        response = key_for(attempt, position)
        if version.type == "multiple":
            response = ["A", "B"]
        save_answer(attempt, position, response, seq=1, now=START)
    submit_attempt(attempt, START + timedelta(minutes=10))
    db.session.commit()
    assert attempt.score == Decimal("90.00")
    return attempt


def as_user(auth, username):
    """Sign out whoever is signed in, then sign in as ``username``."""
    auth.logout()
    assert auth.login(username).status_code == 302


def result_of(client, attempt):
    response = client.get(f"/exams/attempts/{attempt.id}/result")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def audit_count(action):
    return db.session.scalar(
        sa.select(sa.func.count(AuditLog.id)).where(AuditLog.action == action)
    )


def assert_no_keys(page, attempt):
    """Nothing of the answer review reaches the page: no review, no key labels, no
    option texts, no accepted blank answers."""
    assert "答卷详情" not in page
    assert "正确答案" not in page
    assert "review-item" not in page
    for item in attempt.candidate_paper.items:
        version = db.session.get(QuestionVersion, item["version_id"])
        for text in (version.spec.get("options") or {}).values():
            assert text not in page
    assert "行政复议" not in page


# Candidate result page -----------------------------------------------------------


def test_immediate_release_without_answers(app, client, auth, world):
    """Immediate release: score, pass mark, 合格 and attempts used; with
    show_answers off there is no key anywhere in the HTML."""
    attempt = submitted_attempt(world, policy="immediate", show_answers=False)
    as_user(auth, "officer")
    page = result_of(client, attempt)
    assert "得分 <strong>90.00</strong> 分，合格（及格分 60.00，总分 100.00）" in page
    assert "已考 1 次，共可考 1 次" in page
    assert "已合格，无需补考" in page
    assert_no_keys(page, attempt)


def test_after_window_release_follows_the_clock(app, client, auth, world):
    """after_window: before the end the page says when (北京时间) and shows no score;
    after the end the score is there."""
    attempt = submitted_attempt(world, policy="after_window", show_answers=True)
    with freeze_time(END - timedelta(minutes=1)) as frozen:
        as_user(auth, "officer")
        page = result_of(client, attempt)
        assert "已交卷" in page
        assert "成绩将于 2027-01-10 17:00（北京时间）考试结束后公布" in page
        assert "90.00" not in page
        assert_no_keys(page, attempt)
        frozen.move_to(END)
        as_user(auth, "officer")
        page = result_of(client, attempt)
        assert "得分 <strong>90.00</strong> 分，合格" in page
        assert "答卷详情" in page


def test_manual_release_by_the_administrator(app, client, auth, world):
    """manual: released as soon as marking is done, even before the window ends
    (audited, a second click changes nothing); the candidate then sees the result
    and is notified; a withdrawal needs a reason, hides the result again, is
    audited and notified too. Refused while a candidate sits or answers wait."""
    from portal.notifications.models import Notification

    attempt = submitted_attempt(world, policy="manual")
    arrangement = attempt.arrangement
    release = f"/admin/exams/arrangements/{arrangement.id}/results/release"
    withdraw = f"/admin/exams/arrangements/{arrangement.id}/results/withdraw"
    with freeze_time(END - timedelta(hours=1)):
        as_user(auth, "officer")
        page = result_of(client, attempt)
        assert "成绩将由管理员统一公布" in page
        assert "90.00" not in page

        as_user(auth, "training_admin")
        page = client.get(f"/admin/exams/arrangements/{arrangement.id}")
        assert "阅卷已完成，可以公布" in page.get_data(as_text=True)
        first = client.post(release, follow_redirects=True)
        assert "成绩已公布" in first.get_data(as_text=True)
        again = client.post(release, follow_redirects=True)
        assert "成绩此前已公布" in again.get_data(as_text=True)
        assert audit_count("results_released") == 1
        db.session.refresh(arrangement)
        assert arrangement.results_released_at == END - timedelta(hours=1)
        shown = client.get(f"/admin/exams/arrangements/{arrangement.id}")
        assert "2027-01-10 16:00 人工公布" in shown.get_data(as_text=True)

        as_user(auth, "officer")
        page = result_of(client, attempt)
        assert "得分 <strong>90.00</strong> 分，合格" in page
        assert_no_keys(page, attempt)  # show_answers is off

        as_user(auth, "training_admin")
        refused = client.post(withdraw, data={"reason": " "}, follow_redirects=True)
        assert "请填写撤回原因" in refused.get_data(as_text=True)
        client.post(withdraw, data={"reason": "误发布"})
        client.post(withdraw, data={"reason": "误发布"})
        assert audit_count("results_withdrawn") == 1
        as_user(auth, "officer")
        page = result_of(client, attempt)
        assert "90.00" not in page
        assert "成绩将由管理员统一公布" in page
    kinds = db.session.scalars(
        sa.select(Notification.kind).where(
            Notification.user_id == world.users["officer"].id
        )
    ).all()
    assert "result_released" in kinds
    assert "result_withdrawn" in kinds


def test_release_waits_for_marking_and_sitting(app, world):
    """Refused while an essay waits for a marker; refused before the window ends
    when answers are shown to candidates; allowed once marked."""
    from exams.results.services import release_blocker, release_results
    from portal.exceptions import InvalidState

    attempt = essay_attempt(world, "依法立案", show_answers=True)
    arrangement = attempt.arrangement
    arrangement.release_policy = "manual"
    assert "未评完" in release_blocker(arrangement, START + timedelta(hours=1))
    with pytest.raises(InvalidState):
        release_results(arrangement, Actor.system(), START + timedelta(hours=1))
    essay = next(a for a in attempt.answers if a.version.type == "essay")
    grade_manually(essay, Decimal(30), Actor.system())
    assert "公开答案" in release_blocker(arrangement, START + timedelta(hours=1))
    arrangement.show_answers = False
    assert release_blocker(arrangement, START + timedelta(hours=1)) is None
    assert release_results(arrangement, Actor.system(), START + timedelta(hours=1))


def test_release_refused_for_automatic_policies(app, client, auth, world):
    """Only manual arrangements are released by hand; the button is not offered."""
    attempt = submitted_attempt(world, policy="after_window")
    arrangement = attempt.arrangement
    as_user(auth, "sys_admin")
    page = client.get(f"/admin/exams/arrangements/{arrangement.id}")
    assert "results/release" not in page.get_data(as_text=True)
    reply = client.post(
        f"/admin/exams/arrangements/{arrangement.id}/results/release",
        follow_redirects=True,
    )
    assert "无需人工公布" in reply.get_data(as_text=True)
    assert arrangement.results_released_at is None
    assert audit_count("results_released") == 0


def test_release_and_report_are_scoped(app, client, auth, world):
    """An arrangement of another county is a 404 for a district training admin on
    every results route, and nothing is released; a system admin may act."""
    attempt = submitted_attempt(world, policy="manual")
    arrangement = attempt.arrangement
    arrangement.organisation_id = world.other_district.id
    db.session.commit()
    base = f"/admin/exams/arrangements/{arrangement.id}"
    with freeze_time(END + timedelta(hours=1)):
        as_user(auth, "training_admin")
        assert client.post(f"{base}/results/release").status_code == 404
        assert client.post(f"{base}/results/withdraw").status_code == 404
        for suffix in ("/report", "/report.xlsx", "/results.xlsx"):
            assert client.get(base + suffix).status_code == 404, suffix
        assert arrangement.results_released_at is None
        as_user(auth, "sys_admin")
        assert client.post(f"{base}/results/release").status_code == 302
        assert client.get(f"{base}/report").status_code == 200
    assert audit_count("results_released") == 1


def test_subjective_items_pending(app, client, auth, world):
    """An attempt waiting for a grader says 主观题阅卷中 and shows no score, even
    with results released immediately; once graded, the score and (answers on)
    the reference answer appear."""
    attempt = essay_attempt(world, "依法立案、调查取证", show_answers=True)
    assert attempt.status == "submitted"
    as_user(auth, "officer")
    page = result_of(client, attempt)
    assert "主观题阅卷中" in page
    assert "成绩将在阅卷完成后立即公布" in page
    assert "得分 <strong>" not in page
    assert "立案……" not in page
    assert "答卷详情" not in page

    essay = next(a for a in attempt.answers if a.version.type == "essay")
    grade_manually(essay, Decimal(30), Actor.system())
    db.session.commit()
    page = result_of(client, attempt)
    assert "得分 <strong>80.00</strong> 分，合格" in page
    assert "依法立案、调查取证" in page
    assert "参考答案：" in page
    assert "立案……" in page


def test_in_progress_result_goes_back_to_the_exam(app, client, auth, world):
    """Opening the result page of an attempt still running returns to the exam."""
    from portal.timeutil import utcnow

    arrangement = setup_exam(world)
    arrangement.window_start = utcnow() - timedelta(hours=1)
    arrangement.window_end = utcnow() + timedelta(hours=1)
    attempt = start_attempt(arrangement, world.users["officer"], utcnow())
    db.session.commit()
    as_user(auth, "officer")
    reply = client.get(f"/exams/attempts/{attempt.id}/result")
    assert reply.status_code == 302
    assert reply.headers["Location"].endswith(f"/exams/attempts/{attempt.id}")


# The answer review -----------------------------------------------------------------


def reverse_options(attempt):
    """Show every choice question's options in reverse order (C B A …)."""
    attempt.candidate_paper.items = [
        dict(item, options=sorted(item["options"], reverse=True))
        for item in attempt.candidate_paper.items
    ]
    db.session.flush()


def test_review_letters_follow_the_displayed_order(app, client, auth, world):
    """Choices and keys are shown with the letters the candidate saw: with options
    in reverse order, original key A of a 单选 is displayed as C, the chosen
    original C as A; the 多选 key A B D shows as A C D and the choice A B as C D.
    The explanation and legal basis are shown, escaped."""
    arrangement = setup_exam(world)
    arrangement.release_policy = "immediate"
    arrangement.show_answers = True
    attempt = start_attempt(arrangement, world.users["officer"], START)
    reverse_options(attempt)
    law = add_provision(
        Actor.system(),
        name="某市行政执法条例",
        level="地方性法规",
        issuer="某市人大常委会",
        effective_date=None,
        articles=[(32, "行政处罚应当<公正>、公开。")],
    )
    singles = []
    for position, item in enumerate(attempt.candidate_paper.items):
        version = db.session.get(QuestionVersion, item["version_id"])
        if version.type == "single":
            singles.append(position)
            save_answer(attempt, position, ["C"], seq=1, now=START)  # wrong
            version.explanation = "<b>见条例</b>第三十二条"
            version.legal_basis = "《某市行政执法条例》第三十二条"
            version.law_article_id = law.articles[0].id
        elif version.type == "multiple":
            save_answer(attempt, position, ["A", "B"], seq=1, now=START)
        else:
            save_answer(attempt, position, ["复议"], seq=1, now=START)
    submit_attempt(attempt, START + timedelta(minutes=10))
    db.session.commit()
    assert attempt.score == Decimal("30.00")  # 20 (多选, partial) + 10 (填空)

    review = review_items(attempt)
    assert [r.number for r in review] == [1, 2, 3, 4, 5]
    single = review[singles[0]]
    assert (single.your_answer, single.key, single.verdict) == ("A", "C", "错误")
    assert [(o[0], o[2], o[3]) for o in single.options] == [
        ("A", True, False),
        ("B", False, False),
        ("C", False, True),
    ]
    multiple = next(r for r in review if r.type == "multiple")
    assert (multiple.your_answer, multiple.key, multiple.verdict) == (
        "CD",
        "ACD",
        "部分正确",
    )
    assert multiple.score == Decimal("20.00")
    blank = next(r for r in review if r.type == "fill_blank")
    assert blank.blanks == [("复议", "行政复议／复议", True)]

    as_user(auth, "officer")
    page = result_of(client, attempt)
    assert page.count('class="card mb-3 review-item"') == 5
    assert page.count('data-verdict="错误"') == 3
    assert "您的答案：A　正确答案：<strong>C</strong>" in page
    assert "您的答案：CD　正确答案：<strong>ACD</strong>" in page
    assert "&lt;b&gt;见条例&lt;/b&gt;第三十二条" in page
    assert "<b>见条例</b>" not in page
    assert "《某市行政执法条例》第三十二条" in page
    assert "行政处罚应当&lt;公正&gt;、公开。" in page


def test_keys_wait_while_a_makeup_remains(app, client, auth, world):
    """A 补考 reuses the personal paper, so a candidate who failed and may sit again
    sees the result but not the keys; once the window has closed the keys show."""
    arrangement = setup_exam(world)
    arrangement.release_policy = "immediate"
    arrangement.show_answers = True
    arrangement.makeup_attempts = 1
    attempt = start_attempt(arrangement, world.users["officer"], START)
    answer(attempt)  # all wrong
    submit_attempt(attempt, START + timedelta(minutes=10))
    db.session.commit()
    with freeze_time(END - timedelta(hours=2)) as frozen:
        as_user(auth, "officer")
        page = result_of(client, attempt)
        assert "不合格" in page
        assert "您还可以补考 1 次，截止 2027-01-10 17:00（北京时间）" in page
        assert "答案和解析将在您不再参加本次考试" in page
        assert_no_keys(page, attempt)
        frozen.move_to(END + timedelta(minutes=1))
        as_user(auth, "officer")
        page = result_of(client, attempt)
        assert "考试时间已过，未能补考" in page
        assert "答卷详情" in page


# 考试统计 and exports ---------------------------------------------------------------


def test_report_page_and_exports(app, client, auth, world, factories):
    """The report page shows the hand-computed figures and highlights who has not
    sat as the window closes; both .xlsx files open and hold the same figures;
    exports are audited and formula-like names are neutralised."""
    arrangement, people = build_report_world(world, factories)
    people["o1"].name = '=HYPERLINK("http://x")'
    db.session.commit()
    base = f"/admin/exams/arrangements/{arrangement.id}"
    with freeze_time(END - timedelta(hours=3)):
        as_user(auth, "training_admin")
        page = client.get(f"{base}/report").get_data(as_text=True)
        stats = dict(re.findall(r'data-stat="([^"]+)">(\d+)<', page))
        assert stats == {
            "名单": "5",  # o1's county is outside the training admin's district
            "免考": "1",
            "应考": "4",
            "参考": "4",
            "交卷": "3",
            "已评分": "3",
            "合格": "2",
            "未参考": "1",
        }
        assert "考试将于 2027-01-10 17:00 结束（24 小时内）" in page
        assert page.count('data-urgent="1"') == 1
        assert "138****5678" in page
        assert "13812345678" not in page

        as_user(auth, "sys_admin")
        report = client.get(f"{base}/report.xlsx")
        assert report.status_code == 200
        book = load_workbook(io.BytesIO(report.data))
        assert book.sheetnames == ["概况", "按单位", "按执法领域", "未参考人员"]
        summary = {row[0]: row[1] for row in book["概况"].iter_rows(values_only=True)}
        assert summary["应考"] == 5
        assert summary["交卷"] == 3
        assert summary["合格"] == 2
        assert summary["合格率"] == pytest.approx(0.6667)
        assert summary["分数段 60 分以下"] == 1  # t1 with 20
        units = list(book["按单位"].iter_rows(min_row=2, values_only=True))
        assert units[1] == ("甲区城管局", 2, 2, 2, 2, 2, 0, 1)
        absent = list(book["未参考人员"].iter_rows(min_row=2, values_only=True))
        assert [(r[0], r[3], r[6]) for r in absent] == [
            ("街道乙", "138****5678", "是"),
            ('\'=HYPERLINK("http://x")', None, "是"),  # no phone: empty cell
        ]

        results = client.get(f"{base}/results.xlsx")
        sheet = load_workbook(io.BytesIO(results.data))["成绩"]
        rows = {r[1]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
        assert len(rows) == 6
        a2 = rows[people["a2"].username]
        assert (a2[4], a2[5], a2[6], a2[7], a2[8]) == ("合格", 2, 2, 60.0, "合格")
        assert rows[people["e1"].username][10] == "已取得法律职业资格"
    assert audit_count("exam_report_exported") == 2


def test_arrangement_form_sets_show_answers(app, client, auth, world):
    """The arrangement form offers 公布后允许考生查看答案…; ticked it is stored, left
    unticked the arrangement keeps its keys; the arrangement page says which."""
    from exams.papers.models import ExamArrangement

    paper = setup_exam(world).paper
    as_user(auth, "training_admin")
    form = {
        "name": "人工公布考试",
        "kind": "training",
        "paper_id": str(paper.id),
        "window_start": "2027-03-01T09:00",
        "window_end": "2027-03-01T17:00",
        "duration_minutes": "60",
        "attempts_allowed": "1",
        "makeup_attempts": "0",
        "tab_switch_limit": "3",
        "release_policy": "manual",
        "prerequisite_id": "0",
        "organisation_id": str(world.district.id),
        "roles": ["officer"],
    }
    assert "公布后允许考生查看答案、解析和法律依据" in client.get(
        "/admin/exams/arrangements"
    ).get_data(as_text=True)
    for ticked in (True, False):
        data = dict(form, show_answers="y") if ticked else form
        page = client.post(
            "/admin/exams/arrangements", data=data, follow_redirects=True
        )
        created = db.session.scalars(
            sa.select(ExamArrangement).order_by(ExamArrangement.id.desc())
        ).first()
        assert created.show_answers is ticked
        assert created.release_policy == "manual"
        text = page.get_data(as_text=True)
        assert ("公布后考生可查看答案" in text) is ticked
        assert ("不向考生公开答案" in text) is not ticked


def essay_attempt(world, essay_response, *, show_answers=False):
    """A submitted attempt of a paper with one 判断 (answered right, 50 points) and
    one 简答 (50 points) answered with ``essay_response`` (None: never saved)."""
    bank = ensure_bank("ESSAY")
    rows = [
        ImportedQuestion(type="true_false", stem="判断：应当公开。", key=["对"]),
        ImportedQuestion(type="essay", stem="简述程序。", reference_answer="立案……"),
    ]
    commit_import(
        plan_import(ImportResult(questions=rows, format="xlsx"), bank),
        bank,
        Actor.system(),
    )
    paper = create_blueprint_paper(
        "主观题试卷",
        [
            {"bank_id": bank.id, "type": t, "count": 1, "score_each": Decimal(50)}
            for t in ("true_false", "essay")
        ],
        pool_factor=Decimal(1),
    )
    arrangement = create_arrangement(
        paper,
        name="主观题考试",
        kind="training",
        window_start=START,
        window_end=END,
        release_policy="immediate",
        show_answers=show_answers,
    )
    enrol_candidates(arrangement, users=[world.users["officer"]])
    attempt = start_attempt(arrangement, world.users["officer"], START)
    for position, item in enumerate(attempt.candidate_paper.items):
        version = db.session.get(QuestionVersion, item["version_id"])
        if version.type == "true_false":
            save_answer(attempt, position, ["对"], seq=1, now=START)
        elif essay_response is not None:
            save_answer(attempt, position, essay_response, seq=1, now=START)
    submit_attempt(attempt, START + timedelta(minutes=5))
    db.session.commit()
    return attempt


@pytest.mark.parametrize("essay_response", [None, "   "])
def test_unanswered_essay_does_not_hold_the_result(app, world, essay_response):
    """An essay left blank (never saved, or only spaces) scores 0 at submit instead
    of waiting forever in the grading queue, so the result can be released."""
    attempt = essay_attempt(world, essay_response)
    assert attempt.status == "graded"
    assert attempt.score == Decimal("50.00")
    assert attempt.passed is False
    assert db.session.scalars(pending_manual_answers()).all() == []
    essay = next(r for r in review_items(attempt) if r.type == "essay")
    assert essay.verdict == "未作答"
    assert essay.score == Decimal(0)


def test_release_needs_the_csrf_token(app, client, world):
    """With CSRF protection on (as in production) a release POST without the
    page's token is refused and releases nothing; the button's form carries it."""
    attempt = submitted_attempt(world, policy="manual")
    arrangement = attempt.arrangement
    base = f"/admin/exams/arrangements/{arrangement.id}"
    with freeze_time(END + timedelta(hours=1)):
        assert (
            client.post(
                "/login", data={"login": "training_admin", "password": "Passw0rd!"}
            ).status_code
            == 302
        )  # signed in before CSRF is switched on
        app.config["WTF_CSRF_ENABLED"] = True
        page = client.get(base).get_data(as_text=True)
        assert client.post(f"{base}/results/release").status_code == 400
        assert arrangement.results_released_at is None
        form = re.search(
            r'action="[^"]*/results/release"[^>]*>\s*<input type="hidden" '
            r'name="csrf_token" value="([^"]+)"',
            page,
        )
        assert form, "the 公布成绩 button has no CSRF token"
        reply = client.post(f"{base}/results/release", data={"csrf_token": form[1]})
        assert reply.status_code == 302
        db.session.refresh(arrangement)
        assert arrangement.results_released_at == END + timedelta(hours=1)


def test_unanswered_items_show_two_decimal_scores(app, world):
    """An unanswered item's score reads 0.00 like every graded item (a newcomer
    saw "得分 0" beside "得分 20.00" on the answer sheet)."""
    arrangement = setup_exam(world)
    attempt = start_attempt(arrangement, world.users["officer"], START)
    submit_attempt(attempt, START + timedelta(minutes=10))
    db.session.commit()
    scores = [str(r.score) for r in review_items(attempt) if r.type != "essay"]
    assert scores
    assert set(scores) == {"0.00"}
