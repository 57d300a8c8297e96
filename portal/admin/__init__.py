"""Administration of users and roles (system and training administrators)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, template_folder="templates")


def init_app(app):
    from portal.admin import import_views, views  # noqa: F401

    app.register_blueprint(bp, url_prefix="/admin")
