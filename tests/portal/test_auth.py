"""Authentication: login, lockout, timeouts, password changes, admin account actions."""

import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from portal.audit.models import AuditLog
from portal.auth.models import User
from portal.extensions import db

START = datetime(2026, 3, 2, 1, 0, 0)
WRONG = "Wr0ng-Passw0rd!"
NEW_PASSWORD = "N3w-Secret!"


def _user(username):
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.username == username))


def _audit(action, target=None):
    db.session.expire_all()
    query = sa.select(AuditLog).where(AuditLog.action == action)
    if target is not None:
        query = query.where(
            AuditLog.target_type == "User", AuditLog.target_id == str(target.id)
        )
    return list(db.session.scalars(query.order_by(AuditLog.id)))


def _page(response):
    return response.get_data(as_text=True)


def _login(client, login, password="Passw0rd!", **query):
    return client.post(
        "/login", query_string=query, data={"login": login, "password": password}
    )


@pytest.fixture
def admin_client(app, world):
    """A second browser, signed in as the system administrator."""
    client = app.test_client()
    assert _login(client, "sys_admin").status_code == 302
    return client


# Login -----------------------------------------------------------------------


def test_login_by_username_reaches_dashboard(client, auth, world):
    """A correct username and password start a session and open the dashboard."""
    response = auth.login("officer")
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    assert client.get("/dashboard").status_code == 200
    officer = _user("officer")
    assert officer.last_login_at is not None
    assert [e.actor_id for e in _audit("login", officer)] == [officer.id]


def test_login_by_id_number_reaches_dashboard(client, auth, world):
    """The 18-digit 身份证号 works in place of the username."""
    officer = world.users["officer"]
    response = auth.login(officer.id_number)
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 200
    assert len(_audit("login", officer)) == 1


def test_login_by_id_number_accepts_lowercase_x(client, auth, factories, world):
    """An ID number ending in X also matches when typed with a lower-case x."""
    factories.user(
        username="xuser", organisation=world.agency, id_number="11010519491231002X"
    )
    assert auth.login("11010519491231002x").status_code == 302
    assert client.get("/dashboard").status_code == 200


def test_wrong_password_is_refused_and_audited(client, auth, world):
    """A wrong password is refused in Chinese (no attempt count), and audited."""
    response = auth.login("officer", WRONG)
    assert response.status_code == 200
    assert "用户名/身份证号或密码错误" in _page(response)
    assert "再失败" not in _page(response)
    assert client.get("/dashboard").status_code == 302
    officer = _user("officer")
    assert officer.failed_logins == 1
    entries = _audit("login_failed", officer)
    assert len(entries) == 1
    assert "1" in entries[0].after
    assert entries[0].actor_id is None


def test_unknown_user_gets_generic_message_and_is_audited(client, auth, world):
    """An unknown login gets the generic message (no attempt count) and is audited."""
    response = auth.login("nobody", WRONG)
    assert response.status_code == 200
    page = _page(response)
    assert "用户名/身份证号或密码错误" in page
    assert "再失败" not in page
    entries = _audit("login_failed")
    assert [e.target_label for e in entries] == ["nobody"]
    assert entries[0].after == "账号不存在"


def test_successful_login_resets_failure_count(auth, world):
    """A correct password after some failures starts the count from zero again."""
    auth.login("officer", WRONG)
    auth.login("officer", WRONG)
    assert _user("officer").failed_logins == 2
    assert auth.login("officer").status_code == 302
    assert _user("officer").failed_logins == 0


# Repeated failures ask for a captcha (no lockout): tests/security/test_login.py.


def test_unlock_requires_an_administrator(client, auth, world):
    """A non-administrator cannot reset someone else's failure count."""
    target = world.users["auxiliary"]
    for _ in range(5):
        auth.login("auxiliary", WRONG)
    auth.login("officer")
    assert client.post(f"/admin/users/{target.id}/unlock").status_code == 403
    assert _user("auxiliary").failed_logins == 5


# Session timeouts ------------------------------------------------------------


def test_idle_timeout_logs_out_after_thirty_minutes(client, auth, world):
    """A session idle for 29 minutes survives; 31 idle minutes end it with a notice."""
    with freeze_time(START) as frozen:
        assert auth.login("officer").status_code == 302
        frozen.tick(timedelta(minutes=29))
        assert client.get("/dashboard").status_code == 200

        frozen.tick(timedelta(minutes=31))
        response = client.get("/dashboard")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
        assert "/dashboard" in response.headers["Location"]  # ?next=
        login_page = _page(client.get("/login"))
        assert "登录已超时" in login_page

        entries = _audit("session_expired", world.users["officer"])
        assert [e.after for e in entries] == ["空闲超时"]
        # The session really ended: the next request is anonymous.
        assert client.get("/dashboard").headers["Location"].startswith("/login")
        assert len(_audit("session_expired")) == 1


