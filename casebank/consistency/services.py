"""Compare checked cases with the archive and keep INCONSISTENT_WITH_SIMILAR current.

* :func:`update_key` stores a case's comparison key after its check (the
  :class:`~casebank.consistency.models.CasePeerKey` row);
* :func:`evaluate_group` re-judges every case of one peer group (after new cases
  arrive in it) and :func:`recompute_all` every group (the nightly job);
* a finding is opened (or re-opened), updated, or **closed** with a reason; never
  deleted, so the supervisors' labels keep their finding.

Services flush, the job or command that calls them commits (STYLE R5).
"""

from __future__ import annotations

import logging
import math
from collections import Counter, defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from casebank.cases.models import SEVERITY_RANK, CaseFile, CaseFinding
from casebank.consistency.models import (
    SCOPE_LABELS,
    SCOPES,
    CaseOfficer,
    CasePeerKey,
    scope_column,
)
from nlp.peers import (
    PeerPoint,
    Rule,
    Verdict,
    judge_group,
    parse_officers,
    position,
    stated_reasons,
)
from portal.extensions import db
from portal.orgs.models import Organisation
from portal.timeutil import utcnow

logger = logging.getLogger(__name__)

CODE = "INCONSISTENT_WITH_SIMILAR"
SEVERITY = "medium"
CLOSED_REASON = "重新比对后不再偏离同类案件"
CLOSED_NO_KEY = "重新检查后不再属于可比对的同类案件组"
REFERENCE_COUNT = 5
REFERENCE_POOL = 30
TEXT_CHARS = 800
FINDING_POSITION = 1000  # after the checker's findings


@dataclass(frozen=True)
class GroupKey:
    """One peer group in one comparison scope."""

    item_code: str
    tier_level: str
    scope: str
    scope_id: int

    def as_list(self) -> list:
        return [self.item_code, self.tier_level, self.scope, self.scope_id]


def configured_scope() -> str:
    """``CONSISTENCY_SCOPE`` (city | region | agency), city when misconfigured."""
    scope = current_app.config.get("CONSISTENCY_SCOPE", "city")
    return scope if scope in SCOPES else "city"


def configured_rule() -> Rule:
    """The outlier rule with ``CONSISTENCY_MIN_GROUP`` (default 5)."""
    return Rule(min_group=int(current_app.config.get("CONSISTENCY_MIN_GROUP", 5)))


def scope_ids(agency: Organisation) -> tuple[int, int]:
    """(city id, region id) of an agency from its materialised path.

    The region is the district level (second node of the path) or the city when
    the agency sits directly under the city.
    """
    ids = [int(x) for x in agency.path.strip("/").split("/") if x]
    city = ids[0] if ids else agency.id
    region = ids[1] if len(ids) >= 3 else city
    return city, region


_SCOPE_ATTR = {"city": "city_id", "region": "region_id", "agency": "agency_id"}
# What a comparison reads of each key row: plain tuples, no ORM objects (the
# nightly job reads every row of the archive).
KEY_COLUMNS = (
    CasePeerKey.case_id,
    CasePeerKey.item_code,
    CasePeerKey.tier_level,
    CasePeerKey.city_id,
    CasePeerKey.region_id,
    CasePeerKey.agency_id,
    CasePeerKey.decision_date,
    CasePeerKey.fine_yuan,
    CasePeerKey.position,
    CasePeerKey.is_aggravating,
    CasePeerKey.is_mitigating,
    CasePeerKey.reason_names,
)

_NAMES_MAX = 500


def join_names(names) -> str | None:
    """The stored form of reason names: sorted, "|"-separated, at most 500
    characters (whole names only); "" when there are none (NULL is left for
    keys stored before the names were, see :func:`fill_reason_names`)."""
    stored = ""
    for name in sorted(names):
        if len(stored) + len(name) + 1 > _NAMES_MAX:
            break
        stored = f"{stored}|{name}" if stored else name
    return stored


