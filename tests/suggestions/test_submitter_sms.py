"""Progress SMS to a submitter who ticked 办理进展短信通知我 (issue #15).

Messages are captured from the default logging SMS sender (as the notification
tests do): it logs ``SMS to <masked number>: <text>``.
"""

import logging

import sqlalchemy as sa

from portal.actor import Actor
from portal.extensions import db
from portal.notifications import service
from portal.notifications.channels import DeliveryError
from portal.suggestions.handling import services as handling
from portal.suggestions.handling.models import SubmitterSms
from portal.suggestions.handling.sms import MAX_CHARS, tell_submitter
from portal.suggestions.models import Suggestion
from portal.workdays.queries import calendar
from tests.suggestions.handling_support import (
    DESCRIPTION,
    NAME,
    make_suggestion,
    signed_in,
)
from tests.suggestions.support import PHONE, form_data

OTHER_PHONE = "13900001111"


class FailingSender:
    """An SMS provider that is down (and echoes the number in its error)."""

    def __init__(self, config):
        pass

    def send(self, phone, text):
        raise DeliveryError(f"短信网关拒绝 {phone}")


def _sent(caplog):
    """``(masked number, text)`` of every SMS the logging sender sent."""
    return [
        tuple(r.getMessage().removeprefix("SMS to ").split(": ", 1))
        for r in caplog.records
        if r.name == "portal.notifications.channels"
    ]


def _commit_and_dispatch():
    db.session.commit()
    service.dispatch_ready()
    db.session.commit()


def _handle_to_publication(item, world):
    staff = Actor(user=world.users["supervision_staff"])
    handling.accept_suggestion(item, item.version, staff)
    _commit_and_dispatch()
    handling.assign_suggestion(
        item, item.version, world.agency, None, staff, calendar()
    )
    handling.submit_reply(
        item,
        item.version,
        "已核查处理。",
        [],
        Actor(user=world.users["agency_handler"]),
    )
    _commit_and_dispatch()
    handling.approve_reply(item, item.version, staff)
    _commit_and_dispatch()
    handling.publish_reply(item, item.version, "已核查处理。", staff)
    _commit_and_dispatch()
    # Editing the published text later sends nothing more.
    handling.publish_reply(item, item.version, "已核查处理，罚款已退还。", staff)
    _commit_and_dispatch()


def test_ticked_submitter_gets_each_event_once_masked(app, world, caplog):
    """受理, 已答复 and 已公开 each send one short SMS with the 受理编号 and the
    tracking path, no name or description; a repeated call sends nothing; the
    number appears masked only."""
    item, _ = make_suggestion(world.agency, sms=True)
    with caplog.at_level(logging.INFO):
        _handle_to_publication(item, world)
        tell_submitter(item, "accepted")  # a repeat (double submit, re-run)
        _commit_and_dispatch()
    sent = _sent(caplog)
    assert [phone for phone, _ in sent] == ["138****1234"] * 3
    texts = [text for _, text in sent]
    assert "已受理" in texts[0]
    assert item.number in texts[0]
    assert "/suggestions/track" in texts[0]
    assert "已办理答复" in texts[1]
    assert "答复已公开" in texts[2]
    assert "评价" in texts[2]
    for text in texts:
        assert len(text) <= MAX_CHARS
        assert item.number in text
        assert NAME not in text
        assert DESCRIPTION[:10] not in text
    assert PHONE not in caplog.text
    rows = db.session.scalars(sa.select(SubmitterSms).order_by(SubmitterSms.id)).all()
    assert [r.status for r in rows] == ["sent"] * 3
    assert service.dispatch_ready() == 0