def test_absolute_timeout_ends_an_active_session_after_twelve_hours(
    client, auth, world
):
    """Even a continuously active session ends once 12 hours have passed."""
    with freeze_time(START) as frozen:
        assert auth.login("officer").status_code == 302
        for _ in range(36):  # every 20 minutes, up to exactly 12 hours
            frozen.tick(timedelta(minutes=20))
            assert client.get("/dashboard").status_code == 200
        frozen.tick(timedelta(minutes=20))
        response = client.get("/dashboard")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
        entries = _audit("session_expired", world.users["officer"])
        assert [e.after for e in entries] == ["超过最长会话时间"]


# Forced and voluntary password change ----------------------------------------


def _change(client, old="Passw0rd!", new=NEW_PASSWORD, confirm=None):
    return client.post(
        "/password",
        data={
            "old_password": old,
            "new_password": new,
            "confirm": new if confirm is None else confirm,
        },
    )


@pytest.fixture
def forced(factories, world):
    """A system administrator who must change the initial password."""
    from portal.auth.models import Role

    return factories.user(
        username="newadmin",
        role=Role.SYS_ADMIN,
        organisation=world.city,
        must_change_password=True,
    )


def test_forced_change_redirects_every_page_to_password(client, auth, forced):
    """A user who must change the password is sent to /password from other pages."""
    response = auth.login("newadmin")
    assert response.headers["Location"] == "/password"
    for path in ("/dashboard", "/admin/users", f"/admin/users/{forced.id}"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == "/password", path
    assert client.get("/password").status_code == 200


def test_forced_change_ignores_a_next_parameter(client, forced):
    """Login with ?next= still goes to /password when a change is required."""
    response = _login(client, "newadmin", next="/admin/users")
    assert response.headers["Location"] == "/password"


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("Ab1!", "密码长度至少 8 位"),
        ("abcdefgh12", "密码须包含大写字母、小写字母、数字、符号中的至少三类"),
    ],
)
def test_weak_new_password_is_refused(client, auth, forced, new, message):
    """A new password that breaks the policy is refused and nothing changes."""
    auth.login("newadmin")
    before = _user("newadmin")
    old_hash, old_version = before.password_hash, before.session_version
    response = _change(client, new=new)
    assert response.status_code == 400
    assert message in _page(response)
    after = _user("newadmin")
    assert after.password_hash == old_hash
    assert after.session_version == old_version
    assert after.must_change_password is True
    assert _audit("password_changed") == []
    assert client.get("/dashboard").headers["Location"] == "/password"


def test_wrong_current_password_is_refused(client, auth, forced):
    """The change is refused when the current password is wrong."""
    auth.login("newadmin")
    old_hash = _user("newadmin").password_hash
    response = _change(client, old="Passw0rd?")
    assert response.status_code == 400
    assert "当前密码不正确" in _page(response)
    assert _user("newadmin").password_hash == old_hash
    assert _user("newadmin").must_change_password is True


def test_reusing_current_password_or_mismatched_confirm_is_refused(
    client, auth, forced
):
    """Reusing the current password, or a confirmation mismatch, is refused."""
    auth.login("newadmin")
    old_hash = _user("newadmin").password_hash
    same = _change(client, new="Passw0rd!")
    assert same.status_code == 400
    assert "新密码不能与当前密码相同" in _page(same)
    mismatch = _change(client, confirm=NEW_PASSWORD + "x")
    assert mismatch.status_code == 400
    assert "两次输入的新密码不一致" in _page(mismatch)
    assert _user("newadmin").password_hash == old_hash


