"""Public suggestions between the steps (issue #15): the 受理 deadline and its
clock, the handling deadline chosen within limits, 退单 by the agency, rating by
a merged duplicate's submitter, and reply photos approved for the submitter."""

import io
from datetime import timedelta

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from portal.actor import Actor
from portal.extensions import db
from portal.notifications.jobs import daily_digest
from portal.notifications.models import Notification
from portal.suggestions.handling import services
from portal.suggestions.models import Status, SuggestionAttachment
from portal.timeutil import to_local, utcnow
from portal.workdays.queries import calendar
from tests.suggestions.handling_support import (
    audit_actions,
    fresh,
    login,
    make_suggestion,
    post,
    track,
)
from tests.suggestions.support import jpeg_with_gps


def _today():
    return to_local(utcnow()).date()


def _notes(user, kind):
    return db.session.scalars(
        sa.select(Notification).where(
            Notification.user_id == user.id, Notification.kind == kind
        )
    ).all()


def _work(page, key):
    """The 工作台 entry ``key`` (up to the next entry)."""
    start = page.index(f'data-testid="work-{key}"')
    end = page.find('class="list-group-item" data-testid="work-', start + 1)
    return page[start : end if end > 0 else None]


def _assigned(world, item, handler=None):
    staff = Actor(user=world.users["supervision_staff"])
    services.accept_suggestion(item, item.version, staff)
    services.assign_suggestion(
        item, item.version, world.agency, handler, staff, calendar()
    )
    db.session.commit()
    return item


def _published(world, item, files=(), photo_ids=None):
    """Accept, assign, reply (with ``files``), approve and publish ``item``."""
    staff = Actor(user=world.users["supervision_staff"])
    _assigned(world, item)
    services.submit_reply(
        item,
        item.version,
        "经核查，已退还罚款并对执法人员批评教育。",
        list(files),
        Actor(user=world.users["agency_handler"]),
    )
    services.approve_reply(item, item.version, staff)
    services.publish_reply(
        item, item.version, "经核查，已退还罚款。", staff, photo_ids=photo_ids
    )
    db.session.commit()
    return item


def test_accept_deadline_clock_for_staff_dashboard_and_digest(app, world):
    """Is the 受理期限 set in working days at submission, shown to staff and the
    submitter, flagged red once past (inbox, filter, 工作台) and reported to the
    staff by the daily job?"""
    item, code = make_suggestion(world.agency)
    expected = calendar().add_workdays(
        _today(), app.config["SUGGESTION_ACCEPT_WORKDAYS"]
    )
    assert item.accept_due_on == expected
    staff = login(app, "supervision_staff")
    page = staff.get(f"/suggestions/manage/{item.id}").get_data(as_text=True)
    assert f"{expected:%Y-%m-%d}" in page
    assert 'data-testid="accept-due"' in page
    status = track(app.test_client(), item.number, code).get_data(as_text=True)
    assert f'受理期限：<span data-testid="accept-due">{expected:%Y-%m-%d}' in status

    # Past its deadline: red in the inbox and on the dashboard, found by the filter.
    item.accept_due_on = _today() - timedelta(days=3)
    on_time, _ = make_suggestion(world.agency, description="另一件按期的意见建议。")
    db.session.commit()
    inbox = staff.get("/suggestions/manage/?flag=overdue").get_data(as_text=True)
    assert item.number in inbox
    assert on_time.number not in inbox
    assert "已逾期" in inbox
    dashboard = staff.get("/dashboard").get_data(as_text=True)
    work = _work(dashboard, "suggestions_pending")
    assert item.number in work
    assert "受理期限" in work
    assert "已逾期" in work

    daily_digest()
    db.session.commit()
    (note,) = _notes(world.users["supervision_staff"], "suggestion_accept_due")
    assert item.number in note.title
    assert "已逾期" in note.title
    assert note.link == f"/suggestions/manage/{item.id}"
    # The handler does not manage triage: nothing for them.
    assert _notes(world.users["agency_handler"], "suggestion_accept_due") == []
    # Accepting stops the clock: no flag on the item any more.
    services.accept_suggestion(item, item.version, Actor(user=world.users["sys_admin"]))
    db.session.commit()
    assert (
        staff.get("/suggestions/manage/?flag=overdue")
        .get_data(as_text=True)
        .count(item.number)
        == 0
    )


