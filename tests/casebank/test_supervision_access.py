"""Supervisor access: 我的评查任务, the read-only case page of an assigned case,
404 for every other case, reviewable_case() for each role."""

import pytest
import sqlalchemy as sa

from casebank.supervision import services
from casebank.supervision.models import AssignmentStatus, ReviewAssignment
from casebank.supervision.queries import reviewable_case
from portal.actor import Actor
from portal.auth.models import Role
from portal.exceptions import InvalidState
from portal.extensions import db
from tests.casebank.supervision_util import login, make_case


@pytest.fixture
def reviewer(world, factories):
    """An invited supervisor of 乙县市场监管局 with scope 甲区 (no conflict there)."""
    return factories.user(
        username="reviewer",
        role=Role.INVITED_SUPERVISOR,
        scope=world.district,
        organisation=world.other_agency,
    )


@pytest.fixture
def assigned(world, reviewer):
    case = make_case(world.agency, severity=3, fine=800.0)
    services.assign_case(case, reviewer, Actor(user=world.users["supervision_staff"]))
    db.session.commit()
    return case


def test_assigned_supervisor_sees_the_case_read_only(app, world, reviewer, assigned):
    """Does the invited supervisor see the assigned case (no edit form, no recheck,
    no original download), with edit/recheck/original refused?"""
    client = login(app, "reviewer")
    response = client.get(f"/casebank/cases/{assigned.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert assigned.doc_number in page
    assert f'action="/casebank/cases/{assigned.id}"' not in page
    assert "重新检查" not in page
    assert "下载原始文件" not in page
    assert "我的评查任务" in page
    assert client.post(f"/casebank/cases/{assigned.id}", data={}).status_code == 403
    recheck = client.post(f"/casebank/cases/{assigned.id}/recheck")
    assert recheck.status_code == 403
    assert client.get(f"/casebank/cases/{assigned.id}/original").status_code == 403
    assert client.get("/casebank/cases").status_code == 403


def test_other_cases_are_404(app, world, reviewer, assigned):
    """Is every case not assigned to the supervisor (or no longer) a 404?"""
    other = make_case(world.agency, severity=3)
    client = login(app, "reviewer")
    assert client.get(f"/casebank/cases/{other.id}").status_code == 404
    assert client.get("/casebank/cases/999999").status_code == 404
    assignment = db.session.scalar(sa.select(ReviewAssignment))
    services.cancel_assignment(assignment, Actor.system())
    db.session.commit()
    assert client.get(f"/casebank/cases/{assigned.id}").status_code == 404
    # Someone else's open assignment does not open the case either.
    assert (
        login(app, "invited_supervisor")
        .get(f"/casebank/cases/{assigned.id}")
        .status_code
        == 404
    )


def test_conflicted_assignment_made_behind_the_rules_does_not_open(
    app, world, factories
):
    """Does reviewable_case() re-check the conflict rule: an assignment written
    directly for a member of the agency opens nothing?"""
    member = world.users["invited_supervisor"]  # works at world.agency
    case = make_case(world.agency, severity=3)
    db.session.add(ReviewAssignment(case_id=case.id, assignee_id=member.id))
    db.session.commit()
    assert reviewable_case(member, case.id) is None
    assert (
        login(app, "invited_supervisor").get(f"/casebank/cases/{case.id}").status_code
        == 404
    )


def test_reviewable_case_by_role(world, reviewer, assigned, factories):
    """Staff in scope and sys admins may review; handlers, officers and staff out
    of scope may not (None)."""
    users = world.users
    assert reviewable_case(users["sys_admin"], assigned.id) == assigned
    assert reviewable_case(users["supervision_staff"], assigned.id) == assigned
    assert reviewable_case(reviewer, assigned.id) == assigned
    assert reviewable_case(users["agency_handler"], assigned.id) is None
    assert reviewable_case(users["officer"], assigned.id) is None
    far_staff = factories.user(
        role=Role.SUPERVISION_STAFF,
        scope=world.other_district,
        organisation=world.other_agency,
    )
    assert reviewable_case(far_staff, assigned.id) is None


def test_my_assignments_and_completion(app, world, reviewer, assigned):
    """Does 我的评查任务 list the open assignment, and can the assignee (only) mark
    it done, harmlessly twice?"""
    client = login(app, "reviewer")
    page = client.get("/casebank/supervision/my").get_data(as_text=True)
    assert assigned.doc_number in page
    assert "标记完成" in page
    assignment = db.session.scalar(sa.select(ReviewAssignment))
    url = f"/casebank/supervision/assignments/{assignment.id}/complete"
    other = login(app, "supervision_staff")
    assert other.post(url).status_code == 404
    assert client.post(url).status_code == 302
    again = client.post(url, follow_redirects=True)
    assert "已结束" in again.get_data(as_text=True)
    db.session.expire_all()
    assert assignment.status == AssignmentStatus.DONE
    page = client.get("/casebank/supervision/my").get_data(as_text=True)
    assert "暂无待评查的案卷" in page
    assert "最近完成" in page
    assert client.get(f"/casebank/cases/{assigned.id}").status_code == 404


def test_staff_can_cancel_and_reassign(app, world, reviewer, assigned, factories):
    """Can staff withdraw the assignment (audited in history) and assign again?"""
    client = login(app, "supervision_staff")
    assignment = db.session.scalar(sa.select(ReviewAssignment))
    response = client.post(f"/casebank/supervision/assignments/{assignment.id}/cancel")
    assert response.status_code == 302
    page = client.get(f"/casebank/supervision/cases/{assigned.id}/assign")
    text = page.get_data(as_text=True)
    assert "已撤回" in text
    assert reviewer.name in text
    done = client.post(
        f"/casebank/supervision/cases/{assigned.id}/assign",
        data={"assignee_id": str(reviewer.id)},
    )
    assert done.status_code == 302
    statuses = db.session.scalars(
        sa.select(ReviewAssignment.status).order_by(ReviewAssignment.id)
    ).all()
    assert statuses == ["cancelled", "open"]


def test_demo_inspector_has_assignments_and_a_declaration(app, demo_seeded):
    """Does ``seed demo`` give the demo inspector two cases to review (openable)
    and one active declaration, once (idempotent)?"""
    from casebank.supervision.models import InterestDeclaration
    from portal.auth.models import User
    from portal.seed import DEMO_PASSWORD, seed_demo

    inspector = db.session.scalar(sa.select(User).where(User.username == "inspector"))
    open_ids = db.session.scalars(
        sa.select(ReviewAssignment.case_id).where(
            ReviewAssignment.assignee_id == inspector.id,
            ReviewAssignment.status == AssignmentStatus.OPEN,
        )
    ).all()
    assert len(open_ids) == 2
    declarations = db.session.scalars(
        sa.select(InterestDeclaration).where(
            InterestDeclaration.user_id == inspector.id
        )
    ).all()
    assert len(declarations) == 1
    assert declarations[0].is_active
    seed_demo(users=8)  # again: nothing new
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(ReviewAssignment.id))) == 2
    assert db.session.scalar(sa.select(sa.func.count(InterestDeclaration.id))) == 1
    client = app.test_client()
    signed_in = client.post(
        "/login", data={"login": "inspector", "password": DEMO_PASSWORD}
    )
    assert signed_in.status_code == 302
    assert client.get(f"/casebank/cases/{open_ids[0]}").status_code == 200
    assert client.get("/casebank/supervision/my").status_code == 200


