"""A small JSON endpoint the case page polls while the check is pending."""

from flask import abort, jsonify
from flask_login import current_user

from casebank.cases import queries
from casebank.views import bp
from portal.auth.decorators import roles_required
from portal.auth.models import Role
from portal.auth.roles import CASE_WORKERS

STATUS_LABELS = {"pending": "检查中", "checked": "已检查", "failed": "检查失败"}


@bp.get("/cases/<int:case_id>/check-status")
@roles_required(*CASE_WORKERS, Role.INVITED_SUPERVISOR)
def check_status(case_id):
    """``{"status", "label", "findings"}`` of a case the user may open."""
    case = queries.visible_case(current_user, case_id)
    if case is None:
        from casebank.supervision.queries import reviewable_case

        case = reviewable_case(current_user, case_id)
    if case is None:
        abort(404)
    status = str(case.check_status)
    return jsonify(
        status=status,
        label=STATUS_LABELS.get(status, status),
        findings=case.finding_count or 0,
    )
