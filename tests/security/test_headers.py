"""Security headers on pages, errors, static files and downloads; HSTS on HTTPS."""

import pytest
from flask import render_template_string


def _check_common(response, html=True):
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    policy = response.headers["Content-Security-Policy"]
    if html:
        # Pages are never framed; the full policy is tested in test_csp.py.
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in policy
        assert "script-src 'self' 'nonce-" in policy
    else:
        # Files (a training PDF is shown in an iframe of its own page) may be
        # framed by the portal itself, never by another site.
        assert response.headers["X-Frame-Options"] in ("DENY", "SAMEORIGIN")
        assert "frame-ancestors 'self'" in policy or "frame-ancestors 'none'" in policy


@pytest.mark.parametrize("path", ["/login", "/does-not-exist", "/suggestions/"])
def test_pages_carry_security_headers(client, path):
    response = client.get(path)
    _check_common(response)
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP


def test_signed_in_page_and_static_file(client, auth, world):
    auth.login("officer")
    _check_common(client.get("/dashboard"))
    static = client.get("/static/css/portal.css")
    _check_common(static, html=False)
    static.close()


def test_hsts_only_over_https(client):
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_hsts_behind_proxy_with_forwarded_proto(monkeypatch, tmp_path):
    """With PROXY_FIX_X_FOR set, X-Forwarded-Proto: https counts as HTTPS."""
    from portal import create_app
    from portal.config import TestConfig

    monkeypatch.setenv("PROXY_FIX_X_FOR", "1")
    app = create_app(TestConfig, UPLOAD_DIR=str(tmp_path))
    client = app.test_client()
    proxied = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in proxied.headers
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_csp_nonce_is_per_request(app):
    # One request each: the nonce lives in the request's ``g``.
    with app.app_context(), app.test_request_context("/"):
        first = render_template_string("{{ csp_nonce() }}|{{ csp_nonce() }}")
    with app.app_context(), app.test_request_context("/"):
        second = render_template_string("{{ csp_nonce() }}")
    a, b = first.split("|")
    assert a == b
    assert len(a) >= 20
    assert a != second
