"""Working-day calendar (工作日历): weekends, public holidays and 调休 working days.

Deadlines of 监督意见书 and of public submissions are counted in working days. The
calendar is weekends plus the overrides stored here (a holiday on a weekday, a
working weekend day), maintained by supervision staff from the State Council's
yearly notice.
"""

from flask import Blueprint

bp = Blueprint("workdays", __name__, template_folder="templates")


def init_app(app):
    from portal.workdays import cli, models, views  # noqa: F401 - register

    app.register_blueprint(bp, url_prefix="/admin/workdays")
    app.cli.add_command(cli.workdays_cli)
