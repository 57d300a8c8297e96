"""A member of the public, on a phone (375 px), submits a complaint with a photo,
gets the 受理编号 and 查询码, and checks the status page (issue #7)."""

import re

import pytest
from playwright.sync_api import expect

from tests.suggestions.support import jpeg_with_gps

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


def _fits(page):
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _captcha_answer(live_app, context):
    """The answer of the captcha the browser is showing: the session cookie is
    decoded with the app's own serializer and the HMAC matched, as in
    tests/suggestions/support.py (no switch in the application)."""
    from portal import captcha

    (cookie,) = [c for c in context.cookies() if c["name"] == "session"]
    serializer = live_app.session_interface.get_signing_serializer(live_app)
    stored = serializer.loads(cookie["value"])[captcha.SESSION_KEY]
    with live_app.app_context():
        for candidate in range(-10, 100):
            if captcha.digest(stored["nonce"], candidate) == stored["digest"]:
                return str(candidate)
    raise AssertionError("no captcha answer found")


def test_public_submits_and_tracks_on_a_phone(
    browser, live_server, live_app, screenshot, tmp_path
):
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(jpeg_with_gps((800, 600)))
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login")
        page.get_by_test_id("public-suggest").click()
        expect(page.get_by_role("heading", name="群众意见建议 / 投诉")).to_be_visible()
        page.get_by_label("乱罚款").check()
        page.get_by_label("涉及的执法部门或地区").select_option(
            label="\u3000\u3000甲区城管局"
        )
        page.get_by_label("发生地点").fill("东湖路 12 号菜市场门口")
        page.get_by_label("发生日期").fill("2026-12-01")
        page.get_by_label("具体情况").fill(
            "执法人员未出示证件，当场罚款 500 元，未开具任何票据。<script>alert(1)</script>"
        )
        page.get_by_label("附件（可选）").set_input_files(str(photo))
        page.get_by_label("联系电话").fill("13812341234")
        page.get_by_label("姓名（可不填）").fill("王小明")
        expect(page.get_by_test_id("hide-name")).to_be_checked()
        # Anonymous hides the contact fields; back to named.
        page.get_by_test_id("anonymous").check()
        expect(page.get_by_label("联系电话")).to_be_hidden()
        page.get_by_test_id("anonymous").uncheck()
        expect(page.get_by_label("联系电话")).to_be_visible()
        sms = page.get_by_label("办理进展短信通知我")
        expect(sms).not_to_be_checked()
        expect(sms).to_have_accessible_description(re.compile("受理编号"))
        sms.check()
        image = page.get_by_test_id("captcha-image")
        expect(image).to_be_visible()
        page.wait_for_function(
            "document.getElementById('captcha-image').naturalWidth > 0"
        )
        page.get_by_label("验证码").fill(_captcha_answer(live_app, context))
        page.get_by_test_id("consent").check()
        assert _fits(page)
        screenshot(page, "suggestion-form-375.png")
        page.get_by_test_id("submit").click()

        number = page.get_by_test_id("number").inner_text()
        code = page.get_by_test_id("code").inner_text()
        assert re.fullmatch(r"JC-\d{8}-\d{4}", number)
        assert re.fullmatch(r"[A-Z2-9]{10}", code)
        expect(page.get_by_test_id("phone")).to_have_text("138****1234")
        expect(page.get_by_test_id("sms-notice")).to_contain_text("短信")
        expect(page.get_by_test_id("description")).to_contain_text(
            "<script>alert(1)</script>"
        )
        assert _fits(page)
        screenshot(page, "suggestion-receipt-375.png")

        page.get_by_role("link", name="查询办理进度").first.click()
        page.get_by_label("受理编号").fill(number)
        page.get_by_label("查询码").fill(code.lower())
        page.get_by_role("button", name="查询").click()
        expect(page.get_by_test_id("status")).to_have_text("受理中")
        expect(page.get_by_test_id("timeline")).to_contain_text("提交")
        expect(page.get_by_test_id("description")).to_contain_text("当场罚款 500 元")
        body = page.locator("body").inner_text()
        assert "13812341234" not in body
        assert "138****1234" not in body
        assert "王小明" not in body
        assert _fits(page)
        screenshot(page, "suggestion-status-375.png")

        # The stored photo lost its EXIF (GPS) on the way.
        import io
        import os

        from PIL import Image

        folder = os.path.join(live_app.config["UPLOAD_DIR"], "suggestions")
        (name,) = os.listdir(folder)
        with open(os.path.join(folder, name), "rb") as fh:
            assert len(Image.open(io.BytesIO(fh.read())).getexif()) == 0
    finally:
        context.close()


def test_oversize_file_is_refused_before_sending(browser, live_server, live_app):
    """Does the form refuse (and clear) a file above the per-file limit as soon
    as it is chosen, so that the typed text is never lost to a refused request?"""
    live_app.config["SUGGESTION_FILE_MAX_MB"] = 1
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/suggestions/")
        page.get_by_label("具体情况").fill("保留的文字内容，十个字以上。")
        page.get_by_label("附件（可选）").set_input_files(
            {
                "name": "大文件.pdf",
                "mimeType": "application/pdf",
                "buffer": b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10),
            }
        )
        expect(page.locator("#attachments-check")).to_contain_text("超过 1 MB")
        assert page.evaluate("document.getElementById('attachments').files.length") == 0
        expect(page.get_by_label("具体情况")).to_have_value(
            "保留的文字内容，十个字以上。"
        )
    finally:
        live_app.config["SUGGESTION_FILE_MAX_MB"] = 10
        context.close()


def test_text_captcha_instead_of_the_picture(browser, live_server, live_app):
    """Can someone who cannot see the picture switch to the text question (a
    link, no script needed), answer it and submit, with the question read out
    as the input's description?"""
    from tests.suggestions.test_captcha_text import _value

    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/suggestions/")
        page.get_by_test_id("captcha-use-text").click()
        question = page.get_by_test_id("captcha-question")
        expect(question).to_contain_text("等于多少？")
        expect(page.get_by_test_id("captcha-image")).to_have_count(0)
        field = page.get_by_label("验证码")
        expect(field).to_have_accessible_description(re.compile("等于多少"))
        left, op, right = re.search(
            r"文字题：(.+?)([加减])(.+?)等于多少？", question.inner_text()
        ).groups()
        answer = _value(left) + (_value(right) if op == "加" else -_value(right))
        page.get_by_label("乱罚款").check()
        page.get_by_label("具体情况").fill("窗口工作人员态度恶劣，拒绝告知办理进度。")
        page.get_by_test_id("anonymous").check()
        # A wrong answer first: a new question, the text kept, still in text mode.
        field.fill(str(answer + 1))
        page.get_by_test_id("consent").check()
        page.get_by_test_id("submit").click()
        expect(page.get_by_text("验证码不正确")).to_be_visible()
        expect(page.get_by_label("具体情况")).to_have_value(
            "窗口工作人员态度恶劣，拒绝告知办理进度。"
        )
        left, op, right = re.search(
            r"文字题：(.+?)([加减])(.+?)等于多少？",
            page.get_by_test_id("captcha-question").inner_text(),
        ).groups()
        answer = _value(left) + (_value(right) if op == "加" else -_value(right))
        page.get_by_label("验证码").fill(str(answer))
        if not page.get_by_test_id("consent").is_checked():
            page.get_by_test_id("consent").check()
        page.get_by_test_id("submit").click()
        assert re.fullmatch(
            r"JC-\d{8}-\d{4}", page.get_by_test_id("number").inner_text()
        )
    finally:
        context.close()
