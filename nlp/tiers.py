"""Tier choice: which tier of a benchmark item a decision's facts meet, from the
tier conditions (quantities, counts, boolean cues, textual statements).

Pure functions; used by :mod:`nlp.consistency`. Semantics in docs/nlp.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from nlp.catalogue import Item, Tier
from nlp.factors import (
    UNIT_PATTERN,
    Factor,
    canonical_unit,
    percent_to_symbol,
)
from nlp.numerals import parse_int, parse_number

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
_QUNIT = r"(" + UNIT_PATTERN + r"|万元|元|倍|次|分贝)"
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
    fine: float | None = None,
    party: str | None = None,
) -> TierChoice:
    """Choose the tier of ``item`` for a decision.

    In this order (documented in docs/nlp.md, "Tier choice"):

    1. the one tier the text applies (属于/适用/按照…“一般”情形), or the only tier
       it names; a tier named only in a negation (不属于“严重”情形, 未达到严重档)
       does not count. Two tiers *applied* (parts of one case fined under
       different tiers) leave the tier undecided (None);
    2. the heaviest tier one of whose conditions the stated quantities or factors
       meet (among the named tiers when the text only describes several, e.g.
       quotes the ranges of two neighbouring tiers);
    3. a catch-all tier (其他情形), or the only tier;
    4. the fine: when the text describes several tiers, the named tier whose
       range holds the fine; and when the fine lies exactly on the boundary of
       two tiers (8000 元 = the top of 一般 and the bottom of 严重), one of them
       — never None merely because of the boundary. On a boundary the facts
       have not decided (step 2), so the tier is 一般 when it is one of the two
       (a lighter or heavier tier needs facts that meet its conditions), else
       the lower one; the evidence says so;
    5. otherwise None (the text does not let the tier be decided; the archive
       comparison may still use :func:`comparison_tier`).

    :param fine: the fine in yuan, for step 4 (None skips it).
    :param party: ``individual`` / ``organization`` / None, for the fine ranges.
    :return: a :class:`TierChoice`.
    """
    facts_text = text if facts_text is None else facts_text
    present = {f.name for f in factors}
    values: dict[str, list[float]] = {}
    for q in quantities:
        values.setdefault(q.name, []).append(float(q.value or 0))
    explicit = explicit_tier(item, text)
    if explicit is not None and explicit.level is not None:
        # The tier the facts meet wins over a stated tier whose every condition a
        # stated quantity contradicts (属于“一般”情形 with 占道约六十平方米).
        met = _quantity_tier(item, explicit.level, present, values, bases, facts_text)
        return met if met is not None else explicit
    if explicit is not None and not explicit.evidence.startswith("|"):
        return explicit  # several tiers applied (undecided)
    named = (
        set(explicit.evidence.strip("|").split("|")) if explicit is not None else set()
    )
    best: tuple[int, Tier, str, bool] | None = None
    common = _common_clauses(item)
    catch_all = (
        {t.level for t in item.tiers if _CATCH_ALL.search(t.condition)}
        if len(item.tiers) > 1
        else set()
    )
    for index, tier in enumerate(item.tiers):
        if named and tier.level not in named:
            continue
        if tier.level in catch_all and not named:
            continue  # 其他情形: only when no other tier's condition is met
        satisfied = _satisfied_clauses(
            tier.condition, present, values, bases, facts_text, common
        )
        if not satisfied:
            continue
        # A compound condition met in every part (两年内首次被查处，且接单30单以下)
        # outranks one met only in some parts; among equals the heaviest wins.
        complete = any(done for _, done in satisfied)
        clause = next((c for c, done in satisfied if done), satisfied[0][0])
        if best is None or (complete, index) > (best[3], best[0]):
            best = (index, tier, clause, complete)
    # Describing several tiers is reasoning about tiers: the choice among them
    # stays "explicit" (the text weighed its tiers), with the evidence that decided.
    how = "explicit" if named else "inferred"
    if best is not None:
        return TierChoice(best[1].level, how, best[2])
    if not named:
        for tier in item.tiers:
            if _CATCH_ALL.search(tier.condition):
                return TierChoice(tier.level, "default", tier.condition)
        if len(item.tiers) == 1:
            return TierChoice(item.tiers[0].level, "default", item.tiers[0].condition)
        # A tier whose condition only restates the violation (未取得机动车驾驶证
        # 驾驶机动车 for that very item) is met by every decision of the item: it
        # is the ordinary tier when no other tier's condition is met.
        for tier in item.tiers:
            parts = [p for c in _clauses(tier.condition) for p in _parts(c)]
            if parts and all(_restates(p, item.violation) for p in parts):
                return TierChoice(tier.level, "default", tier.condition)
    by_fine = _tier_by_fine(item, fine, party, bases, named)
    if by_fine is not None and (named or by_fine.how == "boundary"):
        return TierChoice(
            by_fine.level, "explicit" if named else "fine", by_fine.evidence
        )
    return TierChoice(None, None)


def _quantity_tier(
    item: Item, stated: str, present, values, bases, facts_text: str
) -> TierChoice | None:
    """The tier stated quantities meet when they contradict the stated tier.

    Only when every alternative of the stated tier's condition has a numeric part
    a stated quantity rules out, and another tier has an alternative met in
    every part with at least one quantity among them.
    """
    tier = item.tier(stated)
    if tier is None or not values and not bases:
        return None
    alternatives = _clauses(tier.condition)
    if not alternatives:
        return None
    # Several values of one quantity (a part and a total): the facts must decide
    # the same way whichever of them is read (smallest first, then largest).
    readings = [
        {k: sorted(v) for k, v in values.items()},
        {k: sorted(v, reverse=True) for k, v in values.items()},
    ]
    common = _common_clauses(item)
    found = None
    for reading in readings:
        if not all(
            any(quantity_clause(p, reading, bases) is False for p in _parts(alt))
            for alt in alternatives
        ):
            return None
        met = None
        for other in item.tiers:
            if other.level == stated:
                continue
            for clause, complete in _satisfied_clauses(
                other.condition, present, reading, bases, facts_text, common
            ):
                numeric = any(
                    quantity_clause(p, reading, bases) for p in _parts(clause)
                )
                if complete and numeric:
                    met = other, clause
        if met is None or (found is not None and met[0] is not found[0]):
            return None
        found = met
    other, clause = found
    return TierChoice(
        other.level,
        "inferred",
        f"文书称属于“{stated}”情形，但所述事实（{clause}）符合“{other.level}”档",
    )


def comparison_tier(
    item: Item, fine: float | None, party: str | None, bases: dict[str, Decimal]
) -> TierChoice | None:
    """The tier the archive comparison groups an undecided case with: the tier
    whose range holds the fine (on a boundary, as :func:`choose_tier` step 4).

    Not the decision's tier (the review's ``tier`` stays None when the text does
    not decide it); only the peer group it is compared with.
    """
    return _tier_by_fine(item, fine, party, bases, set())


def _tier_by_fine(item: Item, fine, party, bases, named: set[str]) -> TierChoice | None:
    """The tier whose range holds ``fine``; on the boundary of two tiers, 一般
    when it is one of them, else the lower (``how`` "boundary"); else "fine"."""
    if fine is None or fine <= 0:
        return None
    from nlp.consistency import fine_range

    holding = []
    for tier in item.tiers:
        if named and tier.level not in named:
            continue
        rng = fine_range(tier.fines, party, bases)
        if rng is None:
            continue
        low, high = rng
        if fine >= low - 0.005 and (high is None or fine <= high + 0.005):
            holding.append(tier)
    if not holding:
        return None
    if len(holding) == 1:
        return TierChoice(
            holding[0].level,
            "fine",
            f"文书未载明档次，事实也不能确定档次；罚款数额只在“{holding[0].level}”档幅度内",
        )
    ordinary = [t for t in holding if t.level == "一般"]
    tier = ordinary[0] if ordinary else holding[0]
    names = "与".join(f"“{t.level}”" for t in holding)
    rule = "一般档为通常情形" if ordinary else "取较轻档"
    return TierChoice(
        tier.level,
        "boundary",
        f"罚款数额位于{names}档的交界，文书所述事实未达到其他档次的适用条件，"
        f"按“{tier.level}”档（{rule}）",
    )


# A tier named after a negation (不属于“严重”情形, 未达到严重档, 并非…) is not the
# decision's tier: it is the one the agency ruled out.
_TIER_NEGATION = re.compile(
    r"(?:不属于|不属|不构成|不适用|不符合|不满足|不是|并非|未达到|未达|尚未达到|"
    r"不予适用|排除|亦非|而非|非)[^，。；：\n]{0,20}$"
)


def _negated_mention(text: str, start: int) -> bool:
    clause = re.split(r"[，。；：\n]", text[max(0, start - 24) : start])[-1]
    return bool(_TIER_NEGATION.search(clause))


def explicit_tier(item: Item, text: str) -> TierChoice | None:
    """Return the tier that the text names explicitly, if any.

    A tier named only in a negation (本案不属于“严重”情形) does not count. When
    the text *applies* several different tiers (属于/适用/按照 …; parts of one
    case fined under different tiers) the tier is undecided: level None, ``how``
    "explicit", the names joined by ``|`` in ``evidence``. When it applies one
    tier and only describes others, the applied one is the tier. When it only
    describes several (quotes the ranges of neighbouring tiers), level None and
    ``evidence`` starts with ``|`` (:func:`choose_tier` decides among them).
    """
    found: list[tuple[int, str, int, bool]] = []
    levels = sorted({t.level for t in item.tiers}, key=len, reverse=True)
    for level in levels:
        lv = re.escape(level)
        patterns = (
            (
                True,
                rf"(?<![不非])(?:属于|属|认定为|确定为|适用|按照?|依照|对应|列为|为)"
                rf"(?:[^。；\n，“”]|“[^”\n]{{0,60}}”){{0,30}}?"
                rf"[“‘\"「]?{lv}[”’\"」]?(?:情形|档|档次|阶次|情节|类|裁量|标准|幅度|的情形)",
            ),
            (False, rf"[“‘\"「]{lv}[”’\"」](?:情形|档|档次|阶次|情节|类|裁量)"),
            (False, rf"{lv}(?:档次|阶次|档)(?!案)"),
            (True, rf"(?:属于|属|认定为|系)(?:违法)?情节{lv}"),
        )
        if len(level) >= 3:
            # a level that is itself a phrase (情节严重, 情节较轻, 特别严重) stated
            # without 情形/档: 属于情节严重 (not a statute's 情节严重的，…)
            patterns += (
                (
                    True,
                    rf"(?<![不非])(?:属于|属|认定为|构成|系)(?:违法)?{lv}(?![的之])",
                ),
            )
        for applied, pattern in patterns:
            for match in re.finditer(pattern, text):
                # a longer level ("特别严重") already claimed this spot
                if any(
                    s <= match.end() and match.start() <= e
                    for s, lvl, e, _ in found
                    if lvl != level
                ):
                    continue
                level_at = match.start() + match.group(0).rfind(level)
                if _negated_mention(text, level_at):
                    continue
                found.append((match.start(), level, match.end(), applied))
    if not found:
        return None
    found.sort()
    named = list(dict.fromkeys(level for _, level, _, _ in found))
    if len(named) == 1:
        start, _, end, _ = found[0]
        return TierChoice(named[0], "explicit", text[start:end])
    applied = list(dict.fromkeys(level for _, level, _, a in found if a))
    if len(applied) == 1:
        start, _, end, _ = next(f for f in found if f[3])
        return TierChoice(applied[0], "explicit", text[start:end])
    if applied:
        return TierChoice(None, "explicit", "|".join(applied))
    return TierChoice(None, "explicit", "|" + "|".join(named))


def _clauses(condition: str) -> list[str]:
    """Split a tier condition into alternatives (或者/；); each may hold AND parts."""
    # 百分之三十以上 → 30%以上 (the padding kept for spans is not needed here)
    condition = percent_to_symbol(condition).replace(" ", "")
    parts = re.split(r"[；;。]|，?或者|，?或(?!者)", condition)
    return [p.strip("，, ") for p in parts if p.strip("，, ")]


def _parts(clause: str) -> list[str]:
    """The AND parts of one alternative (，/且/并且/但/并)."""
    parts = re.split(r"[，,]|并且|且|但|(?<![合])并(?=[在处未已])", clause)
    return [p.strip() for p in parts if p.strip()]


def _common_clauses(item: Item) -> frozenset[str]:
    """Parts that cannot tell tiers apart: those every tier shares (尚可采取改正
    措施), and those restating the violation itself (未采取密闭措施 for 渣土车辆未
    采取密闭措施), which every decision of the item states."""
    if len(item.tiers) < 2:
        return frozenset()
    sets = [
        {p for clause in _clauses(t.condition) for p in _parts(clause)}
        for t in item.tiers
    ]
    restating = {
        part for parts in sets for part in parts if _restates(part, item.violation)
    }
    # A part the catch-all tier states too (未造成人身、财产损害 for 从轻 when 一般
    # is 未造成人身、财产损害的其他情形) is the ordinary state, not what sets the
    # other tier apart.
    ordinary = [
        _plain(t.condition) for t in item.tiers if _CATCH_ALL.search(t.condition)
    ]
    shared = {
        part
        for tier, parts in zip(item.tiers, sets, strict=True)
        if not _CATCH_ALL.search(tier.condition)
        for part in parts
        if len(_plain(part)) >= 4 and any(_plain(part) in o for o in ordinary)
    }
    return frozenset(set.intersection(*sets) | restating | shared)


def _plain(text: str) -> str:
    return re.sub(r"[、，,。；;“”\s]", "", text)


def _restates(part: str, violation: str) -> bool:
    core = re.sub(r"[的了等，,。“”\s]", "", part)
    if len(core) < 5 or re.search(r"\d", core):
        return False
    grams = {core[i : i + 2] for i in range(len(core) - 1)}
    return sum(1 for g in grams if g in violation) / len(grams) >= 0.8


def _satisfied_clauses(
    condition: str,
    present: set[str],
    values: dict[str, list[float]],
    bases: dict[str, Decimal],
    facts_text: str = "",
    common: frozenset[str] = frozenset(),
) -> list[tuple[str, bool]]:
    """The alternatives of ``condition`` that the decision meets, each with
    whether every one of its AND parts is met (True) or only some (False).

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
            if _window_exceeded(part, facts_text):
                results.append(False)
                continue
            hit = quantity_clause(part, values, bases)
            if hit and _qualifier_denied(part, facts_text):
                hit = False  # 永久基本农田5亩以上, the facts: 耕地六亩半（非永久基本农田）
            if hit is None:
                hit = (_cue_met(part, present) or _stated_in(part, facts_text)) or None
            results.append(hit)
        if results and False not in results and True in results:
            satisfied.append((clause, None not in results))
    return satisfied


