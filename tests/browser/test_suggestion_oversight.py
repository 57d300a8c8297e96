"""On a phone (375 px): an invited supervisor reads an item of the region, adds an
observation and escalates it; supervision staff handle the escalation and see the
statistics; the public aggregate page fits the screen (issue #7, oversight)."""

import re
from datetime import datetime

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from tests.browser.conftest import sign_in
from tests.suggestions.oversight_support import make_suggestion

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


def _fits(page):
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _login(page, live_server, username):
    sign_in(page, live_server, username)
    expect(page).to_have_url(f"{live_server}/dashboard")


def _published_item(live_app):
    from portal.orgs.models import Organisation

    with live_app.app_context():
        agency = db.session.scalar(
            db.select(Organisation).where(Organisation.code == "C-A-CG")
        )
        item = make_suggestion(
            agency,
            "13912345678",
            status="replied",
            accepted_at=datetime(2026, 10, 8, 2, 0),
            due_on=datetime(2026, 11, 30).date(),
            replied_at=datetime(2026, 11, 18, 2, 0),
            assigned_org_id=agency.id,
            published_reply="已责令退还罚款。",
            reply_published_at=datetime(2026, 11, 20, 2, 0),
            description="电话 13912345678，执法人员未出示证件当场罚款。",
        )
        number, item_id = item.number, item.id
        db.session.remove()
    return number, item_id


def test_supervisor_and_staff_on_a_phone(browser, live_server, live_app, screenshot):
    number, item_id = _published_item(live_app)
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/suggestions/open")
        expect(
            page.get_by_role("heading", name="群众意见建议办理情况公开")
        ).to_be_visible()
        expect(page.get_by_text(number)).to_be_visible()
        assert "13912345678" not in page.content()
        assert _fits(page)
        screenshot(page, "suggestion-open-375.png")

        _login(page, live_server, "invited_supervisor")
        page.goto(f"{live_server}/suggestions/supervise/")
        page.get_by_role("link", name=number).click()
        expect(page.get_by_test_id("phone")).to_have_text("139****5678")
        assert _fits(page)
        page.get_by_label("监督员意见").fill("<b>请核实执法证件</b>")
        page.get_by_role("button", name="提交意见").click()
        expect(page.get_by_text("监督员意见已提交。")).to_be_visible()
        expect(page.get_by_test_id("observation")).to_contain_text(
            "<b>请核实执法证件</b>"
        )
        page.get_by_label("转办理由").fill("处罚可能畸重，请评查该案卷。")
        page.get_by_role("button", name="转案卷评查").click()
        expect(page.get_by_text("已转执法监督机构案卷评查")).to_be_visible()
        screenshot(page, "suggestion-supervisor-375.png")
        page.locator(".navbar-toggler").click()
        page.get_by_role("button", name="退出").click()
        expect(page).to_have_url(re.compile(r"/login"))

        _login(page, live_server, "supervision_staff")
        page.goto(f"{live_server}/suggestions/manage/escalations")
        card = page.get_by_test_id("escalation").filter(has_text=number)
        card.get_by_label("处理情况").fill("已列入本季度评查。")
        card.get_by_role("button", name="标记为已处理").click()
        expect(page.get_by_text(f"已将 {number} 的转办标记为已处理。")).to_be_visible()
        assert _fits(page)
        page.goto(f"{live_server}/suggestions/manage/stats?from=2026-01-01")
        expect(page.get_by_test_id("figures")).to_be_visible()
        assert _fits(page)
        screenshot(page, "suggestion-stats-375.png")
        page.goto(f"{live_server}/suggestions/manage/{item_id}/oversight")
        expect(page.get_by_test_id("item-escalation")).to_contain_text("已处理")
    finally:
        context.close()
