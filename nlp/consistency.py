"""Penalty-consistency checks: range checks, findings, 同案不同罚 (tier choice is
in :mod:`nlp.tiers`).

Pure functions over parsed facts and numbers; no I/O. Finding semantics are written
down in docs/nlp.md ("Finding semantics").
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from nlp.catalogue import FineRange, GeneralRule, Item
from nlp.citations import GENERAL_LAWS, Citation, short_law_name
from nlp.factors import (
    AGGRAVATING,
    MITIGATING,
    Factor,
    refutes_exemption,
    states_aggravation,
    states_discretion,
    states_mitigation,
    states_reduction,
)
from nlp.matching import provision_keys, same_provision
from nlp.tiers import (
    TierChoice,
    quantity_clause,
)

HIGH, MEDIUM, LOW = "high", "medium", "low"
# A hint (提示) is not a finding: something to look at, never counted or scored.
HINT = "hint"


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    message: str
    evidence: str

    def to_json(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "evidence": self.evidence,
        }


@dataclass
class DecisionFacts:
    """What the parser found in one decision (input of the checks)."""

    text: str
    party: str | None
    decision_date: date | None
    citations: list[tuple[Citation, str]]  # (citation, status)
    fine_yuan: float | None
    fine_evidence: str
    factors: list[Factor]
    quantities: list[Factor]
    bases: dict[str, Decimal]
    amount_issues: list = field(default_factory=list)
    discretion_text: str = ""
    reasoning_visible: bool = True
    reference_date: date | None = None
    facts_text: str = ""
    window: object = None  # nlp.metadata.DateWindow
    uncertain_repeals: list = field(default_factory=list)  # (citation, Repeal)
    replacements: dict = field(default_factory=dict)  # citation key -> text
    statutory_text: tuple | None = None  # (low, high, provision) from the law text
    # The fine read the other way when its 大写 and 小写 differ (uncorroborated).
    fine_alternative: float | None = None
    # Citations of a law repealed before the decision but after the conduct:
    # citation key -> (conduct date, Repeal). 从旧兼从轻, not a finding.
    old_law: dict = field(default_factory=dict)


# ---------------------------------------------------------------- fine ranges


def fine_range(
    fines: tuple[FineRange, ...], party: str | None, bases: dict[str, Decimal]
) -> tuple[float, float | None] | None:
    """Convert a list of fine ranges to one range in yuan for ``party``.

    :param fines: the statutory or tier fine rows.
    :param party: ``individual`` / ``organization`` / None.
    :param bases: base amounts stated in the decision (违法所得, 货值金额, 面积 …).
    :return: (low, high) in yuan (high None = no ceiling), or None when a row cannot
        be converted (its base is not stated) or there are no rows.
    """
    # Rows whose own condition the stated bases rule out do not apply
    # (货值金额不足一万元 vs 一万元以上); rows that cannot be decided stay.
    fines = tuple(
        f
        for f in fines
        if not f.condition or quantity_clause(f.condition, {}, bases) is not False
    )
    rows = [f for f in fines if party and f.party == party] or [
        f for f in fines if f.party == "any"
    ]
    if not rows and fines:
        rows = list(fines)  # party unknown: the union of every row
    if not rows:
        return None
    low, high = math.inf, 0.0
    unbounded = False
    for row in rows:
        factor = _unit_factor(row, bases)
        if factor is None:
            return None
        low = min(low, (row.min or 0.0) * factor)
        if row.max is None:
            unbounded = True
        else:
            high = max(high, row.max * factor)
    return low, (None if unbounded else high)


def _unit_factor(row: FineRange, bases: dict[str, Decimal]) -> float | None:
    if row.unit == "yuan":
        return 1.0
    base = _base_value(row.base or "", row.unit, bases)
    if base is None:
        return None
    if row.unit == "percent":
        return base / 100.0
    return base


def _base_value(name: str, unit: str, bases: dict[str, Decimal]) -> float | None:
    if unit == "yuan_per_unit":
        if any(u in name for u in ("平方米", "㎡", "面积", "亩")):
            value = bases.get("面积")
            if value is not None and "亩" in name:
                return float(value) / 666.67
            return float(value) if value is not None else None
    for key, value in bases.items():
        if key and name and (key in name or name in key):
            return float(value)
    return None


def _in_range(fine: float, rng: tuple[float, float | None]) -> bool:
    low, high = rng
    return fine >= low - 0.005 and (high is None or fine <= high + 0.005)


def _describe(rng: tuple[float, float | None]) -> str:
    low, high = rng
    if high is None:
        return f"{_yuan(low)}以上"
    if low <= 0:
        return f"{_yuan(high)}以下"
    return f"{_yuan(low)}至{_yuan(high)}"


def _yuan(value: float) -> str:
    if value >= 10000 and value % 1000 == 0:
        return f"{value / 10000:g}万元"
    return f"{value:,.2f}".rstrip("0").rstrip(".") + "元"


# ---------------------------------------------------------------- findings


# Findings that depend on the fine's value: with a fine whose 大写 and 小写 differ
# they are reported only when both readings give them.
RANGE_CODES = frozenset(
    {
        "FINE_ABOVE_STATUTORY",
        "FINE_BELOW_STATUTORY_NO_REASON",
        "FINE_OUTSIDE_TIER",
        "NO_DISCRETION_REASONING",
    }
)


def check(
    facts: DecisionFacts,
    item: Item | None,
    tier: TierChoice,
    rules: list[GeneralRule],
    notes: list | None = None,
) -> list[Finding]:
    """Run every check except 同案不同罚 and return the findings (see
    :func:`_check`). A fine whose 大写 and 小写 differ is not certain: its range
    findings stand only when the other reading gives them too."""
    findings = _check(facts, item, tier, rules, notes)
    if facts.fine_alternative is None or not facts.fine_alternative > 0:
        return findings
    other = _check(replace(facts, fine_yuan=facts.fine_alternative), item, tier, rules)
    both = {f.code for f in other}
    return [f for f in findings if f.code not in RANGE_CODES or f.code in both]


def _check(
    facts: DecisionFacts,
    item: Item | None,
    tier: TierChoice,
    rules: list[GeneralRule],
    notes: list | None = None,
) -> list[Finding]:
    """Run every check except 同案不同罚 and return the findings.

    :param notes: when given, neutral explanations (hints) are appended to it: a
        lawful 减轻/从轻/从重 with a stated basis that moves the fine out of the
        tier or below the statutory minimum (``LAWFUL_ADJUSTMENT``).
    :param facts: the parsed decision.
    :param item: the matched item, or None.
    :param tier: the chosen tier.
    :param rules: the general rules of the item's catalogue.
    :return: findings in a stable order.
    """
    findings: list[Finding] = []
    for citation, status in facts.citations:
        if status == "repealed" and citation.key in facts.old_law:
            continue  # the conduct predates the repeal: a hint (see hints())
        if status == "repealed":
            findings.append(
                Finding(
                    "CITATION_REPEALED",
                    HIGH,
                    f"引用的《{short_law_name(citation.law)}》{_provision_label(citation)}"
                    f"在决定作出之日（{_when(facts)}）已废止"
                    + _replaced(facts, citation),
                    citation.text,
                )
            )
        elif status == "not_found":
            findings.append(
                Finding(
                    "CITATION_NOT_FOUND",
                    HIGH,
                    f"《{short_law_name(citation.law)}》没有{_provision_label(citation)}",
                    citation.text,
                )
            )
    for issue in facts.amount_issues:
        findings.append(
            Finding("AMOUNT_INCONSISTENT", HIGH, issue.message, issue.evidence)
        )

    fine = facts.fine_yuan
    text = facts.text
    if item is not None:
        findings.extend(_basis_mismatch(facts, item))
    if fine is None or fine <= 0:
        return _dedupe(findings)

    mitigation = states_mitigation(text, facts.factors)
    reduction = states_reduction(text, facts.factors)
    aggravation = states_aggravation(text, facts.factors)
    # The agency itself placing the case in a 轻微 tier states that the
    # violation is minor (违法行为轻微) in its own terms.
    minor_tier = bool(tier.level and "轻微" in tier.level and tier.how == "explicit")
    rule = _exemption_rule(rules, facts.factors, minor_tier)
    if rule is not None and not refutes_exemption(text):
        findings.append(
            Finding(
                "NO_PENALTY_EXPECTED",
                MEDIUM,
                f"文书所述情节符合“{rule.condition or rule.kind}”（{rule.basis}），"
                f"依规可不予处罚，却处罚款{_yuan(fine)}且未说明不适用的理由",
                "；".join(f.text for f in facts.factors if f.kind == MITIGATING),
            )
        )
    if item is None:
        # No catalogue item: only what needs none — the range the cited penalty
        # provision itself sets, when it can be read from the law text.
        if facts.statutory_text is not None:
            low, high, provision = facts.statutory_text
            _statutory_findings(
                findings, fine, (low, high), reduction, facts, provision, notes
            )
        # NO_DISCRETION_REASONING needs an item: discretion is reasoned against
        # the catalogue's tiers, and a decision no item fits (often 简易程序)
        # cannot be said to lack it.
        return _dedupe(findings)

    statutory = fine_range(item.statutory_fines, facts.party, facts.bases)
    within_statutory = True
    if statutory is not None:
        within_statutory = _statutory_findings(
            findings, fine, statutory, reduction, facts, "", notes
        )
    chosen = item.tier(tier.level)
    tier_range = fine_range(chosen.fines, facts.party, facts.bases) if chosen else None
    within_tier = True
    if within_statutory and chosen is not None and tier_range is not None:
        if not _in_range(fine, tier_range):
            within_tier = False
            below = fine < tier_range[0]
            reasoned = (mitigation or reduction) if below else aggravation
            if reasoned and notes is not None:
                notes.append(
                    Finding(
                        "LAWFUL_ADJUSTMENT",
                        HINT,
                        f"罚款{_yuan(fine)}{'低于' if below else '高于'}“{chosen.level}”档"
                        f"（{_describe(tier_range)}），文书载明了"
                        f"{'从轻或减轻' if below else '从重'}处罚的理由（依法调整，非问题）",
                        tier.evidence or facts.fine_evidence,
                    )
                )
            if not reasoned:
                findings.append(
                    Finding(
                        "FINE_OUTSIDE_TIER",
                        MEDIUM,
                        f"罚款{_yuan(fine)}{'低于' if below else '超出'}“{chosen.level}”档"
                        f"（{_describe(tier_range)}），文书未说明"
                        f"{'从轻或减轻' if below else '从重'}的理由",
                        tier.evidence or facts.fine_evidence,
                    )
                )
    if within_statutory and within_tier and not _reasoned(facts, tier):
        findings.append(_no_reasoning(facts, fine))
    return _dedupe(findings)


def _statutory_findings(
    findings: list[Finding],
    fine: float,
    statutory: tuple[float, float | None],
    reduction: bool,
    facts: DecisionFacts,
    provision: str = "",
    notes: list | None = None,
) -> bool:
    """Append the statutory-range findings; True when the fine is within range."""
    low, high = statutory
    source = f"（{provision}）" if provision else ""
    if high is not None and fine > high + 0.005:
        findings.append(
            Finding(
                "FINE_ABOVE_STATUTORY",
                HIGH,
                f"罚款{_yuan(fine)}超过法定最高限额（{_describe(statutory)}）{source}",
                facts.fine_evidence,
            )
        )
        return False
    if fine < low - 0.005:
        if reduction and notes is not None:
            notes.append(
                Finding(
                    "LAWFUL_ADJUSTMENT",
                    HINT,
                    f"罚款{_yuan(fine)}低于法定最低限额（{_describe(statutory)}）{source}，"
                    "文书载明了减轻处罚的事实和依据（依法减轻，非问题）",
                    facts.fine_evidence,
                )
            )
        if not reduction:
            findings.append(
                Finding(
                    "FINE_BELOW_STATUTORY_NO_REASON",
                    HIGH,
                    f"罚款{_yuan(fine)}低于法定最低限额（{_describe(statutory)}）{source}，"
                    "文书未载明减轻处罚的事实和依据",
                    facts.fine_evidence,
                )
            )
        return False
    return True


def _reasoned(facts: DecisionFacts, tier: TierChoice) -> bool:
    if tier.how == "explicit" or not facts.reasoning_visible:
        return True
    # Harm the violation caused (造成了污染) is a fact of the conduct, not by
    # itself discretion reasoning.
    if any(
        f.kind in (MITIGATING, AGGRAVATING) and f.name != "harm" for f in facts.factors
    ):
        return True
    return states_discretion(facts.discretion_text or facts.text)


def _no_reasoning(facts: DecisionFacts, fine: float) -> Finding:
    return Finding(
        "NO_DISCRETION_REASONING",
        LOW,
        f"罚款{_yuan(fine)}在法定幅度内，但文书未载明任何裁量情节或裁量理由",
        facts.fine_evidence,
    )


def _basis_mismatch(facts: DecisionFacts, item: Item) -> list[Finding]:
    cited = [
        c
        for c, _ in facts.citations
        if c.role == "penalty" and short_law_name(c.law) not in GENERAL_LAWS
    ]
    keys = provision_keys(item.penalty_provisions)
    if not cited or not keys:
        return []
    if any(same_provision(c.key, k) for c in cited for k in keys):
        return []
    return [
        Finding(
            "BASIS_MISMATCH",
            MEDIUM,
            f"处罚依据与裁量基准事项 {item.id}（{item.violation}）的处罚依据"
            f"{'、'.join(item.penalty_provisions)}不一致",
            "；".join(dict.fromkeys(c.text for c in cited)),
        )
    ]


def _exemption_rule(
    rules: list[GeneralRule], factors: list[Factor], minor_tier: bool = False
) -> GeneralRule | None:
    names = {f.name for f in factors}
    if minor_tier:
        names.add("minor")
    if "not_first" in names or "refused_correction" in names or "repeated" in names:
        first_ok = False
    else:
        first_ok = True
    # Harm stated affirmatively (造成了危害后果) outweighs a harmless clause.
    harmless = "no_harm" in names and not names & {"harm", "serious_consequence"}
    corrected = (
        "corrected" in names or "eliminated_harm" in names
    ) and "refused_correction" not in names
    for rule in rules:
        if rule.kind == "no_penalty" and "minor" in names and corrected and harmless:
            return rule
        if (
            rule.kind == "first_offence_may_exempt"
            and first_ok
            and "first_offence" in names
            and corrected
            and harmless
        ):
            return rule
    return None


def _provision_label(citation: Citation) -> str:
    label = f"第{citation.article}条"
    if citation.paragraph:
        label += f"第{citation.paragraph}款"
    if citation.item:
        label += f"第{citation.item}项"
    return label


def _iso(value: date | None) -> str:
    return value.isoformat() if value else "日期不详"


def _when(facts: DecisionFacts) -> str:
    if facts.decision_date is not None:
        return facts.decision_date.isoformat()
    window = facts.window
    if window is not None and window.low is not None:
        return f"不早于{window.low.isoformat()}"
    return _iso(facts.reference_date)


def _replaced(facts: DecisionFacts, citation: Citation) -> str:
    text = facts.replacements.get(citation.key)
    return f"（{text}）" if text else ""


def hints(facts: DecisionFacts, item: Item | None) -> list[Finding]:
    """Things to look at that are not findings (severity ``hint``, 提示).

    - ``CITATION_REPEAL_UNCERTAIN``: a cited law was repealed on a day the decision
      date cannot be placed before or after (the date is unknown or its bounds
      straddle the repeal).
    - ``NO_ITEM_MATCHED``: no catalogue item fits the decision (未匹配到裁量基准事项).

    :return: hints in a stable order (not part of the review JSON; see docs/nlp.md).
    """
    result: list[Finding] = []
    seen = set()
    for citation, repeal in facts.uncertain_repeals:
        key = (short_law_name(citation.law), citation.article)
        if key in seen:
            continue
        seen.add(key)
        window = facts.window
        if window is not None and window.known:
            bounds = "、".join(window.basis) or "文书"
            known = (
                f"按{bounds}只能确定决定作出于"
                f"{_iso(window.low) if window.low else '（不详）'}至"
                f"{_iso(window.high) if window.high else '（不详）'}之间"
            )
        else:
            known = "文书中没有可读的决定日期"
        result.append(
            Finding(
                "CITATION_REPEAL_UNCERTAIN",
                HINT,
                f"引用的《{short_law_name(citation.law)}》{_provision_label(citation)}"
                f"已于{repeal.repealed_on.isoformat()}废止"
                + _replaced(facts, citation)
                + f"；{known}，无法判断作出决定时该法是否有效，请核对决定日期",
                citation.text,
            )
        )
    for citation, status in facts.citations:
        if status != "repealed" or citation.key not in facts.old_law:
            continue
        key = ("old", short_law_name(citation.law), citation.article)
        if key in seen:
            continue
        seen.add(key)
        conduct, repeal = facts.old_law[citation.key]
        result.append(
            Finding(
                "CITATION_OLD_LAW_APPLIES",
                HINT,
                f"引用的《{short_law_name(citation.law)}》{_provision_label(citation)}"
                f"已于{repeal.repealed_on.isoformat()}废止"
                + _replaced(facts, citation)
                + f"；违法行为发生于{conduct.isoformat()}（废止之前），依《行政处罚法》"
                "第三十七条适用违法行为发生时的规定，但新规定处罚较轻的适用新规定"
                "（从旧兼从轻），请核对",
                citation.text,
            )
        )
    if item is None:
        result.append(
            Finding(
                "NO_ITEM_MATCHED",
                HINT,
                "未匹配到裁量基准事项：只检查了引用条文、金额"
                + ("和法律条文所载的罚款幅度" if facts.statutory_text else "")
                + "，未作档次和裁量基准检查",
                "",
            )
        )
    return result


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen, result = set(), []
    for finding in findings:
        key = (finding.code, finding.evidence)
        if key not in seen:
            seen.add(key)
            result.append(finding)
    return result


# ---------------------------------------------------------------- 同案不同罚


@dataclass(frozen=True)
class CasePoint:
    """One reviewed case, reduced to what 同案不同罚 compares."""

    source: str
    item_id: str
    tier: str | None
    fine_yuan: float
    low: float | None = None
    high: float | None = None

    @property
    def position(self) -> float | None:
        """Where the fine sits in its tier range (0 = bottom, 1 = top)."""
        if self.low is None or self.high is None or self.high <= self.low:
            return None
        return (self.fine_yuan - self.low) / (self.high - self.low)


MIN_REFERENCES = 3


def similar_case_finding(
    case: CasePoint, references: list[CasePoint]
) -> Finding | None:
    """Flag ``case`` when its fine is a robust outlier among similar cases.

    Similar = same item and tier. Where both have a tier range in yuan, positions in
    the range are compared (median and MAD); otherwise fines are compared on a log
    scale. At least :data:`MIN_REFERENCES` references are needed.

    :return: an ``INCONSISTENT_WITH_SIMILAR`` finding naming the references, or None.
    """
    peers = [
        r
        for r in references
        if r.source != case.source
        and r.item_id == case.item_id
        and r.tier == case.tier
        and r.fine_yuan > 0
    ]
    if len(peers) < MIN_REFERENCES or case.fine_yuan <= 0:
        return None
    own = case.position
    positions = [p.position for p in peers]
    if own is not None and all(p is not None for p in positions):
        values, mine, floor = positions, own, 0.35
    else:
        values = [math.log(p.fine_yuan) for p in peers]
        mine, floor = math.log(case.fine_yuan), math.log(2.5)
    median = statistics.median(values)
    mad = statistics.median(abs(v - median) for v in values) * 1.4826
    deviation = abs(mine - median)
    if deviation < floor or deviation <= 3.0 * mad:
        return None
    fines = sorted(p.fine_yuan for p in peers)
    typical = statistics.median(fines)
    names = "、".join(p.source for p in sorted(peers, key=lambda p: p.source)[:5])
    direction = "明显高于" if mine > median else "明显低于"
    return Finding(
        "INCONSISTENT_WITH_SIMILAR",
        MEDIUM,
        f"同一事项（{case.item_id}）、同一档次（{case.tier or '未定'}）的{len(peers)}件相似案件"
        f"罚款中位数为{_yuan(typical)}，本案罚款{_yuan(case.fine_yuan)}{direction}相似案件",
        f"参照案件：{names}",
    )


def range_bounds(
    item: Item, level: str | None, party, bases
) -> tuple[float | None, float | None]:
    """Return the tier range in yuan (None, None when not convertible)."""
    tier = item.tier(level)
    if tier is None:
        return None, None
    rng = fine_range(tier.fines, party, bases)
    if rng is None:
        return None, None
    return rng[0], rng[1]