def split_names(stored: str | None) -> frozenset[str]:
    """The reason names of a stored key (empty for NULL)."""
    return frozenset(stored.split("|")) if stored else frozenset()


def fill_reason_names(batch: int = 500, refill: bool = False) -> int:
    """Store the reason names (and flags) of the keys stored before the names
    were (``reason_names`` NULL), from each case's text and stored review — no
    re-check. Run once after the upgrade, then :func:`recompute_all`.

    :param refill: rewrite the names of every key (after the naming changed:
        sixth round, canonical names from the reason classifier and weak
        reasons marked ``-~``).
    :return: the number of keys filled.
    """
    filled = 0
    after = 0
    while True:
        query = sa.select(CasePeerKey.case_id).order_by(CasePeerKey.case_id)
        if refill:
            query = query.where(CasePeerKey.case_id > after)
        else:
            query = query.where(CasePeerKey.reason_names.is_(None))
        ids = list(db.session.scalars(query.limit(batch)))
        if not ids:
            return filled
        after = ids[-1]
        for case in db.session.scalars(sa.select(CaseFile).where(CaseFile.id.in_(ids))):
            row = db.session.get(CasePeerKey, case.id)
            values = key_values(case)
            if values is None:
                row.reason_names = ""  # keyed by an older checker: names unknown
                continue
            row.is_aggravating = values["is_aggravating"]
            row.is_mitigating = values["is_mitigating"]
            row.reason_names = values["reason_names"]
        filled += len(ids)
        db.session.commit()


def group_of(row, scope: str | None = None) -> GroupKey:
    """The group of a key row (model or tuple) in ``scope`` (default: configured)."""
    scope = scope or configured_scope()
    return GroupKey(
        row.item_code, row.tier_level, scope, getattr(row, _SCOPE_ATTR[scope])
    )


# ----------------------------------------------------------------- keys


def update_key(case: CaseFile) -> list[GroupKey]:
    """Store (or drop) the comparison key of a just-checked case; parse officers.

    :return: the groups whose verdicts may change: the case's former group and
        its new one (the caller re-evaluates them).
    """
    scope = configured_scope()
    row = db.session.get(CasePeerKey, case.id)
    affected = [group_of(row, scope)] if row is not None else []
    values = key_values(case)
    if values is None:
        if row is not None:
            db.session.delete(row)
        close_open_finding(case, CLOSED_NO_KEY)
    else:
        if row is None:
            row = CasePeerKey(case_id=case.id)
            db.session.add(row)
        for name, value in values.items():
            setattr(row, name, value)
        affected.append(group_of(row, scope))
    _store_officers(case)
    db.session.flush()
    return list(dict.fromkeys(affected))


def key_values(case: CaseFile) -> dict | None:
    """The comparison key of a case, or None when it cannot be compared (no item,
    no tier, no fine, or a tier range that cannot be converted to yuan)."""
    review = case.review or {}
    rng = review.get("tier_range") or {}
    # A case whose text decides no tier, or whose fine lies outside a tier only
    # inferred from its facts, is compared with the cases of the tier its fine
    # lies in (``comparison_tier``, see nlp.tiers.comparison_tier).
    level = review.get("comparison_tier") or (
        case.matched_tier.level if case.matched_tier is not None else None
    )
    if case.matched_item is None or level is None:
        return None
    pos = position(case.fine_yuan, rng.get("low"), rng.get("high"))
    if pos is None:
        return None
    aggravating, mitigating, names = stated_reasons(
        case.text,
        review.get("factors") or [],
        case.matched_item.violation,
        compared_tier(case),
    )
    city, region = scope_ids(case.agency)
    reasoned = not any(
        f.get("code") == "NO_DISCRETION_REASONING" for f in review.get("findings") or []
    )
    return {
        "item_code": case.matched_item.code,
        "tier_level": level,
        "city_id": city,
        "region_id": region,
        "agency_id": case.agency_id,
        "party_type": case.party_type,
        "decision_date": case.decision_date,
        "fine_yuan": float(case.fine_yuan),
        "range_low": float(rng["low"]),
        "range_high": float(rng["high"]),
        "position": pos,
        "is_aggravating": aggravating,
        "is_mitigating": mitigating,
        "reason_names": join_names(names),
        "is_reasoned": reasoned,
    }


