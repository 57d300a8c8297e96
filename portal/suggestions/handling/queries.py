"""Reads for the handling pages: inbox, handler tasks, duplicate candidates."""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from nlp.similarity import similarity_scores
from portal.auth.models import Role, User, UserRole
from portal.extensions import db
from portal.orgs.models import Organisation, OrgKind
from portal.suggestions.handling import access
from portal.suggestions.models import Status, Suggestion
from portal.timeutil import utcnow
from portal.workdays.calendar import DeadlineFlag

FLAG_FILTERS = {"warning": "即将到期（黄牌）", "overdue": "已逾期（红牌）"}
SIMILAR_WINDOW_DAYS = 180
SIMILAR_MAX_CANDIDATES = 300
SIMILAR_MIN_SCORE = 0.15


@dataclass(frozen=True)
class Row:
    suggestion: Suggestion
    flag: DeadlineFlag | None


def deadline_flag(suggestion, calendar, today, warn_workdays):
    """Yellow/red for pending items against their 受理期限 and for items in 办理中
    against their handling deadline; done once answered."""
    if suggestion.status == Status.PENDING:
        if suggestion.accept_due_on is None:
            return None
        return calendar.flag(suggestion.accept_due_on, today, warn_workdays)
    if suggestion.due_on is None:
        return None
    if suggestion.status == Status.PROCESSING:
        return calendar.flag(suggestion.due_on, today, warn_workdays)
    if suggestion.status in (Status.REPLIED, Status.CLOSED):
        return DeadlineFlag.DONE
    return None


def _flag_condition(flag, calendar, today, warn_workdays):
    processing = Suggestion.status == Status.PROCESSING.value
    pending = Suggestion.status == Status.PENDING.value
    if flag == "overdue":
        return sa.or_(
            sa.and_(processing, Suggestion.due_on < today),
            sa.and_(pending, Suggestion.accept_due_on < today),
        )
    # Yellow while at most ``warn_workdays`` working days remain: the deadline is
    # before the (warn + 1)-th working day after today.
    limit = calendar.add_workdays(today, warn_workdays + 1)
    return sa.or_(
        sa.and_(processing, Suggestion.due_on >= today, Suggestion.due_on < limit),
        sa.and_(
            pending,
            Suggestion.accept_due_on >= today,
            Suggestion.accept_due_on < limit,
        ),
    )


def inbox(user, filters, calendar, today, warn_workdays):
    """Select the staff inbox: items ``user`` manages, filtered, pending first,
    newest first (paginate it; flag the rows with :func:`with_flags`).

    :param filters: dict with optional ``status``, ``category``, ``agency_id``
        (the reported or assigned organisation), ``flag`` (warning/overdue), ``q``
        (part of the number).
    """
    stmt = sa.select(Suggestion).where(access.staff_filter(user))
    if filters.get("status"):
        stmt = stmt.where(Suggestion.status == filters["status"])
    if filters.get("category"):
        stmt = stmt.where(Suggestion.category == filters["category"])
    if filters.get("agency_id"):
        agency_id = filters["agency_id"]
        stmt = stmt.where(
            sa.or_(
                Suggestion.organisation_id == agency_id,
                Suggestion.assigned_org_id == agency_id,
            )
        )
    if filters.get("flag") in FLAG_FILTERS:
        stmt = stmt.where(
            _flag_condition(filters["flag"], calendar, today, warn_workdays)
        )
    if filters.get("q"):
        stmt = stmt.where(
            Suggestion.number.contains(filters["q"].strip().upper(), autoescape=True)
        )
    return stmt.order_by(
        sa.case((Suggestion.status == Status.PENDING.value, 0), else_=1),
        Suggestion.submitted_at.desc(),
        Suggestion.id.desc(),
    ).options(
        so.selectinload(Suggestion.organisation),
        so.selectinload(Suggestion.assigned_org),
    )


def with_flags(suggestions, calendar, today, warn_workdays):
    """:class:`Row` objects: each item with its deadline flag."""
    return [
        Row(s, deadline_flag(s, calendar, today, warn_workdays)) for s in suggestions
    ]


def tasks(user, calendar, today, warn_workdays, include_done=False):
    """The handler's 待办理 list: items assigned to their agencies, open first."""
    stmt = sa.select(Suggestion).where(access.handler_filter(user))
    if not include_done:
        stmt = stmt.where(Suggestion.status == Status.PROCESSING.value)
    stmt = stmt.order_by(Suggestion.due_on, Suggestion.id)
    return [
        Row(s, deadline_flag(s, calendar, today, warn_workdays))
        for s in db.session.scalars(stmt)
    ]


def similar_suggestions(suggestion, user, limit=5):
    """Likely duplicates of ``suggestion`` among recent items ``user`` manages.

    Candidates: submitted in the last 180 days, about the same organisation or
    none, not merged or rejected; at most 300 (newest). Scored by
    :func:`similarity_scores`; those above 0.15, best first.

    :return: a list of ``(suggestion, score)``.
    """
    since = utcnow() - timedelta(days=SIMILAR_WINDOW_DAYS)
    stmt = sa.select(Suggestion).where(
        Suggestion.id != suggestion.id,
        Suggestion.submitted_at >= since,
        Suggestion.status.not_in([Status.MERGED.value, Status.REJECTED.value]),
        access.staff_filter(user),
    )
    if suggestion.organisation_id is not None:
        stmt = stmt.where(
            sa.or_(
                Suggestion.organisation_id == suggestion.organisation_id,
                Suggestion.organisation_id.is_(None),
            )
        )
    stmt = stmt.order_by(Suggestion.submitted_at.desc()).limit(SIMILAR_MAX_CANDIDATES)
    candidates = list(db.session.scalars(stmt))
    scores = similarity_scores(
        _text(suggestion), [_text(candidate) for candidate in candidates]
    )
    ranked = sorted(zip(candidates, scores, strict=True), key=lambda p: -p[1])
    return [(c, round(s, 2)) for c, s in ranked if s >= SIMILAR_MIN_SCORE][:limit]


def _text(suggestion):
    return f"{suggestion.place} {suggestion.description}"


def agencies_for(user):
    """Agencies ``user`` (staff) may assign items to, in tree order."""
    stmt = sa.select(Organisation).where(Organisation.kind == OrgKind.AGENCY)
    if not user.has_role(Role.SYS_ADMIN):
        scopes = user.scopes_for(Role.SUPERVISION_STAFF)
        if not scopes:
            return []
        stmt = stmt.where(
            sa.or_(
                *(Organisation.path.startswith(s.path, autoescape=True) for s in scopes)
            )
        )
    return list(db.session.scalars(stmt.order_by(Organisation.path)))


def handlers_for(agencies):
    """``(user, agency)`` pairs: active handlers whose scope covers each agency."""
    grants = db.session.scalars(
        sa.select(UserRole)
        .join(UserRole.user)
        .where(
            UserRole.role == Role.AGENCY_HANDLER.value,
            User.is_active_account.is_(True),
        )
        .options(so.selectinload(UserRole.scope), so.selectinload(UserRole.user))
    ).all()
    pairs = []
    for agency in agencies:
        seen = set()
        for grant in grants:
            if grant.scope is not None and agency.is_within(grant.scope):
                if grant.user_id not in seen:
                    seen.add(grant.user_id)
                    pairs.append((grant.user, agency))
    return pairs


def suggestion_by_number(number):
    return db.session.scalar(
        sa.select(Suggestion).where(Suggestion.number == (number or "").strip().upper())
    )
