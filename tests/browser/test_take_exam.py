"""An officer takes an exam in real Chromium: start, answer (autosaved), reload
(answers kept, timer from the server), leave the page (warning), submit, result."""

from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def open_exam(live_app):
    """An arrangement open now with the world's officer enrolled (immediate release)."""
    from exams.formats.model import ImportedQuestion, ImportResult
    from exams.papers import (
        create_arrangement,
        create_blueprint_paper,
        enrol_candidates,
    )
    from exams.services import commit_import, ensure_bank, plan_import
    from portal.actor import Actor
    from portal.auth.models import User
    from portal.extensions import db
    from portal.timeutil import utcnow

    with live_app.app_context():
        bank = ensure_bank("BROWSER-TAKE")
        rows = [
            ImportedQuestion(
                type="true_false", stem=f"判断题{n}：行政处罚应当公开。", key=["对"]
            )
            for n in range(3)
        ]
        commit_import(
            plan_import(ImportResult(questions=rows, format="xlsx"), bank),
            bank,
            Actor.system(),
        )
        paper = create_blueprint_paper(
            "判断练习卷",
            [
                {
                    "bank_id": bank.id,
                    "type": "true_false",
                    "count": 3,
                    "score_each": Decimal(30),
                }
            ],
            total=Decimal(90),
            pass_mark=Decimal(60),
            pool_factor=Decimal(1),
        )
        now = utcnow()
        arrangement = create_arrangement(
            paper,
            name="浏览器在线考试",
            kind="training",
            window_start=now - timedelta(hours=1),
            window_end=now + timedelta(hours=3),
            release_policy="immediate",
            tab_switch_limit=5,
        )
        officer = db.session.scalar(db.select(User).where(User.username == "officer"))
        enrol_candidates(arrangement, users=[officer])
        db.session.commit()
        return arrangement.id


def test_officer_takes_an_exam_on_a_phone(browser, live_server, open_exam, screenshot):
    """Autosave survives a reload, a hidden page is reported, submit shows the result."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    try:
        page.goto(f"{live_server}/login")
        page.fill("#login", "officer")
        page.fill("#password", PASSWORD)
        page.click("#submit")
        page.goto(f"{live_server}/exams/")
        page.get_by_role("button", name="开始考试").click()
        expect(page.locator("#countdown")).not_to_have_text("--:--")
        for position in range(3):
            page.locator(f"label[for='q{position}对']").click()
        expect(page.locator("#save-state")).to_have_text("已保存", timeout=15_000)
        screenshot(page, "exam-taking-phone.png")

        page.reload()
        for position in range(3):
            expect(page.locator(f"#q{position}对")).to_be_checked()

        page.evaluate(
            "Object.defineProperty(document, 'hidden', {value: true, configurable: true});"
            "document.dispatchEvent(new Event('visibilitychange'));"
        )
        expect(page.locator("#warning")).to_contain_text("检测到离开考试页面")

        page.click("#submit-exam")
        expect(page.locator(".alert-success")).to_contain_text("得分 90.00 分，合格")
        screenshot(page, "exam-result-phone.png")
    finally:
        context.close()
