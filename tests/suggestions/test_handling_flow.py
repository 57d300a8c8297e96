"""The whole handling path over HTTP: accept, assign with a working-day deadline,
the handler's reply (full contact data, audited), approval, publication, the
public status page, rating and contest (issue #7, part 2)."""

import io
import re

from portal.suggestions.models import Status
from portal.timeutil import to_local
from portal.workdays.queries import calendar
from tests.suggestions.handling_support import (
    NAME,
    audit_actions,
    fresh,
    login,
    make_suggestion,
    post,
    track,
)
from tests.suggestions.support import PHONE, pdf_bytes


def _assign(app, world, staff, suggestion, handler=None):
    return post(
        staff,
        suggestion,
        "assign",
        agency_id=str(world.agency.id),
        handler_id=str(handler.id if handler else 0),
    )


def _reply(handler, suggestion, text, files=()):
    version = fresh(suggestion.id).version
    data = {"version": str(version), "text": text}
    if files:
        data["attachments"] = list(files)
    return handler.post(
        f"/suggestions/manage/tasks/{suggestion.id}/reply",
        data=data,
        content_type="multipart/form-data",
    )


def test_full_handling_path(app, world):
    """Can staff accept and assign, the handler reply with an attachment, staff
    approve and publish, and the submitter see the reply and rate it (closing
    the item), with every step on the timeline and in the audit log?"""
    suggestion, code = make_suggestion(world.agency, with_photo=True)
    staff = login(app, "supervision_staff")
    handler_user = world.users["agency_handler"]

    inbox = staff.get("/suggestions/manage/").get_data(as_text=True)
    assert suggestion.number in inbox

    page = staff.get(f"/suggestions/manage/{suggestion.id}").get_data(as_text=True)
    assert "138****1234" in page
    assert PHONE not in page
    assert NAME not in page

    assert post(staff, suggestion, "accept").status_code == 302
    item = fresh(suggestion.id)
    assert item.status == Status.ACCEPTED
    assert item.accepted_at is not None

    assert _assign(app, world, staff, suggestion, handler_user).status_code == 302
    item = fresh(suggestion.id)
    assert item.status == Status.PROCESSING
    assert item.assigned_org_id == world.agency.id
    assert item.handler_id == handler_user.id
    expected_due = calendar().add_workdays(to_local(item.assigned_at).date(), 15)
    assert item.due_on == expected_due

    handler = login(app, "agency_handler")
    tasks = handler.get("/suggestions/manage/tasks").get_data(as_text=True)
    assert suggestion.number in tasks
    assert "指定给我" in tasks
    before = audit_actions(suggestion.id).count("suggestion_contact_viewed")
    task = handler.get(f"/suggestions/manage/tasks/{suggestion.id}")
    assert task.status_code == 200
    assert task.headers["Cache-Control"] == "no-store"
    body = task.get_data(as_text=True)
    assert PHONE in body
    assert NAME in body
    assert audit_actions(suggestion.id).count("suggestion_contact_viewed") == before + 1

    reply_text = "经核查，罚款系误罚，已退还。如有疑问请联系 13900001111。"
    response = _reply(
        handler, suggestion, reply_text, [(io.BytesIO(pdf_bytes()), "处理决定.pdf")]
    )
    assert response.status_code == 302
    (reply,) = fresh(suggestion.id).replies
    assert reply.status == "submitted"
    assert len(reply.attachments) == 1
    # Still 办理中 until staff approve.
    assert fresh(suggestion.id).status == Status.PROCESSING

    page = staff.get(f"/suggestions/manage/{suggestion.id}").get_data(as_text=True)
    assert "审核答复" in page
    assert "139****1111" in page
    assert post(staff, suggestion, "approve").status_code == 302
    item = fresh(suggestion.id)
    assert item.status == Status.REPLIED
    assert item.replied_at == reply.submitted_at

    publish = staff.get(f"/suggestions/manage/{suggestion.id}/publish")
    prefilled = publish.get_data(as_text=True)
    assert "139****1111" in prefilled
    assert "13900001111" not in prefilled
    published = "经核查，罚款系误罚，已退还。"
    assert post(staff, suggestion, "publish", text=published).status_code == 302
    item = fresh(suggestion.id)
    assert item.published_reply == published
    assert item.reply_published_at

    public = app.test_client()
    status_page = track(public, suggestion.number, code).get_data(as_text=True)
    assert published in status_page
    assert re.search(r'data-testid="status">\s*已答复\s*<', status_page)
    assert 'data-testid="rate-form"' in status_page

    response = public.post(
        "/suggestions/track/rate", data={"number": suggestion.number, "rating": "4"}
    )
    assert response.status_code == 302
    item = fresh(suggestion.id)
    assert item.rating == 4
    assert item.status == Status.CLOSED
    assert item.closed_at
    after = public.get("/suggestions/track/current").get_data(as_text=True)
    assert "您的评价" in after
    assert "满意" in after
    assert 'data-testid="rate-form"' not in after

    kinds = [e.kind for e in item.events]
    assert kinds == [
        "submitted",
        "accepted",
        "assigned",
        "replied",
        "reply_published",
        "rated",
        "closed",
    ]
    actions = audit_actions(suggestion.id)
    for action in (
        "suggestion_accepted",
        "suggestion_assigned",
        "suggestion_reply_submitted",
        "suggestion_reply_approved",
        "suggestion_reply_published",
        "suggestion_rated",
    ):
        assert action in actions, action


