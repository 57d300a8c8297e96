"""Case supervision (评查): the review queue, random sample draws, assignment of
cases to supervisors with conflict-of-interest checks, declarations of interest and
similar cases (docs/case-supervision.md). Screens under /casebank/supervision.

models (rows), sampling (periods, the reproducible draw; pure), queries (reads,
the COI rule in SQL), services (state changes), similar (similar cases), views.
"""

from flask import Blueprint

bp = Blueprint("supervision", __name__, template_folder="templates")


def init_app(app):
    """Register the models, the screens and ``flask casebank sample``."""
    from casebank.cli import casebank_cli
    from casebank.supervision import models, reviewer_views, views  # noqa: F401
    from casebank.supervision.cli import sample_command

    app.register_blueprint(bp, url_prefix="/casebank/supervision")
    if "sample" not in casebank_cli.commands:
        casebank_cli.add_command(sample_command)
