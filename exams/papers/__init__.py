"""Papers and exam arrangements (试卷与考试安排) (issue #4): fixed and blueprint
papers, arrangements with their candidates, and per-candidate paper generation.

models (rows), services (papers, rules, arrangements, enrolment, personal papers;
flush only), queries (scoped reads and 404 helpers), forms, views (paper screens)
and arrangement_views (arrangement screens), all under /admin/exams.
"""

from flask import Blueprint

bp = Blueprint("exam_papers", __name__, template_folder="templates")


def init_app(app):
    """Register the models and the paper and arrangement screens (under /admin/exams)."""
    from exams.papers import arrangement_views, models, views  # noqa: F401

    app.register_blueprint(bp, url_prefix="/admin/exams")