def compared_tier(case: CaseFile) -> str:
    """The level and condition of the tier a case is compared in ("" when it has
    none), for :func:`nlp.peers.reason_words`: a mitigating circumstance that
    only restates it is shared by the whole group."""
    review = case.review or {}
    level = review.get("comparison_tier") or (
        case.matched_tier.level if case.matched_tier is not None else None
    )
    if case.matched_item is None or level is None:
        return ""
    tier = next((t for t in case.matched_item.tiers if t.level == level), None)
    return f"{tier.level} {tier.condition}" if tier is not None else ""


def _store_officers(case: CaseFile) -> None:
    db.session.execute(sa.delete(CaseOfficer).where(CaseOfficer.case_id == case.id))
    for officer in parse_officers(case.text):
        db.session.add(
            CaseOfficer(
                case_id=case.id, name=officer.name[:40], cert_no=officer.cert_no[:40]
            )
        )


# ----------------------------------------------------------------- groups


def group_rows(key: GroupKey) -> list:
    """Every key row of a group (tuples of :data:`KEY_COLUMNS`): one SELECT on
    the scope's composite index."""
    return list(
        db.session.execute(
            sa.select(*KEY_COLUMNS).where(
                CasePeerKey.item_code == key.item_code,
                CasePeerKey.tier_level == key.tier_level,
                scope_column(key.scope) == key.scope_id,
            )
        ).all()
    )


def _point(row) -> PeerPoint:
    return PeerPoint(
        row.case_id,
        row.position,
        row.is_aggravating,
        row.is_mitigating,
        split_names(row.reason_names),
    )


def compare_case(case_id: int) -> tuple[Verdict, list] | None:
    """Compare one case with its peers (its group in the configured scope).

    One SELECT: the key rows joined to the case's own key on the scope's
    composite index.

    :return: (verdict, the group's rows) or None when the case has no key.
    """
    from nlp.peers import judge

    scope = configured_scope()
    me = so.aliased(CasePeerKey)
    rows = list(
        db.session.execute(
            sa.select(*KEY_COLUMNS).join(
                me,
                sa.and_(
                    me.case_id == case_id,
                    me.item_code == CasePeerKey.item_code,
                    me.tier_level == CasePeerKey.tier_level,
                    getattr(me, _SCOPE_ATTR[scope]) == scope_column(scope),
                ),
            )
        ).all()
    )
    own = next((r for r in rows if r.case_id == case_id), None)
    if own is None:
        return None
    others = [_point(r) for r in rows if r.case_id != case_id]
    return judge(_point(own), others, configured_rule()), rows


def evaluate_group(key: GroupKey) -> dict:
    """Re-judge every case of a group and open/update/close its findings.

    :return: counts ``{"cases", "opened", "closed", "updated"}``.
    """
    rows = group_rows(key)
    open_by_case = _open_findings([r.case_id for r in rows])
    return _apply_group(key, rows, open_by_case)


def evaluate_groups(keys) -> dict:
    """Re-evaluate several groups (a job argument: lists or :class:`GroupKey`)."""
    totals = defaultdict(int)
    for key in keys:
        if not isinstance(key, GroupKey):
            key = GroupKey(*key)
        for name, count in evaluate_group(key).items():
            totals[name] += count
    return dict(totals)