def test_staff_choose_the_handling_deadline_within_limits(app, world):
    """Can staff set the handling deadline in working days when assigning, and is
    a value outside the configured limits refused with nothing changed?"""
    item, _ = make_suggestion(world.agency)
    staff = login(app, "supervision_staff")
    assert post(staff, item, "accept").status_code == 302
    page = staff.get(f"/suggestions/manage/{item.id}").get_data(as_text=True)
    assert 'name="deadline_workdays"' in page
    assert 'value="15"' in page  # the default offered
    high = app.config["SUGGESTION_DEADLINE_MAX_WORKDAYS"]
    response = post(
        staff,
        item,
        "assign",
        agency_id=str(world.agency.id),
        handler_id="0",
        deadline_workdays=str(high + 1),
    )
    assert response.status_code == 400
    assert (
        f"办理期限应为 {app.config['SUGGESTION_DEADLINE_MIN_WORKDAYS']} 至 {high}"
        in (response.get_data(as_text=True))
    )
    assert fresh(item.id).status == Status.ACCEPTED
    response = post(
        staff,
        item,
        "assign",
        agency_id=str(world.agency.id),
        handler_id="0",
        deadline_workdays="8",
    )
    assert response.status_code == 302
    saved = fresh(item.id)
    assert saved.status == Status.PROCESSING
    assert saved.due_on == calendar().add_workdays(
        to_local(saved.assigned_at).date(), 8
    )


def test_agency_returns_a_misassigned_item(app, world):
    """退单: the handler returns the item with a reason; it goes back to the staff's
    queue (status 已受理, no agency or deadline) with the reason, is audited, the
    staff are told, the submitter sees no internal reason, and a new assignment
    starts a fresh deadline."""
    item, code = make_suggestion(world.agency)
    _assigned(world, item, world.users["agency_handler"])
    handler = login(app, "agency_handler")
    task = handler.get(f"/suggestions/manage/tasks/{item.id}").get_data(as_text=True)
    assert 'data-testid="agency-return-form"' in task
    url = f"/suggestions/manage/tasks/{item.id}/return"
    # No reason: refused, nothing changed.
    response = handler.post(url, data={"version": fresh(item.id).version, "reason": ""})
    assert response.status_code == 400
    assert fresh(item.id).status == Status.PROCESSING
    reason = "该路段属乙县市场监管局管辖，不属于本局职责。"
    response = handler.post(
        url, data={"version": fresh(item.id).version, "reason": reason}
    )
    assert response.status_code == 302
    saved = fresh(item.id)
    assert saved.status == Status.ACCEPTED
    assert saved.assigned_org_id is None
    assert saved.handler_id is None
    assert saved.due_on is None
    assert saved.agency_return_reason == reason
    assert "suggestion_returned_by_agency" in audit_actions(item.id)
    # The handler no longer sees it.
    assert handler.get(f"/suggestions/manage/tasks/{item.id}").status_code == 404
    # Staff: told, with the reason; it is on the 工作台 and the item page.
    (note,) = _notes(world.users["supervision_staff"], "suggestion_returned")
    assert reason in note.body
    assert note.link == f"/suggestions/manage/{item.id}"
    staff = login(app, "supervision_staff")
    dashboard = staff.get("/dashboard").get_data(as_text=True)
    assert 'data-testid="work-suggestions_to_assign" data-count="1"' in dashboard
    assert "退单：" in dashboard
    page = staff.get(f"/suggestions/manage/{item.id}").get_data(as_text=True)
    assert 'data-testid="agency-return"' in page
    assert reason in page
    # The submitter sees that the agency is being re-determined, not the reason.
    status = track(app.test_client(), item.number, code).get_data(as_text=True)
    assert "正在重新确定办理单位" in status
    assert reason not in status
    # Re-assigned: a fresh deadline, the 退单 mark cleared.
    response = post(
        staff, item, "assign", agency_id=str(world.agency.id), handler_id="0"
    )
    assert response.status_code == 302
    saved = fresh(item.id)
    assert saved.status == Status.PROCESSING
    assert saved.agency_returned_at is None
    assert saved.due_on == calendar().add_workdays(_today(), 15)


