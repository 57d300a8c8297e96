"""Regression tests for the public rating/contest guards and the reopened round
(code review of portal/suggestions/)."""

from portal.suggestions.models import Status
from tests.suggestions.handling_support import fresh, track
from tests.suggestions.test_handling_flow import _replied_and_published


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
