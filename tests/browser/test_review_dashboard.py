"""监督统计 draws its charts with ECharts (from npm, served from static/vendor)."""

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_dashboard_draws_echarts_canvases(browser, live_server, screenshot):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{live_server}/login")
        page.fill("#login", "supervision_staff")
        page.fill("#password", PASSWORD)
        page.click("#submit")
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