def _replied_and_published(app, world, text="已答复。"):
    suggestion, code = make_suggestion(world.agency)
    staff = login(app, "supervision_staff")
    post(staff, suggestion, "accept")
    _assign(app, world, staff, suggestion)
    handler = login(app, "agency_handler")
    assert (
        _reply(handler, suggestion, "答复内容：已经核实处理完毕。").status_code == 302
    )
    post(staff, suggestion, "approve")
    post(staff, suggestion, "publish", text=text)
    assert fresh(suggestion.id).status == Status.REPLIED
    return suggestion, code, staff, handler


def test_returned_reply_goes_back_to_the_handler(app, world):
    """Does a returned reply keep the item in 办理中, note the reason internally,
    and let the handler submit a new reply?"""
    suggestion, _ = make_suggestion(world.agency)
    staff = login(app, "supervision_staff")
    post(staff, suggestion, "accept")
    _assign(app, world, staff, suggestion)
    handler = login(app, "agency_handler")
    _reply(handler, suggestion, "第一稿：已处理完毕，谢谢。")
    assert post(staff, suggestion, "return").status_code == 400  # reason required
    assert post(staff, suggestion, "return", reason="请写明退款金额").status_code == 302
    item = fresh(suggestion.id)
    assert item.status == Status.PROCESSING
    assert [r.status for r in item.replies] == ["returned"]
    event = item.events[-1]
    assert event.kind == "reply_returned"
    assert not event.is_public
    task = handler.get(f"/suggestions/manage/tasks/{suggestion.id}")
    assert "请写明退款金额" in task.get_data(as_text=True)
    assert _reply(handler, suggestion, "第二稿：已退还 500 元。").status_code == 302
    # A second reply while one waits is refused.
    response = _reply(handler, suggestion, "第三稿：重复提交的内容。")
    assert response.status_code == 409
    assert "已有一份答复在等待审核" in response.get_data(as_text=True)
    assert [r.status for r in fresh(suggestion.id).replies] == ["returned", "submitted"]


def test_contest_reopens_once(app, world):
    """Does a contest reopen the item with a new deadline and both events, and is
    a second contest refused?"""
    suggestion, code, staff, handler = _replied_and_published(app, world)
    public = app.test_client()
    track(public, suggestion.number, code)
    assert (
        public.post(
            "/suggestions/track/contest",
            data={
                "number": suggestion.number,
            },
        ).status_code
        == 400
    )
    response = public.post(
        "/suggestions/track/contest",
        data={"number": suggestion.number, "reason": "钱没有退，答复不属实。"},
    )
    assert response.status_code == 302
    item = fresh(suggestion.id)
    assert item.status == Status.PROCESSING
    assert item.contested_at
    assert item.contest_reason == "钱没有退，答复不属实。"
    assert [e.kind for e in item.events[-2:]] == ["contested", "reopened"]
    # Back on the handler's list; the reopened page offers no second contest.
    assert suggestion.number in handler.get("/suggestions/manage/tasks").get_data(
        as_text=True
    )
    page = public.get("/suggestions/track/current").get_data(as_text=True)
    assert 'data-testid="contest-form"' not in page
    # Answer again, publish, and try to contest a second time.
    _reply(handler, suggestion, "重新核查：已于今日退款 500 元。")
    post(staff, suggestion, "approve")
    post(staff, suggestion, "publish", text="已于今日退款。")
    response = public.post(
        "/suggestions/track/contest",
        data={"number": suggestion.number, "reason": "再次异议"},
    )
    assert response.status_code == 302
    follow = public.get("/suggestions/track/current").get_data(as_text=True)
    assert "每件只能提出一次" in follow
    item = fresh(suggestion.id)
    assert item.status == Status.REPLIED
    assert [e.kind for e in item.events].count("contested") == 1


def test_rating_once_and_only_after_publication(app, world):
    """Is rating refused before a reply is published and after a first rating?"""
    suggestion, code = make_suggestion(world.agency)
    public = app.test_client()
    page = track(public, suggestion.number, code).get_data(as_text=True)
    assert 'data-testid="rate-form"' not in page
    public.post(
        "/suggestions/track/rate", data={"number": suggestion.number, "rating": "5"}
    )
    assert fresh(suggestion.id).rating is None

    suggestion, code, *_ = _replied_and_published(app, world)
    public = app.test_client()
    track(public, suggestion.number, code)
    assert (
        public.post(
            "/suggestions/track/rate", data={"number": suggestion.number, "rating": "9"}
        ).status_code
        == 400
    )
    public.post(
        "/suggestions/track/rate",
        data={"number": suggestion.number, "rating": "1", "comment": "太慢"},
    )
    public.post(
        "/suggestions/track/rate", data={"number": suggestion.number, "rating": "5"}
    )
    item = fresh(suggestion.id)
    assert item.rating == 1
    assert item.rating_comment == "太慢"
    assert [e.kind for e in item.events].count("rated") == 1


def test_rating_without_a_lookup_is_refused(app, world):
    """Without a lookup by number + code in this session, the rating form only
    sends the visitor back to the lookup page."""
    suggestion, _, *_ = _replied_and_published(app, world)
    stranger = app.test_client()
    response = stranger.post(
        "/suggestions/track/rate", data={"number": suggestion.number, "rating": "1"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/suggestions/track")
    assert fresh(suggestion.id).rating is None