def test_no_return_while_a_reply_waits(app, world):
    item, _ = make_suggestion(world.agency)
    _assigned(world, item)
    services.submit_reply(
        item,
        item.version,
        "已核查处理完毕，相关情况如下。",
        [],
        Actor(user=world.users["agency_handler"]),
    )
    db.session.commit()
    handler = login(app, "agency_handler")
    response = handler.post(
        f"/suggestions/manage/tasks/{item.id}/return",
        data={"version": fresh(item.id).version, "reason": "不属于本单位职责范围。"},
    )
    assert response.status_code == 409
    assert fresh(item.id).status == Status.PROCESSING


def test_merged_duplicate_submitter_rates_by_own_number(app, world):
    """Each submitter of a merged item tracks it and rates the main item's reply
    under their own number; the ratings stay apart."""
    main, main_code = make_suggestion(world.agency)
    duplicate, dup_code = make_suggestion(
        world.agency, description="同一菜市场门口当场罚款未开票据。"
    )
    staff = Actor(user=world.users["supervision_staff"])
    services.merge_suggestion(duplicate, main, duplicate.version, "", staff)
    db.session.commit()
    submitter = app.test_client()
    page = track(submitter, duplicate.number, dup_code).get_data(as_text=True)
    assert 'data-testid="rate-form"' not in page  # nothing published yet
    _published(world, main)
    page = track(submitter, duplicate.number, dup_code).get_data(as_text=True)
    assert "经核查，已退还罚款。" in page
    assert 'data-testid="rate-form"' in page
    assert 'data-testid="contest-form"' not in page  # the main item's submitter's
    response = submitter.post(
        "/suggestions/track/rate",
        data={"number": duplicate.number, "rating": "2", "comment": "处理太慢"},
    )
    assert response.status_code == 302
    rated = fresh(duplicate.id)
    assert rated.rating == 2
    assert rated.status == Status.MERGED
    assert fresh(main.id).rating is None
    assert "suggestion_rated" in audit_actions(duplicate.id)
    # Once only; the main item's submitter still rates their own.
    page = track(submitter, duplicate.number, dup_code).get_data(as_text=True)
    assert 'data-testid="rate-form"' not in page
    other = app.test_client()
    assert 'data-testid="rate-form"' in track(other, main.number, main_code).get_data(
        as_text=True
    )
    other.post("/suggestions/track/rate", data={"number": main.number, "rating": "5"})
    assert fresh(main.id).rating == 5
    assert fresh(main.id).status == Status.CLOSED


