"""Login: one message whether or not the account exists; no anonymous lockout
(a captcha after repeated failures instead); typed ID numbers masked in the audit."""

import io
import re

import sqlalchemy as sa
from openpyxl import load_workbook

from portal.audit.models import AuditLog
from portal.auth.idcard import make_id_number
from portal.auth.models import User
from portal.captcha import digest
from portal.extensions import db

WRONG = "wrong-Passw0rd"


def _page(response):
    return response.get_data(as_text=True)


def _user(username):
    return db.session.scalar(sa.select(User).where(User.username == username))


def _solve(client):
    """Fetch the login captcha and recover its answer from the session's HMAC."""
    assert client.get("/login/captcha.png").status_code == 200
    with client.session_transaction() as sess:
        stored = sess["login_captcha"]
    for answer in range(-10, 80):
        if digest(stored["nonce"], answer) == stored["digest"]:
            return str(answer)
    raise AssertionError("captcha answer not found")


def _form_error(response):
    """The page text with the form's echo of the typed login removed."""
    page = _page(response)
    return page[page.index("<form") : page.index("</form>")]


def test_existing_and_unknown_accounts_get_the_same_answer(app, client, auth, world):
    """Same status and message for a known user, a known ID number and unknown ones,
    on every attempt up to and past the captcha threshold."""
    officer = world.users["officer"]
    unknown_id = make_id_number("11010119800101999")
    logins = ["officer", officer.id_number, "nobody", unknown_id]
    threshold = app.config["LOGIN_MAX_FAILURES"]
    for attempt in range(threshold + 1):
        pages = []
        for login in logins:
            response = auth.login(login, WRONG)
            assert response.status_code == 200
            page = _form_error(response).replace(login, "LOGIN")
            pages.append(page.replace('value="LOGIN"', ""))
            assert "用户名/身份证号或密码错误" in page or "验证码" in page
            assert "再失败" not in page
        assert pages[0] == pages[1] == pages[2] == pages[3], attempt


def test_anonymous_failures_never_lock_the_account(app, client, auth, world):
    """Twenty wrong passwords for the admin do not stop the admin signing in."""
    attacker = app.test_client()
    for _ in range(20):
        attacker.post("/login", data={"login": "sys_admin", "password": WRONG})
    admin = _user("sys_admin")
    assert admin.locked_until is None
    # The real admin, in another browser: the captcha is asked, then the login works.
    page = _page(client.get("/login"))
    response = client.post(
        "/login", data={"login": "sys_admin", "password": "Passw0rd!"}
    )
    assert response.status_code == 200
    assert "验证码" in _page(response)
    assert 'data-testid="login-captcha"' in _page(response)
    answer = _solve(client)
    response = client.post(
        "/login",
        data={"login": "sys_admin", "password": "Passw0rd!", "captcha": answer},
    )
    assert response.status_code == 302, page
    assert client.get("/dashboard").status_code == 200
    # Success clears the count: the next login needs no captcha.
    client.post("/logout")
    assert auth.login("sys_admin").status_code == 302


def test_captcha_is_required_and_checked_after_threshold(app, client, auth, world):
    """Below the threshold no captcha; at it, a wrong captcha refuses even the right
    password, audited as refused."""
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        assert "login-captcha" not in _page(auth.login("officer", WRONG))
    assert "login-captcha" in _page(auth.login("officer", WRONG))
    _solve(client)
    response = client.post(
        "/login", data={"login": "officer", "password": "Passw0rd!", "captcha": "999"}
    )
    assert response.status_code == 200
    assert "验证码不正确" in _page(response)
    refused = db.session.scalars(
        sa.select(AuditLog).where(AuditLog.outcome == "refused")
    ).all()
    assert [e.action for e in refused] == ["login_failed"]
    failures = db.session.scalars(
        sa.select(AuditLog).where(
            AuditLog.action == "login_failed", AuditLog.outcome == "failure"
        )
    ).all()
    assert len(failures) == app.config["LOGIN_MAX_FAILURES"]


def test_typed_id_number_is_masked_in_audit_log_and_export(
    app, client, auth, world, admin_client
):
    """A full 身份证号 typed at a failed login is stored and exported masked."""
    typed = make_id_number("44030119851212123")
    auth.login(typed, WRONG)
    auth.login(f"x{typed}", WRONG)
    labels = db.session.scalars(
        sa.select(AuditLog.target_label).where(AuditLog.action == "login_failed")
    ).all()
    assert labels
    assert all(typed not in (label or "") for label in labels)
    assert typed[:3] + "*" * 11 + typed[-4:] in labels
    export = admin_client.get("/admin/audit/export.xlsx")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.data)).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row]
    assert not any(typed in cell for cell in cells)
    assert "失败" in cells


def test_login_captcha_has_a_text_alternative(app, client, auth, world):
    """The captcha after repeated failures can be answered without the picture
    (WCAG 2.1 1.1.1): the same kind of sum asked as text, same session slot."""
    from tests.suggestions.test_captcha_text import _value

    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        page = _page(auth.login("officer", WRONG))
    assert 'data-testid="login-captcha-text-link"' in page
    response = client.post(
        "/login?captcha=text", data={"login": "officer", "password": WRONG}
    )
    page = _page(response)
    assert "验证码图片" not in page
    match = re.search(r"文字题：(.+?)([加减])(.+?)等于多少？", page)
    assert match, "no text question on the login page"
    left, op, right = _value(match[1]), match[2], _value(match[3])
    answer = left + right if op == "加" else left - right
    response = client.post(
        "/login?captcha=text",
        data={"login": "officer", "password": "Passw0rd!", "captcha": str(answer)},
    )
    assert response.status_code == 302
