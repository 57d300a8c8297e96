"""The checker's running score: precision of each finding code measured by the
supervisors' confirm/dismiss labels, per agency and per catalogue, and the
demotion of codes that fall below ``CHECKER_PRECISION_FLOOR`` to 提示.

Services flush, never commit (STYLE). See docs/nlp.md, "Learning from supervisors".
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from casebank.cases.models import CaseFile
from casebank.models import CatalogueVersion
from casebank.reviews.models import CheckerPrecisionState, FindingLabel
from nlp.precision import is_demoted, wilson_interval
from portal import audit
from portal.extensions import db
from portal.timeutil import utcnow

AGENCY, CATALOGUE = "agency", "catalogue"


def settings() -> tuple[float, int]:
    """(floor, minimum labels) from the configuration."""
    config = current_app.config
    return (
        float(config.get("CHECKER_PRECISION_FLOOR") or 0),
        int(config.get("CHECKER_MIN_LABELS") or 0),
    )


def label_counts(case_ids=None) -> dict[tuple[str, str, int], tuple[int, int]]:
    """(code, scope, scope id) → (confirmed, labelled) over the labels of cases.

    A case's catalogue is the catalogue of the version its findings were matched
    against. Several reviewers' labels of one finding each count.

    :param case_ids: a select of case ids to restrict to (all cases when None).
    """
    confirmed = sa.func.sum(sa.case((FindingLabel.decision == "confirmed", 1), else_=0))
    counts: dict[tuple[str, str, int], tuple[int, int]] = {}
    base = sa.select(FindingLabel.code).join(
        CaseFile, CaseFile.id == FindingLabel.case_id
    )
    if case_ids is not None:
        base = base.where(FindingLabel.case_id.in_(case_ids))
    by_agency = base.add_columns(
        CaseFile.agency_id, confirmed, sa.func.count(FindingLabel.id)
    ).group_by(FindingLabel.code, CaseFile.agency_id)
    for code, scope_id, ok, n in db.session.execute(by_agency).all():
        counts[code, AGENCY, scope_id] = (int(ok or 0), int(n))
    by_catalogue = (
        base.join(CatalogueVersion, CatalogueVersion.id == CaseFile.matched_version_id)
        .add_columns(
            CatalogueVersion.catalogue_id, confirmed, sa.func.count(FindingLabel.id)
        )
        .group_by(FindingLabel.code, CatalogueVersion.catalogue_id)
    )
    for code, scope_id, ok, n in db.session.execute(by_catalogue).all():
        counts[code, CATALOGUE, scope_id] = (int(ok or 0), int(n))
    return counts


def precision_row(confirmed: int, labelled: int) -> dict:
    """Precision, Wilson 95 % interval and counts, for tables and JSON."""
    interval = wilson_interval(confirmed, labelled)
    return {
        "confirmed": confirmed,
        "labelled": labelled,
        "precision": round(confirmed / labelled, 3) if labelled else None,
        "low": round(interval[0], 3) if interval else None,
        "high": round(interval[1], 3) if interval else None,
    }


def refresh_states(actor) -> list[CheckerPrecisionState]:
    """Recompute every (code, scope) state from the labels and audit each change
    of demotion (降为提示 / 恢复为问题). Call after labels change or the settings
    change (``flask casebank checker-precision``).

    :return: the states whose demotion changed.
    """
    floor, min_labels = settings()
    counts = label_counts()
    existing = {
        (s.code, s.scope, s.scope_id): s
        for s in db.session.scalars(sa.select(CheckerPrecisionState))
    }
    changed = []
    for key in sorted(set(counts) | set(existing)):
        ok, n = counts.get(key, (0, 0))
        demoted = is_demoted(ok, n, floor, min_labels)
        state = existing.get(key)
        if state is None:
            if not demoted and n == 0:
                continue
            state = CheckerPrecisionState(
                code=key[0], scope=key[1], scope_id=key[2], demoted=False
            )
            db.session.add(state)
        state.labelled, state.confirmed = n, ok
        if state.demoted != demoted:
            state.demoted = demoted
            state.changed_at = utcnow()
            db.session.flush()
            audit.record(
                "checker_code_demoted" if demoted else "checker_code_restored",
                actor,
                state,
                before={"demoted": not demoted},
                after={
                    "demoted": demoted,
                    "confirmed": ok,
                    "labelled": n,
                    "floor": floor,
                    "min_labels": min_labels,
                },
            )
            changed.append(state)
    db.session.flush()
    return changed


def demoted_codes(case: CaseFile) -> set[str]:
    """The finding codes shown as 提示 on this case: demoted in its agency or in
    the catalogue its findings were matched against, under the current settings
    (so lowering the floor to 0 restores every code at once)."""
    floor, min_labels = settings()
    if not floor:
        return set()
    scopes = [(AGENCY, case.agency_id)]
    if case.matched_version_id is not None:
        version = db.session.get(CatalogueVersion, case.matched_version_id)
        if version is not None:
            scopes.append((CATALOGUE, version.catalogue_id))
    conditions = [
        sa.and_(CheckerPrecisionState.scope == s, CheckerPrecisionState.scope_id == i)
        for s, i in scopes
    ]
    rows = db.session.scalars(
        sa.select(CheckerPrecisionState).where(sa.or_(*conditions))
    )
    return {
        r.code for r in rows if is_demoted(r.confirmed, r.labelled, floor, min_labels)
    }


def portal_feedback() -> list[tuple[CaseFile, dict]]:
    """Every labelled case with the supervisors' verdicts per code (majority of
    the reviewers who labelled it; a tie counts as dismissed) and the case's
    metadata as staff keep it."""
    confirmed = sa.func.sum(sa.case((FindingLabel.decision == "confirmed", 1), else_=0))
    dismissed = sa.func.sum(sa.case((FindingLabel.decision == "dismissed", 1), else_=0))
    verdicts: dict[int, dict] = {}
    for case_id, code, ok, no in db.session.execute(
        sa.select(FindingLabel.case_id, FindingLabel.code, confirmed, dismissed)
        .group_by(FindingLabel.case_id, FindingLabel.code)
        .order_by(FindingLabel.case_id, FindingLabel.code)
    ).all():
        entry = verdicts.setdefault(
            case_id, {"case_id": case_id, "confirmed": [], "dismissed": []}
        )
        entry["confirmed" if (ok or 0) > (no or 0) else "dismissed"].append(code)
    result = []
    for case_id, entry in verdicts.items():
        case = db.session.get(CaseFile, case_id)
        if case is None:
            continue
        entry["fine_yuan"] = case.fine_yuan
        entry["decision_date"] = (
            case.decision_date.isoformat() if case.decision_date else None
        )
        entry["party"] = case.party_type
        result.append((case, entry))
    return result


def evaluate_portal(app) -> dict:
    """Review every labelled case of the portal with the current checker (against
    the catalogue versions that apply to it) and score it against the labels.

    :return: the metrics of :func:`nlp.evaluate.score_feedback`.
    """
    from casebank.cases.queries import versions_for_case
    from casebank.queries import to_nlp_catalogue
    from casebank.reviewer import make_reviewer
    from nlp.evaluate import score_feedback

    reviewers: dict[tuple, object] = {}
    results, feedback = [], []
    for case, entry in portal_feedback():
        versions = versions_for_case(case)
        key = tuple(v.id for v in versions)
        if key not in reviewers:
            reviewers[key] = make_reviewer([to_nlp_catalogue(v) for v in versions], app)
        result, _ = reviewers[key].review_with_hints(
            case.text, f"case:{case.id}", stated_date=case.decision_date
        )
        results.append(result)
        feedback.append(entry)
    return score_feedback(results, feedback)
