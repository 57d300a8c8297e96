"""Regression tests for the public rating/contest guards and the reopened round
(code review of portal/suggestions/)."""

from datetime import timedelta

import sqlalchemy as sa

from portal.actor import Actor
from portal.extensions import db
from portal.suggestions.handling.jobs import close_unrated_suggestions
from portal.suggestions.models import Status
from portal.suggestions.oversight import stats
from portal.suggestions.oversight.deidentify import deidentify_suggestions
from portal.timeutil import to_local, utcnow
from tests.suggestions.handling_support import (
    fresh,
    login,
    make_suggestion,
    post,
    track,
)
from tests.suggestions.test_handling_flow import _replied_and_published, _reply


def test_rating_names_its_item_and_must_match_the_grant(app, world):
    """Item A's page is open in one tab, item B is looked up in another: rating
    from A's page must not rate B (the grant now points at B)."""
    first, first_code, *_ = _replied_and_published(app, world, text="甲件答复。")
    second, second_code, *_ = _replied_and_published(app, world, text="乙件答复。")
    public = app.test_client()
    page = track(public, first.number, first_code).get_data(as_text=True)
    assert f'value="{first.number}"' in page  # the forms name their item
    track(public, second.number, second_code)  # "other tab"
    response = public.post(
        "/suggestions/track/rate", data={"number": first.number, "rating": "1"}
    )
    assert response.status_code == 302
    follow = public.get("/suggestions/track/current").get_data(as_text=True)
    assert "未作任何更改" in follow
    response = public.post(
        "/suggestions/track/contest", data={"number": first.number, "reason": "不对"}
    )
    assert response.status_code == 302
    for item in (fresh(first.id), fresh(second.id)):
        assert item.rating is None
        assert item.contested_at is None
        assert item.status == Status.REPLIED
    # Without a number at all the POST is refused as well.
    public.post("/suggestions/track/rate", data={"rating": "1"})
    assert fresh(second.id).rating is None
    # The matching item is rated normally.
    public.post(
        "/suggestions/track/rate", data={"number": second.number, "rating": "4"}
    )
    assert fresh(second.id).rating == 4
    assert fresh(first.id).rating is None


