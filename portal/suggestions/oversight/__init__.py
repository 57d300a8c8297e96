"""Oversight of public suggestions (issue #7, part 3): statistics for staff, the
public aggregate page and open-data CSV, the de-identification job, and invited
supervisors' observations and escalations (转案卷评查).

Reads the handling columns of :class:`portal.suggestions.models.Suggestion` that
the handling workflow writes; writes only its own tables (``models.py``), the
de-identification of contact data and ``is_phone_repeat``.
"""

from flask import Blueprint

bp = Blueprint("oversight", __name__, template_folder="templates")


def init_app(app):
    from portal.suggestions.oversight import (  # noqa: F401 - register
        cli,
        models,
        views_public,
        views_staff,
        views_supervisor,
    )

    app.register_blueprint(bp, url_prefix="/suggestions")
    app.cli.add_command(cli.suggestions_cli)
