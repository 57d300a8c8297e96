"""Organisation tree: city → district/county → town/street, and enforcement agencies."""

from flask import Blueprint

bp = Blueprint("orgs", __name__, template_folder="templates")


def init_app(app):
    from portal.orgs import models, views  # noqa: F401 - register models and routes

    app.register_blueprint(bp, url_prefix="/admin/orgs")
