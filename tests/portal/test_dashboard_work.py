"""工作台: each role sees the work waiting for it, linked, and acting clears it."""

import re
from datetime import date

import sqlalchemy as sa

from casebank.supervision.services import assign_case
from portal.actor import Actor
from portal.auth.models import Role
from portal.extensions import db
from portal.notifications.models import Notification
from tests.casebank.opinions_support import issue, reply_data
from tests.casebank.opinions_support import make_case as make_opinion_case
from tests.casebank.supervision_util import make_case
from tests.suggestions.handling_support import make_suggestion


def _login(app, username):
    client = app.test_client()
    response = client.post("/login", data={"login": username, "password": "Passw0rd!"})
    assert response.status_code == 302
    return client


def _work(page, key):
    """``(count, html)`` of one work entry of the dashboard."""
    match = re.search(rf'data-testid="work-{key}" data-count="(\d+)"', page)
    assert match, key
    rest = page[match.end() :]
    following = re.search(r'data-testid="work-(?!item)|class="card-body"', rest)
    return int(match.group(1)), rest[: following.start()]


def test_no_role_sees_coming_soon(app, world):
    for role in Role:
        page = _login(app, role.value).get("/dashboard").get_data(as_text=True)
        assert "即将上线" not in page, role


def test_handler_sees_opinion_to_answer_until_replying(app, world):
    staff, handler = world.users["supervision_staff"], world.users["agency_handler"]
    opinion = issue(make_opinion_case(world.agency), staff, today=date(2026, 11, 2))
    client = _login(app, handler.username)
    page = client.get("/dashboard").get_data(as_text=True)
    count, html = _work(page, "opinions_to_answer")
    assert count == 1
    assert f'href="/casebank/opinions/{opinion.id}"' in html
    assert "整改期限 " + opinion.due_on.strftime("%Y-%m-%d") in html
    response = client.post(
        f"/casebank/opinions/{opinion.id}/reply",
        data=reply_data(opinion),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = client.get("/dashboard").get_data(as_text=True)
    assert _work(page, "opinions_to_answer")[0] == 0
    # Staff now have a reply to decide on.
    page = _login(app, staff.username).get("/dashboard").get_data(as_text=True)
    count, html = _work(page, "opinions_replied")
    assert count == 1
    assert opinion.number in html


def test_staff_see_pending_suggestions_and_unassigned_cases(app, world):
    staff = world.users["supervision_staff"]
    item, _ = make_suggestion(world.agency)
    flagged = make_case(world.agency, severity=3)
    page = _login(app, staff.username).get("/dashboard").get_data(as_text=True)
    count, html = _work(page, "suggestions_pending")
    assert count == 1
    assert f"/suggestions/manage/{item.id}" in html
    count, html = _work(page, "cases_unassigned")
    assert count == 1
    assert f"/casebank/supervision/cases/{flagged.id}/assign" in html
    # Assigning the case clears it from the unassigned count.
    reviewer = world.users["invited_supervisor"]
    reviewer.organisation_id = world.town.id
    db.session.commit()
    assign_case(flagged, reviewer, Actor(user=staff))
    db.session.commit()
    page = _login(app, staff.username).get("/dashboard").get_data(as_text=True)
    assert _work(page, "cases_unassigned")[0] == 0
    page = _login(app, reviewer.username).get("/dashboard").get_data(as_text=True)
    count, html = _work(page, "review_tasks")
    assert count == 1
    assert f"/casebank/cases/{flagged.id}/review" in html
    assert (
        db.session.scalar(
            sa.select(Notification.link).where(Notification.user_id == reviewer.id)
        )
        == f"/casebank/cases/{flagged.id}/review"
    )


def test_training_admin_sees_upcoming_exam_and_counts(app, world):
    from tests.portal.test_authz_matrix import Ctx, _arrangement

    arrangement = _arrangement(Ctx(world, None))
    page = _login(app, "training_admin").get("/dashboard").get_data(as_text=True)
    count, html = _work(page, "exams_upcoming")
    assert count == 1
    assert arrangement.name in html
    for key in ("answers_to_mark", "results_to_release", "law_review", "hours_behind"):
        assert _work(page, key)[0] >= 0
