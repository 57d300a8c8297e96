"""站内信 centre, read state and each user's channel settings."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal import audit
from portal.actor import Actor
from portal.extensions import db
from portal.notifications import bp, service
from portal.notifications.channels import mask_email, mask_phone
from portal.notifications.forms import PreferenceForm
from portal.notifications.models import Notification, NotificationPreference
from portal.timeutil import utcnow

PAGE_SIZE = 30


def _safe_link(link):
    # Links are site paths written by notify(); never follow anything else.
    if link and link.startswith("/") and not link.startswith("//"):
        return link
    return None


@bp.get("/")
@login_required
def centre():
    """The user's notifications, newest first; ``?unread=1`` shows unread only."""
    user = current_user._get_current_object()
    unread_only = request.args.get("unread") == "1"
    page = max(request.args.get("page", 1, type=int), 1)
    query = sa.select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    pagination = db.paginate(
        query.order_by(Notification.created_at.desc(), Notification.id.desc()),
        page=page,
        per_page=PAGE_SIZE,
        error_out=False,
    )
    return render_template(
        "notifications/centre.html",
        pagination=pagination,
        unread_only=unread_only,
        unread=service.unread_count(user),
        kinds=service.KINDS,
    )


@bp.post("/<int:notification_id>/open")
@login_required
def open_notification(notification_id):
    """Mark the notification read and go to the object it is about."""
    note = service.mark_read(current_user, notification_id)
    if note is None:
        abort(404)
    db.session.commit()
    return redirect(_safe_link(note.link) or url_for("notifications.centre"))


@bp.post("/<int:notification_id>/read")
@login_required
def mark_read(notification_id):
    if service.mark_read(current_user, notification_id) is None:
        abort(404)
    db.session.commit()
    return redirect(url_for("notifications.centre", unread=request.args.get("unread")))


@bp.post("/read-all")
@login_required
def mark_all_read():
    count = service.mark_all_read(current_user)
    db.session.commit()
    flash(f"已将 {count} 条通知标为已读。", "success")
    return redirect(url_for("notifications.centre"))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """Choose the channels besides 站内信 (always on)."""
    user = current_user._get_current_object()
    pref = db.session.get(NotificationPreference, user.id)
    form = PreferenceForm(obj=pref, phone=user.phone)
    if form.validate_on_submit():
        before = _describe(pref, user)
        if pref is None:
            pref = NotificationPreference(user_id=user.id)
            db.session.add(pref)
        pref.email = (form.email.data or "").strip() or None
        pref.email_enabled = bool(form.email_enabled.data)
        pref.sms_enabled = bool(form.sms_enabled.data)
        pref.updated_at = utcnow()
        db.session.flush()
        audit.record(
            "notification_settings_changed",
            Actor.from_request(),
            user,
            before=before,
            after=_describe(pref, user),
        )
        db.session.commit()
        flash("通知接收方式已保存。", "success")
        return redirect(url_for("notifications.settings"))
    return render_template(
        "notifications/settings.html",
        form=form,
        masked_phone=mask_phone(user.phone),
    )


def _describe(pref, user):
    if pref is None:
        return {"电子邮件": "未开启", "短信": "未开启"}
    return {
        "电子邮件": f"开启（{mask_email(pref.email)}）"
        if pref.email_enabled
        else "未开启",
        "短信": f"开启（{mask_phone(user.phone)}）" if pref.sms_enabled else "未开启",
    }
