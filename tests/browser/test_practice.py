"""An officer practises in real Chromium at phone width: a wrong answer shows
its feedback at once and appears in the 错题本; the mastery page renders."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
STEM = "练习判断：行政处罚决定应当依法公开。"


@pytest.fixture
def practice_bank(live_app):
    """A city-wide bank open for practice with one 判断题 (key: 对)."""
    from exams.banks.services import commit_import, ensure_bank, plan_import
    from exams.formats.model import ImportedQuestion, ImportResult
    from portal.actor import Actor
    from portal.extensions import db

    with live_app.app_context():
        bank = ensure_bank("BROWSER-PRACTICE")
        if not bank.questions:
            rows = [
                ImportedQuestion(
                    type="true_false",
                    stem=STEM,
                    key=["对"],
                    explanation="行政处罚决定依法应当公开。",
                )
            ]
            commit_import(
                plan_import(ImportResult(questions=rows, format="xlsx"), bank),
                bank,
                Actor.system(),
            )
        bank.is_practice_open = True
        db.session.commit()
        return bank.id


def test_wrong_answer_reaches_the_mistake_book(
    browser, live_server, practice_bank, screenshot
):
    """Practise → answer wrongly → immediate feedback → the 错题本 lists it."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, live_server, "officer")
        page.goto(f"{live_server}/practice/")
        screenshot(page, "practice-home-phone.png")
        form = page.get_by_test_id("start-random")
        form.locator("#random-count").select_option("5")
        form.get_by_role("button", name="开始练习").click()
        expect(page.get_by_text(STEM)).to_be_visible()
        page.locator("label", has_text="错误").click()
        page.get_by_role("button", name="提交答案").click()
        feedback = page.get_by_test_id("feedback")
        expect(feedback).to_contain_text("回答错误")
        expect(feedback.locator(".key")).to_have_text("正确")
        expect(feedback).to_contain_text("行政处罚决定依法应当公开。")
        screenshot(page, "practice-feedback-phone.png")

        page.goto(f"{live_server}/practice/mistakes")
        card = page.locator(".mistake", has_text=STEM)
        expect(card).to_contain_text("来源：练习")
        expect(card).to_contain_text("你的答案：错误")
        expect(card.locator(".key")).to_have_text("正确")
        screenshot(page, "practice-mistakes-phone.png")

        page.goto(f"{live_server}/practice/mastery")
        expect(page.locator("h1")).to_have_text("掌握情况")
        screenshot(page, "practice-mastery-phone.png")
    finally:
        context.close()
