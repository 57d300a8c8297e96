"""The training office and a candidate in real Chromium (issue #12), at desktop
width and at 375 px: a training administrator builds a blueprint paper (sections
in the preview), schedules an arrangement and changes its window before the
first start; the officer reads the 考试须知, takes the exam in focused mode (no
site navigation, a fixed warning when leaving), is refused a 补考 before the
result is released (the reason shown on 我的考试 and on the 须知), while the
administrator is refused further changes; after the failed result is released
the officer takes the 补考 on a different personal paper."""

import itertools
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
_serial = itertools.count(1)


def _bank(live_app, code):
    """A bank of 12 true/false questions (their key is 对)."""
    from exams.banks.services import commit_import, ensure_bank, plan_import
    from exams.formats.model import ImportedQuestion, ImportResult
    from portal.actor import Actor
    from portal.extensions import db

    with live_app.app_context():
        bank = ensure_bank(code, f"安排测试题库{code}")
        rows = [
            ImportedQuestion(
                type="true_false",
                stem=f"{code}判断题{k}：行政执法应当公开（第{k}种情形）。",
                key=["对"],
            )
            for k in range(12)
        ]
        commit_import(
            plan_import(ImportResult(questions=rows, format="xlsx"), bank),
            bank,
            Actor.system(),
        )
        db.session.commit()
        label = f"{bank.name}（{bank.code}）"
        db.session.remove()
    return label


def _query(live_app, stmt):
    from portal.extensions import db

    with live_app.app_context():
        try:
            return db.session.execute(stmt).all()
        finally:
            db.session.remove()


def _sign_in(context, live_server, username):
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server, username)
    expect(page.get_by_test_id("current-user")).to_be_attached()
    return page


def _local(moment):
    from portal.timeutil import to_local

    return to_local(moment).strftime("%Y-%m-%dT%H:%M")


def _no_page_overflow(page):
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1


