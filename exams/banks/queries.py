"""Scoped reads of question banks for the administrator screens."""

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from exams.banks.models import QuestionBank
from portal.auth.models import Role
from portal.auth.queries import admin_org_filter
from portal.extensions import db
from portal.orgs.models import Organisation


def visible_banks():
    """Banks the current admin may manage: system admins all, training admins
    those of their subtree and the shared (city-wide, no organisation) banks."""
    stmt = sa.select(QuestionBank).outerjoin(Organisation)
    if not current_user.has_role(Role.SYS_ADMIN):
        stmt = stmt.where(
            sa.or_(
                QuestionBank.organisation_id.is_(None), admin_org_filter(current_user)
            )
        )
    return stmt.order_by(QuestionBank.code)


def bank_or_404(bank_id):
    """A bank the current admin may manage, or a 404."""
    bank = db.session.scalar(visible_banks().where(QuestionBank.id == bank_id))
    if bank is None:
        abort(404)
    return bank


def may_write_bank(user, bank):
    """Who may change a bank (import, edit, review, practice switch): a system
    administrator any bank; a training administrator the banks of their subtree,
    and a city-wide bank only when they administer the whole city (a 区 admin
    reads city-wide banks but does not change them for everyone)."""
    if user.has_role(Role.SYS_ADMIN):
        return True
    scopes = user.scopes_for(Role.TRAINING_ADMIN)
    if bank.organisation is None:
        return any(scope.parent_id is None for scope in scopes)
    return any(bank.organisation.is_within(scope) for scope in scopes)


def writable_bank_or_403(bank_id):
    """A bank the current admin may change: 404 when not visible, 403 when only
    readable (see :func:`may_write_bank`)."""
    bank = bank_or_404(bank_id)
    if not may_write_bank(current_user, bank):
        abort(403)
    return bank
