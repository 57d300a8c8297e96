"""The handling path in real Chromium (issue #7, part 2): a member of the public
submits on a phone (375 px) with a photo and checks the status; staff accept and
assign; the agency handler replies; staff approve and publish; the public status
page shows the reply and the submitter rates it."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.test_suggestions import PHONE, _captcha_answer, _fits
from tests.suggestions.support import jpeg_with_gps

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}


def _sign_in(browser, live_server, username, viewport=DESKTOP):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, live_server, username)
    expect(page.get_by_test_id("current-user")).to_be_attached()
    return context, page


def _submit_on_phone(page, live_server, live_app, context, photo):
    page.goto(f"{live_server}/suggestions/")
    page.get_by_label("乱收费").check()
    page.get_by_label("涉及的执法部门或地区").select_option(
        label="\u3000\u3000甲区城管局"
    )
    page.get_by_label("发生地点").fill("西湖路夜市")
    page.get_by_label("具体情况").fill(
        "城管队员向夜市摊主收取每月 200 元“管理费”，不给收据。<b>加粗</b>"
    )
    page.get_by_label("附件（可选）").set_input_files(str(photo))
    page.get_by_label("联系电话").fill("13812345678")
    page.get_by_label("姓名（可不填）").fill("李小红")
    page.wait_for_function("document.getElementById('captcha-image').naturalWidth > 0")
    page.get_by_label("验证码").fill(_captcha_answer(live_app, context))
    page.get_by_test_id("consent").check()
    page.get_by_test_id("submit").click()
    number = page.get_by_test_id("number").inner_text()
    code = page.get_by_test_id("code").inner_text()
    assert re.fullmatch(r"JC-\d{8}-\d{4}", number)
    return number, code


def _track(page, live_server, number, code):
    page.goto(f"{live_server}/suggestions/track")
    page.get_by_label("受理编号").fill(number)
    page.get_by_label("查询码").fill(code)
    page.get_by_role("button", name="查询").click()


def test_public_to_staff_to_handler_and_back(
    browser, live_server, live_app, screenshot, tmp_path
):
    # A separate upload folder: the public-side browser test counts its files.
    uploads_before = live_app.config["UPLOAD_DIR"]
    live_app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    photo = tmp_path / "夜市.jpg"
    photo.write_bytes(jpeg_with_gps((640, 480)))
    public = browser.new_context(viewport=PHONE, locale="zh-CN")
    public.set_default_timeout(10_000)
    contexts = [public]
    try:
        phone = public.new_page()
        number, code = _submit_on_phone(phone, live_server, live_app, public, photo)
        _track(phone, live_server, number, code)
        expect(phone.get_by_test_id("status")).to_have_text("受理中")

        staff_ctx, staff = _sign_in(browser, live_server, "supervision_staff")
        contexts.append(staff_ctx)
        staff.get_by_role("button", name="群众意见").click()
        staff.get_by_role("link", name="意见建议", exact=True).click()
        staff.get_by_role("link", name=number).click()
        expect(staff.get_by_test_id("phone")).to_have_text("138****5678")
        expect(staff.get_by_test_id("description")).to_contain_text("<b>加粗</b>")
        staff.get_by_test_id("accept").click()
        expect(staff.get_by_test_id("status")).to_have_text("已受理")
        staff.get_by_label("办理部门").select_option(label="测试市 / 甲区 / 甲区城管局")
        staff.get_by_label("指定经办人（可不选）").select_option(index=1)
        staff.get_by_test_id("assign").click()
        expect(staff.get_by_test_id("status")).to_have_text("办理中")
        expect(staff.get_by_test_id("due")).to_contain_text(str(2026))
        screenshot(staff, "suggestion-handling-staff.png")

        # The handler works on a phone: the menu is collapsed behind the toggler.
        handler_ctx, handler = _sign_in(browser, live_server, "agency_handler", PHONE)
        contexts.append(handler_ctx)
        handler.get_by_role("button", name="展开菜单").click()
        handler.get_by_role("link", name="待办理").click()
        assert _fits(handler)
        handler.get_by_role("link", name=number).click()
        expect(handler.get_by_test_id("phone")).to_have_text("13812345678")
        expect(handler.get_by_test_id("contact")).to_contain_text("李小红")
        with handler.expect_download() as download:
            handler.get_by_test_id("attachment").click()
        assert download.value.suggested_filename == "夜市.jpg"
        handler.get_by_label("答复内容").fill(
            "经查，该费用无收费依据，已责令全额退还，并对相关队员批评教育。"
            "联系人电话 13900002222。"
        )
        assert _fits(handler)
        screenshot(handler, "suggestion-handling-task-375.png")
        handler.get_by_test_id("reply-submit").click()
        expect(handler.get_by_test_id("reply-waiting")).to_be_visible()

        staff.reload()
        expect(staff.get_by_test_id("open-reply")).to_contain_text("139****2222")
        staff.get_by_test_id("approve").click()
        expect(staff.get_by_test_id("status")).to_have_text("已答复")
        staff.get_by_test_id("publish").click()
        editor = staff.locator("#text")
        expect(editor).to_have_value(re.compile(r"139\*\*\*\*2222"))
        editor.fill("经查，该费用无收费依据，已责令全额退还，并对相关队员批评教育。")
        staff.get_by_test_id("publish-submit").click()
        expect(staff.get_by_test_id("published-reply")).to_contain_text("全额退还")

        _track(phone, live_server, number, code)
        expect(phone.get_by_test_id("status")).to_have_text("已答复")
        expect(phone.get_by_test_id("reply")).to_contain_text("全额退还")
        body = phone.locator("body").inner_text()
        assert "13812345678" not in body
        assert "李小红" not in body
        assert _fits(phone)
        screenshot(phone, "suggestion-handling-reply-375.png")
        phone.get_by_label("满意", exact=True).check()
        phone.get_by_label("评价意见（可不填）").fill("处理及时。")
        phone.get_by_test_id("rate-submit").click()
        expect(phone.get_by_test_id("status")).to_have_text("已办结")
        expect(phone.get_by_test_id("my-rating")).to_contain_text("满意")
        expect(phone.get_by_test_id("timeline")).to_contain_text("评价")
        assert _fits(phone)
        screenshot(phone, "suggestion-handling-rated-375.png")
    finally:
        for context in contexts:
            context.close()
        live_app.config["UPLOAD_DIR"] = uploads_before
