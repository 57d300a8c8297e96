"""监督统计 draws its charts with ECharts (from npm, served from static/vendor)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_dashboard_draws_echarts_canvases(browser, live_server, screenshot):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        sign_in(page, live_server, "supervision_staff")
        page.wait_for_url("**/dashboard")
        page.goto(f"{live_server}/casebank/dashboard")
        expect(page.get_by_role("heading", name="监督统计")).to_be_visible()
        assert page.evaluate("typeof window.echarts") == "object"
        for chart in ("agencies", "codes", "positions", "grades"):
            expect(page.locator(f"#chart-{chart} canvas")).to_have_count(1)
        # The plain tables carry the numbers too.
        expect(page.get_by_test_id("grade-table")).to_contain_text("不合格")
        screenshot(page, "review-dashboard.png")
        assert errors == []
    finally:
        context.close()


def test_review_sheet_fits_a_phone(browser, live_server, live_app, screenshot):
    """A reviewer fills and saves a sheet at 375 px without horizontal scrolling."""
    from casebank.cases.intake import Entry
    from casebank.cases.services import add_cases
    from portal.actor import Actor
    from portal.extensions import db
    from portal.orgs.models import Organisation

    with live_app.app_context():
        agency = db.session.scalar(
            db.select(Organisation).where(Organisation.code == "C-A-CG")
        )
        text = "甲区城管局\n行政处罚决定书\n甲城管罚〔2024〕88号\n罚款500元。\n"
        batch = add_cases(
            [Entry("phone.txt", data=text.encode(), text=text)],
            Actor.system(),
            agency=agency,
            agencies=[agency],
            upload_dir=live_app.config["UPLOAD_DIR"],
        )
        db.session.commit()
        case_id = batch.results[0]["case_id"]
        db.session.remove()
    context = browser.new_context(viewport={"width": 375, "height": 812})
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, live_server, "supervision_staff")
        page.wait_for_url("**/dashboard")
        page.goto(f"{live_server}/casebank/cases/{case_id}")
        page.get_by_role("link", name="填写评查表").click()
        first = page.locator("input[type=number]").first
        first.fill("2")
        item_id = first.get_attribute("name").removeprefix("points-")
        page.fill(f"#note-{item_id}", "印章缺失")
        page.fill("#opinion", "主体材料不全")
        page.get_by_role("button", name="保存草稿").click()
        expect(page.get_by_test_id("review-score")).to_have_text("98")
        expect(page.get_by_test_id("review-status")).to_have_text("草稿")
        width = page.evaluate("document.documentElement.scrollWidth")
        screenshot(page, "review-sheet-phone.png")
        assert width <= 375
        # Submit (the confirm dialog accepted): read-only, 优秀.
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="提交评查").click()
        expect(page.get_by_test_id("review-status")).to_have_text("已提交")
        expect(page.get_by_test_id("review-grade")).to_have_text("优秀")
    finally:
        context.close()
