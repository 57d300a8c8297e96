"""Penalty-consistency checks: tier choice, range checks, findings, 同案不同罚.

Pure functions over parsed facts and numbers; no I/O. Finding semantics are written
down in docs/nlp.md ("Finding semantics").
"""

from __future__ import annotations

import math
import re
import statistics
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from nlp.catalogue import FineRange, GeneralRule, Item, Tier
from nlp.citations import GENERAL_LAWS, Citation, short_law_name
from nlp.factors import (
    AGGRAVATING,
    MITIGATING,
    UNIT_PATTERN,
    Factor,
    canonical_unit,
    percent_to_symbol,
    refutes_exemption,
    states_aggravation,
    states_discretion,
    states_mitigation,
    states_reduction,
)
from nlp.matching import provision_keys, same_provision
from nlp.numerals import parse_int, parse_number

HIGH, MEDIUM, LOW = "high", "medium", "low"


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
        if not f.condition or _quantity_clause(f.condition, {}, bases) is not False
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


# ---------------------------------------------------------------- tiers

# Cues of boolean conditions in tier texts → the factor names that meet them. A
# cue preceded by a negation (拒不配合, 未及时改正) is not met by the positive factor.
_NEGATED = re.compile(r"(?:拒不|未能?|不|没有|逾期未?)$")
_CUES = (
    ("first_offence", re.compile(r"初次|首次|第一次")),
    (
        "corrected",
        re.compile(
            r"(?:及时|立即|当场|主动|自行)(?:改正|整改|拆除|清理|纠正|停止|补办)"
        ),
    ),
    (
        "refused_correction",
        re.compile(r"逾期(?:仍)?(?:未|不)|拒不(?:改正|整改|停止|拆除|退还)|未按期"),
    ),
    (
        "serious_consequence",
        re.compile(
            r"(?<!未)(?<!没有)造成.{0,10}?(?:严重|重大|较大|恶劣)|严重后果|恶劣影响"
        ),
    ),
    ("repeated", re.compile(r"多次|再次|屡次|受过.{0,6}处罚")),
    ("obstructed", re.compile(r"阻碍|阻挠|暴力|拒绝.{0,4}检查|拒不配合")),
    ("no_harm", re.compile(r"未造成|没有造成|危害后果轻微|无危害")),
    ("minor", re.compile(r"情节轻微|违法行为轻微|情节较轻")),
    ("cooperated", re.compile(r"配合")),
    ("eliminated_harm", re.compile(r"主动消除|减轻危害|消除影响")),
)
_QNUM = r"(\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万]+)"
_MONEY_UNITS = {"元": 1.0, "万元": 10000.0}
_QUNIT = r"(" + UNIT_PATTERN + r"|万元|元|倍|次)"
_BETWEEN = re.compile(
    _QNUM
    + _QUNIT
    + r"?(?:（含）)?以上(?:不足|不满|未满|低于)?"
    + _QNUM
    + _QUNIT
    + r"(?:（含）)?(?:以下|以内)?"
)
_AT_MOST = re.compile(
    r"(不足|不满|未满|少于|未达到?|未超过|低于)?"
    + _QNUM
    + _QUNIT
    + r"(?:（含）)?(以下|以内)?"
)
_AT_LEAST = re.compile(r"(?:超过|达到|多于)?" + _QNUM + _QUNIT + r"(?:（含）)?以上")
_MONEY_BASES = (
    "货值",
    "违法所得",
    "违法经营额",
    "工程造价",
    "砂石价值",
    "投资",
    "市场价值",
    "广告费用",
)
_CATCH_ALL = re.compile(r"其他情形|除.{0,20}以外|一般情形|不属于.{0,20}情形")
_NTH_TIME = re.compile(r"(首次|初次)|第([一二三四五六七八九十\d]+)次(以上)?")
_TEXTUAL_MIN_CHARS = 5
_TEXTUAL_CONTAINMENT = 0.85


@dataclass(frozen=True)
class TierChoice:
    level: str | None
    how: str | None  # "explicit" | "inferred" | "default"
    evidence: str = ""


