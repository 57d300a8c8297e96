"""Reads of 监督意见书: scoped lists, deadline flags and the dashboard counts.

Scope is the one of case files (casebank/cases/queries.py): supervision staff see
the opinions sent to agencies in their region, agency handlers those sent to their
agencies, system administrators all. Anything else is a 404.
"""

from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from casebank.cases.models import CaseFile
from casebank.cases.queries import org_scope_filter
from casebank.opinions.models import OpinionStatus, SupervisionOpinion
from portal.auth.models import Role
from portal.extensions import db
from portal.orgs.models import Organisation
from portal.timeutil import to_local, utcnow
from portal.workdays.calendar import Calendar, DeadlineFlag
from portal.workdays.queries import calendar

FLAGS = (DeadlineFlag.OK, DeadlineFlag.WARNING, DeadlineFlag.OVERDUE, DeadlineFlag.DONE)


def china_today() -> date:
    """Today's date in China Standard Time (deadlines are China dates)."""
    return to_local(utcnow()).date()


def warn_workdays() -> int:
    return int(current_app.config["OPINION_WARN_WORKDAYS"])


def flag_of(opinion, today=None, cal: Calendar | None = None) -> DeadlineFlag:
    """Green/yellow/red of one opinion: done once accepted, else by its due date."""
    if opinion.status == OpinionStatus.ACCEPTED:
        return DeadlineFlag.DONE
    cal = cal or calendar()
    return cal.flag(opinion.due_on, today or china_today(), warn_workdays())


def _covers(user, role, agency) -> bool:
    return any(agency.path.startswith(scope.path) for scope in user.scopes_for(role))


def can_decide(user, opinion) -> bool:
    """Staff of the agency's region (or a system administrator)."""
    return user.has_role(Role.SYS_ADMIN) or _covers(
        user, Role.SUPERVISION_STAFF, opinion.agency
    )


def can_reply(user, opinion) -> bool:
    """A handler of the agency the opinion was sent to."""
    return _covers(user, Role.AGENCY_HANDLER, opinion.agency)


def _scoped(user):
    return (
        sa.select(SupervisionOpinion)
        .join(Organisation, SupervisionOpinion.agency_id == Organisation.id)
        .where(org_scope_filter(user))
    )


def _list_options():
    """Eager loads for opinion lists: the agency (already joined) and the case's
    title columns only (not its full text), so a page is a fixed number of queries."""
    return (
        so.contains_eager(SupervisionOpinion.agency),
        so.joinedload(SupervisionOpinion.case).load_only(
            CaseFile.id, CaseFile.doc_number, CaseFile.original_filename
        ),
    )


def visible_opinion(user, opinion_id: int) -> SupervisionOpinion | None:
    """The opinion if ``user`` may see it, else None (the view answers 404)."""
    return db.session.scalar(_scoped(user).where(SupervisionOpinion.id == opinion_id))


def opinion_by_form_token(token) -> SupervisionOpinion | None:
    if not token:
        return None
    return db.session.scalar(
        sa.select(SupervisionOpinion).where(SupervisionOpinion.form_token == token)
    )


def _flag_condition(flag: str, today: date, cal: Calendar):
    """SQL for one flag, equivalent to :func:`flag_of` (see docs/case-opinions.md).

    ``Calendar.flag`` is yellow while the working days in (today, due] are at most
    N, i.e. while ``due < add_workdays(today, N + 1)``.
    """
    col = SupervisionOpinion.due_on
    not_closed = SupervisionOpinion.status != OpinionStatus.ACCEPTED.value
    warn_end = cal.add_workdays(today, warn_workdays() + 1)
    return {
        DeadlineFlag.DONE: SupervisionOpinion.status == OpinionStatus.ACCEPTED.value,
        DeadlineFlag.OVERDUE: sa.and_(not_closed, col < today),
        DeadlineFlag.WARNING: sa.and_(not_closed, col >= today, col < warn_end),
        DeadlineFlag.OK: sa.and_(not_closed, col >= warn_end),
    }[DeadlineFlag(flag)]


def opinions_visible_to(
    user,
    agency_id: int | None = None,
    status: str | None = None,
    flag: str | None = None,
    today: date | None = None,
    q: str = "",
):
    """Select the opinions ``user`` may see, filtered; the most urgent first."""
    stmt = _scoped(user)
    if agency_id:
        stmt = stmt.where(SupervisionOpinion.agency_id == agency_id)
    if status in tuple(OpinionStatus):
        stmt = stmt.where(SupervisionOpinion.status == status)
    if flag in tuple(DeadlineFlag):
        stmt = stmt.where(_flag_condition(flag, today or china_today(), calendar()))
    if q:
        stmt = stmt.where(SupervisionOpinion.number.contains(q, autoescape=True))
    closed_last = sa.case(
        (SupervisionOpinion.status == OpinionStatus.ACCEPTED.value, 1), else_=0
    )
    return stmt.options(*_list_options()).order_by(
        closed_last, SupervisionOpinion.due_on, SupervisionOpinion.id.desc()
    )


def todo_for_handler(user):
    """The opinions waiting for ``user``'s agencies (待整改 and 已退回), most urgent
    first, then those under review."""
    paths = [s.path for s in user.scopes_for(Role.AGENCY_HANDLER)]
    if not paths:
        return sa.select(SupervisionOpinion).where(sa.false())
    waiting = sa.case(
        (
            SupervisionOpinion.status.in_(
                [OpinionStatus.ISSUED.value, OpinionStatus.RETURNED.value]
            ),
            0,
        ),
        else_=1,
    )
    return (
        sa.select(SupervisionOpinion)
        .join(Organisation, SupervisionOpinion.agency_id == Organisation.id)
        .where(
            sa.or_(*(Organisation.path.startswith(p, autoescape=True) for p in paths)),
            SupervisionOpinion.status != OpinionStatus.ACCEPTED.value,
        )
        .options(*_list_options())
        .order_by(waiting, SupervisionOpinion.due_on, SupervisionOpinion.id)
    )


def opinions_for_case(user, case_id: int) -> list[SupervisionOpinion]:
    return list(
        db.session.scalars(
            _scoped(user)
            .where(SupervisionOpinion.case_id == case_id)
            .order_by(SupervisionOpinion.id)
        )
    )


def overdue_by_agency(today: date | None = None) -> dict[int, int]:
    """Open opinions past their deadline, per agency id (for the dashboard)."""
    today = today or china_today()
    rows = db.session.execute(
        sa.select(SupervisionOpinion.agency_id, sa.func.count().label("count"))
        .where(
            SupervisionOpinion.status != OpinionStatus.ACCEPTED.value,
            SupervisionOpinion.due_on < today,
        )
        .group_by(SupervisionOpinion.agency_id)
    )
    return {row.agency_id: row.count for row in rows}


def flag_counts(user=None, today: date | None = None) -> dict[str, int]:
    """How many opinions carry each flag (``ok``/``warning``/``overdue``/``done``),
    within ``user``'s scope (every opinion when None)."""
    today = today or china_today()
    cal = calendar()
    base = (
        sa.select(sa.func.count())
        .select_from(SupervisionOpinion)
        .join(Organisation, SupervisionOpinion.agency_id == Organisation.id)
    )
    if user is not None:
        base = base.where(org_scope_filter(user))
    return {
        flag.value: db.session.scalar(base.where(_flag_condition(flag, today, cal)))
        for flag in FLAGS
    }


def attachment_of(opinion, attachment_id: int):
    for reply in opinion.replies:
        for attachment in reply.attachments:
            if attachment.id == attachment_id:
                return attachment
    return None
