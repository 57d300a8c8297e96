"""Which suggestions a signed-in user may see in the oversight pages.

An item belongs to its *agency*: the organisation it was assigned to, else the one
the submitter chose. Supervision staff see the items whose agency lies in their
region, invited supervisors those in the region of their grant, system
administrators everything. Items with no organisation at all (“不清楚”, not yet
assigned) belong to the top of the tree: only users whose scope is a root (the
city) and system administrators see them. The rule is applied in SQL; anything
else answers 404.
"""

import sqlalchemy as sa

from portal.auth.models import Role
from portal.orgs.models import Organisation
from portal.suggestions.models import Suggestion

# A table alias (not an ORM alias, which would configure every mapper at import).
AgencyOrg = Organisation.__table__.alias("agency_org")


def agency_id_column():
    """SQL expression of an item's agency id (assigned, else chosen)."""
    return sa.func.coalesce(Suggestion.assigned_org_id, Suggestion.organisation_id)


def scope_condition(user, role):
    """SQL condition on ``Suggestion`` joined with ``AgencyOrg`` for ``role``'s
    grants of ``user`` (system administrators see all when ``role`` is staff)."""
    if role == Role.SUPERVISION_STAFF and user.has_role(Role.SYS_ADMIN):
        return sa.true()
    scopes = user.scopes_for(role)
    conditions = [AgencyOrg.c.path.startswith(s.path, autoescape=True) for s in scopes]
    if any(s.parent_id is None for s in scopes):
        conditions.append(agency_id_column().is_(None))
    return sa.or_(*conditions) if conditions else sa.false()


def scoped_items(user, role):
    """``select(Suggestion)`` limited to what ``user`` sees as ``role``."""
    return (
        sa.select(Suggestion)
        .outerjoin(AgencyOrg, AgencyOrg.c.id == agency_id_column())
        .where(scope_condition(user, role))
    )


def item_in_scope(user, role, suggestion_id):
    """The item if ``user`` sees it as ``role``, else None (the view answers 404)."""
    from portal.extensions import db

    return db.session.scalar(
        scoped_items(user, role).where(Suggestion.id == suggestion_id)
    )
