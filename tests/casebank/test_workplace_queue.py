"""The review queue between the steps: state column and filter, bulk assignment
with a due date, reviewers' workload and conflict reasons, due-date reminders."""

from datetime import date, timedelta

import sqlalchemy as sa

from casebank.supervision.models import ReviewAssignment
from portal.extensions import db
from portal.notifications.jobs import daily_digest
from portal.notifications.models import Notification
from tests.casebank.opinions_support import issue
from tests.casebank.supervision_util import make_case


def _login(app, username):
    client = app.test_client()
    response = client.post("/login", data={"login": username, "password": "Passw0rd!"})
    assert response.status_code == 302
    return client


def _reviewer(world):
    reviewer = world.users["invited_supervisor"]
    reviewer.organisation_id = world.town.id  # no longer a member of the agency
    db.session.commit()
    return reviewer


def test_bulk_assign_sets_due_date_and_reports_refusals(app, world):
    """Are several cases assigned at once with the due date, the reviewer told, and
    a case the reviewer may not review refused with the reason?"""
    reviewer = _reviewer(world)
    first, second = (
        make_case(world.agency, severity=3),
        make_case(world.agency, severity=2),
    )
    foreign = make_case(world.other_agency, severity=3)
    due = date.today() + timedelta(days=7)
    staff = _login(app, "supervision_staff")
    response = staff.post(
        "/casebank/supervision/queue/assign",
        data={
            "case_ids": [str(first.id), str(second.id), str(foreign.id)],
            "assignee_id": str(reviewer.id),
            "due_on": due.isoformat(),
        },
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert f"已将 2 件案卷分配给{reviewer.name}" in page
    assert "未分配：" in page
    assert foreign.title in page
    tasks = db.session.scalars(
        sa.select(ReviewAssignment).order_by(ReviewAssignment.case_id)
    ).all()
    assert [t.case_id for t in tasks] == [first.id, second.id]
    assert {t.due_on for t in tasks} == {due}
    notes = db.session.scalars(
        sa.select(Notification).where(Notification.user_id == reviewer.id)
    ).all()
    assert len(notes) == 2
    assert all(due.isoformat() in n.body for n in notes)
    # The queue shows 已分配 with the reviewer and the due date; the filter works.
    page = staff.get("/casebank/supervision/queue?state=assigned").get_data(
        as_text=True
    )
    assert page.count('data-testid="queue-row"') == 2
    assert "已分配" in page
    assert f"期限 {due.isoformat()}" in page
    page = staff.get("/casebank/supervision/queue?state=unassigned").get_data(
        as_text=True
    )
    assert page.count('data-testid="queue-row"') == 1  # the refused case
    assert foreign.title in page


def test_bulk_assign_refuses_a_past_due_date(app, world):
    reviewer = _reviewer(world)
    case = make_case(world.agency, severity=3)
    staff = _login(app, "supervision_staff")
    page = staff.post(
        "/casebank/supervision/queue/assign",
        data={
            "case_ids": [str(case.id)],
            "assignee_id": str(reviewer.id),
            "due_on": "2000-01-01",
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "评查期限不能早于今天" in page
    assert db.session.scalar(sa.select(sa.func.count(ReviewAssignment.id))) == 0


def test_assign_page_shows_workload_and_conflicts(app, world):
    """Does the assignment page list each reviewer's open tasks and say why a
    reviewer with a conflict of interest cannot be chosen?"""
    case = make_case(world.agency, severity=3)
    conflicted = world.users["invited_supervisor"]  # works at the agency itself
    page = (
        _login(app, "supervision_staff")
        .get(f"/casebank/supervision/cases/{case.id}/assign")
        .get_data(as_text=True)
    )
    assert 'data-testid="reviewer-table"' in page
    assert f"{conflicted.name}</td><td>0 件</td>" in page
    assert "不可分配" in page
    assert "须回避" in page
    assert 'name="due_on"' in page


def test_opinion_state_in_queue_and_overdue_task_reminder(app, world):
    reviewer = _reviewer(world)
    staff_user = world.users["supervision_staff"]
    case = make_case(world.agency, severity=3)
    opinion = issue(case, staff_user, today=date(2026, 11, 2))
    staff = _login(app, "supervision_staff")
    page = staff.get("/casebank/supervision/queue?state=opinion").get_data(as_text=True)
    assert page.count('data-testid="queue-row"') == 1
    assert "已签发意见书" in page
    assert opinion.number in page
    # A task past its due date reminds the reviewer and the one who assigned it.
    other = make_case(world.agency, severity=2)
    db.session.add(
        ReviewAssignment(
            case_id=other.id,
            assignee_id=reviewer.id,
            assigned_by_id=staff_user.id,
            due_on=date.today() - timedelta(days=1),
        )
    )
    db.session.commit()
    daily_digest()
    db.session.commit()
    kinds = db.session.scalars(
        sa.select(Notification.user_id).where(Notification.kind == "review_due")
    ).all()
    assert sorted(kinds) == sorted([reviewer.id, staff_user.id])


def test_case_page_shows_review_state_like_the_queue(app, world):
    """Does the case page show the same 评查进度 as the queue: 已分配 (reviewer and
    due date), 评查中, 已评查 with score, grade and reviewer, and 已签发意见书 with
    its state — to staff only (the agency's handler does not see it)?"""
    from decimal import Decimal

    from casebank.reviews.models import CaseReview
    from casebank.reviews.services import ensure_template
    from portal.actor import Actor
    from portal.timeutil import utcnow

    reviewer = _reviewer(world)
    staff_user = world.users["supervision_staff"]
    case = make_case(world.agency, severity=3)
    staff = _login(app, "supervision_staff")
    url = f"/casebank/cases/{case.id}"

    def state():
        page = staff.get(url).get_data(as_text=True)
        assert 'data-testid="case-review-state"' in page
        start = page.index('data-testid="case-review-state"')
        return page[start : page.index("</div>", start)]

    assert "未分配" in state()
    due = date.today() + timedelta(days=5)
    db.session.add(
        ReviewAssignment(
            case_id=case.id,
            assignee_id=reviewer.id,
            assigned_by_id=staff_user.id,
            due_on=due,
        )
    )
    db.session.commit()
    shown = state()
    assert "已分配" in shown
    assert reviewer.name in shown
    assert f"期限 {due.isoformat()}" in shown
    review = CaseReview(
        case_id=case.id,
        reviewer_id=reviewer.id,
        template_id=ensure_template(Actor.system()).id,
    )
    db.session.add(review)
    db.session.commit()
    assert "评查中" in state()
    review.status, review.score, review.grade = "submitted", Decimal("72.0"), "pass"
    review.submitted_at = utcnow()
    from casebank.supervision.services import complete_on_review

    complete_on_review(case, reviewer, Actor.system())
    db.session.commit()
    shown = state()
    assert "已评查" in shown
    assert "72.0 分" in shown
    assert "合格" in shown
    assert reviewer.name in shown
    opinion = issue(case, staff_user, today=date(2026, 11, 2))
    shown = state()
    assert "已签发意见书" in shown
    assert opinion.number in shown
    assert opinion.status_enum.label in shown
    # The agency's handler opens the case but not the reviewers' progress.
    handler = _login(app, "agency_handler")
    page = handler.get(url)
    assert page.status_code == 200
    assert 'data-testid="case-review-state"' not in page.get_data(as_text=True)
