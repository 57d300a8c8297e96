"""Who may review a case: the one place to change (at merge: the review queue's
``casebank.supervision.reviewable_case``)."""

from casebank.cases.queries import visible_case
from portal.auth.models import Role

REVIEW_ROLES = (Role.SYS_ADMIN, Role.SUPERVISION_STAFF)


def reviewable_case_for(user, case_id: int):
    """The case if ``user`` may review it (score it, label its findings), else None.

    For now: supervision staff and system administrators who can see the case.
    """
    if not user.is_authenticated or not user.has_role(*REVIEW_ROLES):
        return None
    return visible_case(user, case_id)
