"""Handling of public suggestions (issue #7, part 2): staff inbox and triage
(受理 / 不予受理 / 合并), assignment to an agency with a working-day deadline and
one extension, the handler's reply, approval and publication, the submitter's
rating and contest, and closing. See docs/suggestions-handling.md.

Staff and handler pages are under ``/suggestions/manage/`` (blueprint
``suggestion_handling``); the submitter's rating and contest pages extend the
public status page (``/suggestions/track/…`` on the ``suggestions`` blueprint).
Templates live with the public ones in ``portal/suggestions/templates``.
"""

from flask import Blueprint

bp = Blueprint("suggestion_handling", __name__)


def init_app(app):
    from portal.suggestions.handling import (  # noqa: F401 - models and routes
        feedback,
        handler_views,
        models,
        public_views,
        views,
    )

    app.register_blueprint(bp, url_prefix="/suggestions/manage")

    @app.template_filter("rating_label")
    def rating_label(value):
        return feedback.RATING_LABELS.get(value, "")
