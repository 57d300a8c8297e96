"""A training administrator in real Chromium writes a bank of all six types by hand
(no import): knowledge points created and moved, option rows added, removed and
reordered with the editor's script, a legal basis typed as 处罚法33条 normalised
and confirmed, a preview as the candidate sees it, and a wrong key corrected
after a candidate sat the exam, with the regrade preview. Desktop, then 375 px."""

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
BANK = "手工编写题库"


def _law(app):
    from portal.actor import Actor
    from portal.extensions import db
    from portal.laws.models import Law
    from portal.laws.services import add_provision

    with app.app_context():
        if not db.session.scalar(
            sa.select(Law.id).where(Law.short_name == "行政处罚法")
        ):
            add_provision(
                Actor.system(),
                name="中华人民共和国行政处罚法",
                level="法律",
                issuer="全国人民代表大会常务委员会",
                effective_date=None,
                articles=[
                    (33, "违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚。")
                ],
            )
            db.session.commit()
        db.session.remove()


def _sit_exam(app):
    """An officer sits a one-question paper drawn from the hand-written 判断题 and
    answers it truthfully (对) — wrong against the mistaken key (错)."""
    from exams.attempts.services import save_answer, start_attempt, submit_attempt
    from exams.banks.models import QuestionBank
    from exams.papers.services import (
        create_arrangement,
        create_blueprint_paper,
        enrol_candidates,
    )
    from portal.auth.models import User
    from portal.extensions import db
    from portal.timeutil import utcnow

    with app.app_context():
        bank = db.session.scalar(
            sa.select(QuestionBank).where(QuestionBank.name == BANK)
        )
        officer = db.session.scalar(sa.select(User).where(User.username == "officer"))
        paper = create_blueprint_paper(
            "手工判断题试卷",
            [
                {
                    "bank_id": bank.id,
                    "type": "true_false",
                    "count": 1,
                    "score_each": Decimal(100),
                }
            ],
            pool_factor=Decimal(1),
        )
        now = utcnow()
        exam = create_arrangement(
            paper,
            name="手工题库测验",
            kind="training",
            window_start=now - timedelta(hours=1),
            window_end=now + timedelta(hours=2),
            duration_minutes=30,
            release_policy="immediate",
        )
        enrol_candidates(exam, users=[officer])
        attempt = start_attempt(exam, officer, now)
        save_answer(attempt, 0, ["对"], seq=1, now=now)
        submit_attempt(attempt, now + timedelta(minutes=1))
        db.session.commit()
        passed = attempt.passed
        db.session.remove()
    return passed


def _new(page, kind):
    page.get_by_role("link", name="新增试题").click()
    page.get_by_role("link", name=kind, exact=True).click()
    expect(page.locator("h1")).to_contain_text(kind)


def _save(page):
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("已新增试题")
    page.get_by_role("link", name=BANK).first.click()


