"""Marking, release and 成绩复核 in real Chromium (issue #12): the training
administrator marks the essay by question (desktop) and releases the results as
soon as marking is done (before the window closes); the officer files an appeal on
the result page at 375 px; the administrator accepts it and a second marker
re-marks; the officer sees the outcome. At 375 px the user list and the item
analysis tables scroll horizontally inside their labelled region while the first
column stays visible. axe-core audits every page state (conftest)."""

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
_serial = itertools.count(1)
ESSAY = "应当依法立案、调查取证、告知当事人陈述申辩权利。"


@pytest.fixture
def essay_exam(live_app):
    """A manual-release arrangement of the training admin's district with one
    判断 (50) and one 简答 (50); the officer has submitted (essay waiting for a
    marker); a second training admin ``marker2-<n>`` exists. Returns (arrangement
    id, attempt id, second marker's username)."""
    from exams.attempts.services import save_answer, start_attempt, submit_attempt
    from exams.banks.models import QuestionVersion
    from exams.banks.services import commit_import, ensure_bank, plan_import
    from exams.formats.model import ImportedQuestion, ImportResult
    from exams.papers.services import (
        create_arrangement,
        create_blueprint_paper,
        enrol_candidates,
    )
    from portal.actor import Actor
    from portal.auth.models import User
    from portal.extensions import db
    from portal.orgs.models import Organisation
    from portal.timeutil import utcnow
    from tests.factories import Factories

    n = next(_serial)
    with live_app.app_context():
        bank = ensure_bank(f"BROWSER-MARK-{n}")
        rows = [
            ImportedQuestion(
                type="true_false", stem=f"判断{n}：应当公开。", key=["对"]
            ),
            ImportedQuestion(
                type="essay",
                stem=f"简答{n}：简述行政处罚程序。",
                reference_answer="立案……",
            ),
        ]
        commit_import(
            plan_import(ImportResult(questions=rows, format="xlsx"), bank),
            bank,
            Actor.system(),
        )
        paper = create_blueprint_paper(
            f"阅卷试卷{n}",
            [
                {"bank_id": bank.id, "type": t, "count": 1, "score_each": Decimal(50)}
                for t in ("true_false", "essay")
            ],
            pool_factor=Decimal(1),
        )
        district = db.session.scalar(
            db.select(Organisation).where(Organisation.name == "甲区")
        )
        now = utcnow()
        arrangement = create_arrangement(
            paper,
            name=f"阅卷复核考试{n}",
            kind="training",
            window_start=now - timedelta(hours=1),
            window_end=now + timedelta(hours=3),
            release_policy="manual",
            organisation_id=district.id,
        )
        officer = db.session.scalar(db.select(User).where(User.username == "officer"))
        enrol_candidates(arrangement, users=[officer])
        attempt = start_attempt(arrangement, officer, now)
        for position, item in enumerate(attempt.candidate_paper.items):
            version = db.session.get(QuestionVersion, item["version_id"])
            response = ["对"] if version.type == "true_false" else ESSAY
            save_answer(attempt, position, response, seq=1, now=now)
        submit_attempt(attempt, now + timedelta(seconds=1))
        db.session.commit()
        marker = Factories().user(
            username=f"marker2-{n}",
            name=f"复核阅卷人{n}",
            role="training_admin",
            scope=district,
            organisation=district,
        )
        ids = (arrangement.id, attempt.id, marker.username)
        db.session.remove()
    return ids


def _sign_in(browser, live_server, username, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server, username)
    expect(page.get_by_test_id("current-user")).to_be_attached()
    return page


def _assert_scrolls_with_sticky_first_column(page, region_label):
    region = page.get_by_role("region", name=region_label)
    expect(region).to_be_visible()
    widths = region.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert widths[0] > widths[1], f"{region_label}: nothing to scroll at 375 px"
    first = region.locator("tbody tr").first.locator("td, th").first
    before = first.bounding_box()
    region.focus()  # keyboard users reach it
    region.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    assert region.evaluate("el => el.scrollLeft") > 0
    after = first.bounding_box()
    # The sticky first column does not move while the rest scrolls.
    assert abs(after["x"] - before["x"]) < 1
    assert 0 <= after["x"] < PHONE["width"]
    last = region.locator("thead th").last.bounding_box()
    assert last["x"] + last["width"] <= PHONE["width"] + 1


