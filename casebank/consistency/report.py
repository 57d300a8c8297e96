"""Selective-enforcement signals (选择性执法) and the consistency report.

For one period (decision dates) and one organisation subtree: the distribution of
fine positions per item and tier, the share of decisions at the tier extremes, the
share without discretion reasoning, and disparities by party type and by handling
officer. Every figure comes from a group of at least ``min_group`` cases; smaller
groups show their size and "—". The report states its data (case count and a
SHA-256 of the case ids) and parameters, so it can be recomputed.
"""

from __future__ import annotations

import hashlib
import statistics
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

from casebank.cases.models import CaseFinding
from casebank.consistency.models import CaseOfficer, CasePeerKey
from portal.extensions import db
from portal.orgs.models import Organisation
from portal.timeutil import utcnow

# A fine within 5 % of the range from the bottom or the top is "at the extreme".
EXTREME = 0.05
PARTY_LABELS = {"individual": "个人", "organization": "单位"}


@dataclass(frozen=True)
class Row:
    case_id: int
    agency_id: int
    agency: str
    item_code: str
    tier_level: str
    party_type: str | None
    position: float
    is_reasoned: bool


def _pct(value):
    return None if value is None else round(value * 100, 1)


def _share(flags: list[bool]):
    return _pct(sum(flags) / len(flags)) if flags else None


def _extreme(position: float) -> bool:
    return position <= EXTREME or position >= 1 - EXTREME


def _quartiles(values: list[float]):
    if len(values) < 2:
        return values[0], values[0]
    q = statistics.quantiles(values, n=4, method="inclusive")
    return q[0], q[2]


def load_rows(org: Organisation, start, end) -> list[Row]:
    """The compared cases of the period in ``org``'s subtree (one query)."""
    stmt = (
        sa.select(
            CasePeerKey.case_id,
            CasePeerKey.agency_id,
            Organisation.name,
            CasePeerKey.item_code,
            CasePeerKey.tier_level,
            CasePeerKey.party_type,
            CasePeerKey.position,
            CasePeerKey.is_reasoned,
        )
        .join(Organisation, CasePeerKey.agency_id == Organisation.id)
        .where(
            Organisation.path.startswith(org.path, autoescape=True),
            CasePeerKey.decision_date >= start,
            CasePeerKey.decision_date <= end,
        )
        .order_by(CasePeerKey.case_id)
    )
    return [Row(*r) for r in db.session.execute(stmt).all()]


def build_report(org: Organisation, period, min_group: int, scope: str) -> dict:
    """Compute every table of the report.

    :param period: a :class:`casebank.supervision.sampling.Period`.
    :param scope: the comparison scope in force (stated among the parameters).
    """
    rows = load_rows(org, period.start, period.end)
    ids = [r.case_id for r in rows]
    flagged = _flagged(ids)
    officers = _officers(ids)
    groups: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for r in rows:
        groups[(r.item_code, r.tier_level)].append(r)
    medians = {
        key: statistics.median(r.position for r in members)
        for key, members in groups.items()
    }
    return {
        "title": f"{org.name}行政执法罚款裁量一致性报告（{period.label}）",
        "parameters": {
            "organisation": org.name,
            "organisation_code": org.code,
            "period": period.key,
            "period_label": period.label,
            "date_from": period.start.isoformat(),
            "date_to": period.end.isoformat(),
            "min_group": min_group,
            "extreme": _pct(EXTREME),
            "scope": scope,
            "case_count": len(rows),
            "case_digest": hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest(),
            "generated_at": utcnow().strftime("%Y-%m-%d %H:%M:%S UTC"),
        },
        "items": _item_table(groups, min_group, flagged),
        "agencies": _agency_table(rows, min_group, flagged),
        "parties": _party_table(groups, min_group),
        "officers": _officer_table(rows, officers, medians, min_group),
    }


