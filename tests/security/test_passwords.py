"""Password policy: common passwords, personal data inside, optional expiry."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from portal.audit.models import AuditLog
from portal.auth.models import User
from portal.auth.passwords import common_passwords, policy_errors
from portal.extensions import db
from portal.seed import DEMO_PASSWORD


def _user(username):
    return db.session.scalar(sa.select(User).where(User.username == username))


def _change(client, new):
    return client.post(
        "/password",
        data={"old_password": "Passw0rd!", "new_password": new, "confirm": new},
    )


@pytest.mark.parametrize("password", ["Password1", "P@ssw0rd", "Qwer1234", "1qaz@WSX"])
def test_common_passwords_are_refused(password):
    assert "该密码属于常见密码，容易被猜中，请换一个" in policy_errors(password)


def test_list_is_a_few_thousand_and_demo_password_passes():
    assert len(common_passwords()) > 5000
    assert policy_errors(DEMO_PASSWORD) == []


def test_password_with_user_name_or_id_number_is_refused():
    id_number = "11010519491231002X"
    assert "密码不能包含用户名" in policy_errors("Wangwei#2026", username="wangwei")
    assert "密码不能包含身份证号" in policy_errors(
        f"A#{id_number.lower()}", username="wangwei", id_number=id_number
    )
    birth = "密码不能包含身份证号中的出生日期"
    assert birth in policy_errors("Aa#19491231", id_number=id_number)
    assert "密码不能包含身份证号后六位" in policy_errors(
        "Qz#31002x", id_number=id_number
    )
    assert policy_errors("Qz7#mLp2vR", username="wangwei", id_number=id_number) == []


@pytest.mark.committed_db
def test_change_password_to_common_or_personal_is_refused(client, auth, world):
    """Is Password1 refused on the change form, and one containing the user name?"""
    auth.login("officer")
    before = _user("officer").password_hash
    response = _change(client, "Password1")
    assert response.status_code == 400
    assert "常见密码" in response.get_data(as_text=True)
    response = _change(client, "Officer#2026x")
    assert response.status_code == 400
    assert "密码不能包含用户名" in response.get_data(as_text=True)
    assert _user("officer").password_hash == before


def test_admin_cannot_create_user_with_common_password(admin_client, world):
    from portal.actor import Actor
    from portal.admin.services import create_user
    from portal.exceptions import ValidationFailed

    with pytest.raises(ValidationFailed, match="常见密码"):
        create_user(
            Actor.system(),
            username="newbie",
            name="新用户",
            organisation=world.agency,
            password="Password1",
        )


@pytest.mark.committed_db
def test_password_expiry_is_off_by_default(client, auth, world):
    officer = _user("officer")
    officer.password_changed_at = datetime(2020, 1, 1)
    db.session.commit()
    assert auth.login("officer").headers["Location"] != "/password"
    assert client.get("/dashboard").status_code == 200


@pytest.mark.committed_db
def test_expired_password_must_be_changed_at_login_and_is_audited(
    app, client, auth, world
):
    app.config["PASSWORD_MAX_AGE_DAYS"] = 90
    start = datetime(2026, 3, 2, 1, 0, 0)
    with freeze_time(start):
        officer = _user("officer")
        officer.password_changed_at = start - timedelta(days=89)
        db.session.commit()
        assert auth.login("officer").headers["Location"] == "/dashboard"
        client.post("/logout")
    with freeze_time(start + timedelta(days=2)):
        response = auth.login("officer")
        assert response.headers["Location"] == "/password"
        assert client.get("/dashboard").headers["Location"] == "/password"
        entries = db.session.scalars(
            sa.select(AuditLog).where(AuditLog.action == "password_expired")
        ).all()
        assert len(entries) == 1
        assert _change(client, "Qz7#mLp2vR").status_code == 302
        assert client.get("/dashboard").status_code == 200