def test_unticked_submitter_gets_nothing_and_rejection_is_told(app, world, caplog):
    """No consent: no SMS at any step. Consent: 不予受理 is told once."""
    quiet, _ = make_suggestion(world.agency)
    rejected, _ = make_suggestion(world.agency, sms=True, phone=OTHER_PHONE)
    staff = Actor(user=world.users["supervision_staff"])
    with caplog.at_level(logging.INFO):
        _handle_to_publication(quiet, world)
        handling.reject_suggestion(
            rejected, rejected.version, "不属于受理范围。", staff
        )
        _commit_and_dispatch()
    ((phone, text),) = _sent(caplog)
    assert phone == "139****1111"
    assert "不予受理" in text
    assert rejected.number in text
    assert "不属于受理范围" not in text
    assert (
        db.session.scalar(
            sa.select(sa.func.count(SubmitterSms.id)).where(
                SubmitterSms.suggestion_id == quiet.id
            )
        )
        == 0
    )


def test_merged_duplicate_gets_the_main_items_notices(app, world, caplog):
    """A ticked duplicate merged into an unticked main item is told of the
    merge, then of the main item's 受理 / 答复 / 公开 under its own number."""
    main, _ = make_suggestion(world.agency)
    duplicate, _ = make_suggestion(world.agency, sms=True, phone=OTHER_PHONE)
    staff = Actor(user=world.users["supervision_staff"])
    with caplog.at_level(logging.INFO):
        handling.merge_suggestion(duplicate, main, duplicate.version, "", staff)
        _commit_and_dispatch()
        _handle_to_publication(main, world)
    sent = _sent(caplog)
    assert [phone for phone, _ in sent] == ["139****1111"] * 4
    texts = [text for _, text in sent]
    assert "合并办理" in texts[0]
    assert ["已受理" in texts[1], "已办理答复" in texts[2], "已公开" in texts[3]] == [
        True
    ] * 3
    assert all(duplicate.number in t and main.number not in t for t in texts)
    assert OTHER_PHONE not in caplog.text


def test_failed_sms_is_retried_with_the_number_masked(app, world, caplog, monkeypatch):
    """A provider failure is recorded (number masked) and retried by the job."""
    from portal.suggestions.handling.sms import retry_submitter_sms

    monkeypatch.setitem(app.config, "SMS_SENDER", f"{__name__}.FailingSender")
    item, _ = make_suggestion(world.agency, sms=True)
    with caplog.at_level(logging.INFO):
        handling.accept_suggestion(
            item, item.version, Actor(user=world.users["supervision_staff"])
        )
        _commit_and_dispatch()
    row = db.session.scalar(sa.select(SubmitterSms))
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error == "短信网关拒绝 138****1234"
    assert PHONE not in caplog.text
    assert retry_submitter_sms() == 0  # not yet due
    row.next_attempt_at = None
    monkeypatch.setitem(
        app.config, "SMS_SENDER", "portal.notifications.channels.LoggingSmsSender"
    )
    assert retry_submitter_sms() == 1
    db.session.commit()
    assert (row.status, row.attempts) == ("sent", 2)


def test_form_stores_consent_and_staff_see_it(app, client, world):
    """The ticked box is stored (only with a mobile number) and staff see
    已同意短信通知; unticked, nothing is stored or shown."""
    page = client.get("/suggestions/").get_data(as_text=True)
    assert "办理进展短信通知我" in page
    assert 'data-testid="sms-notify"' in page
    assert (
        "checked"
        not in page.split('data-testid="sms-notify"')[0].rsplit("<input", 1)[1]
    )

    landline = form_data(client, contact_phone="010-12345678", sms_notify="y")
    response = client.post("/suggestions/", data=landline)
    assert response.status_code == 400
    assert "短信通知需要填写 11 位手机号码" in response.get_data(as_text=True)

    response = client.post("/suggestions/", data=form_data(client, sms_notify="y"))
    assert response.status_code == 302
    response = client.post("/suggestions/", data=form_data(client))
    assert response.status_code == 302
    ticked, unticked = db.session.scalars(
        sa.select(Suggestion).order_by(Suggestion.id)
    ).all()
    assert ticked.sms_consent_at is not None
    assert unticked.sms_consent_at is None

    staff = signed_in(app, "supervision_staff")
    page = staff.get(f"/suggestions/manage/{ticked.id}").get_data(as_text=True)
    assert "已同意短信通知" in page
    page = staff.get(f"/suggestions/manage/{unticked.id}").get_data(as_text=True)
    assert "已同意短信通知" not in page
