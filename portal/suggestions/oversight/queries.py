"""Reads of the oversight part (return ``Select`` objects where callers paginate)."""

import sqlalchemy as sa

from portal.auth.models import Role
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
    """The item for its oversight notes page: supervision staff of the region,
    system administrators, and the handling agency (handler or agency in scope)."""
    for role in (Role.SUPERVISION_STAFF, Role.AGENCY_HANDLER):
        if user.has_role(role) or (
            role == Role.SUPERVISION_STAFF and user.has_role(Role.SYS_ADMIN)
        ):
            stmt = scoped_items(user, role).where(Suggestion.id == suggestion_id)
            if role == Role.AGENCY_HANDLER:
                # The agency's own items only once assigned to it (or its handler).
                stmt = stmt.where(
                    sa.or_(
                        Suggestion.handler_id == user.id,
                        Suggestion.assigned_org_id.is_not(None),
                    )
                )
            item = db.session.scalar(stmt)
            if item is not None:
                return item
    return None
