"""Publication never leaks what the submitter asked to hide; the open-data page is
linked from the public pages."""

import sqlalchemy as sa

from portal.actor import Actor
from portal.extensions import db
from portal.suggestions.handling import services
from portal.suggestions.models import Suggestion
from portal.workdays.queries import calendar
from tests.suggestions.handling_support import login, make_suggestion, post

NAME = "张三丰"
DESCRIPTION = (
    f"我叫{NAME}，三丰在东湖路被罚款，电话13812345678，"
    "身份证420102199001011234，请核查。"
)


def _replied(world):
    staff = Actor(user=world.users["supervision_staff"])
    handler = Actor(user=world.users["agency_handler"])
    item, _ = make_suggestion(world.agency, description=DESCRIPTION, name=NAME)
    services.accept_suggestion(item, item.version, staff)
    services.assign_suggestion(
        item, item.version, world.agency, None, staff, calendar()
    )
    services.submit_reply(
        item, item.version, f"已联系{NAME}（13812345678），罚款已退还。", [], handler
    )
    services.approve_reply(item, item.version, staff)
    db.session.commit()
    return item


def test_publish_form_removes_name_and_marks_personal_data(app, world):
    item = _replied(world)
    staff = login(app, "supervision_staff")
    page = staff.get(f"/suggestions/manage/{item.id}/publish").get_data(as_text=True)
    form = page[page.index('name="description"') :]
    description = form[: form.index("</textarea>")]
    reply = form[form.index('name="text"') :]
    reply = reply[: reply.index("</textarea>")]
    for text in (description, reply):
        assert NAME not in text
        assert "13812345678" not in text
        assert "反映人" in text
    assert "420102199001011234" not in description
    assert 'data-testid="pii-review"' in page
    assert "已隐去的号码" in page
    # What staff publish is what the public sees; the original text never.
    edited = "反映人反映在东湖路被罚款，请求核查。"
    response = post(
        staff,
        item,
        "publish",
        description=edited,
        text="经核查，罚款已退还。",
    )
    assert response.status_code == 302
    saved = db.session.scalar(sa.select(Suggestion).where(Suggestion.id == item.id))
    assert saved.published_description == edited
    public = app.test_client()
    page = public.get("/suggestions/open").get_data(as_text=True)
    assert edited in page
    assert NAME not in page
    assert "我叫" not in page
    csv = public.get("/suggestions/open/data.csv").get_data(as_text=True)
    assert edited in csv
    assert "我叫" not in csv


def test_public_pages_link_the_open_data_page(app, world, client):
    """The form, the lookup, the status page and the login page link it."""
    item, code = make_suggestion(world.agency)
    status = client.post(
        "/suggestions/track", data={"number": item.number, "code": code}
    ).get_data(as_text=True)
    assert 'data-testid="open-data-link"' in status
    assert 'href="/suggestions/open"' in status
    for url in ("/suggestions/", "/suggestions/track", "/login"):
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert 'data-testid="open-data-link"' in page, url
        assert 'href="/suggestions/open"' in page, url
