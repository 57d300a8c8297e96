"""监督统计: known cases, labels and reviews give known figures."""

import json
import re
from datetime import date

import pytest

from casebank.cases.queries import fine_position
from casebank.reviews import scoring, stats
from casebank.reviews.services import ensure_template, label_finding, save_review
from portal.actor import Actor
from portal.extensions import db
from tests.casebank.review_support import add_case, chengguan_document, login


@pytest.fixture
def known(world, importer):
    """Four checked 城管 cases of world.agency, one pending case of the other
    (市场监管) agency, labels by two reviewers and two submitted reviews."""
    importer(chengguan_document(), code="CG-DEMO")
    cases = {
        name: add_case(world.agency, f"{name}.txt")
        for name in ("cg-001", "cg-002", "cg-008", "cg-012")
    }
    cases["other"] = add_case(
        world.other_agency, text="乙县市场监管局\n决定书\n罚款1元。\n", check=False
    )
    staff, admin = world.users["supervision_staff"], world.users["sys_admin"]
    actor = Actor.system()

    def label(name, user, decision, reason=""):
        finding = cases[name].findings[0]
        label_finding(cases[name], finding, user, decision, reason, actor)

    # FINE_OUTSIDE_TIER: 1 of 2 dismissed; AMOUNT_INCONSISTENT: 1 of 1;
    # FINE_ABOVE_STATUTORY: 0 of 1.
    label("cg-002", staff, "dismissed", "误报")
    label("cg-002", admin, "confirmed")
    label("cg-012", staff, "dismissed", "大小写一致")
    label("cg-008", admin, "confirmed")
    template = ensure_template(actor)
    veto = next(i for i in template.items if i.veto)
    for name, user, entries in (
        ("cg-001", staff, {}),
        ("cg-008", staff, {veto.id: scoring.Entry(vetoed=True, note="超出幅度")}),
    ):
        save_review(cases[name], user, template, entries, "意见", 0, actor, True)
    db.session.commit()
    return cases


def test_dashboard_figures(world, known):
    figures = stats.dashboard(world.users["supervision_staff"], stats.Filters())
    assert figures["totals"] == {"cases": 5, "checked": 4, "flagged": 3, "reviewed": 2}
    assert figures["domains"] == [
        {"name": "城管", "cases": 4, "checked": 4, "flagged": 3},
        {"name": "市场监管", "cases": 1, "checked": 0, "flagged": 0},
    ]
    by_agency = {a["name"]: a for a in figures["agencies"]}
    assert by_agency["乙县市场监管局"]["cases"] == 1
    assert by_agency["乙县市场监管局"]["checked"] == 0
    assert by_agency["甲区城管局"]["reviewed"] == 2
    codes = {c["code"]: c for c in figures["codes"]}
    assert codes["FINE_OUTSIDE_TIER"]["labelled"] == 2
    assert codes["FINE_OUTSIDE_TIER"]["dismissal_rate"] == 50.0
    assert codes["AMOUNT_INCONSISTENT"]["dismissal_rate"] == 100.0
    assert codes["FINE_ABOVE_STATUTORY"]["dismissal_rate"] == 0.0
    assert {c: v["findings"] for c, v in codes.items()} == {
        "FINE_OUTSIDE_TIER": 1,
        "AMOUNT_INCONSISTENT": 1,
        "FINE_ABOVE_STATUTORY": 1,
    }
    assert figures["grades"] == {"优秀": 1, "合格": 0, "不合格": 1}
    # Fine positions: each case with a yuan range lands in its bucket.
    expected = dict.fromkeys(stats.POSITION_BUCKETS, 0)
    for case in known.values():
        position = fine_position(case)
        if position is not None:
            expected[stats.position_bucket(position["pct"])] += 1
    assert figures["positions"] == expected
    assert sum(expected.values()) >= 2


def test_position_buckets():
    assert stats.position_bucket(-0.1) == "低于档次下限"
    assert stats.position_bucket(0) == "0–20%"
    assert stats.position_bucket(20) == "20–40%"
    assert stats.position_bucket(100) == "80–100%"
    assert stats.position_bucket(100.5) == "高于档次上限"


