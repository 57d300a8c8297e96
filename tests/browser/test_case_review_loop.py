"""Issue #6 end to end in Chromium: an invited supervisor opens a flagged case
assigned to them, sees the highlighted evidence, dismisses one finding and confirms
the other, scores the file; supervision staff issue a 监督意见书 from the sheet; the
agency handler replies with a photo; staff accept; and an open opinion turns red
once its deadline has passed (server clock frozen with freezegun)."""

import io
import secrets
from datetime import datetime, timedelta

import pytest
from freezegun import freeze_time
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

INSPECTOR = "loop_inspector"
# Playwright's own clock must keep running while the portal's is frozen.
REAL_TIME_MODULES = ["playwright", "greenlet", "asyncio"]


@pytest.fixture
def loop(live_app):
    """A checked case with two findings assigned to an invited supervisor without a
    conflict, and a second case with an open opinion (for the overdue check)."""
    import sqlalchemy as sa

    from casebank.cases.checks import check_cases
    from casebank.cases.intake import Entry
    from casebank.cases.models import CaseFile
    from casebank.cases.services import add_cases
    from casebank.opinions import services as opinions
    from casebank.reviews.services import ensure_template
    from casebank.supervision.services import assign_case
    from portal.actor import Actor
    from portal.auth.models import Role, User
    from portal.extensions import db
    from portal.orgs.models import Organisation
    from tests.casebank.review_support import decision
    from tests.factories import Factories

    with live_app.app_context():
        orgs = {o.code: o for o in db.session.scalars(sa.select(Organisation))}
        agency = orgs["C-A-CG"]
        users = {u.username: u for u in db.session.scalars(sa.select(User))}
        if INSPECTOR not in users:
            users[INSPECTOR] = Factories().user(
                username=INSPECTOR,
                name="王监督",
                role=Role.INVITED_SUPERVISOR,
                scope=orgs["C-A"],
                organisation=orgs["C-B-SJ"],  # not the reviewed agency
            )
        texts = [decision("cg-004.txt"), decision("cg-009.txt")]
        batch = add_cases(
            [
                Entry(f"loop-{i}.txt", data=text.encode(), text=text)
                for i, text in enumerate(texts)
            ],
            Actor.system(),
            agency=agency,
            agencies=[agency],
            upload_dir=live_app.config["UPLOAD_DIR"],
        )
        db.session.commit()
        case_ids = [r["case_id"] for r in batch.results]
        check_cases(case_ids)
        reviewed, other = (db.session.get(CaseFile, i) for i in case_ids)
        assert reviewed.finding_count >= 2
        staff = Actor(user=users["supervision_staff"])
        assign_case(reviewed, users[INSPECTOR], staff)
        ensure_template(Actor.system())
        open_opinion = opinions.issue_opinion(
            other,
            opinions.Draft(
                secrets.token_urlsafe(24), "文书未载明救济途径", "限期整改", None, 15
            ),
            staff,
        )
        db.session.commit()
        result = {
            "case_id": reviewed.id,
            "doc_number": reviewed.title,
            "findings": [f.id for f in reviewed.findings],
            "open_number": open_opinion.number,
            "open_due": open_opinion.due_on,
        }
        db.session.remove()
    return result


def _sign_in(browser, live_server, username):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # 提交评查 asks to confirm
    sign_in(page, live_server, username)
    page.wait_for_url("**/dashboard")
    return context, page


