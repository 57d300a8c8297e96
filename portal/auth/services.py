"""Authentication and account services. They flush; the caller commits (R5)."""

import logging

import sqlalchemy as sa
from flask import current_app

from portal import audit
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
from portal.exceptions import NotAllowed, ValidationFailed
from portal.extensions import db
from portal.timeutil import to_local, utcnow

logger = logging.getLogger(__name__)

GENERIC_LOGIN_ERROR = "用户名/身份证号或密码错误"


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


def authenticate(login, password, actor):
    """Check a login, applying the lockout policy.

    :param login: username or ID number as typed.
    :param password: the password as typed.
    :param actor: an Actor without user (carries the client IP).
    :return: the authenticated :class:`User`.
    :raises LoginFailed: with a message to show; failures are audited.
    """
    config = current_app.config
    now = utcnow()
    user = find_user_by_login(login)
    if user is None:
        burn_verify_time(password)
        audit.record(
            "login_failed", actor, label=(login or "")[:64], after="账号不存在"
        )
        raise LoginFailed(GENERIC_LOGIN_ERROR)
    actor = type(actor)(user=None, ip=actor.ip)
    if user.locked_until is not None and user.locked_until > now:
        audit.record("login_failed", actor, user, after="账号锁定期间尝试登录")
        until = to_local(user.locked_until).strftime("%H:%M")
        raise LoginFailed(f"登录失败次数过多，账号已锁定，请于 {until} 后再试")
    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        remaining = config["LOGIN_MAX_FAILURES"] - user.failed_logins
        audit.record(
            "login_failed", actor, user, after={"连续失败次数": user.failed_logins}
        )
        if remaining <= 0:
            user.failed_logins = 0
            user.locked_until = now + config["LOGIN_LOCKOUT"]
            minutes = int(config["LOGIN_LOCKOUT"].total_seconds() // 60)
            audit.record("account_locked", actor, user, after={"锁定分钟": minutes})
            logger.warning("Account %s locked after failed logins", user.username)
            db.session.flush()
            raise LoginFailed(f"登录失败次数过多，账号已锁定 {minutes} 分钟")
        db.session.flush()
        raise LoginFailed(f"{GENERIC_LOGIN_ERROR}，再失败 {remaining} 次账号将被锁定")
    if not user.is_active_account:
        audit.record("login_failed", actor, user, after="账号已停用")
        raise LoginFailed("该账号已停用，请联系管理员")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    audit.record("login", type(actor)(user=user, ip=actor.ip), user)
    return user


def end_sessions(user):
    """Invalidate every session of ``user``: the loader compares this version."""
    user.session_version += 1


def set_password(user, new_password):
    """Validate ``new_password`` against the policy and store it.

    :raises ValidationFailed: when the policy is not met.
    """
    errors = policy_errors(new_password)
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
    audit.record("password_reset", actor, user)
    db.session.flush()
    return temporary


def unlock_user(user, actor):
    """Lift a lockout before it expires."""
    user.failed_logins = 0
    user.locked_until = None
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
