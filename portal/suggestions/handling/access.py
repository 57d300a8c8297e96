"""Who may handle which suggestion. The rules are applied in SQL for lists and in
Python for one item; anything outside them is a 404, never a hint.

- System administrators: every item (contact data masked).
- Supervision staff (执法监督人员): items whose reported organisation or assigned
  agency lies in their region; items with no organisation (“不清楚”) go to staff
  whose scope is a root (city) organisation. Contact data masked.
- Agency handlers (部门经办人): items assigned to an agency in their scope, once
  assigned (办理中 and later). They see the full phone and name (they call back);
  every such page view is audited.
"""

import sqlalchemy as sa

from portal.auth.models import Role
from portal.extensions import db
from portal.orgs.models import Organisation
from portal.suggestions.models import Status, Suggestion

# Statuses in which the assigned agency sees an item.
HANDLER_STATUSES = (Status.PROCESSING, Status.REPLIED, Status.CLOSED)


def _org_ids_within(scopes):
    if not scopes:
        return None
    return sa.select(Organisation.id).where(
        sa.or_(*(Organisation.path.startswith(s.path, autoescape=True) for s in scopes))
    )


def staff_filter(user):
    """SQL condition on :class:`Suggestion` rows that ``user`` manages as staff."""
    if user.has_role(Role.SYS_ADMIN):
        return sa.true()
    scopes = user.scopes_for(Role.SUPERVISION_STAFF)
    ids = _org_ids_within(scopes)
    if ids is None:
        return sa.false()
    conditions = [
        Suggestion.organisation_id.in_(ids),
        Suggestion.assigned_org_id.in_(ids),
    ]
    if any(scope.parent_id is None for scope in scopes):
        conditions.append(Suggestion.organisation_id.is_(None))
    return sa.or_(*conditions)


def can_manage(user, suggestion):
    """Whether ``user`` manages ``suggestion`` as staff (same rule as the list)."""
    if user.has_role(Role.SYS_ADMIN):
        return True
    scopes = user.scopes_for(Role.SUPERVISION_STAFF)
    if not scopes:
        return False
    for org in (suggestion.organisation, suggestion.assigned_org):
        if org is not None and any(org.is_within(s) for s in scopes):
            return True
    return suggestion.organisation is None and any(s.parent_id is None for s in scopes)


def manages_agency(user, agency):
    """Whether staff ``user`` may assign items to ``agency`` (in their region)."""
    if user.has_role(Role.SYS_ADMIN):
        return True
    return any(agency.is_within(s) for s in user.scopes_for(Role.SUPERVISION_STAFF))


def handler_filter(user):
    """SQL condition on :class:`Suggestion` rows assigned to ``user``'s agencies."""
    ids = _org_ids_within(user.scopes_for(Role.AGENCY_HANDLER))
    if ids is None:
        return sa.false()
    return sa.and_(
        Suggestion.assigned_org_id.in_(ids),
        Suggestion.status.in_([s.value for s in HANDLER_STATUSES]),
    )


def can_handle(user, suggestion):
    """Whether ``user`` is a handler of the agency ``suggestion`` is assigned to."""
    agency = suggestion.assigned_org
    if agency is None or suggestion.status not in HANDLER_STATUSES:
        return False
    return any(agency.is_within(s) for s in user.scopes_for(Role.AGENCY_HANDLER))


def handler_covers(user, agency):
    """Whether ``user`` holds the handler role with a scope covering ``agency``."""
    return any(agency.is_within(s) for s in user.scopes_for(Role.AGENCY_HANDLER))


def managed_or_404(user, suggestion_id):
    """The suggestion when ``user`` manages it as staff, else None."""
    suggestion = db.session.get(Suggestion, suggestion_id)
    if suggestion is None or not can_manage(user, suggestion):
        return None
    return suggestion