def test_admin_writes_a_bank_by_hand(browser, live_app, live_server, screenshot):
    _law(live_app)
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    try:
        sign_in(page, live_server, "training_admin")
        expect(page).to_have_url(f"{live_server}/dashboard")

        # Knowledge points: create two, move one under the other
        page.goto(f"{live_server}/admin/exams/knowledge-points")
        page.fill("#kp-new-name", "手写题目标")
        page.get_by_role("button", name="新建", exact=True).click()
        expect(page.locator(".alert-success")).to_contain_text(
            "已新建知识点 手写题目标"
        )
        page.fill("#kp-new-name", "当场处罚")
        page.select_option("#kp-new-parent", label="公共法律知识")
        page.get_by_role("button", name="新建", exact=True).click()
        page.select_option("#kp-move-point", label="公共法律知识/当场处罚")
        page.select_option("#kp-move-target", label="手写题目标")
        page.get_by_role("button", name="移动", exact=True).click()
        expect(page.locator(".alert-success")).to_contain_text(
            "已移动到 手写题目标/当场处罚"
        )

        # A bank of the admin's own
        page.goto(f"{live_server}/admin/exams/banks")
        page.fill("#code", "HAND-ALL")
        page.fill("#name", BANK)
        page.click("#submit")
        expect(page.locator("h1")).to_contain_text(BANK)

        # 单选: rows added, removed and reordered by the script; legal basis
        _new(page, "单选题")
        page.fill("#stem", "违法行为轻微并及时改正，没有造成危害后果的，应当如何处理？")
        page.fill("#option-0-text", "从轻处罚")
        page.fill("#option-1-text", "不予行政处罚")
        page.get_by_role("button", name="删除此选项").nth(3).click()
        page.get_by_role("button", name="删除此选项").nth(2).click()
        page.get_by_role("button", name="添加选项").click()
        expect(page.locator("[data-row]")).to_have_count(3)
        page.locator("[data-row]").nth(2).locator("input[name$='-text']").fill(
            "从重处罚"
        )
        page.get_by_role("button", name="上移此选项").nth(1).click()  # B ↔ A
        page.locator("[data-row]").nth(0).locator("input[name$='-correct']").check()
        page.select_option("#knowledge_point_id", label="手写题目标/当场处罚")
        page.fill("#tags", "首违不罚、程序")
        page.fill("#legal_basis", "处罚法33条")
        page.get_by_role("button", name="预览").click()
        expect(page.locator("#preview-title")).to_be_visible()
        expect(page.get_by_label("A. 不予行政处罚")).to_be_visible()
        # The typed basis is normalised and its article shown for confirmation
        confirm = page.locator("#basis-confirm")
        expect(confirm).to_contain_text("《行政处罚法》第三十三条")
        expect(confirm).to_contain_text("没有造成危害后果的，不予行政处罚")
        expect(page.locator("#legal_basis")).to_have_value("《行政处罚法》第三十三条")
        screenshot(page, "question-basis-confirm.png")
        page.get_by_role("button", name="保存", exact=True).click()
        expect(page.locator(".alert-success")).to_contain_text("已新增试题")
        expect(page.get_by_test_id("key")).to_contain_text("A")
        expect(page.locator("#preview-title")).to_be_visible()
        page.get_by_role("link", name=BANK).first.click()

        # 多选
        _new(page, "多选题")
        page.fill("#stem", "下列属于行政处罚种类的有：")
        for i, option in enumerate(("警告", "罚款", "责令改正", "批评教育")):
            page.fill(f"#option-{i}-text", option)
        page.check("#option-0-correct")
        page.check("#option-1-correct")
        page.fill("#score", "2")
        _save(page)

        # 判断 with a wrong key (corrected below)
        _new(page, "判断题")
        page.fill("#stem", "违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚。")
        page.check("#tf-错")
        _save(page)

        # 填空: two blanks, several accepted answers, a blank added by the script
        _new(page, "填空题")
        page.fill("#stem", "当事人对行政处罚不服的，可以申请____或者提起____。")
        page.fill("#blank-0-answers", "行政复议|复议")
        page.get_by_role("button", name="添加一空").click()
        page.locator("[data-row]").nth(1).locator("input[name$='-answers']").fill(
            "行政诉讼|诉讼"
        )
        page.fill("#score", "2")
        _save(page)

        # 简答 and 案例分析: reference answer and scoring points
        for kind, stem in (
            ("简答题", "简述当场处罚的适用条件。"),
            ("案例分析题", "某商户初次占道经营并当场改正，执法人员应如何处理？"),
        ):
            _new(page, kind)
            page.fill("#stem", stem)
            page.fill("#reference_answer", "违法事实确凿、有法定依据、罚款数额较小。")
            page.fill("#rubric-0-point", "违法事实确凿并有法定依据")
            page.fill("#rubric-0-score", "5")
            page.fill("#score", "5")
            _save(page)
        expect(page.locator("tbody tr")).to_have_count(6)

        # A candidate sits the 判断题 and "fails" on the mistaken key
        assert _sit_exam(live_app) is False

        # 更正答案 from the question page, with the regrade preview
        page.reload()
        page.locator("tbody tr", has_text="判断题").get_by_role("link").first.click()
        page.get_by_role("link", name="更正答案").click()
        page.check("#tf-对")
        page.get_by_role("button", name="预览重新评分").click()
        expect(page.get_by_test_id("regrade-summary")).to_contain_text(
            "受影响答卷 1 份"
        )
        expect(page.locator("table")).to_contain_text("不通过 → 通过")
        expect(page.locator("table")).to_contain_text("0.00")

        # The same preview at 375 px: the table scrolls inside its box
        page.set_viewport_size(PHONE)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1
        screenshot(page, "question-regrade-phone.png")
        page.get_by_role("button", name="确认更正并重新评分").click()
        expect(page.locator(".alert-success")).to_contain_text("重新评分 1 份答卷")
        expect(page.get_by_test_id("key")).to_contain_text("对")
        # The knowledge points and the editor at 375 px
        for path in ("knowledge-points", "banks"):
            page.goto(f"{live_server}/admin/exams/{path}")
            if path == "banks":
                page.get_by_role("link", name=BANK).click()
                _new(page, "单选题")
            overflow = page.evaluate(
                "document.documentElement.scrollWidth"
                " - document.documentElement.clientWidth"
            )
            assert overflow <= 1, path
        screenshot(page, "question-editor-phone.png")
        page.set_viewport_size(DESKTOP)
    finally:
        context.close()