def choose_tier(
    item: Item,
    text: str,
    factors: list[Factor],
    quantities: list[Factor],
    bases: dict[str, Decimal],
    facts_text: str | None = None,
) -> TierChoice:
    """Choose the tier of ``item`` for a decision.

    An explicit tier stated in the text wins; otherwise the heaviest tier one of
    whose conditions the stated quantities or factors meet; otherwise a catch-all
    tier (其他情形); otherwise None.

    :return: a :class:`TierChoice`.
    """
    explicit = explicit_tier(item, text)
    if explicit is not None:
        return explicit
    facts_text = text if facts_text is None else facts_text
    present = {f.name for f in factors}
    values: dict[str, list[float]] = {}
    for q in quantities:
        values.setdefault(q.name, []).append(float(q.value or 0))
    best: tuple[int, Tier, str] | None = None
    common = _common_clauses(item)
    for index, tier in enumerate(item.tiers):
        satisfied = _satisfied_clauses(
            tier.condition, present, values, bases, facts_text, common
        )
        if satisfied and (best is None or index > best[0]):
            best = (index, tier, satisfied[0])
    if best is not None:
        return TierChoice(best[1].level, "inferred", best[2])
    for tier in item.tiers:
        if _CATCH_ALL.search(tier.condition):
            return TierChoice(tier.level, "default", tier.condition)
    if len(item.tiers) == 1:
        return TierChoice(item.tiers[0].level, "default", item.tiers[0].condition)
    return TierChoice(None, None)


def explicit_tier(item: Item, text: str) -> TierChoice | None:
    """Return the tier that the text names explicitly, if any.

    When the text names several different tiers (parts of one case fined under
    different tiers) the tier is undecided: level None, but reasoning was stated.
    """
    found: list[tuple[int, str, str]] = []
    levels = sorted({t.level for t in item.tiers}, key=len, reverse=True)
    for level in levels:
        lv = re.escape(level)
        patterns = (
            rf"(?<![不非])(?:属于|属|认定为|确定为|适用|按照?|依照|对应|列为|为)[^。；\n，]{{0,30}}?"
            rf"[“‘\"「]?{lv}[”’\"」]?(?:情形|档|档次|阶次|情节|类|裁量|标准|幅度|的情形)",
            rf"[“‘\"「]{lv}[”’\"」](?:情形|档|档次|阶次|情节|类|裁量)",
            rf"{lv}(?:档次|阶次|档)(?!案)",
            rf"(?:属于|属|认定为|系)(?:违法)?情节{lv}",
        )
        for pattern in patterns:
            for match in re.finditer(pattern, text):
                # a longer level ("特别严重") already claimed this spot
                if any(
                    s <= match.end() and match.start() <= e
                    for s, _, e in found
                    if _ != level
                ):
                    continue
                found.append((match.start(), level, match.end()))
    if not found:
        return None
    found.sort()
    named = list(dict.fromkeys(level for _, level, _ in found))
    start, _, end = found[0]
    if len(named) > 1:
        return TierChoice(None, "explicit", text[start:end])
    return TierChoice(named[0], "explicit", text[start:end])


def _clauses(condition: str) -> list[str]:
    """Split a tier condition into alternatives (或者/；); each may hold AND parts."""
    condition = percent_to_symbol(condition)
    parts = re.split(r"[；;。]|，?或者|，?或(?!者)", condition)
    return [p.strip("，, ") for p in parts if p.strip("，, ")]


def _parts(clause: str) -> list[str]:
    """The AND parts of one alternative (，/且/并且/但/并)."""
    parts = re.split(r"[，,]|并且|且|但|(?<![合])并(?=[在处未已])", clause)
    return [p.strip() for p in parts if p.strip()]


def _common_clauses(item: Item) -> frozenset[str]:
    """Parts every tier shares (尚可采取改正措施): they cannot tell tiers apart."""
    if len(item.tiers) < 2:
        return frozenset()
    sets = [
        {p for clause in _clauses(t.condition) for p in _parts(clause)}
        for t in item.tiers
    ]
    return frozenset(set.intersection(*sets))


