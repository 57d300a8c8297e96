"""Landing page, role dashboards and the health check."""

from flask import Blueprint

bp = Blueprint("main", __name__, template_folder="templates")


def init_app(app):
    from portal.main import views  # noqa: F401

    app.register_blueprint(bp)