def recompute_all() -> dict:
    """The nightly recomputation: every group of the configured scope.

    Reads every key row once (ordered by group) and the open findings once, so
    the cost is a scan plus the changed findings; an unchanged verdict writes
    nothing. Open findings of cases without a key any more are closed.
    """
    scope = configured_scope()
    column = scope_column(scope)
    open_by_case = _open_findings(None)
    totals = defaultdict(int)
    seen: set[int] = set()
    stmt = sa.select(*KEY_COLUMNS).order_by(
        CasePeerKey.item_code, CasePeerKey.tier_level, column
    )
    current: GroupKey | None = None
    rows: list = []
    for row in db.session.execute(stmt).yield_per(5000):
        key = group_of(row, scope)
        if key != current and rows:
            for name, count in _apply_group(current, rows, open_by_case).items():
                totals[name] += count
            rows = []
        current = key
        rows.append(row)
        seen.add(row.case_id)
    if rows:
        for name, count in _apply_group(current, rows, open_by_case).items():
            totals[name] += count
    for case_id, finding in open_by_case.items():
        if case_id not in seen:
            _close(finding, CLOSED_NO_KEY)
            totals["closed"] += 1
    db.session.flush()
    return dict(totals)


def _open_findings(case_ids) -> dict[int, CaseFinding]:
    stmt = sa.select(CaseFinding).where(
        CaseFinding.code == CODE, CaseFinding.closed_at.is_(None)
    )
    if case_ids is not None:
        if not case_ids:
            return {}
        stmt = stmt.where(CaseFinding.case_id.in_(case_ids))
    return {f.case_id: f for f in db.session.scalars(stmt)}


def _apply_group(key: GroupKey, rows, open_by_case) -> dict:
    """Judge a group and write only what changed, with a fixed number of queries
    per group (not per case): the flagged cases' texts, their peers' texts and
    the reference metadata are each read in one query."""
    counts = {"cases": len(rows), "opened": 0, "closed": 0, "updated": 0}
    verdicts = judge_group([_point(r) for r in rows], configured_rule())
    by_id = {r.case_id: r for r in rows}
    to_write, to_close = [], []
    for verdict in verdicts:
        finding = open_by_case.get(verdict.case_id)
        if verdict.inconsistent:
            details = _details(key, by_id[verdict.case_id], verdict)
            if finding is None or finding.details != details:
                to_write.append((verdict, details, finding))
        elif finding is not None:
            to_close.append(finding)
    if to_write:
        counts["opened"], counts["updated"] = _write(key, rows, by_id, to_write)
    for finding in to_close:
        _close(finding, CLOSED_REASON)
    counts["closed"] = len(to_close)
    db.session.flush()
    return counts


def _details(key: GroupKey, row, verdict: Verdict) -> dict:
    return {
        "scope": key.scope,
        "scope_id": key.scope_id,
        "item_code": key.item_code,
        "tier_level": key.tier_level,
        "group_size": verdict.group_size,
        "position": round(row.position, 4),
        "median": round(verdict.median, 4),
        "threshold": round(verdict.threshold, 4),
        "direction": verdict.direction,
        # "band": outside median ± threshold; "end": at or near a tier end
        # where the peers seldom are (the tier-end and near-end rules)
        "rule": "end" if verdict.at_end else "band",
        "peer_extreme": None if verdict.extreme is None else round(verdict.extreme, 4),
    }


