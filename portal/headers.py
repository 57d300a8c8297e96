"""Security headers on every response (ASVS V14.4).

``X-Content-Type-Options: nosniff``, ``Referrer-Policy``, ``X-Frame-Options: DENY``
and ``Strict-Transport-Security`` when the request came over HTTPS (behind a proxy:
set ``PROXY_FIX_X_FOR`` so X-Forwarded-Proto counts) or ``PREFERRED_URL_SCHEME``
is ``https``. A view may set its own framing (training PDFs are shown in a page
of the portal itself: ``SAMEORIGIN``); these are defaults, not overrides.

The Content-Security-Policy (with the request's nonce, ``csp_nonce()`` in
templates) is set by :mod:`portal.security_headers`.
"""

from flask import current_app, request


def default_headers(config, secure):
    """The default security headers as (name, value) pairs; ``secure``: the
    request came over HTTPS. Also used by the exam autosave fast path."""
    pairs = [
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("X-Frame-Options", "DENY"),
    ]
    if secure or config.get("PREFERRED_URL_SCHEME") == "https":
        pairs.append(
            (
                "Strict-Transport-Security",
                f"max-age={int(config['HSTS_MAX_AGE'])}; includeSubDomains",
            )
        )
    return pairs


def set_security_headers(response):
    headers = response.headers
    for name, value in default_headers(current_app.config, request.is_secure):
        headers.setdefault(name, value)
    return response


def init_app(app):
    app.after_request(set_security_headers)
