"""Password hashing (argon2id) and the password policy."""

import functools
import os
import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context


@functools.cache
def _hasher_for(time_cost, memory_cost, parallelism):
    return PasswordHasher(
        time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism
    )


def _hasher():
    """The argon2id hasher with the configured cost (argon2-cffi's defaults,
    RFC 9106 low-memory profile, unless ``ARGON2_*`` settings say otherwise)."""
    defaults = PasswordHasher()
    if not has_app_context():
        return defaults
    config = current_app.config
    return _hasher_for(
        config.get("ARGON2_TIME_COST") or defaults.time_cost,
        config.get("ARGON2_MEMORY_COST") or defaults.memory_cost,
        config.get("ARGON2_PARALLELISM") or defaults.parallelism,
    )


@functools.cache
def _dummy_hash(hasher):
    # A real hash to verify against when the account does not exist, so that an
    # unknown login name costs the same time as a wrong password.
    return hasher.hash("dummy-password-for-timing")


MIN_LENGTH = 8
_CLASSES = (
    str.islower,
    str.isupper,
    str.isdigit,
    lambda ch: not ch.isalnum(),
)


def hash_password(password):
    """Return an argon2id hash of ``password``."""
    return _hasher().hash(password)


def verify_password(password_hash, password):
    """Return True when ``password`` matches ``password_hash``."""
    try:
        hasher = _hasher()
        if not password_hash:
            # Same cost as a real check, but a missing hash never matches (not even
            # the dummy password).
            hasher.verify(_dummy_hash(hasher), password)
            return False
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    return _hasher().check_needs_rehash(password_hash)


def burn_verify_time(password):
    """Spend one verification on the dummy hash (unknown-user logins)."""
    verify_password(_dummy_hash(_hasher()), password + "x")


@functools.cache
def common_passwords():
    """The shipped list of common passwords (lower case)."""
    path = os.path.join(os.path.dirname(__file__), "data", "common_passwords.txt")
    with open(path, encoding="utf-8") as handle:
        return frozenset(
            line.strip().lower()
            for line in handle
            if line.strip() and not line.startswith("#")
        )


def _personal_fragments(username, id_number):
    """Parts of the account that must not appear in its password."""
    fragments = []
    if username and len(username) >= 3:
        fragments.append(("用户名", username.lower()))
    if id_number and len(id_number) == 18:
        fragments.append(("身份证号", id_number.lower()))
        fragments.append(("身份证号中的出生日期", id_number[6:14]))
        fragments.append(("身份证号后六位", id_number[-6:].lower()))
    return fragments


def policy_errors(password, username=None, id_number=None):
    """Return the Chinese reasons ``password`` breaks the policy (empty if none).

    :param username: the account's user name (a password containing it is refused).
    :param id_number: the account's 身份证号 (the number, its birth date or its last
        six characters inside the password are refused).
    """
    errors = []
    if len(password) < MIN_LENGTH:
        errors.append(f"密码长度至少 {MIN_LENGTH} 位")
    classes = sum(any(test(ch) for ch in password) for test in _CLASSES)
    if classes < 3:
        errors.append("密码须包含大写字母、小写字母、数字、符号中的至少三类")
    if password.lower() in common_passwords():
        errors.append("该密码属于常见密码，容易被猜中，请换一个")
    lowered = password.lower()
    for label, fragment in _personal_fragments(username, id_number):
        if fragment in lowered:
            errors.append(f"密码不能包含{label}")
            break
    return errors


def generate_password(length=12):
    """A random password that satisfies the policy (for resets and imports)."""
    alphabet = string.ascii_letters + string.digits + "@#%+=!"
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if not policy_errors(candidate) and not set(candidate) & set("lI1O0"):
            return candidate
