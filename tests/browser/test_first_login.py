"""An officer's first login in real Chromium: forced password change, then the
dashboard at desktop and phone widths."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    FIRST_LOGIN_CERT,
    FIRST_LOGIN_NAME,
    FIRST_LOGIN_USER,
    INITIAL_PASSWORD,
)

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
NEW_PASSWORD = "Str0ng-Pass"  # noqa: S105 - test credential


def _fill_password_form(page, old, new):
    page.fill("#old_password", old)
    page.fill("#new_password", new)
    page.fill("#confirm", new)
    page.click("#submit")


def test_officer_first_login_then_dashboard_on_desktop_and_phone(
    browser, live_server, screenshot
):
    """Is a first-time officer forced to set a policy-compliant password, and does
    the dashboard then work at 1280 px and at 375 px without horizontal overflow?"""
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login")
        expect(page).to_have_title("登录 · 执法培训考试与监督评查平台")
        page.fill("#login", FIRST_LOGIN_USER)
        page.fill("#password", INITIAL_PASSWORD)
        page.click("#submit")

        # Forced to the change-password page, and kept there.
        page.wait_for_url(f"{live_server}/password")
        expect(page.locator(".alert-warning")).to_contain_text("首次登录")
        page.goto(f"{live_server}/dashboard")
        page.wait_for_url(f"{live_server}/password")

        # A too-weak password is refused with the policy reasons in Chinese.
        _fill_password_form(page, INITIAL_PASSWORD, "abcdefg")
        error = page.locator(".alert-danger")
        expect(error).to_contain_text("密码长度至少 8 位")
        expect(error).to_contain_text(
            "密码须包含大写字母、小写字母、数字、符号中的至少三类"
        )
        assert page.url == f"{live_server}/password"
        screenshot(page, "password-change.png")

        # A valid one leads to the dashboard with the officer panel.
        _fill_password_form(page, INITIAL_PASSWORD, NEW_PASSWORD)
        page.wait_for_url(f"{live_server}/dashboard")
        expect(page.locator(".alert-success")).to_contain_text("密码已修改")
        panel = page.locator('[data-role="officer"]')
        expect(panel.locator(".card-header")).to_have_text("执法人员")
        expect(panel).to_contain_text(FIRST_LOGIN_CERT)
        expect(page.get_by_test_id("current-user")).to_have_text(FIRST_LOGIN_NAME)
        expect(page.locator(".navbar-toggler")).to_be_hidden()
        screenshot(page, "first-login-desktop.png")

        # Phone width: no horizontal scrolling, the menu folds behind the toggler.
        page.set_viewport_size(PHONE)
        page.reload()
        expect(panel).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        toggler = page.locator(".navbar-toggler")
        expect(toggler).to_be_visible()
        expect(page.locator("#mainNav")).to_be_hidden()
        toggler.click()
        expect(page.locator("#mainNav.show")).to_be_visible()
        expect(page.get_by_role("button", name="退出")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, "first-login-phone.png")

        # From now on the new password is the one that works.
        page.get_by_role("button", name="退出").click()
        page.wait_for_url(f"{live_server}/login")
        page.fill("#login", FIRST_LOGIN_USER)
        page.fill("#password", NEW_PASSWORD)
        page.click("#submit")
        page.wait_for_url(f"{live_server}/dashboard")
    finally:
        context.close()
