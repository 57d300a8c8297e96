"""Opinion lists load agency and case with the opinions: a fixed number of SQL
statements whatever the number of rows (no N+1); the dashboard's overdue panel
filters by domain in SQL before its LIMIT."""

from datetime import date

import sqlalchemy as sa

from casebank.reviews.dashboard_views import overdue_opinions_for
from casebank.reviews.stats import Filters
from portal.extensions import db
from tests.casebank.opinions_support import issue, login, make_case


def _issue_many(world, n, start=0):
    staff = world.users["supervision_staff"]
    for i in range(start, start + n):
        agency = world.agency if i % 2 == 0 else world.other_agency
        issue(make_case(agency), staff, today=date(2026, 1, 5))


def _count(fn):
    statements = []

    def count(*args, **kwargs):
        statements.append(args[2] if len(args) > 2 else "")

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = fn()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(statements), result


def _pages(app, world):
    staff = login(app.test_client(), "supervision_staff")
    handler = login(app.test_client(), "agency_handler")
    counts = []
    for client, url in (
        (staff, "/casebank/opinions"),
        (handler, "/casebank/opinions/todo"),
    ):
        n, response = _count(lambda c=client, u=url: c.get(u))
        assert response.status_code == 200
        counts.append(n)
    db.session.expire_all()
    user = world.users["supervision_staff"]
    with app.test_request_context():
        n, rows = _count(
            lambda: overdue_opinions_for(user, Filters(None, None, None, None))
        )
    counts.append(n)
    return counts, rows


def test_opinion_lists_use_a_fixed_number_of_statements(app, world):
    """3 vs 20 opinions (two agencies, one case each): same statement count for
    the staff list, the handler's to-do list and the dashboard overdue panel."""
    _issue_many(world, 3)
    few, rows = _pages(app, world)
    assert len(rows) == 3
    _issue_many(world, 17, start=3)
    many, rows = _pages(app, world)
    assert len(rows) == 20
    assert many == few, (few, many)


def test_overdue_panel_filters_the_domain_in_sql_before_the_limit(app, world):
    """With 55 overdue opinions of the 城管 agency issued first and 2 of the 市场
    agency, the 市场 filter still finds both (the filter runs before LIMIT 50)."""
    staff = world.users["supervision_staff"]
    for _ in range(55):
        issue(make_case(world.agency), staff, today=date(2026, 1, 5))
    for _ in range(2):
        issue(make_case(world.other_agency), staff, today=date(2026, 1, 6))
    with app.test_request_context():
        market = overdue_opinions_for(staff, Filters(None, "market", None, None))
        everything = overdue_opinions_for(staff, Filters(None, None, None, None))
    assert [r["agency"] for r in market] == [world.other_agency.name] * 2
    assert len(everything) == 50


def _add_labels(world, n, start=0):
    from casebank.reviews.models import FindingLabel

    staff = world.users["supervision_staff"]
    for i in range(start, start + n):
        agency = world.agency if i % 2 == 0 else world.other_agency
        case = make_case(agency)
        db.session.add(
            FindingLabel(
                case_id=case.id,
                reviewer_id=staff.id,
                finding_key=f"k{i}",
                code="MISSING_BASIS",
                severity="high",
                message="缺少法律依据",
                decision="confirmed",
            )
        )
    db.session.commit()


def test_label_export_uses_a_fixed_number_of_statements(app, world):
    """The labelled-data download: 3 vs 20 labels (one case each, two agencies)
    take the same number of statements."""
    client = login(app.test_client(), "supervision_staff")
    _add_labels(world, 3)
    few, response = _count(lambda: client.get("/casebank/labels.jsonl"))
    assert response.status_code == 200
    assert len(response.get_data(as_text=True).splitlines()) == 3
    _add_labels(world, 17, start=3)
    many, response = _count(lambda: client.get("/casebank/labels.jsonl"))
    lines = response.get_data(as_text=True).splitlines()
    assert len(lines) == 20
    assert world.other_agency.name in response.get_data(as_text=True)
    assert many == few, (few, many)
