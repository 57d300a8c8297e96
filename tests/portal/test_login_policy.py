"""Login policy: lockout, timeouts, forced password change, session invalidation."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from freezegun import freeze_time

from portal.audit.models import AuditLog
from portal.auth.models import User
from portal.extensions import db

START = datetime(2026, 3, 2, 1, 0, 0)


def _actions():
    return list(db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)))


def test_login_by_id_number(client, auth, world):
    """Can a user sign in with their 身份证号 instead of the username?"""
    officer = world.users["officer"]
    response = auth.login(officer.id_number)
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 200


# Failure counting and the login captcha: tests/security/test_login.py.


def test_idle_timeout_after_thirty_minutes(client, auth, world):
    """Is a session idle for more than 30 minutes ended, and one used within kept?"""
    with freeze_time(START) as frozen:
        assert auth.login("officer").status_code == 302
        frozen.tick(timedelta(minutes=29))
        assert client.get("/dashboard").status_code == 200
        frozen.tick(timedelta(minutes=29))
        assert client.get("/dashboard").status_code == 200
        frozen.tick(timedelta(minutes=31))
        response = client.get("/dashboard")
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
        assert "session_expired" in _actions()
        assert "登录已超时" in client.get("/login").get_data(as_text=True)


def test_absolute_timeout_after_twelve_hours(client, auth, world):
    """Does a constantly used session still end 12 hours after login?"""
    with freeze_time(START) as frozen:
        auth.login("officer")
        for _ in range(35):  # 35 × 20 min = 11 h 40 min
            frozen.tick(timedelta(minutes=20))
            assert client.get("/dashboard").status_code == 200
        frozen.tick(timedelta(minutes=25))
        assert client.get("/dashboard").status_code == 302


def test_forced_password_change_on_first_login(client, auth, factories, world):
    """Must a new user change the initial password before reaching anything else?"""
    factories.user(
        username="newbie",
        role="officer",
        organisation=world.agency,
        must_change_password=True,
    )
    response = auth.login("newbie")
    assert response.headers["Location"].endswith("/password")
    assert client.get("/dashboard").headers["Location"].endswith("/password")
    weak = client.post(
        "/password",
        data={
            "old_password": "Passw0rd!",
            "new_password": "abcdefgh",
            "confirm": "abcdefgh",
        },
    )
    assert weak.status_code == 400
    assert "至少三类" in weak.get_data(as_text=True)
    wrong_old = client.post(
        "/password",
        data={
            "old_password": "nope",
            "new_password": "New-Passw0rd",
            "confirm": "New-Passw0rd",
        },
    )
    assert wrong_old.status_code == 400
    assert "当前密码不正确" in wrong_old.get_data(as_text=True)
    done = client.post(
        "/password",
        data={
            "old_password": "Passw0rd!",
            "new_password": "New-Passw0rd",
            "confirm": "New-Passw0rd",
        },
    )
    assert done.status_code == 302
    assert client.get("/dashboard").status_code == 200
    assert "password_changed" in _actions()


def test_admin_reset_ends_sessions_and_forces_change(app, client, auth, world):
    """Does an admin reset end the user's sessions and force a change at next login?"""
    officer = world.users["officer"]
    auth.login("officer")
    assert client.get("/dashboard").status_code == 200
    admin = app.test_client()
    admin.post("/login", data={"login": "sys_admin", "password": "Passw0rd!"})
    page = admin.post(
        f"/admin/users/{officer.id}/reset-password", follow_redirects=True
    ).get_data(as_text=True)
    assert "临时密码" in page
    assert client.get("/dashboard").status_code == 302
    db.session.refresh(officer)
    assert officer.must_change_password is True
    assert "password_reset" in _actions()


def test_deactivated_account_cannot_log_in(app, client, auth, world):
    """Is a disabled account's session ended and its login refused?"""
    officer = world.users["officer"]
    auth.login("officer")
    admin = app.test_client()
    admin.post("/login", data={"login": "sys_admin", "password": "Passw0rd!"})
    admin.post(f"/admin/users/{officer.id}/active", data={"active": "0"})
    assert client.get("/dashboard").status_code == 302
    assert "停用" in auth.login("officer").get_data(as_text=True)


def test_login_next_only_follows_local_paths(client, world):
    """Is an off-site ``next`` ignored after login, and a local one followed?"""
    data = {"login": "sys_admin", "password": "Passw0rd!"}
    evil = client.post("/login?next=https://evil.example/", data=data)
    assert evil.headers["Location"] == "/dashboard"
    client.post("/logout")
    local = client.post("/login?next=/admin/users", data=data)
    assert local.headers["Location"] == "/admin/users"


def test_passwords_are_argon2_hashes(world):
    """Are passwords stored as argon2id hashes, never in clear?"""
    stored = db.session.scalars(sa.select(User.password_hash)).all()
    assert stored
    assert all(h.startswith("$argon2id$") for h in stored)
    assert not any("Passw0rd!" in h for h in stored)
