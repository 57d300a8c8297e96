"""SECRET_KEY: no built-in key; generated once per instance; weak keys refused."""

import os
import stat
import threading

import pytest
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

from portal import create_app
from portal.config import TestConfig
from portal.secret_key import SecretKeyError, instance_key

OLD_CONSTANT = "dev-only-change-me"


@pytest.fixture
def instance(tmp_path, monkeypatch):
    folder = tmp_path / "instance"
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(folder))
    return folder


def test_unset_key_is_generated_once_into_the_instance_folder(instance):
    """Without a configured key, is a random key written (0600) and reused?"""
    app = create_app(TestConfig, SECRET_KEY=None)
    key_file = instance / "secret_key"
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert app.secret_key == key_file.read_text().strip()
    assert len(app.secret_key) >= 32
    assert app.secret_key != OLD_CONSTANT
    again = create_app(TestConfig, SECRET_KEY=None)
    assert again.secret_key == app.secret_key


def test_old_constant_cannot_sign_a_session_for_a_zero_config_app(instance):
    """Does a cookie signed with the former built-in key fail to load?"""
    app = create_app(TestConfig, SECRET_KEY=None)
    forger = create_app(TestConfig, SECRET_KEY=None)
    forger.secret_key = OLD_CONSTANT
    forger.config["SECRET_KEY"] = OLD_CONSTANT
    interface = SecureCookieSessionInterface()
    forged = interface.get_signing_serializer(forger).dumps({"_user_id": "1:1"})
    with pytest.raises(BadSignature):
        interface.get_signing_serializer(app).loads(forged)


def test_concurrent_starts_share_one_key(tmp_path):
    """Do workers starting together all end up with the same key?"""
    folder = str(tmp_path / "race")
    keys = []
    barrier = threading.Barrier(8)

    def start():
        barrier.wait()
        keys.append(instance_key(folder))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8
    assert len(set(keys)) == 1
    assert sorted(os.listdir(folder)) == ["secret_key"]


@pytest.mark.parametrize(
    "key",
    [
        OLD_CONSTANT,
        "change-me-to-a-long-random-string",  # the old .env.example value
        "short-but-random-9f3a",
        "x" * 31,
    ],
)
def test_weak_configured_key_refuses_to_start(instance, key):
    """Is start-up refused, with a Chinese message, for a short or default key?"""
    with pytest.raises(SecretKeyError, match="SECRET_KEY"):
        create_app(TestConfig, SECRET_KEY=key)


def test_long_random_key_is_used(instance):
    key = "k" * 8 + "0123456789abcdefghijklmnopqrstuvwxyz"
    assert create_app(TestConfig, SECRET_KEY=key).secret_key == key
    assert not (instance / "secret_key").exists()