_QUALIFIER = re.compile(
    r"^(?:非法)?(?:转让|占用|买卖|使用)?(?P<what>[^\d一二两三四五六七八九十百千万]{3,12}?)"
    r"(?:面积)?[\d一二两三四五六七八九十百千万]"
)
_QUALIFIER_NEGATION = re.compile(r"(?:非|不属于|不是|并非|不涉及|未涉及)$")


def _qualifier_denied(part: str, facts_text: str) -> bool:
    """True when the kind a quantity condition counts (永久基本农田 in
    非法转让永久基本农田5亩以上) is named in the facts only to deny it
    (耕地六亩半（非永久基本农田）): the quantity is of another kind."""
    match = _QUALIFIER.match(part)
    if match is None or not facts_text:
        return False
    what = match["what"]
    if re.search(r"以外|之外|其他|其它|非|不", what):
        return False
    places = [m.start() for m in re.finditer(re.escape(what), facts_text)]
    return bool(places) and all(
        _QUALIFIER_NEGATION.search(facts_text[max(0, p - 4) : p]) for p in places
    )


# A repetition within a period: 一年内再次违法, 两年内第二次被查处, 6个月内多次.
_PERIOD = r"([一二两三四五六七八九十半\d]+)(?:个)?(年|月)(?:内|以内|之内)"
_REPEAT_WORDS = r"(?:再次|又|第[二三四五六七八九十\d]+次|多次|屡次|重复|两次|二次|三次)"
_PERIOD_REPEAT = re.compile(_PERIOD + r"[^，。；\n]{0,6}?" + _REPEAT_WORDS)