def _png(tmp_path):
    path = tmp_path / "整改照片.png"
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 200)).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_review_opinion_reply_accept_and_overdue(
    browser, live_server, loop, tmp_path, screenshot
):
    case_url = f"{live_server}/casebank/cases/{loop['case_id']}"
    first, second = loop["findings"][:2]

    # The invited supervisor: task list → case → labels → 评查表.
    context, page = _sign_in(browser, live_server, INSPECTOR)
    try:
        page.goto(f"{live_server}/casebank/supervision/my")
        page.get_by_role("link", name=loop["doc_number"]).click()
        page.wait_for_url(case_url)
        expect(page.locator("mark.hl-finding").first).to_be_visible()
        labels = page.get_by_test_id("finding-label")
        expect(labels).to_have_count(len(loop["findings"]))

        form = page.locator(f"form[action$='/findings/{first}/label']")
        form.locator(f"#d-{first}").check()
        form.locator(f"#r-{first}").fill("所引条文在决定作出时仍然有效")
        form.get_by_role("button", name="保存标注").click()
        form = page.locator(f"form[action$='/findings/{second}/label']")
        form.locator(f"#c-{second}").check()
        form.get_by_role("button", name="保存标注").click()
        expect(page.get_by_text("已驳回")).to_be_visible()
        expect(page.get_by_text("已确认")).to_be_visible()
        screenshot(page, "case-review-labels.png")

        page.get_by_role("link", name="填写评查表").click()
        first_points = page.locator("input[id^='points-']").first
        item_id = first_points.get_attribute("id").removeprefix("points-")
        first_points.fill("1")
        page.fill(f"#note-{item_id}", "法律依据引用已废止的条文")
        page.fill("#opinion", "建议撤销原处罚决定并重新作出，引用现行有效的法律条文。")
        page.get_by_role("button", name="提交评查").click()
        page.wait_for_url("**/casebank/supervision/my")
        expect(page.get_by_text("评查表已提交")).to_be_visible()
    finally:
        context.close()

    # Supervision staff issue the 监督意见书 from the submitted sheet.
    context, page = _sign_in(browser, live_server, "supervision_staff")
    try:
        page.goto(f"{case_url}/review")
        page.locator("[data-testid^='issue-from-review-']").first.click()
        expect(page.locator("#opinion")).to_have_value(
            "建议撤销原处罚决定并重新作出，引用现行有效的法律条文。"
        )
        expect(page.locator("#problems")).to_contain_text("法律依据引用已废止的条文")
        page.get_by_test_id("opinion-issue").click()
        number = page.get_by_test_id("opinion-number").inner_text()
        opinion_url = page.url
        expect(page.get_by_test_id("opinion-flag")).to_have_attribute("data-flag", "ok")
    finally:
        context.close()

    # The agency handler replies with the rectification and a photo.
    context, page = _sign_in(browser, live_server, "agency_handler")
    try:
        page.goto(f"{live_server}/casebank/opinions/todo")
        page.get_by_role("link", name=number).click()
        form = page.get_by_test_id("opinion-reply-form")
        form.locator("textarea").fill(
            "已撤销原决定，重新作出处罚决定并组织法制审核培训。"
        )
        form.locator("input[type=file]").set_input_files(str(_png(tmp_path)))
        page.get_by_test_id("opinion-reply-submit").click()
        expect(page.get_by_test_id("opinion-status")).to_have_attribute(
            "data-status", "replied"
        )
        expect(page.get_by_test_id("opinion-reply")).to_contain_text("整改照片.png")
    finally:
        context.close()

    # Staff accept the reply: the opinion is closed.
    context, page = _sign_in(browser, live_server, "supervision_staff")
    try:
        page.goto(opinion_url)
        page.get_by_test_id("opinion-accept").click()
        expect(page.get_by_test_id("opinion-status")).to_have_attribute(
            "data-status", "accepted"
        )
        expect(page.get_by_test_id("opinion-flag")).to_have_attribute(
            "data-flag", "done"
        )
        screenshot(page, "case-opinion-accepted.png")
    finally:
        context.close()

    # The other, unanswered opinion is red the day after its deadline.
    after_due = datetime.combine(
        loop["open_due"] + timedelta(days=1), datetime.min.time()
    )
    with freeze_time(after_due + timedelta(hours=2), ignore=REAL_TIME_MODULES):
        context, page = _sign_in(browser, live_server, "supervision_staff")
        try:
            page.goto(f"{live_server}/casebank/opinions?flag=overdue")
            row = page.get_by_test_id("opinion-list").locator(
                "tr", has_text=loop["open_number"]
            )
            flag = row.get_by_test_id("opinion-flag")
            expect(flag).to_have_attribute("data-flag", "overdue")
            expect(flag).to_have_text("已逾期")
            expect(flag).to_have_class("badge text-bg-danger")
            accepted = page.get_by_test_id("opinion-list").locator(
                "tr", has_text=number
            )
            expect(accepted).to_have_count(0)
            screenshot(page, "case-opinion-overdue.png")
        finally:
            context.close()
