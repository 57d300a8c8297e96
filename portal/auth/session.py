"""Session policy: user loading, idle/absolute timeouts, forced password change."""

import time

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user

from portal import audit
from portal.actor import Actor
from portal.extensions import db, login_manager

SEEN_AT_RESOLUTION_S = 60

# Endpoints a user who must change their password may still reach.
_PASSWORD_CHANGE_EXEMPT = {
    "auth.change_password",
    "auth.logout",
    "static",
    "bootstrap.static",
}


@login_manager.user_loader
def load_user(session_id):
    from portal.auth.models import User

    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    # The user and their roles in one statement: every request checks a role.
    user = (
        db.session.execute(
            sa.select(User)
            .options(so.joinedload(User.roles))
            .where(User.id == int(user_id))
        )
        .unique()
        .scalar_one_or_none()
    )
    if user is None or user.session_version != int(version):
        return None  # password changed/reset or account disabled since login
    return user


def start_session(user):
    """Begin a fresh session for ``user`` (no fixation: the old session is dropped)."""
    from flask_login import login_user

    session.clear()
    login_user(user)
    now = int(time.time())
    session["auth_at"] = now
    session["seen_at"] = now
    session.permanent = True


def expiry_reason(data, now, config):
    """Why the session ``data`` has expired at ``now`` (``time.time()``):
    "absolute", "idle", or None. Also used by the exam autosave fast path
    (``exams.attempts.fastpath``), which reads the cookie without Flask."""
    auth_at = data.get("auth_at", 0)
    seen_at = data.get("seen_at", 0)
    if now - auth_at > config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds():
        return "absolute"
    if now - seen_at > config["SESSION_IDLE_TIMEOUT"].total_seconds():
        return "idle"
    return None


def seen_at_due(data, now):
    """Whether ``seen_at`` (the idle timeout's clock) must be refreshed now."""
    return int(now) - data.get("seen_at", 0) >= SEEN_AT_RESOLUTION_S


def _expired():
    return expiry_reason(session, time.time(), current_app.config)


def enforce_session_policy():
    if request.endpoint in ("static", "bootstrap.static"):
        return None
    if not current_user.is_authenticated:
        return None
    reason = _expired()
    if reason:
        user = current_user._get_current_object()
        audit.record(
            "session_expired",
            Actor.from_request(user),
            user,
            after="空闲超时" if reason == "idle" else "超过最长会话时间",
        )
        db.session.commit()
        logout_user()
        session.clear()
        flash("登录已超时，请重新登录。", "warning")
        if request.method == "GET":
            return redirect(url_for("auth.login", next=request.full_path))
        return redirect(url_for("auth.login"))
    # Refreshed once a minute, not on every request: an unchanged session is
    # not re-signed and re-sent (autosaves and heartbeats of a whole exam room);
    # the idle timeout keeps a one-minute resolution.
    now = int(time.time())
    if seen_at_due(session, now):
        session["seen_at"] = now
    if current_user.must_change_password and request.endpoint not in (
        _PASSWORD_CHANGE_EXEMPT
    ):
        flash("首次登录或密码被重置后，请先修改密码。", "info")
        return redirect(url_for("auth.change_password"))
    return None


def init_app(app):
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.before_request(enforce_session_policy)