def _satisfied_clauses(
    condition: str,
    present: set[str],
    values: dict[str, list[float]],
    bases: dict[str, Decimal],
    facts_text: str = "",
    common: frozenset[str] = frozenset(),
) -> list[str]:
    """The alternatives of ``condition`` that the decision meets.

    An alternative is met when none of its AND parts is contradicted by a stated
    quantity and at least one part is met (by a quantity, a factor cue or the facts
    restating it). Parts every tier shares (``common``) decide nothing.
    """
    satisfied = []
    for clause in _clauses(condition):
        results = []
        for part in _parts(clause):
            if part in common:
                continue
            hit = _quantity_clause(part, values, bases)
            if hit is None:
                hit = (_cue_met(part, present) or _stated_in(part, facts_text)) or None
            results.append(hit)
        if results and False not in results and True in results:
            satisfied.append(clause)
    return satisfied


def _cue_met(clause: str, present: set[str]) -> bool:
    for name, cue in _CUES:
        for match in cue.finditer(clause):
            negated = bool(_NEGATED.search(clause[: match.start()]))
            if name in ("refused_correction", "no_harm", "obstructed") or not negated:
                if name in present:
                    return True
    return False


def _stated_in(clause: str, text: str) -> bool:
    """True when the facts restate a textual condition (主体工程已建成 …).

    Character-bigram containment: nearly every bigram of the clause must occur in
    the facts. Short clauses are never matched this way.
    """
    core = re.sub(r"[的了等，,。“”\s]", "", clause)
    if len(core) < _TEXTUAL_MIN_CHARS or not text:
        return False
    grams = {core[i : i + 2] for i in range(len(core) - 1)}
    inside = sum(1 for g in grams if g in text)
    return inside / len(grams) >= _TEXTUAL_CONTAINMENT


def _quantity_clause(
    clause: str, values: dict[str, list[float]], bases: dict[str, Decimal]
) -> bool | None:
    """True/False when the clause is a numeric condition we can evaluate; else None."""
    nth = _NTH_TIME.search(clause)
    if nth and values.get("times"):
        wanted = 1.0 if nth.group(1) else float(_qty(nth.group(2), "次") or 0)
        observed = values["times"][0]
        return observed >= wanted if nth.group(3) else observed == wanted
    match = _BETWEEN.search(clause)
    if match:
        unit = match.group(4)
        low = _qty(match.group(1), match.group(2) or unit)
        high = _qty(match.group(3), unit)
    else:
        match = _AT_LEAST.search(clause)
        if match:
            unit = match.group(2)
            low, high = _qty(match.group(1), unit), None
        else:
            match = _AT_MOST.search(clause)
            if not match or not (match.group(1) or match.group(4)):
                return None
            unit = match.group(3)
            low, high = None, _qty(match.group(2), unit)
    name = _quantity_name(unit, clause[match.end() :], clause)
    if name is None:
        return None
    observed = _observed(name, clause, values, bases)
    if observed is None:
        return None
    # Benchmark tables read "X以上" as including X and "Y以下" as including Y.
    if low is not None and observed < low - 1e-9:
        return False
    return not (high is not None and observed > high + 1e-9)


def _qty(raw: str | None, unit: str | None) -> float | None:
    if raw is None:
        return None
    value = float(raw) if raw.replace(".", "", 1).isdigit() else parse_number(raw)
    if value is None:
        value = parse_int(raw)
    if value is None:
        return None
    value = float(value)
    if unit in _MONEY_UNITS:
        return value * _MONEY_UNITS[unit]
    known = canonical_unit(unit or "")
    return value * known[1] if known else value


def _quantity_name(unit: str | None, after: str, clause: str) -> str | None:
    if unit is None:
        return None
    if unit in _MONEY_UNITS:
        return "money"
    if unit == "倍":
        return "exceed_multiple" if "超" in clause else None
    if unit == "次":
        return "times"
    if unit == "个" and re.match(r"\s*(?:品种|种)", after):
        return "种"
    known = canonical_unit(unit)
    return known[0] if known else None