def test_valid_change_clears_the_flag_and_keeps_the_session(client, auth, forced):
    """A valid change stores the new password, clears the flag and is audited."""
    auth.login("newadmin")
    version = _user("newadmin").session_version
    response = _change(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    assert client.get("/dashboard").status_code == 200
    assert client.get("/admin/users").status_code == 200

    user = _user("newadmin")
    assert user.must_change_password is False
    assert user.password_changed_at is not None
    assert user.session_version == version + 1
    entries = _audit("password_changed", user)
    assert [e.actor_id for e in entries] == [user.id]

    auth.logout()
    assert auth.login("newadmin").status_code == 200  # old password no longer works
    assert auth.login("newadmin", NEW_PASSWORD).status_code == 302


def test_password_change_ends_other_sessions(app, client, auth, world):
    """Changing the password signs the user out of their other browsers."""
    other = app.test_client()
    assert _login(other, "officer").status_code == 302
    auth.login("officer")
    assert _change(client).status_code == 302
    assert client.get("/dashboard").status_code == 200
    assert other.get("/dashboard").headers["Location"].startswith("/login")


# Administrator actions -------------------------------------------------------


def test_admin_reset_invalidates_session_and_forces_change(
    client, auth, admin_client, world
):
    """A reset ends the user's session, and the temporary password must be changed."""
    officer = world.users["officer"]
    auth.login("officer")
    assert client.get("/dashboard").status_code == 200
    version = _user("officer").session_version

    response = admin_client.post(
        f"/admin/users/{officer.id}/reset-password", follow_redirects=True
    )
    assert response.status_code == 200
    match = re.search(r"临时密码：(\S+?)（", _page(response))
    assert match, "the temporary password is shown to the administrator once"
    temporary = match.group(1)

    reset = _user("officer")
    assert reset.session_version == version + 1
    assert reset.must_change_password is True
    entries = _audit("password_reset", reset)
    assert [e.actor_id for e in entries] == [world.users["sys_admin"].id]

    stale = client.get("/dashboard")
    assert stale.status_code == 302
    assert stale.headers["Location"].startswith("/login")

    assert auth.login("officer").status_code == 200  # old password is gone
    response = auth.login("officer", temporary)
    assert response.headers["Location"] == "/password"
    assert client.get("/dashboard").headers["Location"] == "/password"
    assert _change(client, old=temporary).status_code == 302
    assert client.get("/dashboard").status_code == 200


def test_reset_also_clears_failures(auth, admin_client, world):
    """Resetting a password also clears the failure count (no captcha asked)."""
    officer = world.users["officer"]
    for _ in range(5):
        auth.login("officer", WRONG)
    assert _user("officer").failed_logins == 5
    admin_client.post(f"/admin/users/{officer.id}/reset-password")
    user = _user("officer")
    assert user.locked_until is None
    assert user.failed_logins == 0


def test_deactivated_account_cannot_log_in_and_loses_session(
    client, auth, admin_client, world
):
    """Deactivation ends the user's session and later logins say the account is 停用."""
    officer = world.users["officer"]
    auth.login("officer")
    assert client.get("/dashboard").status_code == 200

    response = admin_client.post(
        f"/admin/users/{officer.id}/active", data={"active": "0"}
    )
    assert response.status_code == 302
    assert _user("officer").is_active_account is False
    assert len(_audit("user_deactivated", officer)) == 1

    assert client.get("/dashboard").headers["Location"].startswith("/login")
    refused = auth.login("officer")
    assert refused.status_code == 200
    assert "停用" in _page(refused)
    assert client.get("/dashboard").status_code == 302

    admin_client.post(f"/admin/users/{officer.id}/active", data={"active": "1"})
    assert auth.login("officer").status_code == 302
    assert client.get("/dashboard").status_code == 200


def test_admin_cannot_deactivate_themselves(admin_client, world):
    """An administrator's own account stays active when they try to disable it."""
    admin = world.users["sys_admin"]
    admin_client.post(f"/admin/users/{admin.id}/active", data={"active": "0"})
    assert _user("sys_admin").is_active_account is True
    assert admin_client.get("/admin/users").status_code == 200


# Logout, redirects, storage --------------------------------------------------


def test_logout_is_post_only_and_ends_the_session(client, auth, world):
    """GET /logout is not allowed; POST /logout signs the user out and is audited."""
    auth.login("officer")
    assert client.get("/logout").status_code == 405
    assert client.get("/dashboard").status_code == 200

    response = auth.logout()
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert client.get("/dashboard").headers["Location"].startswith("/login")
    assert len(_audit("logout", world.users["officer"])) == 1


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "javascript:alert(1)",
        "evil.example/admin",
    ],
)
def test_login_never_redirects_off_site(client, world, target):
    """An absolute or scheme-relative ?next= is ignored in favour of the dashboard."""
    response = _login(client, "sys_admin", next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


def test_login_follows_a_relative_next(client, world):
    """A same-site relative ?next= is followed after login."""
    response = _login(client, "sys_admin", next="/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/users"
    assert client.get("/admin/users").status_code == 200


def test_anonymous_request_is_sent_to_login_with_next(client, world):
    """An anonymous visit to a protected page redirects to /login?next=that page."""
    response = client.get("/admin/users")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/login")
    assert "next=%2Fadmin%2Fusers" in location


def test_passwords_are_stored_as_argon2_hashes(world):
    """The users table holds argon2id hashes, never the plaintext password."""
    rows = db.session.execute(
        sa.text("SELECT username, password_hash FROM users")
    ).all()
    assert len(rows) == len(world.users)
    for username, stored in rows:
        assert stored.startswith("$argon2id$"), username
        assert "Passw0rd!" not in stored
    assert len({stored for _, stored in rows}) == len(rows)  # salted