def test_failed_lookup_clears_the_grant(app, world):
    """A failed lookup leaves no older grant usable."""
    item, code, *_ = _replied_and_published(app, world)
    public = app.test_client()
    track(public, item.number, code)
    failed = track(public, item.number, "WRONGCODE")
    assert failed.status_code == 200
    response = public.post(
        "/suggestions/track/rate", data={"number": item.number, "rating": "1"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/suggestions/track")
    assert fresh(item.id).rating is None


def _reply_rate(item):
    today = to_local(utcnow()).date()
    figures = stats.load_figures(
        sa.true(), today, today - timedelta(days=30), today + timedelta(days=1)
    )
    return figures.replied.numerator


def test_contest_starts_a_new_round_until_the_new_reply_is_published(app, world):
    """publish → contest → new reply → approve: the old publication neither lets
    the job close the item nor lets the submitter rate; after the new reply is
    published, rating works."""
    item, code, staff, handler = _replied_and_published(app, world, text="第一轮答复。")
    # Round one was published long ago (beyond the auto-close period).
    stored = fresh(item.id)
    stored.reply_published_at = utcnow() - timedelta(days=40)
    db.session.commit()
    public = app.test_client()
    track(public, item.number, code)
    assert _reply_rate(item) == 1
    public.post(
        "/suggestions/track/contest", data={"number": item.number, "reason": "不属实"}
    )
    reopened = fresh(item.id)
    assert reopened.status == Status.PROCESSING
    assert reopened.replied_at is None
    assert reopened.reply_published_at is None
    assert reopened.published_reply == "第一轮答复。"
    assert _reply_rate(item) == 0  # the old reply no longer counts
    page = public.get("/suggestions/track/current").get_data(as_text=True)
    assert "第一轮答复。" in page
    assert 'data-testid="previous-reply"' in page

    assert _reply(handler, item, "重新核查：已于今日退款 500 元。").status_code == 302
    assert post(staff, item, "approve").status_code == 302
    approved = fresh(item.id)
    assert approved.status == Status.REPLIED
    assert approved.replied_at is not None
    assert approved.reply_published_at is None
    # The publish page offers the new reply, not the old published text.
    publish_page = staff.get(f"/suggestions/manage/{item.id}/publish")
    assert "重新核查：已于今日退款 500 元。" in publish_page.get_data(as_text=True)

    assert close_unrated_suggestions() == 0
    db.session.commit()
    assert fresh(item.id).status == Status.REPLIED
    page = public.get("/suggestions/track/current").get_data(as_text=True)
    assert 'data-testid="rate-form"' not in page
    public.post("/suggestions/track/rate", data={"number": item.number, "rating": "2"})
    assert fresh(item.id).rating is None

    assert post(staff, item, "publish", text="第二轮答复。").status_code == 302
    page = public.get("/suggestions/track/current").get_data(as_text=True)
    assert "第二轮答复。" in page
    assert 'data-testid="rate-form"' in page
    public.post("/suggestions/track/rate", data={"number": item.number, "rating": "4"})
    done = fresh(item.id)
    assert done.rating == 4
    assert done.status == Status.CLOSED


def test_no_rating_or_contest_after_deidentification(app, world):
    """Once the retention job de-identified a closed item, its submitter can
    neither rate nor contest (the grant from before the job does not help)."""
    item, code, *_ = _replied_and_published(app, world)
    public = app.test_client()
    track(public, item.number, code)
    stored = fresh(item.id)
    stored.status = Status.CLOSED.value
    stored.closed_at = utcnow() - timedelta(days=400)
    db.session.commit()
    assert deidentify_suggestions(Actor.system(), utcnow(), 180) == 1
    db.session.commit()
    page = public.get("/suggestions/track/current").get_data(as_text=True)
    assert 'data-testid="rate-form"' not in page
    assert 'data-testid="contest-form"' not in page
    public.post("/suggestions/track/rate", data={"number": item.number, "rating": "1"})
    follow = public.get("/suggestions/track/current").get_data(as_text=True)
    assert "去除个人信息" in follow
    public.post(
        "/suggestions/track/contest", data={"number": item.number, "reason": "不属实"}
    )
    done = fresh(item.id)
    assert done.rating is None
    assert done.contested_at is None
    assert done.status == Status.CLOSED


def test_no_reassignment_while_a_reply_waits_for_approval(app, world):
    """A re-assignment while the handler's reply waits for approval is refused
    and changes nothing; after the reply is returned it is allowed again."""
    item, _ = make_suggestion(world.agency)
    staff = login(app, "supervision_staff")
    handler_user = world.users["agency_handler"]
    post(staff, item, "accept")
    post(
        staff,
        item,
        "assign",
        agency_id=str(world.agency.id),
        handler_id=str(handler_user.id),
    )
    handler = login(app, "agency_handler")
    assert _reply(handler, item, "答复内容：已经核实处理完毕。").status_code == 302
    version = fresh(item.id).version
    response = post(
        staff, item, "assign", agency_id=str(world.agency.id), handler_id="0"
    )
    assert response.status_code in (302, 409)
    page = staff.get(f"/suggestions/manage/{item.id}").get_data(as_text=True)
    body = response.get_data(as_text=True) + page
    assert "正在等待审核" in body
    stored = fresh(item.id)
    assert stored.handler_id == handler_user.id
    assert stored.version == version
    assert [r.status for r in stored.replies] == ["submitted"]
    post(staff, item, "return", reason="请写明退款金额")
    response = post(
        staff, item, "assign", agency_id=str(world.agency.id), handler_id="0"
    )
    assert response.status_code == 302
    assert fresh(item.id).handler_id is None
