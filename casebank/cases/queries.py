"""Scoped reads over case files.

Agency handlers (部门经办人) see the cases of the agencies in their scope,
supervision staff (执法监督人员) those of agencies in their region, system
administrators every case. The rule is applied in SQL; anything else is a 404.
"""

from datetime import date

import sqlalchemy as sa

from casebank.cases.models import CaseFile, CheckStatus
from portal.auth.models import Role
from portal.auth.roles import SCOPED_CASE_WORKERS
from portal.extensions import db
from portal.orgs.models import Organisation, OrgKind


def _scope_paths(user) -> list[str]:
    return [s.path for role in SCOPED_CASE_WORKERS for s in user.scopes_for(role)]


def org_scope_filter(user):
    """SQL condition on ``Organisation`` rows whose cases ``user`` may handle."""
    if user.has_role(Role.SYS_ADMIN):
        return sa.true()
    paths = _scope_paths(user)
    if not paths:
        return sa.false()
    return sa.or_(*(Organisation.path.startswith(p, autoescape=True) for p in paths))


def agencies_for(user) -> list[Organisation]:
    """The agencies ``user`` may add cases to, in tree order."""
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .where(Organisation.kind == OrgKind.AGENCY, org_scope_filter(user))
            .order_by(Organisation.path)
        )
    )


def cases_visible_to(
    user,
    agency_id: int | None = None,
    status: str | None = None,
    has_findings: bool | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    q: str = "",
):
    """Select the cases ``user`` may see, filtered; most severe first, then newest.

    :param has_findings: True for cases with findings, False for clean ones.
    :param q: a part of the 文号 or the original file name.
    """
    stmt = (
        sa.select(CaseFile)
        .join(Organisation, CaseFile.agency_id == Organisation.id)
        .where(org_scope_filter(user))
    )
    if agency_id:
        stmt = stmt.where(CaseFile.agency_id == agency_id)
    if status in tuple(CheckStatus):
        stmt = stmt.where(CaseFile.check_status == status)
    if has_findings is True:
        stmt = stmt.where(CaseFile.finding_count > 0)
    elif has_findings is False:
        stmt = stmt.where(
            CaseFile.finding_count == 0,
            CaseFile.check_status == CheckStatus.CHECKED,
        )
    if date_from:
        stmt = stmt.where(CaseFile.decision_date >= date_from)
    if date_to:
        stmt = stmt.where(CaseFile.decision_date <= date_to)
    if q:
        stmt = stmt.where(
            sa.or_(
                CaseFile.doc_number.contains(q, autoescape=True),
                CaseFile.original_filename.contains(q, autoescape=True),
            )
        )
    return stmt.order_by(
        CaseFile.max_severity_rank.desc(),
        CaseFile.created_at.desc(),
        CaseFile.id.desc(),
    )


def visible_case(user, case_id: int) -> CaseFile | None:
    """The case if ``user`` may see it, else None (the view answers 404)."""
    return db.session.scalar(
        sa.select(CaseFile)
        .join(Organisation, CaseFile.agency_id == Organisation.id)
        .where(CaseFile.id == case_id, org_scope_filter(user))
    )


def pending_case_ids(limit: int | None = None) -> list[int]:
    """Ids of the cases waiting for their check, oldest first."""
    stmt = (
        sa.select(CaseFile.id)
        .where(CaseFile.check_status == CheckStatus.PENDING)
        .order_by(CaseFile.id)
    )
    if limit:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


def catalogue_dates(case: CaseFile) -> list[date]:
    """The days whose catalogue versions may apply to ``case``, best first.

    The rule (docs/case-supervision.md §8, "Which catalogue version"): a stated
    decision date (entered by staff, or read from the 决定日期 label or the 落款)
    is the only day. Otherwise the date is bounded from every date the text holds
    (:func:`nlp.metadata.decision_window`: the latest recorded step — 立案, 检查,
    告知 … — is a lower bound, the 送达 of the decision an upper bound, the 文号
    year bounds both) and the upload day is a further upper bound (a decision is
    made before it is uploaded). The days tried are the lower bound (a decision
    follows its last recorded step closely), then the upper bound; a decision
    without any readable date is taken as recent (the upload day). A version
    in force on neither bound is not used: the decision was not made under it.
    """
    from nlp.metadata import decision_window

    if case.decision_date is not None:
        return [case.decision_date]
    uploaded = case.created_at.date() if case.created_at else None
    window = decision_window(case.text or "")
    high = window.high
    if uploaded is not None and (high is None or high > uploaded):
        high = uploaded
    low = window.low
    if low is not None and high is not None and low > high:
        low = high  # a date after the upload is a typo: trust the upload day
    if not window.known:
        return [uploaded] if uploaded is not None else []
    days = [d for d in (low, high) if d is not None]
    return list(dict.fromkeys(days))


def versions_for_case(case: CaseFile) -> list:
    """The published catalogue versions the checker uses for ``case``: in force on
    its decision date, for its agency's jurisdiction and domains (most local first).

    Without a stated decision date, the versions in force on the first day of
    :func:`catalogue_dates` that has any (so an undated decision is still
    matched to the catalogue items).
    """
    for day in catalogue_dates(case):
        found = _versions_on(case, day)
        if found:
            return found
    return []


def _versions_on(case: CaseFile, day: date) -> list:
    from casebank.queries import versions_in_force

    agency = case.agency
    if not agency.domains:
        return versions_in_force(day, organisation=agency)
    found, seen = [], set()
    for domain in agency.domains:
        for version in versions_in_force(day, domain=domain, organisation=agency):
            if version.id not in seen:
                seen.add(version.id)
                found.append(version)
    return found


def fine_position(case: CaseFile) -> dict | None:
    """Where the fine sits in the matched tier's yuan range, if it can tell.

    :return: ``{"fine": BenchmarkFine, "pct": position in % (may be < 0 or > 100),
        "bar": pct clamped to 0–100, "inside": bool}``, or None (no tier, no fine,
        no yuan range for the party).
    """
    tier = case.matched_tier
    if tier is None or case.fine_yuan is None:
        return None
    for fine in tier.fines:
        if fine.unit != "yuan" or fine.max_value is None:
            continue
        if fine.party not in ("any", case.party_type):
            continue
        low = fine.min_value or 0.0
        high = fine.max_value
        if high <= low:
            continue
        pct = (case.fine_yuan - low) / (high - low) * 100
        return {
            "fine": fine,
            "pct": round(pct, 1),
            "bar": max(0.0, min(100.0, pct)),
            "inside": low <= case.fine_yuan <= high,
        }
    return None
