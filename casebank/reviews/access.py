"""Who may review a case (score it, label its findings)."""

from casebank.supervision.queries import reviewable_case
from portal.auth.models import Role
from portal.auth.roles import SUPERVISION_MANAGERS

# The dashboard and the scoring templates: supervision staff and system admins.
# The 评查表 and finding labels: also invited supervisors, on cases assigned to them.
SHEET_ROLES = (*SUPERVISION_MANAGERS, Role.INVITED_SUPERVISOR)


def reviewable_case_for(user, case_id: int):
    """The case if ``user`` may review it, else None (the view answers 404).

    Supervision staff and system administrators who can see the case; invited
    supervisors with an open assignment of it and no conflict of interest
    (:func:`casebank.supervision.queries.reviewable_case`).
    """
    if not user.is_authenticated:
        return None
    return reviewable_case(user, case_id)
