"""Conflict of interest for supervision staff: no 评查表, finding labels or 监督意见书
for a case of their own agency (or one below their organisation) or of an agency
they declared an interest in; an agency-handler scope does not make a case
reviewable; system administrators keep full access."""

import pytest
import sqlalchemy as sa

from casebank.opinions.models import SupervisionOpinion
from casebank.supervision import services
from casebank.supervision.queries import reviewable_case
from portal.actor import Actor
from portal.auth.models import Role, UserRole
from portal.extensions import db
from tests.casebank.supervision_util import login, make_case


@pytest.fixture
def case(world):
    return make_case(world.agency, severity=3, fine=800.0)


def _staff(factories, organisation, scope, username):
    return factories.user(
        username=username,
        role=Role.SUPERVISION_STAFF,
        scope=scope,
        organisation=organisation,
    )


def test_staff_of_the_agency_or_above_may_not_review(world, factories, case):
    """Is a staff member working at the agency, or at the district above it,
    refused (None), while staff elsewhere in scope and sys admins may review?"""
    member = _staff(factories, world.agency, world.city, "staff_member")
    above = _staff(factories, world.district, world.city, "staff_above")
    outside = _staff(factories, world.other_agency, world.city, "staff_outside")
    assert reviewable_case(member, case.id) is None
    assert reviewable_case(above, case.id) is None
    assert reviewable_case(outside, case.id) == case
    assert reviewable_case(world.users["sys_admin"], case.id) == case


def test_declared_interest_blocks_staff(world, factories, case):
    """Does an active declaration on the district stop a staff member from
    reviewing the agency's case, and withdrawing it restore access?"""
    staff = _staff(factories, world.other_agency, world.city, "staff_declared")
    actor = Actor(user=staff)
    declaration, _ = services.declare_interest(staff, world.district, "亲属任职", actor)
    db.session.commit()
    assert reviewable_case(staff, case.id) is None
    services.withdraw_interest(declaration, actor)
    db.session.commit()
    assert reviewable_case(staff, case.id) == case


def test_handler_scope_does_not_open_review(world, factories, case):
    """A user who is staff of 乙县 and handler of world.agency (working elsewhere)
    must not review world.agency's case through the handler scope."""
    user = _staff(factories, world.other_agency, world.other_district, "staff_handler")
    db.session.add(
        UserRole(
            user_id=user.id, role=Role.AGENCY_HANDLER.value, scope_id=world.agency.id
        )
    )
    db.session.commit()
    db.session.expire_all()
    assert reviewable_case(user, case.id) is None


def test_conflicted_staff_get_404_on_sheet_and_no_opinion(app, world, factories, case):
    """Over HTTP: the 评查表 is a 404 and issuing a 监督意见书 is refused with a
    Chinese message (nothing saved) for a conflicted staff member."""
    _staff(factories, world.agency, world.city, "staff_member")
    client = login(app, "staff_member")
    assert client.get(f"/casebank/cases/{case.id}/review").status_code == 404
    url = f"/casebank/cases/{case.id}/opinions/new"
    page = client.get(url, follow_redirects=True).get_data(as_text=True)
    assert "须回避" in page
    assert "不能签发" in page
    posted = client.post(
        url,
        data={
            "form_token": "t" * 24,
            "problems": "问题",
            "opinion": "意见",
            "deadline_workdays": "15",
        },
    )
    assert posted.status_code == 302
    count = sa.select(sa.func.count()).select_from(SupervisionOpinion)
    assert db.session.scalar(count) == 0
    # The world's staff member (working outside the agencies) still may.
    other = login(app, "supervision_staff")
    assert other.get(f"/casebank/cases/{case.id}/review").status_code == 200
    assert other.get(url).status_code == 200