def _months(number: str, unit: str) -> float | None:
    value = 0.5 if number == "半" else parse_number(number)
    if value is None:
        return None
    return float(value) * (12 if unit == "年" else 1)


def _window_exceeded(part: str, facts_text: str) -> bool:
    """True when a condition's repetition period (一年内再次违法) is shorter than
    every period the facts state for the repetition (两年内第二次实施): the
    repetition the facts describe lies outside the condition's period."""
    condition = _PERIOD_REPEAT.search(part)
    if condition is None or not facts_text:
        return False
    limit = _months(condition.group(1), condition.group(2))
    stated = [
        _months(m.group(1), m.group(2))
        for m in _PERIOD_REPEAT.finditer(facts_text)
        if not _inside_quoted(facts_text, m.start())
    ]
    stated = [m for m in stated if m is not None]
    return bool(limit and stated) and all(m > limit for m in stated)


def _inside_quoted(text: str, pos: int) -> bool:
    line = text[text.rfind("\n", 0, pos) + 1 : pos]
    return line.count("“") > line.count("”")


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
    # 占用耕地（永久基本农田除外） is met by 占用耕地: the exclusion is the
    # heavier tier's business, not words the facts must repeat.
    clause = _EXCLUSION.sub("", clause)
    # 尚未 reads as 未 (polarity kept): 食品尚未售出 ~ 过期食品未售出
    core = re.sub(r"[的了等，,。“”\s]|尚(?=未)", "", clause)
    if len(core) < 4 or not text:
        return False
    # 占用未利用地: the facts name the object (荒草地（未利用地）), the verb of
    # the violation stands elsewhere in the sentence.
    verb = _LEADING_VERB.match(core)
    if verb is not None:
        rest = core[verb.end() :]
        if len(rest) >= 4 and rest in text and _polarity_agrees(rest, text):
            return True
    grams = {core[i : i + 2] for i in range(len(core) - 1)}
    if not _polarity_agrees(core, text):
        return False
    # the object the facts negate (占用永久基本农田; the facts: 全部为耕地（不涉及
    # 永久基本农田）) although the verb and object are not written together
    if verb is not None and len(rest) >= 2 and not _polarity_agrees(rest, text):
        return False
    inside = sum(1 for g in grams if g in text)
    if len(core) >= _TEXTUAL_MIN_CHARS and inside / len(grams) >= _TEXTUAL_CONTAINMENT:
        return True
    return _words_in_one_paragraph(core, text)