def _pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def _yuan(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") + "元"


def _message(row, verdict: Verdict, scope: str) -> str:
    high = verdict.direction == "high"
    return (
        f"与{SCOPE_LABELS[scope]}、同一裁量事项（{row.item_code}）、同一阶次"
        f"（{row.tier_level}）的{verdict.group_size - 1}件同类案件相比，本案罚款"
        f"{_yuan(row.fine_yuan)}位于该阶次幅度的{_pct(row.position)}，同类案件中位为"
        f"{_pct(verdict.median)}，{_why(verdict)}，明显{'偏高' if high else '偏低'}，"
        f"且文书未载明"
        f"{'从重处罚的事实和理由' if high else '从轻、减轻处罚的事实和依据'}"
    )


def _why(verdict: Verdict) -> str:
    """Which rule set the fine apart, in words (docs/case-supervision.md §8)."""
    high = verdict.direction == "high"
    if not verdict.at_end:
        return f"超出同类案件的一致区间（{_pct(verdict.lower)}至{_pct(verdict.upper)}）"
    side = "上限" if high else "下限"
    if verdict.extreme is None:
        return f"处于幅度{side}附近，而同类案件很少处于该端"
    return (
        f"处于幅度{side}附近，同类案件{'最高' if high else '最低'}为"
        f"{_pct(verdict.extreme)}，很少处于该端"
    )


def _evidence(row) -> str:
    # Stable while the case itself is unchanged: a label (keyed on code +
    # evidence) stays attached across re-comparisons.
    return f"本案罚款{_yuan(row.fine_yuan)}（“{row.tier_level}”阶次幅度{_pct(row.position)}处）"


def _write(key, rows, by_id, to_write) -> tuple[int, int]:
    """Open, re-open or update the findings of ``to_write`` in one group."""
    from casebank.cases.checks import evidence_spans

    ids = [verdict.case_id for verdict, _, _ in to_write]
    cases = {
        c.id: c
        for c in db.session.execute(
            sa.select(
                CaseFile.id,
                CaseFile.text,
                CaseFile.review,
                CaseFile.matched_version_id,
                CaseFile.matched_item_id,
                CaseFile.matched_tier_id,
            ).where(CaseFile.id.in_(ids))
        ).all()
    }
    closed = {}
    for finding in db.session.scalars(
        sa.select(CaseFinding)
        .where(
            CaseFinding.case_id.in_(ids),
            CaseFinding.code == CODE,
            CaseFinding.closed_at.is_not(None),
        )
        .order_by(CaseFinding.closed_at.desc())
    ):
        closed.setdefault(finding.case_id, finding)
    pools = {v.case_id: _reference_pool(v.case_id, rows, v) for v, _, _ in to_write}
    texts = _texts({cid for pool in pools.values() for cid in pool})
    ranked = {
        cid: rank_by_bigrams(cases[cid].text[:TEXT_CHARS], {p: texts[p] for p in pool})[
            :REFERENCE_COUNT
        ]
        for cid, pool in pools.items()
    }
    meta = _reference_meta({p for pairs in ranked.values() for p, _ in pairs})
    opened = updated = 0
    new_ids = []
    for verdict, details, finding in to_write:
        row, case = by_id[verdict.case_id], cases[verdict.case_id]
        if finding is None:
            again = closed.get(case.id)
            if again is not None and again.evidence == _evidence(row):
                # The same deviation again: re-open the finding its labels refer to.
                again.closed_at = None
                again.closed_reason = None
                finding = again
            else:
                finding = CaseFinding(
                    case_id=case.id,
                    position=FINDING_POSITION,
                    code=CODE,
                    severity=SEVERITY,
                    severity_rank=SEVERITY_RANK[SEVERITY],
                )
                db.session.add(finding)
            fine_text = ((case.review or {}).get("penalties") or {}).get("fine_yuan")
            finding.spans = evidence_spans(case.text, str(fine_text or ""))
            finding.version_id = case.matched_version_id
            finding.item_id = case.matched_item_id
            finding.tier_id = case.matched_tier_id
            new_ids.append(case.id)
            opened += 1
        else:
            updated += 1
        finding.message = _message(row, verdict, details["scope"])
        finding.evidence = _evidence(row)
        finding.details = details
        finding.reference_cases = [
            {
                **meta[p],
                "fine_yuan": by_id[p].fine_yuan,
                "position": round(by_id[p].position, 4),
                "similarity": round(sim, 3),
            }
            for p, sim in ranked[case.id]
        ]
    db.session.flush()
    if new_ids:
        # One statement for the counts of every newly flagged case of the group.
        db.session.execute(
            sa.update(CaseFile)
            .where(CaseFile.id.in_(new_ids))
            .values(
                finding_count=CaseFile.finding_count + 1,
                max_severity_rank=sa.case(
                    (
                        CaseFile.max_severity_rank < SEVERITY_RANK[SEVERITY],
                        SEVERITY_RANK[SEVERITY],
                    ),
                    else_=CaseFile.max_severity_rank,
                ),
            ),
            execution_options={"synchronize_session": False},
        )
        _expire_cases(new_ids)
    return opened, updated


def _expire_cases(ids) -> None:
    """Expire loaded CaseFile objects changed by a bulk UPDATE."""
    wanted = set(ids)
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, CaseFile) and obj.id in wanted:
            db.session.expire(obj)