def test_release_appeal_and_second_marker(browser, live_server, essay_exam):
    arrangement_id, attempt_id, marker2 = essay_exam

    # The training admin marks the essay by question, at desktop width.
    admin = _sign_in(browser, live_server, "training_admin", DESKTOP)
    admin.goto(f"{live_server}/admin/exams/arrangements/{arrangement_id}")
    expect(admin.locator("#results-release")).to_contain_text("未评完")
    admin.goto(f"{live_server}/admin/exams/grading?arrangement_id={arrangement_id}")
    entry = admin.locator(".grading-entry", has_text=ESSAY)
    expect(entry).to_contain_text("初评")
    entry.get_by_label("得分").fill("20")
    entry.get_by_role("button", name="评分").click()
    expect(admin.locator(".alert-success")).to_contain_text("已评分")
    admin.get_by_role("link", name="已评").click()
    expect(admin.locator("#graded")).to_contain_text("初评")

    # Marking is done: release before the window closes.
    admin.goto(f"{live_server}/admin/exams/arrangements/{arrangement_id}")
    expect(admin.locator("#results-release")).to_contain_text("阅卷已完成，可以公布")
    admin.get_by_role("button", name="公布成绩").click()
    expect(admin.locator(".alert-success")).to_contain_text("成绩已公布")

    # The officer, on a phone, sees the result and files an appeal.
    officer = _sign_in(browser, live_server, "officer", PHONE)
    officer.goto(f"{live_server}/exams/attempts/{attempt_id}/result")
    expect(officer.locator("#result-summary")).to_contain_text("70.00")
    officer.get_by_label("申请理由").fill("简答题要点齐全，请复核。")
    officer.get_by_role("button", name="申请成绩复核").click()
    expect(officer.locator("#appeal-status")).to_have_text("待处理")

    # The admin accepts it on the answer sheet; as first marker they may not
    # re-mark it themselves.
    admin.goto(f"{live_server}/admin/exams/arrangements/{arrangement_id}/sheets")
    expect(admin.locator("#appeals")).to_contain_text("简答题要点齐全")
    admin.locator("#appeals").get_by_role("link", name="处理").click()
    expect(admin.locator(".sheet-item").first).to_be_visible()
    expect(admin.locator("body")).to_contain_text("系统自动评分")
    admin.get_by_role("button", name="受理，安排复核评分").click()
    expect(admin.locator("#appeal-admin-status")).to_contain_text("复核评分中")
    admin.get_by_label("复核得分").fill("45")
    admin.get_by_role("button", name="复核评分").click()
    expect(admin.locator(".alert-danger")).to_contain_text("未评过")

    # A second marker re-marks; the appeal is resolved.
    second = _sign_in(browser, live_server, marker2, DESKTOP)
    second.goto(f"{live_server}/admin/exams/attempts/{attempt_id}/sheet")
    second.get_by_label("复核得分").fill("45")
    second.get_by_role("button", name="复核评分").click()
    expect(second.locator(".alert-success")).to_contain_text("复核完成")
    expect(second.locator("#sheet-summary")).to_contain_text("95.00")

    # The officer sees the outcome.
    officer.goto(f"{live_server}/exams/attempts/{attempt_id}/result")
    expect(officer.locator("#appeal-outcome")).to_contain_text(
        "复核前 70.00 分，复核后 95.00 分"
    )

    # At 375 px: the user list and the item analysis scroll inside their region.
    phone_admin = _sign_in(browser, live_server, "training_admin", PHONE)
    phone_admin.goto(f"{live_server}/admin/users")
    _assert_scrolls_with_sticky_first_column(phone_admin, "用户列表")
    phone_admin.goto(
        f"{live_server}/admin/exams/arrangements/{arrangement_id}/analysis"
    )
    expect(phone_admin.locator("body")).to_contain_text("样本不足")
    _assert_scrolls_with_sticky_first_column(phone_admin, "试题分析")