def test_reply_photos_approved_for_publication_reach_the_submitter(app, world):
    """Only the reply photos staff tick on the publish form are shown on the
    submitter's tracking page (and a merged duplicate's); others, and any photo
    without a lookup in this browser, are 404."""
    from portal.suggestions import uploads

    main, code = make_suggestion(world.agency)
    duplicate, dup_code = make_suggestion(world.agency, description="重复反映。")
    services.merge_suggestion(
        duplicate,
        main,
        duplicate.version,
        "",
        Actor(user=world.users["supervision_staff"]),
    )
    # Through the upload checks, as the handler's form does (re-encoded, no EXIF).
    files = uploads.store(
        uploads.prepare(
            [
                FileStorage(io.BytesIO(jpeg_with_gps()), name, "image/jpeg")
                for name in ("整改后.jpg", "现场.jpg")
            ]
        )
    )
    _assigned(world, main)
    services.submit_reply(
        main,
        main.version,
        "已整改完毕，照片附后。",
        files,
        Actor(user=world.users["agency_handler"]),
    )
    services.approve_reply(
        main, main.version, Actor(user=world.users["supervision_staff"])
    )
    db.session.commit()
    shown, hidden = db.session.scalars(
        sa.select(SuggestionAttachment)
        .where(SuggestionAttachment.reply_id.is_not(None))
        .order_by(SuggestionAttachment.id)
    ).all()
    staff = login(app, "supervision_staff")
    form = staff.get(f"/suggestions/manage/{main.id}/publish").get_data(as_text=True)
    assert 'data-testid="publish-photos"' in form
    response = post(
        staff,
        main,
        "publish",
        text="经核查，已整改。",
        description="",
        photo=[str(shown.id)],
    )
    assert response.status_code == 302
    assert fresh(main.id).reply_published_at is not None
    db.session.expire_all()
    assert db.session.get(SuggestionAttachment, shown.id).published_at is not None
    assert db.session.get(SuggestionAttachment, hidden.id).published_at is None

    submitter = app.test_client()
    page = track(submitter, main.number, code).get_data(as_text=True)
    assert f"/suggestions/track/photos/{shown.id}" in page
    assert f"/suggestions/track/photos/{hidden.id}" not in page
    photo = submitter.get(f"/suggestions/track/photos/{shown.id}")
    assert photo.status_code == 200
    assert photo.headers["Content-Type"] == "image/jpeg"
    assert photo.headers["Cache-Control"] == "no-store"
    from PIL import Image

    assert not Image.open(io.BytesIO(photo.data)).getexif().get_ifd(0x8825)  # GPS
    photo.close()
    assert submitter.get(f"/suggestions/track/photos/{hidden.id}").status_code == 404
    assert (
        app.test_client().get(f"/suggestions/track/photos/{shown.id}").status_code
        == 404
    )
    # The merged duplicate's submitter sees the main item's published photo.
    merged = app.test_client()
    page = track(merged, duplicate.number, dup_code).get_data(as_text=True)
    assert f"/suggestions/track/photos/{shown.id}" in page
    response = merged.get(f"/suggestions/track/photos/{shown.id}")
    assert response.status_code == 200
    response.close()
    # A submitter of an unrelated item cannot fetch it.
    stranger_item, stranger_code = make_suggestion(world.agency, description="无关。")
    stranger = app.test_client()
    track(stranger, stranger_item.number, stranger_code)
    assert stranger.get(f"/suggestions/track/photos/{shown.id}").status_code == 404
    # A photo that is not the approved reply's image is refused by the service.
    import pytest

    from portal.exceptions import ValidationFailed

    with pytest.raises(ValidationFailed):
        services.publish_reply(
            fresh(main.id),
            fresh(main.id).version,
            "经核查，已整改。",
            Actor(user=world.users["supervision_staff"]),
            photo_ids=[shown.id + 1000],
        )


def test_submitter_text_is_not_published_unless_staff_edit_it_in(app, world):
    """Left empty on the publish form, the submitter's own text is never on the
    open-data page or in the CSV; only the reply is."""
    description = "我是东湖路商户，执法人员强行收走了我的三轮车。"
    item, _ = make_suggestion(world.agency, description=description)
    _assigned(world, item)
    services.submit_reply(
        item,
        item.version,
        "已核查处理完毕，车辆已退还。",
        [],
        Actor(user=world.users["agency_handler"]),
    )
    services.approve_reply(
        item, item.version, Actor(user=world.users["supervision_staff"])
    )
    db.session.commit()
    staff = login(app, "supervision_staff")
    response = post(staff, item, "publish", text="经核查，车辆已退还。", description="")
    assert response.status_code == 302
    assert fresh(item.id).published_description is None
    public = app.test_client()
    page = public.get("/suggestions/open").get_data(as_text=True)
    assert "经核查，车辆已退还。" in page
    assert "三轮车" not in page
    csv = public.get("/suggestions/open/data.csv").get_data(as_text=True)
    assert "经核查，车辆已退还。" in csv
    assert "三轮车" not in csv
