"""``notify()``: the one call other features make; delivery after the commit.

``notify`` adds the 站内信 rows and, for each channel the user chose, a delivery row
(flush, never commit: STYLE R5). Only once the caller's transaction commits are the
deliveries handed to the job queue (RQ with ``REDIS_URL``, inline otherwise), and in
a request that happens after the response has been sent: a slow or failing SMTP
server never delays or breaks the action that caused the notification. Failed
deliveries are retried by the periodic job; each attempt is recorded on the row.
"""

import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, g, has_request_context

from portal.extensions import db
from portal.notifications.channels import (
    DeliveryError,
    mask_address,
    send_email,
    sms_sender,
)
from portal.notifications.models import (
    Notification,
    NotificationDelivery,
    NotificationPreference,
)
from portal.timeutil import utcnow

logger = logging.getLogger(__name__)

# kind -> label shown in the centre (and used to filter it).
KINDS = {
    "exam_scheduled": "考试安排",
    "exam_changed": "考试变更",
    "exam_cancelled": "考试取消",
    "result_released": "成绩公布",
    "results_to_release": "成绩待公布",
    "score_changed": "成绩更正",
    "result_withdrawn": "成绩撤回",
    "appeal_decided": "成绩复核",
    "cert_expiring": "证书即将到期",
    "cert_review_due": "证书年度审验",
    "course_assigned": "培训课程",
    "review_assigned": "评查任务",
    "review_due": "评查任务到期",
    "review_submitted": "评查已提交",
    "opinion_issued": "监督意见书",
    "opinion_replied": "整改情况已报送",
    "opinion_accepted": "意见书办结",
    "opinion_returned": "整改情况被退回",
    "opinion_due_soon": "意见书即将到期",
    "opinion_overdue": "意见书已逾期",
    "suggestion_accept_due": "意见建议受理期限",
    "suggestion_assigned": "意见建议办理",
    "suggestion_due_soon": "意见建议即将到期",
    "suggestion_overdue": "意见建议已逾期",
    "suggestion_replied": "意见建议答复待审核",
    "suggestion_reply_returned": "答复被退回",
    "suggestion_published": "意见建议答复已公开",
    "suggestion_returned": "意见建议退单",
    "escalation_received": "监督员转办",
    "digest": "每日待办摘要",
}

PENDING_KEY = "notify_pending"
READY_KEY = "notify_ready"
# Backoff between attempts of a failed delivery (minutes), then give up.
RETRY_MINUTES = (5, 30, 120, 720)


def _users(users):
    from portal.auth.models import User

    if users is None:
        return []
    if isinstance(users, (User, int)):
        users = [users]
    result, seen = [], set()
    for user in users:
        if isinstance(user, int):
            user = db.session.get(User, user)
        if user is None or user.id in seen or not user.is_active_account:
            continue
        seen.add(user.id)
        result.append(user)
    return result


def path_for(endpoint, **values):
    """A site-relative URL usable in jobs and CLI (no request, no SERVER_NAME)."""
    adapter = current_app.url_map.bind("localhost", script_name="/")
    return adapter.build(endpoint, values)


def notify(users, kind, title, body="", link=None, dedupe_key=None):
    """Tell ``users`` about something; idempotent by ``dedupe_key`` per user.

    :param users: a user, a user id, or an iterable of either; inactive and
        duplicate entries are skipped.
    :param kind: a key of :data:`KINDS`.
    :param link: the site path of the object (see :func:`path_for`).
    :param dedupe_key: a user who already has a notification with this key gets
        no second one (the daily job relies on this).
    :return: the notifications created (duplicates excluded).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    created = []
    for user in _users(users):
        if dedupe_key is not None:
            exists = db.session.scalar(
                sa.select(Notification.id).where(
                    Notification.user_id == user.id,
                    Notification.dedupe_key == dedupe_key,
                )
            )
            if exists:
                continue
        note = Notification(
            user_id=user.id,
            kind=kind,
            title=title[:200],
            body=body or "",
            link=link,
            dedupe_key=dedupe_key,
        )
        for channel, address in _channels_of(user):
            note.deliveries.append(
                NotificationDelivery(channel=channel, address=address)
            )
        try:
            with db.session.begin_nested():
                db.session.add(note)
        except sa.exc.IntegrityError:
            continue  # a concurrent notify with the same key won the race
        db.session.info.setdefault(PENDING_KEY, []).extend(
            d.id for d in note.deliveries
        )
        created.append(note)
    return created


def _channels_of(user):
    pref = db.session.get(NotificationPreference, user.id)
    if pref is None:
        return []
    channels = []
    if pref.email_enabled and pref.email:
        channels.append(("email", pref.email))
    if pref.sms_enabled and user.phone:
        channels.append(("sms", user.phone))
    return channels


def unread_count(user):
    """Unread notifications of ``user``; computed once per request."""
    if has_request_context():
        cached = g.get("_notify_unread")
        if cached is not None and cached[0] == user.id:
            return cached[1]
    count = db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    )
    if has_request_context():
        g._notify_unread = (user.id, count)
    return count


def mark_read(user, notification_id):
    """Mark one of ``user``'s notifications read; return it (None if not theirs)."""
    note = db.session.get(Notification, notification_id)
    if note is None or note.user_id != user.id:
        return None
    if note.read_at is None:
        note.read_at = utcnow()
        db.session.flush()
    return note


def mark_all_read(user):
    """Mark every unread notification of ``user`` read; return how many."""
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount


# Delivery -----------------------------------------------------------------------


