"""Certificates (执法资格证书): issuance on the qualification path, annual review,
expiry, admin list and status changes, PDF with a QR code, public verification
(issue #5). Rules and decisions: ``docs/certificates.md``."""

from flask import Blueprint

bp = Blueprint("certs", __name__, template_folder="templates")


def init_app(app):
    """Register the certificate models and screens."""
    from exams.certs import models, views  # noqa: F401

    app.register_blueprint(bp)
