"""Public suggestions and complaints about enforcement (issue #7, 群众意见建议 / 投诉).

This first part is the public side: the submission form (no login), the receipt
with the tracking number (受理编号) and the query code, and the status page.
Handling (triage, routing, replies, ratings, statistics) comes later; the models
already carry the statuses and timeline events it needs.
"""

from flask import Blueprint

bp = Blueprint("suggestions", __name__, template_folder="templates")


def init_app(app):
    from portal.suggestions import handling, models, views  # noqa: F401 - routes

    handling.init_app(app)  # before registering: it adds public routes to ``bp``
    app.register_blueprint(bp, url_prefix="/suggestions")

    from portal.suggestions import oversight

    oversight.init_app(app)
