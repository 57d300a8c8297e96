"""Dashboard figures (监督统计) over the cases a user may see, by filters."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from casebank.cases.models import CaseFile, CaseFinding, CheckStatus
from casebank.cases.queries import fine_position, org_scope_filter
from casebank.models import BenchmarkCatalogue, BenchmarkTier
from casebank.reviews.models import CaseReview, FindingLabel, Grade, ReviewStatus
from casebank.reviews.precision import (
    AGENCY,
    CATALOGUE,
    label_counts,
    precision_row,
    settings,
)
from nlp.precision import is_demoted
from portal.extensions import db
from portal.orgs.models import Domain, Organisation, organisation_domains

# Where a fine sits in its tier's yuan range: below, five fifths, above.
POSITION_BUCKETS = (
    "低于档次下限",
    "0–20%",
    "20–40%",
    "40–60%",
    "60–80%",
    "80–100%",
    "高于档次上限",
)


@dataclass(frozen=True)
class Filters:
    agency_id: int | None = None
    domain: str | None = None  # Domain.code
    date_from: date | None = None  # decision date
    date_to: date | None = None


def _case_ids(user, filters: Filters):
    stmt = (
        sa.select(CaseFile.id)
        .join(Organisation, CaseFile.agency_id == Organisation.id)
        .where(org_scope_filter(user))
    )
    if filters.agency_id:
        stmt = stmt.where(CaseFile.agency_id == filters.agency_id)
    if filters.domain:
        stmt = stmt.where(Organisation.domains.any(Domain.code == filters.domain))
    if filters.date_from:
        stmt = stmt.where(CaseFile.decision_date >= filters.date_from)
    if filters.date_to:
        stmt = stmt.where(CaseFile.decision_date <= filters.date_to)
    return stmt


def precision_scopes(case_ids) -> list[dict]:
    """Measured precision of each finding code per agency and per catalogue over
    the labels of ``case_ids``: counts, precision, Wilson 95 % interval, and
    whether the code is shown there as 提示 under the current settings."""
    floor, min_labels = settings()
    counts = label_counts(case_ids)
    names = {
        AGENCY: dict(
            db.session.execute(
                sa.select(Organisation.id, Organisation.name).where(
                    Organisation.id.in_([k[2] for k in counts if k[1] == AGENCY])
                )
            ).all()
        ),
        CATALOGUE: dict(
            db.session.execute(
                sa.select(BenchmarkCatalogue.id, BenchmarkCatalogue.name).where(
                    BenchmarkCatalogue.id.in_(
                        [k[2] for k in counts if k[1] == CATALOGUE]
                    )
                )
            ).all()
        ),
    }
    rows = []
    for (code, scope, scope_id), (ok, n) in sorted(counts.items()):
        row = {
            "code": code,
            "scope": "执法部门" if scope == AGENCY else "裁量基准目录",
            "scope_name": names[scope].get(scope_id, f"#{scope_id}"),
            "demoted": is_demoted(ok, n, floor, min_labels),
        }
        row.update(precision_row(ok, n))
        rows.append(row)
    return rows


def position_bucket(pct: float) -> str:
    """The bucket of ``POSITION_BUCKETS`` for a position in percent."""
    if pct < 0:
        return POSITION_BUCKETS[0]
    if pct > 100:
        return POSITION_BUCKETS[-1]
    return POSITION_BUCKETS[1 + min(int(pct // 20), 4)]


def dashboard(user, filters: Filters) -> dict:
    """Every figure of the dashboard for the cases ``user`` sees under ``filters``.

    :return: ``totals`` (cases, checked, flagged, reviewed), ``agencies`` (rows per
        agency), ``domains`` (rows per enforcement domain of the agencies; an agency
        of two domains counts in both), ``codes`` (findings, labelled, dismissed, dismissal rate per
        code), ``positions`` (bucket → cases), ``grades`` (grade → reviews).
    """
    ids = _case_ids(user, filters).subquery()
    checked = sa.case((CaseFile.check_status == CheckStatus.CHECKED, 1), else_=0)
    flagged = sa.case((CaseFile.finding_count > 0, 1), else_=0)
    rows = db.session.execute(
        sa.select(
            Organisation.id,
            Organisation.name,
            sa.func.count(CaseFile.id),
            sa.func.coalesce(sa.func.sum(checked), 0),
            sa.func.coalesce(sa.func.sum(flagged), 0),
        )
        .join(CaseFile, CaseFile.agency_id == Organisation.id)
        .where(CaseFile.id.in_(sa.select(ids.c.id)))
        .group_by(Organisation.id, Organisation.name)
        .order_by(Organisation.name)
    ).all()
    reviewed = dict(
        db.session.execute(
            sa.select(
                CaseFile.agency_id, sa.func.count(sa.distinct(CaseReview.case_id))
            )
            .join(CaseReview, CaseReview.case_id == CaseFile.id)
            .where(
                CaseFile.id.in_(sa.select(ids.c.id)),
                CaseReview.status == ReviewStatus.SUBMITTED,
            )
            .group_by(CaseFile.agency_id)
        ).all()
    )
    agencies = [
        {
            "id": r[0],
            "name": r[1],
            "cases": r[2],
            "checked": int(r[3]),
            "flagged": int(r[4]),
            "reviewed": reviewed.get(r[0], 0),
        }
        for r in rows
    ]
    totals = {
        key: sum(a[key] for a in agencies)
        for key in ("cases", "checked", "flagged", "reviewed")
    }

    by_domain = [
        {"name": name, "cases": n, "checked": int(c or 0), "flagged": int(f or 0)}
        for name, n, c, f in db.session.execute(
            sa.select(
                Domain.name,
                sa.func.count(CaseFile.id),
                sa.func.sum(checked),
                sa.func.sum(flagged),
            )
            .join(
                organisation_domains,
                organisation_domains.c.organisation_id == CaseFile.agency_id,
            )
            .join(Domain, Domain.id == organisation_domains.c.domain_id)
            .where(CaseFile.id.in_(sa.select(ids.c.id)))
            .group_by(Domain.id, Domain.name)
            .order_by(Domain.id)
        ).all()
    ]

    found = dict(
        db.session.execute(
            sa.select(CaseFinding.code, sa.func.count(CaseFinding.id))
            .where(CaseFinding.case_id.in_(sa.select(ids.c.id)))
            .group_by(CaseFinding.code)
        ).all()
    )
    dismissed_sum = sa.func.sum(
        sa.case((FindingLabel.decision == "dismissed", 1), else_=0)
    )
    labelled = {
        code: (int(n), int(d or 0))
        for code, n, d in db.session.execute(
            sa.select(FindingLabel.code, sa.func.count(FindingLabel.id), dismissed_sum)
            .where(FindingLabel.case_id.in_(sa.select(ids.c.id)))
            .group_by(FindingLabel.code)
        ).all()
    }
    codes = []
    for code in sorted(set(found) | set(labelled)):
        n, d = labelled.get(code, (0, 0))
        codes.append(
            {
                "code": code,
                "findings": found.get(code, 0),
                "labelled": n,
                "dismissed": d,
                "confirmed": n - d,
                "dismissal_rate": round(d / n * 100, 1) if n else None,
            }
        )

    positions = dict.fromkeys(POSITION_BUCKETS, 0)
    cases = db.session.scalars(
        sa.select(CaseFile)
        .where(
            CaseFile.id.in_(sa.select(ids.c.id)),
            CaseFile.matched_tier_id.is_not(None),
            CaseFile.fine_yuan.is_not(None),
        )
        .options(
            # Only what fine_position reads: not the case text.
            so.load_only(
                CaseFile.id,
                CaseFile.matched_tier_id,
                CaseFile.fine_yuan,
                CaseFile.party_type,
            ),
            so.selectinload(CaseFile.matched_tier).selectinload(BenchmarkTier.fines),
        )
    )
    for case in cases:
        position = fine_position(case)
        if position is not None:
            positions[position_bucket(position["pct"])] += 1

    grades = dict.fromkeys(Grade, 0)
    for grade, n in db.session.execute(
        sa.select(CaseReview.grade, sa.func.count(CaseReview.id))
        .where(
            CaseReview.case_id.in_(sa.select(ids.c.id)),
            CaseReview.status == ReviewStatus.SUBMITTED,
        )
        .group_by(CaseReview.grade)
    ).all():
        grades[Grade(grade)] = n
    for row in codes:
        row.update(
            {
                k: v
                for k, v in precision_row(row["confirmed"], row["labelled"]).items()
                if k in ("precision", "low", "high")
            }
        )
    return {
        "totals": totals,
        "agencies": agencies,
        "domains": by_domain,
        "codes": codes,
        "precision": precision_scopes(sa.select(ids.c.id)),
        "positions": positions,
        "grades": {g.label: n for g, n in grades.items()},
    }