_NEGATION_HEAD = re.compile(r"不|未|没有|无|非")
# A negation just before a condition's words, also through a verb of finding
# (未发现造成人身伤害, 没有证据证明, 尚未查见): the facts deny the condition.
_NEGATED_BEFORE = re.compile(
    r"(?:不|未|没有|无|非)(?:发现|查见|查实|见|证据证明|证据表明|曾|有|涉及|属于|包括|包含)?$"
)
# An exclusion in a condition (（永久基本农田除外）).
_EXCLUSION = re.compile(r"（[^（）]{1,20}除外）")
_LEADING_VERB = re.compile(r"(?:擅自)?(?:占用|使用|利用|堆放|存放)")


def _polarity_agrees(core: str, text: str) -> bool:
    """A negated condition (不符合国土空间规划) is met only where the facts
    negate it too; an affirmative one (符合国土空间规划) not where they only
    negate it (经核实不符合国土空间规划): bigram containment alone cannot tell
    the two apart."""
    negation = _NEGATION_HEAD.match(core)
    if negation:
        return core[: negation.end() + 2] in text
    head = core[:3]
    places = [m.start() for m in re.finditer(re.escape(head), text)]
    return not places or any(
        not _NEGATION_HEAD.search(text[max(0, p - 2) : p])
        and not _NEGATED_BEFORE.search(text, max(0, p - 6), p)
        for p in places
    )


