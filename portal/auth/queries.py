"""Scoped reads: what a user may see is decided here, in the query (not in menus)."""

import sqlalchemy as sa

from portal.auth.models import Role, User, UserRole
from portal.auth.roles import LEARNERS
from portal.orgs.models import Organisation


def scope_paths(user, role):
    """Materialised paths of the subtrees ``user`` administers through ``role``."""
    return [scope.path for scope in user.scopes_for(role)]


def _within_paths(column, paths):
    if not paths:
        return sa.false()
    return sa.or_(*(column.startswith(path, autoescape=True) for path in paths))


def admin_org_filter(user):
    """SQL condition on ``Organisation`` rows that ``user`` may manage."""
    if user.has_role(Role.SYS_ADMIN):
        return sa.true()
    return _within_paths(Organisation.path, scope_paths(user, Role.TRAINING_ADMIN))


def organisations_visible_to(user):
    """Select the organisations ``user`` may manage, in tree order."""
    return (
        sa.select(Organisation)
        .where(admin_org_filter(user))
        .order_by(Organisation.path)
    )


def users_visible_to(user):
    """Select the user accounts ``user`` may manage (sys admin: all; training
    admin: accounts whose organisation lies in their scope)."""
    return (
        sa.select(User)
        .join(User.organisation)
        .where(admin_org_filter(user))
        .order_by(Organisation.path, User.username)
    )


def can_manage_user(actor_user, target):
    """Whether ``actor_user`` may edit ``target``: the list query's scope rule, and a
    training admin may not manage an account holding a role they could not grant
    (resetting its password would take that account over, e.g. a system admin's)."""
    if actor_user.has_role(Role.SYS_ADMIN):
        return True
    if not target.role_set <= set(grantable_roles(actor_user)):
        return False
    return any(
        target.organisation.is_within(scope)
        for scope in actor_user.scopes_for(Role.TRAINING_ADMIN)
    )


def can_manage_org(actor_user, org):
    if actor_user.has_role(Role.SYS_ADMIN):
        return True
    return any(org.is_within(s) for s in actor_user.scopes_for(Role.TRAINING_ADMIN))


def grantable_roles(actor_user):
    """Roles ``actor_user`` may grant: sys admins all, training admins learners only."""
    if actor_user.has_role(Role.SYS_ADMIN):
        return list(Role)
    if actor_user.has_role(Role.TRAINING_ADMIN):
        return list(LEARNERS)
    return []


def users_with_role(role):
    """Select users holding ``role``."""
    return (
        sa.select(User)
        .join(UserRole)
        .where(UserRole.role == role)
        .order_by(User.username)
    )
