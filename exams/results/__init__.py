"""Results (成绩) (issue #5): grading outcome release (by hand or by policy), what a
candidate may see of an attempt, 考试统计 reports with Excel exports, and the
classical item analysis (试题分析).

services (release and result visibility), reports (report figures), report_xlsx
(report and result exports), analysis (pure item statistics), queries (analysis
input), views (administrator screens under /admin/exams).
"""

from flask import Blueprint

bp = Blueprint("exam_results", __name__, template_folder="templates")


def init_app(app):
    """Register the results screens (under /admin/exams)."""
    from exams.results import views  # noqa: F401

    app.register_blueprint(bp, url_prefix="/admin/exams")
