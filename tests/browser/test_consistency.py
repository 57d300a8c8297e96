"""Issue #13 end to end in Chromium: a supervisor uploads a batch of decisions
containing an outlier, sees it flagged with its peer chart, opens a peer, and
downloads the period's consistency report.

The test builds its own city (with the demo 城管 catalogue published for it only)
so the other browser tests' cases are not matched against a catalogue."""

import json

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.casebank.consistency_texts import decision

pytestmark = pytest.mark.browser

STAFF = "consistency_staff"
FINES = [7000, 7500, 8000, 8200, 8500, 9000]


@pytest.fixture
def city(live_app):
    """A city with one 城管 agency, the 城管 catalogue, and a supervisor of it."""
    import sqlalchemy as sa

    from casebank import CATALOGUE_DIR
    from casebank.documents import validate_document
    from casebank.services import import_catalogue
    from portal.actor import Actor
    from portal.auth.models import Role, User
    from portal.extensions import db
    from portal.orgs.models import Domain, Organisation
    from tests.factories import Factories

    with live_app.app_context():
        existing = db.session.scalar(
            sa.select(Organisation).where(Organisation.code == "BR")
        )
        if existing is None:
            factories = Factories()
            domain = db.session.scalar(
                sa.select(Domain).where(Domain.code == "chengguan")
            )
            city = factories.org("浏览器测试市", "city", code="BR")
            district = factories.org("浏览器区", "district", city, code="BR-A")
            factories.org(
                "浏览器区城管局", "agency", district, code="BR-A-CG", domains=[domain]
            )
            document = json.loads((CATALOGUE_DIR / "chengguan.json").read_text())
            import_catalogue(
                validate_document(document),
                Actor.system(),
                publish=True,
                jurisdiction=city,
                code="BR-CG",
            )
            db.session.commit()
            if db.session.scalar(sa.select(User).where(User.username == STAFF)) is None:
                factories.user(
                    username=STAFF,
                    name="一致性监督员",
                    role=Role.SUPERVISION_STAFF,
                    scope=city,
                    organisation=city,
                )
        city = db.session.scalar(
            sa.select(Organisation).where(Organisation.code == "BR")
        )
        agency = db.session.scalar(
            sa.select(Organisation).where(Organisation.code == "BR-A-CG")
        )
        ids = {"city": city.id, "agency": agency.id}
        db.session.remove()
    return ids


def test_supervisor_sees_outlier_with_peer_chart_and_downloads_report(
    live_server, browser, city, tmp_path, screenshot
):
    """Upload → flagged outlier with its chart → a peer → the .xlsx report."""
    files = []
    for i, fine in enumerate(FINES):
        path = tmp_path / f"ordinary-{i}.txt"
        path.write_text(decision(200 + i, fine), encoding="utf-8")
        files.append(str(path))
    outlier = tmp_path / "outlier.txt"
    outlier.write_text(decision(299, 11900), encoding="utf-8")
    files.append(str(outlier))
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    # The import checks the batch inline (no queue in tests): allow for it.
    page.set_default_timeout(180_000)
    try:
        sign_in(page, live_server, STAFF)
        page.wait_for_url("**/dashboard")
        page.goto(f"{live_server}/casebank/cases/new")
        page.select_option("#agency_id", str(city["agency"]))
        page.set_input_files("#files", files)
        with page.expect_navigation():
            page.get_by_role("button", name="导入").click()
        page.locator("tr", has_text="outlier.txt").get_by_role("link").click()
        finding = page.locator("[data-code='INCONSISTENT_WITH_SIMILAR']")
        expect(finding).to_have_text("与同类案件处罚明显不一致")
        references = page.get_by_test_id("reference-cases")
        expect(references.locator("li")).to_have_count(5)
        expect(references).to_contain_text("浏览器区城管局")
        group = page.get_by_test_id("peer-group")
        expect(group).to_contain_text("共 7 件（含本案）")
        expect(group).to_contain_text("明显偏高")
        expect(page.locator("#peer-chart svg")).to_have_count(1)
        _assert_median_label_clear_of_legend(page)
        screenshot(page, "consistency-outlier.png")
        case_url = page.url
        group.locator("summary").click()
        page.get_by_test_id("peer-table").get_by_role(
            "link", name="江临城管罚决字〔2025〕第203号"
        ).click()
        page.wait_for_url(lambda url: url != case_url)
        expect(page.locator("h1")).to_contain_text("江临城管罚决字〔2025〕第203号")
        expect(page.get_by_test_id("peer-group")).to_contain_text("与同类案件一致")
        page.goto(f"{live_server}/casebank/consistency/report")
        page.select_option("#org_id", str(city["city"]))
        page.fill("#period", "2025-Q2")
        page.get_by_role("button", name="生成报告").click()
        expect(page.get_by_test_id("table-items")).to_contain_text("CG-003")
        expect(page.locator("#chart-items canvas")).to_have_count(1)
        with page.expect_download() as info:
            page.get_by_test_id("download-xlsx").click()
        download = info.value
        target = tmp_path / "report.xlsx"
        download.save_as(target)
        from openpyxl import load_workbook

        book = load_workbook(target)
        rows = list(book["事项阶次分布"].iter_rows(min_row=2, values_only=True))
        assert rows[0][:3] == ("CG-003", "一般", 7)
        assert rows[0][8] == 1
    finally:
        context.close()


def _assert_median_label_clear_of_legend(page) -> None:
    """At 1280 px the median line's label and the legend do not overlap (the
    chart is drawn as SVG, so both are text elements with boxes)."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.wait_for_timeout(300)  # the chart redraws on resize
    median = page.locator("#peer-chart svg text", has_text="中位数")
    expect(median).to_have_count(1)
    label = median.bounding_box()
    legend = [
        page.locator("#peer-chart svg text", has_text=name).first.bounding_box()
        for name in ("同类案件", "本案")
    ]
    for box in legend:
        apart = (
            label["x"] + label["width"] <= box["x"]
            or box["x"] + box["width"] <= label["x"]
            or label["y"] + label["height"] <= box["y"]
            or box["y"] + box["height"] <= label["y"]
        )
        assert apart, (label, box)