@lru_cache(maxsize=2048)
def _condition_words(core: str) -> tuple[str, ...]:
    from nlp.segment import cut

    return tuple(w for w in cut(core) if len(w) >= 2)


# Words of tier conditions the facts write out: 超标 = 超过…标准/限值.
_WORD_SYNONYMS = {
    "超标": re.compile(r"(?:超过|超出|高于)[^。；\n]{0,40}?(?:标准|限值)"),
}


def _words_in_one_paragraph(core: str, text: str) -> bool:
    """True when every word (2+ characters) of a short condition (夜间超标排放 →
    夜间, 超标, 排放) occurs in one paragraph of the facts, in other words' order."""
    words = _condition_words(core)
    if len(words) < 2 or "".join(words) != core:
        return False

    def found(word: str, paragraph: str) -> bool:
        if word in paragraph:
            return True
        synonym = _WORD_SYNONYMS.get(word)
        if synonym is not None and synonym.search(paragraph):
            return True
        # 超标排放 written apart (超标噪声…排放): both halves of a 4-character word.
        return (
            len(word) == 4 and found(word[:2], paragraph) and found(word[2:], paragraph)
        )

    return any(
        all(found(w, paragraph) for w in words)
        for paragraph in text.split("\n")
        if len(paragraph) > len(core)
    )


def quantity_clause(
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
    if unit == "分贝":
        return "exceed_db" if "超" in clause else None
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
        results = [quantity_clause(alt, {}, bases) for alt in _clauses(note)]
        if results and all(r is False for r in results):
            return True
    return False
