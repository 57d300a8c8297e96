"""Failed-login counting per login name, for the login captcha.

Failures are counted per *typed* login name (normalised), whether or not an account
has that name, in the rate-limit store (Redis in production), so the captcha appears
after the same number of failures for an existing and an unknown name and reveals
nothing. No account is ever locked: an administrator under attack signs in by
solving the captcha. The count expires ``LOGIN_LOCKOUT`` after the first failure.
"""

import hashlib

from flask import current_app

from portal.extensions import limiter


def _key(login):
    name = (login or "").strip().upper()
    digest = hashlib.sha256(name.encode("utf-8", "replace")).hexdigest()[:32]
    return f"zhifa/login-failures/{digest}"


def failures(login):
    try:
        return int(limiter.storage.get(_key(login)) or 0)
    except Exception:  # noqa: BLE001 - an unreachable store must not block logins
        current_app.logger.warning("Login failure store unreachable")
        return current_app.config["LOGIN_MAX_FAILURES"]  # fail safe: ask captcha


def record_failure(login):
    window = int(current_app.config["LOGIN_LOCKOUT"].total_seconds())
    try:
        return limiter.storage.incr(_key(login), window)
    except Exception:  # noqa: BLE001
        current_app.logger.warning("Login failure store unreachable")
        return None


def clear(login):
    try:
        limiter.storage.clear(_key(login))
    except Exception:  # noqa: BLE001
        current_app.logger.warning("Login failure store unreachable")


def captcha_required(login):
    return failures(login) >= current_app.config["LOGIN_MAX_FAILURES"]