def _reference_pool(case_id: int, rows, verdict: Verdict) -> list[int]:
    """The typical peers (closest to the group median) to rank by text."""
    others = [r for r in rows if r.case_id != case_id]
    others.sort(key=lambda r: (abs(r.position - verdict.median), r.case_id))
    return [r.case_id for r in others[:REFERENCE_POOL]]


def _texts(ids) -> dict[int, str]:
    if not ids:
        return {}
    return dict(
        db.session.execute(
            sa.select(CaseFile.id, sa.func.substr(CaseFile.text, 1, TEXT_CHARS)).where(
                CaseFile.id.in_(list(ids))
            )
        ).all()
    )


def _reference_meta(ids) -> dict[int, dict]:
    if not ids:
        return {}
    return {
        m.id: {
            "case_id": m.id,
            "document_number": m.doc_number,
            "agency": m.name,
            "agency_id": m.agency_id,
            "decision_date": m.decision_date.isoformat() if m.decision_date else None,
        }
        for m in db.session.execute(
            sa.select(
                CaseFile.id,
                CaseFile.doc_number,
                CaseFile.decision_date,
                CaseFile.agency_id,
                Organisation.name,
            )
            .join(Organisation, CaseFile.agency_id == Organisation.id)
            .where(CaseFile.id.in_(list(ids)))
        ).all()
    }


def _close(finding: CaseFinding, reason: str) -> None:
    finding.closed_at = utcnow()
    finding.closed_reason = reason
    db.session.flush()
    case = db.session.get(CaseFile, finding.case_id)
    db.session.expire(case, ["findings", "closed_findings"])
    case.finding_count = len(case.findings)
    case.max_severity_rank = max((f.severity_rank for f in case.findings), default=0)


def close_open_finding(case: CaseFile, reason: str) -> None:
    """Close the case's open INCONSISTENT_WITH_SIMILAR finding, if any."""
    finding = _open_findings([case.id]).get(case.id)
    if finding is not None:
        _close(finding, reason)


def _bigrams(text: str) -> Counter:
    text = "".join(text.split())
    return Counter(text[i : i + 2] for i in range(len(text) - 1))


def rank_by_bigrams(target: str, texts: dict[int, str]) -> list[tuple[int, float]]:
    """Cosine similarity of character-bigram counts, best first (ties by id).

    A plain-Python counterpart of the TF-IDF ranking of the similar-cases panel:
    no vectoriser to fit, so ranking 30 peers costs about a millisecond, which
    keeps the nightly recomputation of every flagged case cheap.
    """
    own = _bigrams(target)
    own_norm = math.sqrt(sum(v * v for v in own.values())) or 1.0
    ranked = []
    for case_id, text in texts.items():
        other = _bigrams(text or "")
        norm = math.sqrt(sum(v * v for v in other.values())) or 1.0
        dot = sum(count * other.get(gram, 0) for gram, count in own.items())
        ranked.append((case_id, dot / (own_norm * norm)))
    ranked.sort(key=lambda pair: (-pair[1], pair[0]))
    return ranked