def _flagged(ids) -> set[int]:
    if not ids:
        return set()
    found = set()
    for chunk in range(0, len(ids), 5000):
        found.update(
            db.session.scalars(
                sa.select(CaseFinding.case_id).where(
                    CaseFinding.case_id.in_(ids[chunk : chunk + 5000]),
                    CaseFinding.code == "INCONSISTENT_WITH_SIMILAR",
                    CaseFinding.closed_at.is_(None),
                )
            )
        )
    return found


def _officers(ids) -> dict[tuple[str, str], list[int]]:
    by_officer: dict[tuple[str, str], list[int]] = defaultdict(list)
    for chunk in range(0, len(ids), 5000):
        for case_id, name, cert in db.session.execute(
            sa.select(CaseOfficer.case_id, CaseOfficer.name, CaseOfficer.cert_no).where(
                CaseOfficer.case_id.in_(ids[chunk : chunk + 5000])
            )
        ):
            by_officer[(cert, name)].append(case_id)
    return by_officer


def _item_table(groups, min_group, flagged) -> list[dict]:
    table = []
    for (item, tier), members in sorted(groups.items()):
        n = len(members)
        enough = n >= min_group
        positions = sorted(r.position for r in members)
        q1, q3 = _quartiles(positions) if enough else (None, None)
        table.append(
            {
                "item_code": item,
                "tier_level": tier,
                "n": n,
                "enough": enough,
                "median": _pct(statistics.median(positions)) if enough else None,
                "q1": _pct(q1),
                "q3": _pct(q3),
                "extreme_share": _share([_extreme(p) for p in positions])
                if enough
                else None,
                "unreasoned_share": _share([not r.is_reasoned for r in members])
                if enough
                else None,
                "flagged": sum(r.case_id in flagged for r in members)
                if enough
                else None,
                "positions": [_pct(p) for p in positions] if enough else [],
            }
        )
    return table


def _agency_table(rows, min_group, flagged) -> list[dict]:
    by_agency: dict[tuple[int, str], list[Row]] = defaultdict(list)
    for r in rows:
        by_agency[(r.agency_id, r.agency)].append(r)
    table = []
    for (_, name), members in sorted(by_agency.items(), key=lambda kv: kv[0][1]):
        n = len(members)
        enough = n >= min_group
        table.append(
            {
                "agency": name,
                "n": n,
                "enough": enough,
                "extreme_share": _share([_extreme(r.position) for r in members])
                if enough
                else None,
                "unreasoned_share": _share([not r.is_reasoned for r in members])
                if enough
                else None,
                "flagged": sum(r.case_id in flagged for r in members)
                if enough
                else None,
            }
        )
    return table


def _party_table(groups, min_group) -> list[dict]:
    table = []
    for (item, tier), members in sorted(groups.items()):
        cells = {}
        for party in ("individual", "organization"):
            values = [r.position for r in members if r.party_type == party]
            cells[party] = {
                "n": len(values),
                "median": _pct(statistics.median(values))
                if len(values) >= min_group
                else None,
            }
        a, b = cells["individual"]["median"], cells["organization"]["median"]
        table.append(
            {
                "item_code": item,
                "tier_level": tier,
                "individual": cells["individual"],
                "organization": cells["organization"],
                "gap": round(b - a, 1) if a is not None and b is not None else None,
            }
        )
    return table


def _officer_table(rows, officers, medians, min_group) -> list[dict]:
    """Per officer: how far their cases sit from their item/tier group's median
    (mean of the signed differences, in points of the tier range)."""
    by_id = {r.case_id: r for r in rows}
    table = []
    for (cert, name), case_ids in sorted(officers.items()):
        members = [by_id[c] for c in case_ids if c in by_id]
        n = len(members)
        enough = n >= min_group
        diffs = [r.position - medians[(r.item_code, r.tier_level)] for r in members]
        table.append(
            {
                "name": name,
                "cert_no": cert,
                "n": n,
                "enough": enough,
                "mean_gap": _pct(statistics.fmean(diffs)) if enough else None,
                "extreme_share": _share([_extreme(r.position) for r in members])
                if enough
                else None,
            }
        )
    return table
