"""Reads of the oversight part (return ``Select`` objects where callers paginate)."""

import sqlalchemy as sa

from portal.auth.models import Role
from portal.auth.roles import SUPERVISION_MANAGERS
from portal.extensions import db
from portal.suggestions.models import Category, Status, Suggestion
from portal.suggestions.oversight.models import (
    Escalation,
    EscalationStatus,
    SupervisorObservation,
)
from portal.suggestions.oversight.scope import (
    AgencyOrg,
    agency_id_column,
    item_in_scope,
    scope_condition,
    scoped_items,
)


def published_items():
    """Items whose reply is published, newest publication first (public list)."""
    return (
        sa.select(Suggestion)
        .where(
            Suggestion.reply_published_at.is_not(None),
            Suggestion.published_reply.is_not(None),
        )
        .order_by(Suggestion.reply_published_at.desc(), Suggestion.id.desc())
    )


def supervisor_items(user, status=None, category=None):
    """Items in the region of ``user``'s invited-supervisor grant, newest first."""
    stmt = scoped_items(user, Role.INVITED_SUPERVISOR)
    if status in tuple(Status):
        stmt = stmt.where(Suggestion.status == status)
    if category in tuple(Category):
        stmt = stmt.where(Suggestion.category == category)
    return stmt.order_by(Suggestion.submitted_at.desc(), Suggestion.id.desc())


def observations_of(suggestion):
    """The supervisors' observations on ``suggestion``, oldest first."""
    return db.session.scalars(
        sa.select(SupervisorObservation)
        .where(SupervisorObservation.suggestion_id == suggestion.id)
        .order_by(SupervisorObservation.created_at, SupervisorObservation.id)
    ).all()


def escalations_of(suggestion):
    """The escalations of ``suggestion``, oldest first."""
    return db.session.scalars(
        sa.select(Escalation)
        .where(Escalation.suggestion_id == suggestion.id)
        .order_by(Escalation.created_at, Escalation.id)
    ).all()


def escalations_for_staff(user, status=None):
    """Escalations (监督员转办) of items in ``user``'s region; open ones first."""
    stmt = (
        sa.select(Escalation)
        .join(Suggestion, Suggestion.id == Escalation.suggestion_id)
        .outerjoin(AgencyOrg, AgencyOrg.c.id == agency_id_column())
        .where(scope_condition(user, Role.SUPERVISION_STAFF))
    )
    if status in tuple(EscalationStatus):
        stmt = stmt.where(Escalation.status == status)
    return stmt.order_by(
        (Escalation.status == EscalationStatus.OPEN.value).desc(),
        Escalation.created_at.desc(),
        Escalation.id.desc(),
    )


def escalation_for_staff(user, escalation_id):
    """The escalation if it lies in ``user``'s region, else None (404)."""
    return db.session.scalar(
        escalations_for_staff(user).where(Escalation.id == escalation_id)
    )


def item_for_reader(user, suggestion_id):
    """The item for its oversight notes page, else None (404): supervision staff
    of the region and system administrators, and a 部门经办人 once the item is
    assigned to an agency in their scope."""
    if user.has_role(*SUPERVISION_MANAGERS):
        item = item_in_scope(user, Role.SUPERVISION_STAFF, suggestion_id)
        if item is not None:
            return item
    if user.has_role(Role.AGENCY_HANDLER):
        return db.session.scalar(
            scoped_items(user, Role.AGENCY_HANDLER).where(
                Suggestion.id == suggestion_id,
                Suggestion.assigned_org_id.is_not(None),
            )
        )
    return None
