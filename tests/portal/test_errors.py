"""Chinese error pages (and JSON for API clients) for every error status."""

import io
import re

import pytest

from portal.exceptions import NotAllowed

JSON = {"Accept": "application/json"}
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def _page(response):
    return response.get_data(as_text=True)


def test_unknown_url_is_chinese_404(client):
    """Does an unknown URL get a 404 page in Chinese with a way back home?"""
    response = client.get("/no-such-page", headers=BROWSER)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    page = _page(response)
    assert "页面不存在" in page
    assert 'href="/"' in page


def test_unknown_url_as_json(client):
    """Does a client that asks for JSON get a JSON 404 instead of the page?"""
    response = client.get("/no-such-page", headers=JSON)
    assert response.status_code == 404
    assert response.is_json
    assert response.get_json() == {
        "error": "页面不存在",
        "message": "您访问的页面不存在或已被删除。",
        "status": 404,
    }


def test_forbidden_is_chinese_403(client, auth, world):
    """Does an officer opening user administration get the Chinese 403 page?"""
    auth.login("officer")
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "无权访问" in _page(response)


def test_forbidden_as_json(client, auth, world):
    auth.login("officer")
    response = client.get("/admin/users", headers=JSON)
    assert response.status_code == 403
    assert response.get_json()["error"] == "无权访问"


def test_wrong_method_is_chinese_405(client):
    """Does a GET on a POST-only route get the Chinese 405 page?"""
    response = client.get("/logout")
    assert response.status_code == 405
    assert "请求方式不被允许" in _page(response)
    # The page keeps the headers of the HTTP error (RFC 9110 requires Allow).
    assert "POST" in response.headers["Allow"]


def test_wrong_method_as_json_keeps_allow(client):
    response = client.get("/logout", headers=JSON)
    assert response.status_code == 405
    assert response.get_json()["error"] == "请求方式不被允许"
    assert "POST" in response.headers["Allow"]


def test_oversized_upload_is_chinese_413(app, client, auth, world):
    """Is a request body above MAX_CONTENT_LENGTH refused with the Chinese 413 page?"""
    auth.login("sys_admin")
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post(
        "/admin/users/import",
        data={"file": (io.BytesIO(b"x" * 4096), "users.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "上传内容过大" in _page(response)


def test_login_rate_limit_is_chinese_429(app, client):
    """Is the 4th login POST within a minute refused when the limit is 3 per minute?

    The ``app`` fixture empties the limiter's memory storage before each test, so
    these hits do not count against other tests.
    """
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    data = {"login": "nobody", "password": "wrong-password"}
    for _ in range(3):
        response = client.post("/login", data=data)
        assert response.status_code == 200
        assert "用户名/身份证号或密码错误" in _page(response)
    response = client.post("/login", data=data)
    assert response.status_code == 429
    assert "操作过于频繁" in _page(response)
    assert int(response.headers["Retry-After"]) > 0
    # Only POSTs are limited: the login page itself still opens.
    assert client.get("/login").status_code == 200


@pytest.mark.own_app  # adds a route
def test_unexpected_error_is_chinese_500_without_details(app, client, caplog):
    """Does an unhandled exception give the Chinese 500 page, log the traceback, and
    keep the exception text away from the visitor?"""
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom-for-test")
    def boom():
        raise RuntimeError("secret-internal-detail-42")

    response = client.get("/boom-for-test")
    assert response.status_code == 500
    page = _page(response)
    assert "系统内部错误" in page
    assert "secret-internal-detail-42" not in page
    assert "RuntimeError" not in page
    assert "Traceback" not in page
    assert "secret-internal-detail-42" in caplog.text  # logged for operators

    response = client.get("/boom-for-test", headers=JSON)
    assert response.status_code == 500
    assert response.get_json()["error"] == "系统内部错误"
    assert "secret-internal-detail-42" not in _page(response)


@pytest.mark.own_app  # adds a route
def test_domain_error_maps_to_its_status_and_message(app, client):
    """Does a DomainError raised by a service become its status and Chinese message?"""

    @app.get("/not-allowed-for-test")
    def not_allowed():
        raise NotAllowed("无权执行该操作（测试）")

    response = client.get("/not-allowed-for-test")
    assert response.status_code == 403
    assert "无权执行该操作（测试）" in _page(response)


@pytest.fixture
def csrf_app(app):
    """The test app with CSRF protection switched on (as in production).

    Flask-WTF reads ``WTF_CSRF_ENABLED`` per request, so turning it on here, before
    the first request, equals building the app with it; the database and ``world``
    stay those of ``app``.
    """
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def _csrf_token(page):
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, "no csrf_token in the form"
    return match.group(1)


def test_post_without_csrf_token_is_chinese_400(csrf_app, client, world):
    """Is a login POST without a CSRF token refused with the Chinese CSRF message?"""
    response = client.post("/login", data={"login": "officer", "password": "Passw0rd!"})
    assert response.status_code == 400
    page = _page(response)
    assert "CSRF" in page
    assert "页面已过期或表单校验失败" in page
    # Not signed in.
    assert client.get("/dashboard").status_code == 302


def test_post_with_wrong_csrf_token_is_400(csrf_app, client, world):
    client.get("/login")
    response = client.post(
        "/login",
        data={"login": "officer", "password": "Passw0rd!", "csrf_token": "forged"},
    )
    assert response.status_code == 400
    assert "CSRF" in _page(response)


def test_post_with_csrf_token_from_the_form_signs_in(csrf_app, client, world):
    """Does the token rendered in the login form make the same POST succeed?"""
    token = _csrf_token(_page(client.get("/login")))
    response = client.post(
        "/login",
        data={"login": "officer", "password": "Passw0rd!", "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dashboard")
    assert client.get("/dashboard").status_code == 200