def test_filters_by_agency_domain_and_period(world, known):
    user = world.users["supervision_staff"]
    only_market = stats.dashboard(user, stats.Filters(domain="market"))
    assert only_market["totals"]["cases"] == 1
    assert only_market["codes"] == []
    chengguan = stats.dashboard(user, stats.Filters(agency_id=world.agency.id))
    assert chengguan["totals"]["cases"] == 4
    since_2024 = stats.dashboard(user, stats.Filters(date_from=date(2024, 1, 1)))
    assert since_2024["totals"]["cases"] == 1  # cg-012 (2025-04-22)
    assert [c["code"] for c in since_2024["codes"]] == ["AMOUNT_INCONSISTENT"]


def test_dashboard_page_shows_tables_and_chart_json(app, world, known):
    client = login(app, "supervision_staff")
    response = client.get("/casebank/dashboard")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    row = re.search(r'<tr data-code="FINE_OUTSIDE_TIER">(.*?)</tr>', page).group(1)
    assert ">50.0%<" in row
    assert 'data-testid="total-cases">5<' in page
    assert "vendor/echarts.min.js" in page
    data = re.search(
        r'<script id="dashboard-data" type="application/json"[^>]*>(.*?)</script>', page
    ).group(1)
    # Chart names are the Chinese labels, not the codes.
    assert json.dumps("罚款超出裁量档次且未说明理由") in data
    assert '"FINE_OUTSIDE_TIER"' not in data
    assert "逾期监督意见书（0）" in page  # none issued in this set-up
    # Filters in the query string; an out-of-scope agency id is ignored.
    page = client.get("/casebank/dashboard?domain=market&agency_id=99999").get_data(
        as_text=True
    )
    assert 'data-testid="total-cases">1<' in page
    assert client.get("/casebank/dashboard?from=bad").status_code == 200
    assert login(app, "agency_handler").get("/casebank/dashboard").status_code == 403


def test_agency_names_are_escaped_in_chart_json(app, world, factories, known):
    """Is an agency name with markup passed to the chart JSON escaped (|tojson)?"""
    world.agency.name = "</script><script>alert(1)</script>"
    db.session.commit()
    page = login(app, "sys_admin").get("/casebank/dashboard").get_data(as_text=True)
    assert "</script><script>alert(1)" not in page
    assert "\\u003c/script\\u003e" in page


def test_a_district_supervisor_counts_and_exports_only_their_region(
    app, world, factories, known
):
    """Supervision staff of 甲区 see only 甲区 cases on the dashboard and in the
    labels download, whatever the filters say."""
    from portal.auth.models import Role

    factories.user(
        username="district-supervisor",
        role=Role.SUPERVISION_STAFF,
        scope=world.district,
        organisation=world.agency,
    )
    # A labelled finding outside 甲区 (cg-012's amounts disagree whatever the
    # catalogue), labelled by the system administrator.
    outside = add_case(world.other_agency, "cg-012.txt")
    assert [f.code for f in outside.findings] == ["AMOUNT_INCONSISTENT"]
    label_finding(
        outside,
        outside.findings[0],
        world.users["sys_admin"],
        "confirmed",
        "",
        Actor.system(),
    )
    db.session.commit()
    everything = login(app, "sys_admin").get("/casebank/labels.jsonl")
    assert len(everything.get_data(as_text=True).splitlines()) == 5
    client = login(app, "district-supervisor")
    page = client.get(
        f"/casebank/dashboard?agency_id={world.other_agency.id}"
    ).get_data(as_text=True)
    assert 'data-testid="total-cases">4<' in page  # the out-of-scope id is ignored
    assert "乙县市场监管局" not in page
    lines = client.get("/casebank/labels.jsonl").get_data(as_text=True).splitlines()
    assert len(lines) == 4
    assert {json.loads(x)["agency"] for x in lines} == {"甲区城管局"}
