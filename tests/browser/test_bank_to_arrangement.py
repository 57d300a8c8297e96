"""A training administrator in real Chromium: imports an Excel bank with errors,
reads the preview, fixes the file and commits; builds a blueprint paper; schedules
an exam for a unit."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from exams.formats.model import ImportedQuestion
from exams.formats.xlsx import write_xlsx
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


def _bank_file(path, bad):
    rows = [
        ImportedQuestion(
            type="single",
            stem=f"第{n}题：当事人第{n}次违反城市道路管理规定的，应当如何处理（情形{n}）？",
            options={
                "A": f"责令改正{n}",
                "B": f"罚款{n}",
                "C": f"警告{n}",
                "D": f"不予处罚{n}",
            },
            key=["E" if bad and n == 2 else "A"],
            difficulty=3,
            score=Decimal(2),
            knowledge_point="专业法律知识/城管",
        )
        for n in range(1, 7)
    ]
    path.write_bytes(write_xlsx(rows))
    return str(path)


def test_admin_imports_builds_paper_and_schedules_exam(
    browser, live_server, screenshot, tmp_path
):
    """Does the whole authoring path work in a real browser, errors included?"""
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, live_server, "training_admin")
        expect(page).to_have_url(f"{live_server}/dashboard")

        # A bank, through the 培训考试 menu
        page.get_by_role("button", name="培训考试").click()
        page.get_by_role("link", name="题库", exact=True).first.click()
        page.fill("#code", "BROWSER-CG")
        page.fill("#name", "城管专门法律知识题库")
        page.click("#submit")
        expect(page.locator("h1")).to_contain_text("城管专门法律知识题库")

        # An Excel file with an error: previewed, nothing saved
        page.get_by_role("link", name="导入试题").click()
        page.set_input_files("#file", _bank_file(tmp_path / "bad.xlsx", bad=True))
        page.click("#submit")
        expect(page.locator(".alert-danger")).to_contain_text("未保存任何试题")
        expect(page.locator(".alert-danger")).to_contain_text("第3行")
        # The row with the error is listed and cannot be imported; the others could be.
        expect(page.locator("tr.table-danger")).to_contain_text("第3行")
        screenshot(page, "exams-import-errors.png")

        # The fixed file: preview, then commit
        page.get_by_role("link", name="重新上传").click()
        page.set_input_files("#file", _bank_file(tmp_path / "good.xlsx", bad=False))
        page.click("#submit")
        page.get_by_role("button", name="确认导入").click()
        expect(page.locator(".alert-success")).to_contain_text("已导入 6 道试题")
        expect(page.locator("tbody tr")).to_have_count(6)

        # The bank page is usable on a phone (no horizontal page overflow)
        page.set_viewport_size(PHONE)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1
        screenshot(page, "exams-bank-phone.png")
        page.set_viewport_size(DESKTOP)

        # A blueprint paper: 5 single-choice questions × 20 points
        page.goto(f"{live_server}/admin/exams/papers")
        page.fill("#name", "城管执法资格考试（专门）")
        page.fill("#pool_factor", "1")
        page.click("#submit")
        page.select_option("#bank_id", label="城管专门法律知识题库（BROWSER-CG）")
        page.select_option("#type", "single")
        page.fill("#count", "5")
        page.fill("#score_each", "20")
        page.click("#submit")
        expect(page.locator(".alert-success").last).to_contain_text("试卷校验通过")
        expect(page.locator("#sample li")).to_have_count(5)
        screenshot(page, "exams-paper-sample.png")

        # An arrangement for the district's officers
        page.goto(f"{live_server}/admin/exams/arrangements")
        page.fill("#name", "2027年第一期行政执法证资格考试")
        page.select_option("#paper_id", label="城管执法资格考试（专门）")
        page.fill("#window_start", "2027-01-10T09:00")
        page.fill("#window_end", "2027-01-12T17:00")
        page.select_option("#organisation_id", label="测试市 / 甲区")
        page.click("#submit")
        expect(page.locator(".alert-success")).to_contain_text("考试安排已发布")
        expect(page.locator("dl").first).to_contain_text("2027-01-10 09:00")
        page.get_by_role("button", name="预生成考生试卷").click()
        expect(page.locator(".alert-success")).to_contain_text("已生成")
        screenshot(page, "exams-arrangement.png")
    finally:
        context.close()
