"""Scoped reads of papers and arrangements for the administrator screens
(papers, arrangements, monitoring and results all scope through these)."""

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from exams.papers.models import ExamArrangement, Paper
from portal.auth.models import Role
from portal.auth.queries import organisations_visible_to
from portal.extensions import db


def visible_papers():
    """Papers the current admin may use: their units' and the city-wide ones."""
    stmt = sa.select(Paper).order_by(Paper.id.desc())
    if not current_user.has_role(Role.SYS_ADMIN):
        orgs = [
            o.id for o in db.session.scalars(organisations_visible_to(current_user))
        ]
        stmt = stmt.where(
            sa.or_(Paper.organisation_id.is_(None), Paper.organisation_id.in_(orgs))
        )
    return stmt


def paper_or_404(paper_id):
    """A paper the current admin may see, or a 404."""
    paper = db.session.scalar(visible_papers().where(Paper.id == paper_id))
    if paper is None:
        abort(404)
    return paper


def visible_arrangements():
    """Arrangements of the current admin's units (system admins: all), newest first."""
    stmt = sa.select(ExamArrangement).order_by(ExamArrangement.window_start.desc())
    if not current_user.has_role(Role.SYS_ADMIN):
        orgs = [
            o.id for o in db.session.scalars(organisations_visible_to(current_user))
        ]
        stmt = stmt.where(ExamArrangement.organisation_id.in_(orgs))
    return stmt


def arrangement_or_404(arrangement_id):
    """An arrangement the current admin may see, or a 404."""
    arrangement = db.session.scalar(
        visible_arrangements().where(ExamArrangement.id == arrangement_id)
    )
    if arrangement is None:
        abort(404)
    return arrangement
