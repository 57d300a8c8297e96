"""Authentication and account services. They flush; the caller commits (R5)."""

import logging
import re
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from portal import audit
from portal.auth import throttle
from portal.auth.idcard import normalise_id_number
from portal.auth.models import User
from portal.auth.passwords import (
    burn_verify_time,
    generate_password,
    hash_password,
    needs_rehash,
    policy_errors,
    verify_password,
)
from portal.exceptions import InvalidState, NotAllowed, ValidationFailed
from portal.extensions import db
from portal.masking import mask_id_number
from portal.timeutil import utcnow

logger = logging.getLogger(__name__)

GENERIC_LOGIN_ERROR = "用户名/身份证号或密码错误"
ID_LIKE = re.compile(r"\d{17}[\dXx]")


class LoginFailed(NotAllowed):
    """Raised by :func:`authenticate`; the message is safe to show."""


def find_user_by_login(login):
    """Look a user up by username or 18-digit ID number."""
    login = (login or "").strip()
    if not login:
        return None
    user = db.session.scalar(sa.select(User).where(User.username == login))
    if user is None and len(login) == 18:
        user = db.session.scalar(
            sa.select(User).where(User.id_number == normalise_id_number(login))
        )
    return user


def audit_login_label(login):
    """The typed login name for the audit log; an ID number is stored masked."""
    login = (login or "").strip()[:64]
    if ID_LIKE.search(login):
        return ID_LIKE.sub(lambda m: mask_id_number(m.group(0)), login)
    return login


def authenticate(login, password, actor):
    """Check a login. No account is locked (anyone could lock an administrator
    out); repeated failures make the form ask for a captcha instead (view).

    :param login: username or ID number as typed.
    :param password: the password as typed.
    :param actor: an Actor without user (carries the client IP).
    :return: the authenticated :class:`User`.
    :raises LoginFailed: with one message whether or not the account exists;
        failures are audited.
    """
    now = utcnow()
    user = find_user_by_login(login)
    if user is None:
        burn_verify_time(password)
        audit.record(
            "login_failed",
            actor,
            label=audit_login_label(login),
            after="账号不存在",
            outcome="failure",
        )
        raise LoginFailed(GENERIC_LOGIN_ERROR)
    actor = type(actor)(user=None, ip=actor.ip)
    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        audit.record(
            "login_failed",
            actor,
            user,
            after={"连续失败次数": user.failed_logins},
            outcome="failure",
        )
        if user.failed_logins % current_app.config["LOGIN_MAX_FAILURES"] == 0:
            logger.warning("Repeated failed logins for %s", user.username)
        db.session.flush()
        raise LoginFailed(GENERIC_LOGIN_ERROR)
    if not user.is_active_account:
        audit.record("login_failed", actor, user, after="账号已停用", outcome="refused")
        raise LoginFailed("该账号已停用，请联系管理员")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    audit.record("login", type(actor)(user=user, ip=actor.ip), user)
    _apply_password_expiry(user, type(actor)(user=user, ip=actor.ip), now)
    return user


def _apply_password_expiry(user, actor, now):
    """With PASSWORD_MAX_AGE_DAYS set, an old password must be changed now."""
    days = current_app.config.get("PASSWORD_MAX_AGE_DAYS") or 0
    if days <= 0 or user.must_change_password:
        return
    changed = user.password_changed_at or user.created_at
    if changed is not None and now - changed > timedelta(days=days):
        user.must_change_password = True
        audit.record("password_expired", actor, user, after={"密码有效期（天）": days})


def end_sessions(user):
    """Invalidate every session of ``user``: the loader compares this version."""
    user.session_version += 1


def set_password(user, new_password):
    """Validate ``new_password`` against the policy and store it.

    :raises ValidationFailed: when the policy is not met.
    """
    errors = policy_errors(
        new_password, username=user.username, id_number=user.id_number
    )
    if errors:
        raise ValidationFailed("；".join(errors))
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    end_sessions(user)


def change_password(user, old_password, new_password, actor):
    """The user changes their own password (also ends the forced-change state).

    :raises ValidationFailed: wrong current password, reuse, or policy failure.
    """
    if not verify_password(user.password_hash, old_password):
        raise ValidationFailed("当前密码不正确")
    if old_password == new_password:
        raise ValidationFailed("新密码不能与当前密码相同")
    set_password(user, new_password)
    user.must_change_password = False
    audit.record("password_changed", actor, user)
    db.session.flush()


def reset_password(user, actor):
    """An administrator resets a password: a random one, to be changed at next login.

    :return: the temporary password (shown once to the administrator).
    """
    temporary = generate_password()
    set_password(user, temporary)
    user.must_change_password = True
    user.failed_logins = 0
    user.locked_until = None
    for name in (user.username, user.id_number):
        if name:
            throttle.clear(name)
    audit.record("password_reset", actor, user)
    db.session.flush()
    return temporary


def unlock_user(user, actor):
    """Reset the failure count (and an old lockout); the captcha is no longer asked."""
    user.failed_logins = 0
    user.locked_until = None
    for name in (user.username, user.id_number):
        if name:
            throttle.clear(name)
    audit.record("account_unlocked", actor, user)
    db.session.flush()


def set_active(user, active, actor):
    """Enable or disable an account; disabling ends its sessions."""
    if user.is_active_account == active:
        return
    user.is_active_account = active
    if not active:
        end_sessions(user)
    audit.record("user_activated" if active else "user_deactivated", actor, user)
    db.session.flush()


def set_photo(user, photo_key, digest, actor):
    """Attach a stored ID photo (证件照) to ``user``; audited as an upload or a
    replacement (with the SHA-256 of the stored JPEG).

    :return: the key of the replaced photo (the caller discards that file after
        the commit), or None.
    """
    replaced = user.photo_key
    user.photo_key = photo_key
    user.photo_updated_at = utcnow()
    audit.record(
        "photo_replaced" if replaced else "photo_uploaded",
        actor,
        user,
        before={"证件照": "有"} if replaced else None,
        after={"证件照": "有", "SHA-256": digest},
    )
    db.session.flush()
    return replaced


def remove_photo(user, actor):
    """Remove the ID photo of ``user`` (audited).

    :return: the key of the removed photo (discarded after the commit).
    :raises InvalidState: the user has no photo.
    """
    if not user.photo_key:
        raise InvalidState("该用户尚未上传证件照")
    removed = user.photo_key
    user.photo_key = None
    user.photo_updated_at = utcnow()
    audit.record(
        "photo_deleted", actor, user, before={"证件照": "有"}, after={"证件照": "无"}
    )
    db.session.flush()
    return removed
