"""Results (成绩) (issue #5): grading outcome release (by hand or by policy), what a
candidate may see of an attempt, 考试统计 reports with Excel exports, and the
classical item analysis (试题分析).

definition (which attempt is a candidate's result), services (release and result
visibility), marking (marks, 双评, 仲裁, 改分), appeals (成绩复核), reports (report
figures), report_xlsx (report and result exports), analysis (pure item
statistics), queries (analysis input), views and sheet_views (administrator
screens under /admin/exams; the candidate's appeal under /exams).
"""

from flask import Blueprint

bp = Blueprint("exam_results", __name__, template_folder="templates")
# The candidate's 成绩复核 request (under /exams).
appeals_bp = Blueprint("exam_appeals", __name__, template_folder="templates")


def init_app(app):
    """Register the models and the results screens (under /admin/exams)."""
    from exams.results import models, sheet_views, views  # noqa: F401

    app.register_blueprint(bp, url_prefix="/admin/exams")
    app.register_blueprint(appeals_bp, url_prefix="/exams")