def _observed(name, clause, values, bases) -> float | None:
    if name == "money":
        for key in _MONEY_BASES:
            if key in clause:
                for base_key, value in bases.items():
                    if key in base_key or base_key in key:
                        return float(value)
        return None
    observed = values.get(name)
    if observed:
        return observed[0]  # the facts state it first; later mentions restate or quote
    if name == "平方米" and "面积" in bases:
        return float(bases["面积"])
    return None


def item_contradicted(item: Item, bases: dict[str, Decimal]) -> bool:
    """True when a numeric condition in the item's own description is ruled out.

    Items that share provisions are told apart by such conditions: 非法采矿
    "（违法采出的矿产品市场价值十万元以上）" vs "（…不足十万元）".
    """
    notes = re.findall(r"[（(]([^（）()]{4,60})[）)]", item.violation)
    for note in notes:
        results = [_quantity_clause(alt, {}, bases) for alt in _clauses(note)]
        if results and all(r is False for r in results):
            return True
    return False


# ---------------------------------------------------------------- findings


def check(
    facts: DecisionFacts,
    item: Item | None,
    tier: TierChoice,
    rules: list[GeneralRule],
) -> list[Finding]:
    """Run every check except 同案不同罚 and return the findings.

    :param facts: the parsed decision.
    :param item: the matched item, or None.
    :param tier: the chosen tier.
    :param rules: the general rules of the item's catalogue.
    :return: findings in a stable order.
    """
    findings: list[Finding] = []
    for citation, status in facts.citations:
        if status == "repealed":
            findings.append(
                Finding(
                    "CITATION_REPEALED",
                    HIGH,
                    f"引用的《{short_law_name(citation.law)}》在决定作出之日"
                    f"（{_iso(facts.decision_date or facts.reference_date)}）已废止",
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
    rule = _exemption_rule(rules, facts.factors)
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
        if not _reasoned(facts, tier):
            findings.append(_no_reasoning(facts, fine))
        return _dedupe(findings)

    statutory = fine_range(item.statutory_fines, facts.party, facts.bases)
    within_statutory = True
    if statutory is not None:
        low, high = statutory
        if high is not None and fine > high + 0.005:
            within_statutory = False
            findings.append(
                Finding(
                    "FINE_ABOVE_STATUTORY",
                    HIGH,
                    f"罚款{_yuan(fine)}超过法定最高限额（{_describe(statutory)}）",
                    facts.fine_evidence,
                )
            )
        elif fine < low - 0.005:
            within_statutory = False
            if not reduction:
                findings.append(
                    Finding(
                        "FINE_BELOW_STATUTORY_NO_REASON",
                        HIGH,
                        f"罚款{_yuan(fine)}低于法定最低限额（{_describe(statutory)}），"
                        "文书未载明减轻处罚的事实和依据",
                        facts.fine_evidence,
                    )
                )
    chosen = item.tier(tier.level)
    tier_range = fine_range(chosen.fines, facts.party, facts.bases) if chosen else None
    within_tier = True
    if within_statutory and chosen is not None and tier_range is not None:
        if not _in_range(fine, tier_range):
            within_tier = False
            below = fine < tier_range[0]
            reasoned = (mitigation or reduction) if below else aggravation
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


def _reasoned(facts: DecisionFacts, tier: TierChoice) -> bool:
    if tier.how == "explicit" or not facts.reasoning_visible:
        return True
    if any(f.kind in (MITIGATING, AGGRAVATING) for f in facts.factors):
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
    rules: list[GeneralRule], factors: list[Factor]
) -> GeneralRule | None:
    names = {f.name for f in factors}
    if "not_first" in names or "refused_correction" in names or "repeated" in names:
        first_ok = False
    else:
        first_ok = True
    harmless = "no_harm" in names
    corrected = "corrected" in names or "eliminated_harm" in names
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
