"""Question banks (题库) (issue #4): banks, versioned questions, knowledge points,
legal-basis links to the law library, imports and exports.

models (rows; question types and their labels), services (import, versioning,
export, law-change flags; flush only), queries (scoped reads), forms, views (the
bank screens under /admin/exams), cli (``flask exams import``).
"""

from flask import Blueprint

bp = Blueprint("exam_banks", __name__, template_folder="templates")


def init_app(app):
    """Register the models, the bank screens (under /admin/exams) and the command."""
    from exams.banks import authoring_views, cli, models, views  # noqa: F401

    app.register_blueprint(bp, url_prefix="/admin/exams")
    app.cli.add_command(cli.exams_cli)
