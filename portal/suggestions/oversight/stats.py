"""Statistics of public suggestions (统计): the figures and how they are counted.

Definitions (also in docs/suggestions-oversight.md):

- *period*: items whose China date of submission lies in ``[date_from, date_to]``;
- *agency*: the assigned organisation, else the one the submitter chose;
  *region*: the district (区县) above the agency, or the city (市本级);
- *on-time rate* (按期答复率): among items with a deadline (``due_on``, the
  effective deadline after any extension) that are replied or overdue (no reply
  and the deadline before today), the share replied on or before the deadline
  (China date of ``replied_at``);
- *reply rate* (答复率): approved replies (``replied_at``) / accepted items
  (``accepted_at``);
- *satisfaction* (满意度): count rated, mean rating, share of 4–5 (满意, 很满意);
- *repeat complaints* (重复投诉): items merged into another, plus items from the
  same phone about the same agency and category as an earlier item submitted at
  most ``REPEAT_WINDOW_DAYS`` days before. Phones are removed by
  de-identification, which first freezes the result in ``is_phone_repeat``.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from portal.extensions import db
from portal.orgs.models import Organisation, OrgKind
from portal.suggestions.models import CATEGORY_LABELS, STATUS_LABELS, Suggestion
from portal.suggestions.oversight.scope import AgencyOrg, agency_id_column
from portal.timeutil import to_local, to_utc

REPEAT_WINDOW_DAYS = 180
NO_AGENCY = "未指定部门"


@dataclass(frozen=True)
class Item:
    """The fields of one item the figures need (no personal data)."""

    id: int
    category: str
    status: str
    agency_id: int | None
    accepted_at: datetime | None = None
    due_on: date | None = None
    replied_at: datetime | None = None
    rating: int | None = None
    merged_into_id: int | None = None


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def rate(self):
        """The share as a float, or None when nothing is counted."""
        return self.numerator / self.denominator if self.denominator else None

    @property
    def percent(self):
        rate = self.rate
        return "—" if rate is None else f"{rate * 100:.1f}%"


@dataclass
class Figures:
    total: int = 0
    by_category: list = field(default_factory=list)  # [(label, count)]
    by_agency: list = field(default_factory=list)
    by_region: list = field(default_factory=list)
    by_status: list = field(default_factory=list)
    on_time: Ratio = Ratio(0, 0)
    replied: Ratio = Ratio(0, 0)
    rated: int = 0
    mean_rating: float | None = None
    satisfied: Ratio = Ratio(0, 0)
    repeats: int = 0
    merged: int = 0
    phone_repeats: int = 0


def _local_date(value):
    return to_local(value).date()


def _counted(counter, order=None):
    """``[(key, count)]``, in ``order`` when given, else by count descending."""
    if order is not None:
        return [(k, counter[k]) for k in order if counter[k]]
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


def compute(items, today, repeat_ids, agency_names, regions):
    """The figures of ``items`` (pure: no database).

    :param items: :class:`Item` rows of the period and scope.
    :param today: the China date (decides what is overdue).
    :param repeat_ids: ids of items repeating an earlier one from the same phone.
    :param agency_names: organisation id → name.
    :param regions: organisation id → region name.
    :return: :class:`Figures`.
    """
    figures = Figures(total=len(items))
    figures.by_category = [
        (CATEGORY_LABELS[c], n)
        for c, n in _counted(Counter(i.category for i in items), list(CATEGORY_LABELS))
    ]
    figures.by_status = [
        (STATUS_LABELS[s], n)
        for s, n in _counted(Counter(i.status for i in items), list(STATUS_LABELS))
    ]
    # Counted per agency id (two agencies may share a name), then labelled.
    figures.by_agency = sorted(
        (
            (agency_names.get(agency_id, NO_AGENCY), n)
            for agency_id, n in Counter(i.agency_id for i in items).items()
        ),
        key=lambda kv: (-kv[1], kv[0]),
    )
    figures.by_region = _counted(
        Counter(regions.get(i.agency_id, NO_AGENCY) for i in items)
    )

    due = [i for i in items if i.due_on is not None]
    counted = [i for i in due if i.replied_at is not None or i.due_on < today]
    on_time = [
        i
        for i in counted
        if i.replied_at is not None and _local_date(i.replied_at) <= i.due_on
    ]
    figures.on_time = Ratio(len(on_time), len(counted))

    accepted = [i for i in items if i.accepted_at is not None]
    figures.replied = Ratio(
        sum(1 for i in accepted if i.replied_at is not None), len(accepted)
    )

    ratings = [i.rating for i in items if i.rating is not None]
    figures.rated = len(ratings)
    figures.mean_rating = sum(ratings) / len(ratings) if ratings else None
    figures.satisfied = Ratio(sum(1 for r in ratings if r >= 4), len(ratings))

    merged = {i.id for i in items if i.merged_into_id is not None}
    phone = {i.id for i in items if i.id in repeat_ids}
    figures.merged = len(merged)
    figures.phone_repeats = len(phone)
    figures.repeats = len(merged | phone)
    return figures


def phone_repeat_ids(rows, window_days=REPEAT_WINDOW_DAYS):
    """Ids of items that repeat an earlier item (same phone, agency and category,
    submitted at most ``window_days`` before). Pure.

    :param rows: ``(id, phone, agency_id, category, submitted_at)`` tuples.
    """
    groups = {}
    for row in rows:
        item_id, phone, agency_id, category, submitted_at = row
        if phone is None or agency_id is None:
            continue
        groups.setdefault((phone, agency_id, category), []).append(
            (submitted_at, item_id)
        )
    window = timedelta(days=window_days)
    repeats = set()
    for entries in groups.values():
        entries.sort()
        for (earlier, _), (later, later_id) in zip(entries, entries[1:], strict=False):
            if later - earlier <= window:
                repeats.add(later_id)
    return repeats


def period_bounds(date_from, date_to):
    """Naive UTC bounds ``[start, end)`` of a China-date period (either may be None)."""
    start = to_utc(datetime.combine(date_from, time.min)) if date_from else None
    end = (
        to_utc(datetime.combine(date_to + timedelta(days=1), time.min))
        if date_to
        else None
    )
    return start, end


def _in_period(stmt, start, end):
    if start is not None:
        stmt = stmt.where(Suggestion.submitted_at >= start)
    if end is not None:
        stmt = stmt.where(Suggestion.submitted_at < end)
    return stmt


def org_maps():
    """``(names, regions)``: organisation id → name and → region (district) name."""
    orgs = {o.id: o for o in db.session.scalars(sa.select(Organisation))}
    names, regions = {}, {}
    for org in orgs.values():
        names[org.id] = org.name
        ids = [int(part) for part in org.path.strip("/").split("/") if part]
        chain = [orgs[i] for i in ids if i in orgs]
        district = next((o for o in chain if o.kind == OrgKind.DISTRICT), None)
        if district is not None:
            regions[org.id] = district.name
        else:
            root = chain[0] if chain else org
            regions[org.id] = f"{root.name}（市本级）"
    return names, regions


def _repeat_ids_for(start, end):
    """Phone repeats among items of ``[start, end)``: live phone pairs (the earlier
    item may predate the period) plus the frozen flags of de-identified items."""
    stmt = sa.select(
        Suggestion.id,
        Suggestion.contact_phone,
        agency_id_column(),
        Suggestion.category,
        Suggestion.submitted_at,
    ).where(Suggestion.contact_phone.is_not(None))
    if start is not None:
        stmt = stmt.where(
            Suggestion.submitted_at >= start - timedelta(days=REPEAT_WINDOW_DAYS)
        )
    if end is not None:
        stmt = stmt.where(Suggestion.submitted_at < end)
    live = phone_repeat_ids(db.session.execute(stmt))
    frozen = _in_period(
        sa.select(Suggestion.id).where(Suggestion.is_phone_repeat.is_(True)),
        start,
        end,
    )
    return live | set(db.session.scalars(frozen))


def load_figures(condition, today, date_from=None, date_to=None, accepted_only=False):
    """Compute the figures of the items matching ``condition`` (a SQL condition on
    ``Suggestion`` joined with ``AgencyOrg``) in the period.

    :param accepted_only: count only accepted items (the public page).
    """
    start, end = period_bounds(date_from, date_to)
    stmt = (
        sa.select(
            Suggestion.id,
            Suggestion.category,
            Suggestion.status,
            agency_id_column(),
            Suggestion.accepted_at,
            Suggestion.due_on,
            Suggestion.replied_at,
            Suggestion.rating,
            Suggestion.merged_into_id,
        )
        .outerjoin(AgencyOrg, AgencyOrg.c.id == agency_id_column())
        .where(condition)
    )
    if accepted_only:
        stmt = stmt.where(Suggestion.accepted_at.is_not(None))
    items = [Item(*row) for row in db.session.execute(_in_period(stmt, start, end))]
    names, regions = org_maps()
    return compute(items, today, _repeat_ids_for(start, end), names, regions)


def count_received(date_from=None, date_to=None):
    """All items received in the period (the public page's headline)."""
    start, end = period_bounds(date_from, date_to)
    stmt = _in_period(sa.select(sa.func.count(Suggestion.id)), start, end)
    return db.session.scalar(stmt) or 0
