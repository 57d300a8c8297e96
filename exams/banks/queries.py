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