def _email_text(note):
    base = (current_app.config.get("PORTAL_BASE_URL") or "").rstrip("/")
    lines = [note.title, ""]
    if note.body:
        lines += [note.body, ""]
    if note.link:
        lines.append(f"查看：{base}{note.link}" if base else "请登录平台查看。")
    lines += ["", "本邮件由执法培训考试与监督评查平台自动发送，请勿回复。"]
    return "\n".join(lines)


def deliver(delivery_id):
    """Job: send one delivery if not yet sent; record the attempt either way.

    Idempotent: a delivery already sent (or given up) is left alone, so a job that
    runs twice sends once.
    """
    query = sa.select(NotificationDelivery).where(
        NotificationDelivery.id == delivery_id
    )
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    delivery = db.session.scalar(query)
    if delivery is None or delivery.status != "pending":
        return delivery.status if delivery else None
    now = utcnow()
    if delivery.next_attempt_at and delivery.next_attempt_at > now:
        return "pending"
    note = delivery.notification
    delivery.attempts += 1
    try:
        if delivery.channel == "email":
            send_email(delivery.address, note.title, _email_text(note))
        else:
            sms_sender().send(delivery.address, f"【执法监督平台】{note.title}")
    except Exception as exc:  # noqa: BLE001 - every provider failure is recorded
        record_failure(delivery, exc, now)
        logger.warning(
            "Delivery %s (%s to %s) failed, attempt %s: %s",
            delivery.id,
            delivery.channel,
            mask_address(delivery.channel, delivery.address),
            delivery.attempts,
            delivery.last_error,
        )
    else:
        mark_sent(delivery, now)
        logger.info(
            "Delivery %s (%s to %s) sent",
            delivery.id,
            delivery.channel,
            mask_address(delivery.channel, delivery.address),
        )
    db.session.flush()
    return delivery.status


def record_failure(row, exc, now, clean=lambda text: text):
    """A failed send of a delivery row (``attempts`` already counted): keep the
    provider's reason (``clean`` masks what must not be stored) and schedule the
    next try after ``RETRY_MINUTES``, or give up after the last one."""
    detail = str(exc) if isinstance(exc, DeliveryError) else type(exc).__name__
    row.last_error = clean(detail)[:500]
    if row.attempts > len(RETRY_MINUTES):
        row.status, row.next_attempt_at = "failed", None
    else:
        row.next_attempt_at = now + timedelta(minutes=RETRY_MINUTES[row.attempts - 1])


def mark_sent(row, now):
    row.status, row.sent_at = "sent", now
    row.last_error = row.next_attempt_at = None


def queue_due(model, job, limit=500):
    """Hand every pending row of a delivery ``model`` whose time has come to
    ``job`` on the queue again; returns how many."""
    from portal.jobs import enqueue

    ids = db.session.scalars(
        sa.select(model.id)
        .where(
            model.status == "pending",
            sa.or_(model.next_attempt_at.is_(None), model.next_attempt_at <= utcnow()),
        )
        .order_by(model.id)
        .limit(limit)
    ).all()
    for row_id in ids:
        enqueue(job, row_id)
    return len(ids)


def retry_deliveries(limit=500):
    """Job: hand every pending delivery whose time has come to the queue again."""
    return queue_due(NotificationDelivery, deliver, limit)


def dispatch_ready():
    """Queue the deliveries whose notifications have been committed.

    Called after a request's response is sent, after a job commits, and by CLI code
    that commits notifications. Never raises: a queue outage leaves the rows pending
    for :func:`retry_deliveries`.
    """
    from portal.jobs import enqueue

    ready = db.session.info.pop(READY_KEY, [])
    for entry in ready:
        # A delivery id, or ``(job, id)`` added by :func:`after_commit`.
        job, arg = entry if isinstance(entry, tuple) else (deliver, entry)
        try:
            enqueue(job, arg)
        except Exception:  # noqa: BLE001 - retried by the periodic job
            logger.exception("Could not queue %s %s", job.__name__, arg)
            db.session.rollback()
    return len(ready)


def after_commit(job, arg):
    """Run ``job(arg)`` through the queue once this transaction commits (after
    the response in a request), like a delivery; dropped on rollback.

    For outbound messages that are not notifications of a user (the suggestion
    submitter's SMS). ``job`` must be idempotent and retried by a periodic job.
    """
    db.session.info.setdefault(PENDING_KEY, []).append((job, arg))


def _after_commit(session):
    pending = session.info.pop(PENDING_KEY, None)
    if not pending:
        return
    if has_request_context():
        g._notify_ready = g.get("_notify_ready", []) + pending
    else:
        session.info.setdefault(READY_KEY, []).extend(pending)


def _after_rollback(session):
    session.info.pop(PENDING_KEY, None)


def _after_request(response):
    ready = g.pop("_notify_ready", None)
    if ready:
        app = current_app._get_current_object()

        def send_later():
            with app.app_context():
                db.session.info[READY_KEY] = list(ready)
                try:
                    dispatch_ready()
                finally:
                    db.session.remove()

        response.call_on_close(send_later)
    return response


def install(app):
    """Hook delivery onto commits (all sessions) and onto responses."""
    from sqlalchemy import event

    if not event.contains(so_session(), "after_commit", _after_commit):
        event.listen(so_session(), "after_commit", _after_commit)
        event.listen(so_session(), "after_soft_rollback", _soft_rollback)
    app.after_request(_after_request)


def _soft_rollback(session, previous_transaction):
    if previous_transaction.parent is None:
        _after_rollback(session)


def so_session():
    import sqlalchemy.orm as so

    return so.Session
