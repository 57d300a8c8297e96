"""Progress SMS to a submitter who ticked 办理进展短信通知我 (issue #15).

A member of the public has no account, so :func:`portal.notifications.service.notify`
cannot reach them. The handling services call :func:`tell_submitter` after their
flush; it adds one :class:`SubmitterSms` row per item and event (the unique key
makes a double submit or a re-run harmless) for the item itself and for every
duplicate merged into it, each under its own 受理编号. The rows are sent through
the job queue after the commit (:func:`portal.notifications.service.after_commit`)
by the configured SMS sender; failures are retried by :func:`retry_submitter_sms`.

The text carries no personal data: the 受理编号, a short status and the path of
the tracking page, at most :data:`MAX_CHARS` characters (one SMS).
"""

import logging

import sqlalchemy as sa
from flask import current_app

from portal.extensions import db
from portal.masking import mask_phone
from portal.notifications.channels import sms_sender
from portal.notifications.service import (
    after_commit,
    mark_sent,
    path_for,
    queue_due,
    record_failure,
)
from portal.suggestions.forms import MOBILE
from portal.suggestions.handling.models import SubmitterSms
from portal.suggestions.models import Suggestion
from portal.timeutil import utcnow

logger = logging.getLogger(__name__)

SIGNATURE = "【执法监督平台】"
MAX_CHARS = 70  # one SMS of Chinese text, signature included

# event -> text after the signature; {number} is the recipient's 受理编号,
# {link} the tracking page.
TEXTS = {
    "accepted": "您的反映已受理，受理编号{number}，凭查询码可在{link}查看进度。",
    "rejected": "您的反映（{number}）不予受理，理由可凭查询码在{link}查看。",
    "merged": "您的反映（{number}）已与同类问题合并办理，进展可在{link}查看。",
    "replied": "您的反映（{number}）已办理答复，答复公开后可在{link}查看并评价。",
    "published": "您的反映（{number}）的答复已公开，请凭查询码在{link}查看并评价。",
}


def wants_sms(suggestion):
    """Did the submitter consent, and is there still a mobile number to use?"""
    phone = suggestion.contact_phone
    return (
        suggestion.sms_consent_at is not None
        and suggestion.deidentified_at is None
        and bool(phone)
        and MOBILE.match(phone) is not None
    )


def message_text(number, event):
    """The SMS for ``event`` of the item numbered ``number`` (≤ 70 characters):
    with the full tracking URL when ``PORTAL_BASE_URL`` is set and it fits, else
    with the path."""
    path = path_for("suggestions.track")
    base = (current_app.config.get("PORTAL_BASE_URL") or "").rstrip("/")
    for link in ([base + path] if base else []) + [path]:
        text = SIGNATURE + TEXTS[event].format(number=number, link=link)
        if len(text) <= MAX_CHARS:
            return text
    return text[:MAX_CHARS]


def tell_submitter(suggestion, event, key=None):
    """Queue the SMS of ``event`` to the submitter of ``suggestion`` and of each
    duplicate merged into it, where they consented. Flush only.

    :param event: a key of :data:`TEXTS`.
    :param key: distinguishes repeats of an event (a second reply after a
        reopening: the reply id); by default the event is sent once per item.
    :return: the rows added (existing ones excluded).
    """
    recipients = [suggestion] + list(
        db.session.scalars(
            sa.select(Suggestion)
            .where(Suggestion.merged_into_id == suggestion.id)
            .order_by(Suggestion.id)
        )
    )
    event_key = event if key is None else f"{event}:{key}"
    added = []
    for item in recipients:
        if not wants_sms(item):
            continue
        exists = db.session.scalar(
            sa.select(SubmitterSms.id).where(
                SubmitterSms.suggestion_id == item.id, SubmitterSms.event == event_key
            )
        )
        if exists:
            continue
        row = SubmitterSms(
            suggestion_id=item.id,
            event=event_key,
            text=message_text(item.number, event),
        )
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except sa.exc.IntegrityError:
            continue  # a concurrent call with the same key won the race
        after_commit(deliver_submitter_sms, row.id)
        added.append(row)
    return added


def deliver_submitter_sms(sms_id):
    """Job: send one submitter SMS if still pending; record the attempt.

    Idempotent (a row already sent or given up is left alone). The number is
    logged masked only.
    """
    query = sa.select(SubmitterSms).where(SubmitterSms.id == sms_id)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    row = db.session.scalar(query)
    if row is None or row.status != "pending":
        return row.status if row else None
    now = utcnow()
    if row.next_attempt_at and row.next_attempt_at > now:
        return "pending"
    item = row.suggestion
    if not wants_sms(item):
        # De-identified (or consent withdrawn) before the message went out.
        row.status, row.last_error, row.next_attempt_at = "failed", "无可用号码", None
        db.session.flush()
        return row.status
    phone = item.contact_phone
    row.attempts += 1
    try:
        sms_sender().send(phone, row.text)
    except Exception as exc:  # noqa: BLE001 - every provider failure is recorded
        record_failure(
            row, exc, now, clean=lambda text: text.replace(phone, mask_phone(phone))
        )
        logger.warning(
            "Submitter SMS %s (%s to %s) failed, attempt %s: %s",
            row.id,
            row.event,
            mask_phone(phone),
            row.attempts,
            row.last_error,
        )
    else:
        mark_sent(row, now)
        logger.info(
            "Submitter SMS %s (%s to %s) sent", row.id, row.event, mask_phone(phone)
        )
    db.session.flush()
    return row.status


def retry_submitter_sms(limit=500):
    """Job: queue every pending submitter SMS whose time has come."""
    return queue_due(SubmitterSms, deliver_submitter_sms, limit)