def _take_and_fail(page):
    """Answer every question 错 (the key is 对) and submit."""
    for card in page.locator(".question").all():
        card.locator("label", has_text="错误").click()
    expect(page.locator("#save-state")).to_have_text("已保存", timeout=15_000)
    page.click("#submit-exam")
    page.click("#confirm-submit")
    expect(page.locator("h1")).to_contain_text("第1次")


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_schedule_change_notice_focused_exam_and_makeup(
    browser, live_server, live_app, screenshot, width
):
    from exams.papers.models import CandidatePaper, ExamArrangement
    from exams.results.services import release_results
    from portal.actor import Actor
    from portal.extensions import db
    from portal.notifications.models import Notification
    from portal.timeutil import utcnow

    phone = width == "phone"
    viewport = PHONE if phone else DESKTOP
    n = next(_serial)
    bank_label = _bank(live_app, f"ARR-{n}-{width}")
    paper_name = f"安排测试试卷{n}（{width}）"
    exam_name = f"安排测试考试{n}（{'手机' if phone else '电脑'}）"
    admin_context = browser.new_context(viewport=viewport, locale="zh-CN")
    officer_context = browser.new_context(viewport=viewport, locale="zh-CN")
    for context in (admin_context, officer_context):
        context.set_default_timeout(10_000)
    try:
        admin = _sign_in(admin_context, live_server, "training_admin")

        # A blueprint paper: 2 true/false questions × 50 points from 12.
        admin.goto(f"{live_server}/admin/exams/papers")
        admin.fill("#name", paper_name)
        admin.fill("#pool_factor", "1")
        admin.click("#submit")
        admin.select_option("#bank_id", label=bank_label)
        admin.select_option("#type", "true_false")
        admin.fill("#count", "2")
        admin.fill("#score_each", "50")
        admin.click("#submit")
        expect(admin.locator(".alert-success").last).to_contain_text("试卷校验通过")
        expect(admin.get_by_test_id("section-heading")).to_have_text(
            "一、判断题（共 2 题，100.0 分）"
        )
        _no_page_overflow(admin)

        # Schedule it (open now, results released by hand).
        now = utcnow()
        admin.goto(f"{live_server}/admin/exams/arrangements")
        admin.fill("#name", exam_name)
        admin.select_option("#paper_id", label=paper_name)
        admin.fill("#window_start", _local(now - timedelta(hours=1)))
        admin.fill("#window_end", _local(now + timedelta(hours=2)))
        admin.fill("#duration_minutes", "30")
        admin.select_option("#release_policy", "manual")
        admin.select_option("#organisation_id", label="测试市 / 甲区")
        admin.click("#submit")
        expect(admin.locator(".alert-success")).to_contain_text("考试安排已发布")
        ((arrangement_id,),) = _query(
            live_app,
            sa.select(ExamArrangement.id).where(ExamArrangement.name == exam_name),
        )

        # Change the window before the first start: saved, candidates told.
        admin.fill("#edit-window_end", _local(now + timedelta(hours=3)))
        admin.fill("#edit-duration_minutes", "25")
        admin.get_by_role("button", name="保存修改").click()
        expect(admin.locator(".alert-success")).to_contain_text(
            "考试安排已修改，已通知考生"
        )
        expect(admin.locator("dl").first).to_contain_text("限时 25 分钟")
        _no_page_overflow(admin)
        screenshot(admin, f"arrangement-change-{width}.png")

        # The officer: told of the change, reads the 考试须知, starts.
        officer = _sign_in(officer_context, live_server, "officer")
        notes = _query(
            live_app,
            sa.select(Notification.title).where(
                Notification.kind == "exam_changed",
                Notification.title == f"考试变更：{exam_name}",
            ),
        )
        assert notes
        officer.goto(f"{live_server}/exams/")
        card = officer.locator(".card", has_text=exam_name)
        card.get_by_role("link", name="开始考试").click()
        facts = officer.get_by_test_id("notice-facts")
        expect(facts).to_contain_text("25 分钟")
        expect(facts).to_contain_text("2 题")
        expect(facts).to_contain_text("100.0 分 / 60.0 分")
        expect(facts).to_contain_text("累计 3 次将自动交卷")
        expect(facts).to_contain_text("不能粘贴")
        screenshot(officer, f"exam-notice-{width}.png")
        officer.get_by_test_id("confirm-start").click()

        # Focused mode: no site navigation; a section heading; leaving warns
        # in a fixed live region.
        expect(officer.locator("#countdown")).not_to_have_text("--:--")
        expect(officer.locator("#mainNav")).to_have_count(0)
        expect(officer.get_by_test_id("section-heading")).to_contain_text("一、判断题")
        officer.evaluate(
            "Object.defineProperty(document, 'hidden', {value: true, configurable: true});"
            "document.dispatchEvent(new Event('visibilitychange'));"
        )
        warning = officer.locator("#warning")
        expect(warning).to_contain_text("检测到离开考试页面（第 1 次")
        assert warning.evaluate("el => getComputedStyle(el).position") == "fixed"
        expect(warning).to_be_in_viewport()
        officer.evaluate(
            "Object.defineProperty(document, 'hidden', {value: false, configurable: true});"
            "document.dispatchEvent(new Event('visibilitychange'));"
        )
        screenshot(officer, f"exam-focused-{width}.png")
        _take_and_fail(officer)

        # A 补考 before the result is released: refused with the reason.
        officer.goto(f"{live_server}/exams/")
        card = officer.locator(".card", has_text=exam_name)
        expect(card.get_by_test_id("start-refused")).to_contain_text(
            "成绩未公布前不能补考"
        )
        expect(card.get_by_role("link", name="开始补考")).to_have_count(0)
        officer.goto(f"{live_server}/exams/{arrangement_id}/notice")
        expect(officer.get_by_test_id("start-refused")).to_contain_text(
            "成绩未公布前不能补考"
        )
        expect(officer.get_by_test_id("confirm-start")).to_have_count(0)

        # After the first start the administrator is refused changes.
        admin.reload()
        expect(admin.get_by_test_id("change-refused")).to_contain_text(
            "已有考生开始考试"
        )
        expect(admin.locator("#edit-window_end")).to_have_count(0)

        # The failed result is released (the existing service; a release
        # button is another part of the issue): the 补考 is offered.
        with live_app.app_context():
            arrangement = db.session.get(ExamArrangement, arrangement_id)
            # Recorded as if at the window end (the current rule releases a
            # manual arrangement only after its window).
            release_results(arrangement, Actor.system(), arrangement.window_end)
            db.session.commit()
            db.session.remove()
        officer.goto(f"{live_server}/exams/")
        card = officer.locator(".card", has_text=exam_name)
        card.get_by_role("link", name="开始补考").click()
        expect(officer.locator("h1").first).to_have_text("考试须知")
        expect(officer.locator("p.lead")).to_contain_text("补考")
        officer.get_by_test_id("confirm-start").click()
        expect(officer.locator("#countdown")).not_to_have_text("--:--")

        papers = _query(
            live_app,
            sa.select(CandidatePaper.sitting, CandidatePaper.items)
            .where(CandidatePaper.arrangement_id == arrangement_id)
            .order_by(CandidatePaper.sitting),
        )
        assert [row[0] for row in papers] == [1, 2]
        first, second = ({i["version_id"] for i in row[1]} for row in papers)
        assert first.isdisjoint(second)
        _no_page_overflow(officer)
    finally:
        admin_context.close()
        officer_context.close()
