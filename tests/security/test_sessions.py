"""Sessions end server-side: a copied cookie stops working after logout, password
change, role change and deactivation."""

import sqlalchemy as sa

from portal.actor import Actor
from portal.admin import services as admin_services
from portal.auth import services as auth_services
from portal.auth.models import Role, User
from portal.extensions import db


def _user(username):
    return db.session.scalar(sa.select(User).where(User.username == username))


def _copied_cookie(client, auth, username):
    assert auth.login(username).status_code == 302
    assert client.get("/dashboard").status_code == 200
    return client.get_cookie("session").value


def _replay(app, cookie):
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get("/dashboard")


def _is_signed_out(response):
    return response.status_code == 302 and "/login" in response.headers["Location"]


def test_copied_cookie_is_dead_after_logout(app, client, auth, world):
    """Copy the cookie, log out, replay it: is the replay signed out?"""
    cookie = _copied_cookie(client, auth, "officer")
    assert _replay(app, cookie).status_code == 200  # the copy works while signed in
    auth.logout()
    assert _is_signed_out(_replay(app, cookie))


def test_copied_cookie_is_dead_after_password_change(app, client, auth, world):
    cookie = _copied_cookie(client, auth, "officer")
    response = client.post(
        "/password",
        data={
            "old_password": "Passw0rd!",
            "new_password": "Qz7#mLp2vR",
            "confirm": "Qz7#mLp2vR",
        },
    )
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 200  # own session continues
    assert _is_signed_out(_replay(app, cookie))


def test_copied_cookie_is_dead_after_role_change(app, client, auth, world):
    """Granting or revoking a role ends sessions begun under the old roles."""
    cookie = _copied_cookie(client, auth, "officer")
    officer = _user("officer")
    admin_services.grant_role(officer, Role.AUXILIARY, Actor.system())
    db.session.commit()
    assert _is_signed_out(_replay(app, cookie))

    other = app.test_client()
    cookie = _copied_cookie(other, _Auth(other), "training_admin")
    trainer = _user("training_admin")
    admin_services.revoke_role(trainer, trainer.roles[0], Actor.system())
    db.session.commit()
    assert _is_signed_out(_replay(app, cookie))


def test_copied_cookie_is_dead_after_deactivation(app, client, auth, world):
    cookie = _copied_cookie(client, auth, "officer")
    auth_services.set_active(_user("officer"), False, Actor.system())
    db.session.commit()
    assert _is_signed_out(_replay(app, cookie))


def test_admin_granting_own_role_keeps_own_session(app, client, auth, world):
    """The administrator changing their own roles is not signed out by it."""
    admin = _user("sys_admin")
    auth.login("sys_admin")
    response = client.post(
        f"/admin/users/{admin.id}/roles",
        data={"grant-role": Role.OFFICER.value, "grant-scope_id": "0"},
    )
    assert response.status_code == 302
    assert Role.OFFICER in _user("sys_admin").role_set
    assert client.get("/dashboard").status_code == 200


class _Auth:
    def __init__(self, client):
        self.client = client

    def login(self, username):
        return self.client.post(
            "/login", data={"login": username, "password": "Passw0rd!"}
        )