def test_close_is_conditional_so_complete_and_cancel_cannot_both_win(
    app, world, reviewer, assigned
):
    """A 撤回 working on an assignment loaded while it was open, after the
    assignee's 标记完成 reached the database, is refused ("该评查任务已结束") and
    leaves the row as completed, with no cancel audited."""
    from portal.audit.models import AuditLog

    assignment = db.session.scalar(sa.select(ReviewAssignment))
    assert assignment.status == AssignmentStatus.OPEN  # loaded: the staff's view
    # The assignee's 标记完成 lands first (the row changes under the loaded object).
    db.session.execute(
        sa.update(ReviewAssignment)
        .where(ReviewAssignment.id == assignment.id)
        .values(status=AssignmentStatus.DONE, closed_at=sa.func.current_timestamp())
        .execution_options(synchronize_session=False)
    )
    assert assignment.status == AssignmentStatus.OPEN  # stale in memory
    staff = Actor(user=world.users["supervision_staff"])
    with pytest.raises(InvalidState, match="该评查任务已结束"):
        services.cancel_assignment(assignment, staff)
    db.session.commit()
    db.session.expire_all()
    assert db.session.scalar(sa.select(ReviewAssignment.status)) == "done"
    cancelled = sa.select(sa.func.count(AuditLog.id)).where(
        AuditLog.action == "review_assignment_cancelled"
    )
    assert db.session.scalar(cancelled) == 0
    # Closing an open one still works and updates the loaded object.
    other = make_case(world.agency, severity=2)
    services.assign_case(other, reviewer, staff)
    db.session.commit()
    fresh = db.session.scalar(
        sa.select(ReviewAssignment).where(ReviewAssignment.case_id == other.id)
    )
    services.complete_assignment(fresh, Actor(user=reviewer))
    assert fresh.status == AssignmentStatus.DONE
    assert fresh.closed_at is not None
    db.session.commit()
    db.session.expire_all()
    assert fresh.status == AssignmentStatus.DONE
