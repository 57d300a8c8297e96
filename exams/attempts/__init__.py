"""Taking exams (issue #5): attempts with a server-side deadline, autosave, events
and heartbeats, submission and automatic grading, device binding, expiry by the
periodic job, and monitoring by the arrangement's administrators.

models (rows), services (start, autosave, events, submit, grading; flush only),
devices (device binding), fastpath (the autosave and heartbeat fast path, a WSGI
middleware in front of Flask), monitoring (reads for the monitor screens), jobs (the
periodic close of expired attempts), views (candidate pages, blueprint ``exams`` at
/exams, with the exam page's static files) and monitor_views (blueprint
``exam_monitor`` at /admin/exams).
"""

from flask import Blueprint

bp = Blueprint("exams", __name__, template_folder="templates", static_folder="static")
monitor_bp = Blueprint("exam_monitor", __name__, template_folder="templates")


def init_app(app):
    """Register the models, the candidate pages and the monitoring screens."""
    from exams.attempts import fastpath, models, monitor_views, views  # noqa: F401

    app.register_blueprint(bp, url_prefix="/exams")
    app.register_blueprint(monitor_bp, url_prefix="/admin/exams")
    fastpath.install(app)  # autosaves and heartbeats without Flask (fastpath.py)
