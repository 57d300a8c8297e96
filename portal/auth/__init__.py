"""Authentication: login, logout, password change, session policy."""

from flask import Blueprint

bp = Blueprint("auth", __name__, template_folder="templates")


def init_app(app):
    from portal.auth import models, session, views  # noqa: F401

    session.init_app(app)
    app.register_blueprint(bp)
