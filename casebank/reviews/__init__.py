"""Case review (案卷评查): scoring templates, review sheets, finding labels and the
supervision dashboard (issue #6).

models (rows), scoring (pure score/grade computation), template_text (the editable
text form of a template), defaults (the default template), services (state
changes, flush only), queries (reads), stats (dashboard figures), access (who may
review a case), views / template_views / dashboard_views (screens), cli (export).
"""

from flask import Blueprint

bp = Blueprint("reviews", __name__, template_folder="templates")


def init_app(app):
    """Register the models, the screens (under /casebank) and the commands."""
    from casebank.reviews import (  # noqa: F401
        cli,
        dashboard_views,
        models,
        template_views,
        views,
    )

    app.register_blueprint(bp, url_prefix="/casebank")
