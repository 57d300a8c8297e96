"""The consistency report: its numbers against an independent computation, the
minimum group size, the period and scope filters, the downloads."""

import io
import random
from datetime import date

import pytest
from openpyxl import load_workbook

from casebank.cases.models import CaseFinding
from casebank.consistency.models import CaseOfficer, CasePeerKey
from portal.extensions import db
from tests.casebank.supervision_util import login, make_case


def _pct(x):
    return round(x * 100, 1)


def _median(values):
    values = sorted(values)
    n = len(values)
    mid = n // 2
    return values[mid] if n % 2 else (values[mid - 1] + values[mid]) / 2


@pytest.fixture
def archive(world):
    """Cases of two agencies: a big CG-003/一般 group (30), a small CG-001/轻微
    group (3, below the minimum), one case outside the period, officers and one
    open archive-comparison finding."""
    rng = random.Random(13)
    rows = []
    officers = {"A": ("甲某某", "11111"), "B": ("乙某某", "22222")}
    for i in range(33):
        item, tier = ("CG-003", "一般") if i < 30 else ("CG-001", "轻微")
        party = "individual" if i % 3 == 0 else "organization"
        pos = 1.0 if i == 4 else 0.0 if i == 5 else round(rng.uniform(0.2, 0.7), 4)
        reasoned = i % 4 != 0
        agency = world.agency if i % 2 == 0 else world.other_agency
        case = make_case(agency, decided=date(2026, 2, 1 + i % 27), fine=1000.0 + i)
        db.session.add(
            CasePeerKey(
                case_id=case.id,
                item_code=item,
                tier_level=tier,
                city_id=world.city.id,
                region_id=agency.parent_id,
                agency_id=agency.id,
                party_type=party,
                decision_date=case.decision_date,
                fine_yuan=case.fine_yuan,
                range_low=0,
                range_high=2000,
                position=pos,
                is_reasoned=reasoned,
            )
        )
        who = "A" if i < 20 else "B"
        db.session.add(
            CaseOfficer(
                case_id=case.id, name=officers[who][0], cert_no=officers[who][1]
            )
        )
        rows.append(
            {
                "id": case.id,
                "item": item,
                "tier": tier,
                "party": party,
                "pos": pos,
                "reasoned": reasoned,
                "agency": agency.name,
                "officer": who,
            }
        )
    outside = make_case(world.agency, decided=date(2026, 5, 1), fine=5.0)
    db.session.add(
        CasePeerKey(
            case_id=outside.id,
            item_code="CG-003",
            tier_level="一般",
            city_id=world.city.id,
            region_id=world.agency.parent_id,
            agency_id=world.agency.id,
            decision_date=outside.decision_date,
            fine_yuan=5.0,
            range_low=0,
            range_high=2000,
            position=0.99,
        )
    )
    db.session.add(
        CaseFinding(
            case_id=rows[4]["id"],
            position=1000,
            code="INCONSISTENT_WITH_SIMILAR",
            severity="medium",
            severity_rank=2,
            message="m",
        )
    )
    db.session.commit()
    return rows


def test_report_numbers_match_an_independent_computation(app, world, archive):
    """Do the report's distribution, extremes, unreasoned share, party and
    officer figures equal a computation from the raw rows in this test, with no
    figure for the group below the minimum size?"""
    client = login(app, "supervision_staff")
    url = f"/casebank/consistency/report.xlsx?org_id={world.city.id}&period=2026-Q1"
    response = client.get(url)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    params = {r[0]: r[1] for r in book["说明"].iter_rows(min_row=2, values_only=True)}
    assert params["案件数"] == "33"
    assert "2026-01-01 至 2026-03-31" in params["期间（决定日期）"]
    assert params["最小组规模"].startswith("5 件")

    big = [r for r in archive if r["item"] == "CG-003"]
    items = {
        (r[0], r[1]): r
        for r in book["事项阶次分布"].iter_rows(min_row=2, values_only=True)
    }
    row = items[("CG-003", "一般")]
    positions = [r["pos"] for r in big]
    assert row[2] == 30
    assert row[3] == _pct(_median(positions))
    extremes = sum(p <= 0.05 or p >= 0.95 for p in positions)
    assert row[6] == _pct(extremes / 30)
    assert row[7] == _pct(sum(not r["reasoned"] for r in big) / 30)
    assert row[8] == 1
    small = items[("CG-001", "轻微")]
    assert small[2] == 3
    assert all(v == "—" for v in small[3:])

    agencies = {
        r[0]: r for r in book["执法部门"].iter_rows(min_row=2, values_only=True)
    }
    for name, agency_rows in (
        (world.agency.name, [r for r in archive if r["agency"] == world.agency.name]),
        (
            world.other_agency.name,
            [r for r in archive if r["agency"] == world.other_agency.name],
        ),
    ):
        got = agencies[name]
        assert got[1] == len(agency_rows)
        assert got[3] == _pct(
            sum(not r["reasoned"] for r in agency_rows) / len(agency_rows)
        )

    parties = {
        (r[0], r[1]): r
        for r in book["当事人类型"].iter_rows(min_row=2, values_only=True)
    }
    got = parties[("CG-003", "一般")]
    ind = [r["pos"] for r in big if r["party"] == "individual"]
    org = [r["pos"] for r in big if r["party"] == "organization"]
    assert got[2] == len(ind)
    assert got[3] == _pct(_median(ind))
    assert got[4] == len(org)
    assert got[5] == _pct(_median(org))
    assert got[6] == pytest.approx(_pct(_median(org)) - _pct(_median(ind)), abs=0.051)

    officers = {
        r[1]: r for r in book["执法人员"].iter_rows(min_row=2, values_only=True)
    }
    group_median = {
        key: _median([r["pos"] for r in archive if (r["item"], r["tier"]) == key])
        for key in {(r["item"], r["tier"]) for r in archive}
    }
    for who, cert in (("A", "11111"), ("B", "22222")):
        mine = [r for r in archive if r["officer"] == who]
        gaps = [r["pos"] - group_median[(r["item"], r["tier"])] for r in mine]
        assert officers[cert][2] == len(mine)
        assert officers[cert][3] == _pct(sum(gaps) / len(gaps))


def test_report_page_pdf_and_scope(app, world, archive):
    """Does the page show the parameters, tables and chart data, the PDF
    download work, and an organisation outside the viewer's scope answer 404?"""
    client = login(app, "supervision_staff")
    page = client.get(
        f"/casebank/consistency/report?org_id={world.city.id}&period=2026-Q1"
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-testid="report-parameters"' in html
    assert "案件清单摘要" in html
    assert 'id="report-data"' in html
    assert "INCONSISTENT" not in html.split('id="report-data"')[0]
    pdf = client.get(
        f"/casebank/consistency/report.pdf?org_id={world.agency.id}&period=2026-Q1"
    )
    assert pdf.status_code == 200
    assert pdf.data.startswith(b"%PDF")
    handler_page = login(app, "agency_handler").get(
        f"/casebank/consistency/report?org_id={world.city.id}&period=2026-Q1"
    )
    assert handler_page.status_code == 403
    bad = client.get(f"/casebank/consistency/report?org_id={world.city.id}&period=x")
    assert "期间“x”格式不正确" in bad.get_data(as_text=True)
