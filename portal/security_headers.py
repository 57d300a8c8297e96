"""Content-Security-Policy with a per-request nonce (issue #16, OWASP ASVS 14.4.3).

Every response carries the policy.  Scripts come only from the portal itself
(``'self'``) or carry the request's nonce (``{{ csp_nonce() }}`` in templates);
no inline event handler (``onclick=`` …) is left: ``data-confirm`` on a form
or button asks before submitting (``static/js/portal.js``).

``style-src-attr 'unsafe-inline'`` keeps the ``style="…"`` attributes of the
templates working (widths computed on the server, e.g. progress bars); it does
not allow ``<style>`` elements, which need the nonce.  Browsers that do not know
``style-src-attr`` fall back to ``style-src`` and ignore those attributes (a
cosmetic loss, never a script).
"""

import secrets

from flask import g


def csp_nonce():
    """The nonce of this request (made on first use), for ``nonce="…"``."""
    nonce = getattr(g, "csp_nonce", None)
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(18)
    return nonce


def policy(nonce, frame_ancestors="'none'"):
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src 'self' 'nonce-{nonce}'",
            "style-src-attr 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        )
    )


def _add_header(response):
    # Pages are never framed; files (a training PDF) may be, by the portal's own
    # pages only (the material page shows the PDF in an <iframe>).
    ancestors = "'none'" if response.mimetype == "text/html" else "'self'"
    response.headers["Content-Security-Policy"] = policy(csp_nonce(), ancestors)
    return response


def init_app(app):
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(_add_header)
