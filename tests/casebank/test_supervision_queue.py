"""The review queue: membership, ordering, filters, scope, bounded query count."""

from datetime import date

import pytest
import sqlalchemy as sa

from casebank.supervision import queries, services
from casebank.supervision.models import ReviewAssignment
from portal.actor import Actor
from portal.auth.models import Role
from portal.extensions import db
from tests.casebank.supervision_util import login, make_case


@pytest.fixture
def queue(world):
    """Cases of world.agency in several states; returns them by name."""
    a = world.agency
    cases = {
        "low": make_case(a, severity=1, decided=date(2026, 3, 20)),
        "high_old": make_case(a, severity=3, decided=date(2026, 1, 5)),
        "medium": make_case(a, severity=2, decided=date(2026, 2, 1)),
        "high_new": make_case(a, severity=3, decided=date(2026, 3, 1)),
        "clean": make_case(a, decided=date(2026, 3, 2)),
        "clean_sampled": make_case(a, decided=date(2026, 3, 3)),
        "pending": make_case(a, severity=0, status="pending"),
        "other_agency": make_case(world.other_agency, severity=3),
    }
    services.draw_sample(a, "2026-03", Actor.system(), rate=1.0)
    # The draw took every clean March case: keep one unsampled to test exclusion.
    db.session.execute(
        sa.text("DELETE FROM sampled_cases WHERE case_id = :c"),
        {"c": cases["clean"].id},
    )
    db.session.commit()
    return cases


def _ids(user, **filters):
    return list(db.session.scalars(queries.review_queue(user, **filters)).unique())


def test_flagged_first_by_severity_then_date_then_sampled(world, queue):
    """Is the queue: flagged cases by highest severity, then latest decision, then
    sampled clean cases; no clean unsampled or pending case?"""
    staff = world.users["supervision_staff"]
    order = [c.id for c in _ids(staff)]
    names = ("other_agency", "high_new", "high_old", "medium", "low", "clean_sampled")
    # other_agency: severe, decided 2026-03-10, after high_new (2026-03-01).
    assert order == [queue[n].id for n in names]
    assert queue["clean"].id not in order
    assert queue["pending"].id not in order


def test_filters(world, queue):
    """Do the agency, period, severity, assigned and sampled filters narrow it?"""
    staff = world.users["supervision_staff"]
    ids = lambda **f: {c.id for c in _ids(staff, **f)}  # noqa: E731
    assert queue["other_agency"].id not in ids(agency_id=world.agency.id)
    march = ids(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))
    assert march == {
        queue[n].id for n in ("low", "high_new", "clean_sampled", "other_agency")
    }
    assert ids(severity="medium") == {queue["medium"].id}
    assert ids(severity="none") == {queue["clean_sampled"].id}
    assert ids(sampled=True) == {queue["clean_sampled"].id}
    assert queue["clean_sampled"].id not in ids(sampled=False)
    db.session.add(ReviewAssignment(case_id=queue["medium"].id, assignee_id=staff.id))
    db.session.commit()
    assert ids(assigned=True) == {queue["medium"].id}
    assert queue["medium"].id not in ids(assigned=False)


def test_scope(world, queue, factories):
    """Does district supervision staff see only the district's agencies' cases?"""
    district_staff = factories.user(
        role=Role.SUPERVISION_STAFF, scope=world.district, organisation=world.city
    )
    ids = {c.id for c in _ids(district_staff)}
    assert queue["other_agency"].id not in ids
    assert queue["high_new"].id in ids


def test_queue_page_with_filters_and_bounded_queries(app, world, queue):
    """Does the page show the queue with badges and assignees, keep a fixed number
    of SQL statements for a full page (no N+1), and accept the filters?"""
    staff = world.users["supervision_staff"]
    for n in range(40):
        make_case(world.agency, severity=1 + n % 3, decided=date(2026, 4, 1 + n % 28))
    for case in db.session.scalars(
        sa.select(sa.text("id")).select_from(sa.table("case_files")).limit(10)
    ):
        db.session.add(ReviewAssignment(case_id=case, assignee_id=staff.id))
    db.session.commit()
    client = login(app, "supervision_staff")
    statements = []

    def count(*args, **kwargs):
        statements.append(args[2] if len(args) > 2 else "")

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get("/casebank/supervision/queue")
        first = len(statements)
        statements.clear()
        client.get("/casebank/supervision/queue?page=2")
        second = len(statements)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "随机抽中" in page
    assert staff.name in page
    assert "严重" in page
    # 12 for the queue itself, 4 for the 评查进度 column (reviews, opinions) and the
    # bulk-assignment reviewers (users, workloads): constant, not per row.
    assert first <= 16, first
    assert second <= 16, second
    filtered = client.get(
        "/casebank/supervision/queue?severity=none&period=2026-03&sampled=yes"
    ).get_data(as_text=True)
    assert queue["clean_sampled"].doc_number in filtered
    assert queue["high_new"].doc_number not in filtered
    bad = client.get("/casebank/supervision/queue?period=2026-3")
    assert bad.status_code == 200
    assert "格式不正确" in bad.get_data(as_text=True)
