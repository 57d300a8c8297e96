"""The parts of issue #6 working together: an invited supervisor scores an assigned
case, the submitted 评查表 completes the assignment, staff issue a 监督意见书 from
it, and the dashboard lists the opinion once it is overdue."""

from datetime import date

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from casebank.opinions.models import SupervisionOpinion
from casebank.reviews.models import CaseReview
from casebank.reviews.services import ensure_template
from casebank.supervision import services as supervision
from casebank.supervision.models import AssignmentStatus, ReviewAssignment
from portal.actor import Actor
from portal.auth.models import Role
from portal.extensions import db
from tests.casebank.opinions_support import make_case
from tests.casebank.review_support import login


@pytest.fixture
def assigned(world, factories):
    """A case of world.agency assigned to an invited supervisor of another agency."""
    factories.user(
        username="inspector1",
        role=Role.INVITED_SUPERVISOR,
        scope=world.district,
        organisation=world.other_agency,
    )
    case = make_case(world.agency)
    reviewer = db.session.scalar(
        sa.select(type(world.users["officer"])).where(
            type(world.users["officer"]).username == "inspector1"
        )
    )
    supervision.assign_case(
        case, reviewer, Actor(user=world.users["supervision_staff"])
    )
    template = ensure_template(Actor.system())
    db.session.commit()
    return case, template


def _sheet(template, case, action, opinion):
    item = next(i for i in template.items if not i.veto)
    return item, {
        "version": "0",
        "template_id": str(template.id),
        "action": action,
        "opinion": opinion,
        f"points-{item.id}": "3",
        f"note-{item.id}": "未载明<b>陈述申辩</b>告知",
    }


def test_supervisor_review_becomes_an_opinion(app, world, assigned):
    case, template = assigned
    inspector = login(app, "inspector1")
    assert inspector.get(f"/casebank/cases/{case.id}/review").status_code == 200
    item, data = _sheet(template, case, "submit", "建议责令整改并复查裁量。")
    response = inspector.post(f"/casebank/cases/{case.id}/review", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/casebank/supervision/my")
    assignment = db.session.scalar(sa.select(ReviewAssignment))
    assert assignment.status == AssignmentStatus.DONE
    # The task is over: the case is closed to the supervisor again.
    assert inspector.get(f"/casebank/cases/{case.id}/review").status_code == 404
    review = db.session.scalar(sa.select(CaseReview))
    assert review.is_submitted
    assert review.score == 97

    staff = login(app, "supervision_staff")
    page = staff.get(f"/casebank/cases/{case.id}/review").get_data(as_text=True)
    assert f'data-testid="issue-from-review-{review.id}"' in page
    assert "建议责令整改并复查裁量。" in page
    form = staff.get(
        f"/casebank/cases/{case.id}/opinions/new?review_id={review.id}"
    ).get_data(as_text=True)
    assert "建议责令整改并复查裁量。" in form
    # The problems state the item, not the points it cost (a formal document).
    assert f"【{item.section.name}】{item.text}：" in form
    assert "（扣 3 分）" not in form
    assert "未载明&lt;b&gt;陈述申辩&lt;/b&gt;告知" in form
    assert f'value="{review.id}"' in form


def test_review_id_of_another_case_or_a_draft_is_ignored(app, world, assigned):
    case, template = assigned
    other = make_case(world.agency, doc_number="测城管罚〔2026〕6号")
    inspector = login(app, "inspector1")
    _, data = _sheet(template, case, "save", "")
    assert (
        inspector.post(f"/casebank/cases/{case.id}/review", data=data).status_code
        == 302
    )
    draft = db.session.scalar(sa.select(CaseReview))
    staff = login(app, "supervision_staff")
    for case_id in (case.id, other.id):  # a draft, then another case's sheet
        form = staff.get(
            f"/casebank/cases/{case_id}/opinions/new?review_id={draft.id}"
        ).get_data(as_text=True)
        assert f'value="{draft.id}"' not in form
    response = staff.post(
        f"/casebank/cases/{other.id}/opinions/new",
        data={
            "form_token": "t" * 32,
            "problems": "问题",
            "opinion": "意见",
            "deadline_workdays": "15",
            "review_id": str(draft.id),
        },
    )
    assert response.status_code == 302
    opinion = db.session.scalar(sa.select(SupervisionOpinion))
    assert opinion.review_id is None


def test_dashboard_lists_overdue_opinions(app, world, assigned):
    case, _ = assigned
    with freeze_time("2030-03-01 02:00:00"):  # a Friday, China 10:00
        staff = login(app, "supervision_staff")
        response = staff.post(
            f"/casebank/cases/{case.id}/opinions/new",
            data={
                "form_token": "u" * 32,
                "problems": "问题",
                "opinion": "意见",
                "deadline_workdays": "15",
            },
        )
        assert response.status_code == 302
        opinion = db.session.scalar(sa.select(SupervisionOpinion))
        assert opinion.due_on == date(2030, 3, 22)
        page = staff.get("/casebank/dashboard").get_data(as_text=True)
        assert "逾期监督意见书（0）" in page
    with freeze_time("2030-03-23 02:00:00"):
        staff = login(app, "supervision_staff")
        page = staff.get("/casebank/dashboard").get_data(as_text=True)
        assert "逾期监督意见书（1）" in page
        assert opinion.number in page
        other_agency = staff.get(
            f"/casebank/dashboard?agency_id={world.other_agency.id}"
        ).get_data(as_text=True)
        assert "逾期监督意见书（0）" in other_agency


def test_second_submit_click_lands_on_my_assignments(app, world, assigned):
    """A double click on 提交评查: the second POST (the task already over) goes to
    我的评查任务 with "评查表已提交。" instead of a 404, and changes nothing; a
    supervisor without a submitted review still gets a 404."""
    case, template = assigned
    inspector = login(app, "inspector1")
    _, data = _sheet(template, case, "submit", "意见")
    assert inspector.post(f"/casebank/cases/{case.id}/review", data=data).status_code
    again = inspector.post(f"/casebank/cases/{case.id}/review", data=data)
    assert again.status_code == 302
    assert again.headers["Location"].endswith("/casebank/supervision/my")
    page = inspector.get("/casebank/supervision/my").get_data(as_text=True)
    assert "评查表已提交。" in page
    assert db.session.scalar(sa.select(sa.func.count(CaseReview.id))) == 1
    other = login(app, "invited_supervisor")
    assert other.post(f"/casebank/cases/{case.id}/review", data=data).status_code == (
        404
    )
