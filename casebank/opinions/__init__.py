"""监督意见书 (supervision opinions, issue #6): numbered opinions sent to an agency
about a reviewed case, with a working-day deadline, the agency's replies
(整改情况), the staff's decision (采纳 / 退回), a timeline and .docx/.pdf export.
"""

from flask import Blueprint

bp = Blueprint("opinions", __name__, template_folder="templates")


def init_app(app):
    from casebank.opinions import models, views  # noqa: F401 - models and routes

    app.register_blueprint(bp, url_prefix="/casebank")
