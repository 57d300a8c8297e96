"""Comparison of a case with its peers (同案不同罚 across an archive): pure rules.

A *peer group* is every checked case with the same catalogue item, the same tier and
the same comparison scope (city by default). Each case is reduced to a
:class:`PeerPoint`: where its fine sits in its tier's yuan range (``position``, 0 =
bottom, 1 = top; per-unit and multiple fines are converted with the bases stated in
the decision, so a position is the rate relative to its base) and whether it states
aggravating or mitigating reasons.

The outlier rule (documented in docs/case-supervision.md):

* the reference statistics are those of the *other* cases of the group (leave one
  out, so an outlier does not pull its own reference);
* ``median`` and ``MAD`` (median absolute deviation, scaled by 1.4826 to estimate a
  standard deviation) of the peers' positions;
* the case is an outlier when ``|position − median| > max(k × MAD, min_gap)``
  (defaults ``k = 3``, ``min_gap = 0.35`` of the tier's width);
* no verdict below ``min_group`` cases in the group (the case included);
* a high outlier stating an aggravating factor, or a low one stating a mitigating
  factor (or 从轻/减轻 with a basis), is explained and not flagged.

Also here: the 执法人员 / 执法证号 parser for the selective-enforcement report.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from nlp.factors import (
    AGGRAVATING,
    MITIGATING,
    Factor,
    find_factors,
    states_mitigation,
)

MAD_SCALE = 1.4826
DEFAULT_K = 3.0
DEFAULT_MIN_GAP = 0.35
DEFAULT_MIN_GROUP = 5
# Mitigating factors that are stated in almost every decision and do not by
# themselves explain a fine far below the others.
WEAK_MITIGATING = frozenset({"cooperated"})
# Positions are clamped here so a wildly misread amount does not dominate.
POSITION_FLOOR, POSITION_CEILING = -1.0, 2.0


@dataclass(frozen=True)
class PeerPoint:
    """One checked case of a group, reduced to what the comparison uses."""

    case_id: int
    position: float
    aggravating: bool = False
    mitigating: bool = False


@dataclass(frozen=True)
class Rule:
    """Parameters of the outlier rule."""

    min_group: int = DEFAULT_MIN_GROUP
    k: float = DEFAULT_K
    min_gap: float = DEFAULT_MIN_GAP


@dataclass(frozen=True)
class Verdict:
    """The comparison of one case with its peers."""

    case_id: int
    group_size: int  # the case included
    median: float | None
    mad: float | None
    threshold: float | None
    deviation: float | None  # position − median (signed)
    direction: str | None  # "high" | "low" | None (not an outlier)
    explained: bool = False

    @property
    def inconsistent(self) -> bool:
        """An unexplained outlier: the case gets INCONSISTENT_WITH_SIMILAR."""
        return self.direction is not None and not self.explained

    @property
    def lower(self) -> float | None:
        """Lower edge of the band of consistent positions."""
        if self.median is None or self.threshold is None:
            return None
        return self.median - self.threshold

    @property
    def upper(self) -> float | None:
        """Upper edge of the band of consistent positions."""
        if self.median is None or self.threshold is None:
            return None
        return self.median + self.threshold


def position(fine: float | None, low: float | None, high: float | None):
    """Where ``fine`` sits in ``[low, high]``: 0 bottom, 1 top (clamped to −1..2).

    :return: None when the fine or a bound is missing or the range is empty.
    """
    if fine is None or low is None or high is None or high <= low:
        return None
    value = (float(fine) - float(low)) / (float(high) - float(low))
    return max(POSITION_FLOOR, min(POSITION_CEILING, value))


def reason_flags(text: str, factors: Iterable) -> tuple[bool, bool]:
    """Whether the decision states an aggravating / a mitigating reason.

    :param factors: the checker's factors, as :class:`nlp.factors.Factor` or as
        their JSON (``{"kind", "text", …}``; the factor name may be in ``name``).
    :return: (aggravating, mitigating).
    """
    parsed = [_factor(f) for f in factors]
    aggravating = any(f.kind == AGGRAVATING for f in parsed)
    substantive = any(
        f.kind == MITIGATING and getattr(f, "name", "") not in WEAK_MITIGATING
        for f in parsed
    )
    mitigating = substantive or states_mitigation(text or "", parsed)
    return aggravating, mitigating


def _factor(value) -> Factor:
    if isinstance(value, Factor):
        return value
    if not value.get("name"):
        # The stored JSON of a factor has no name: find it again in its own text.
        again = find_factors(value.get("text", ""))
        if again:
            return again[0]
    return Factor(
        value.get("kind", ""),
        value.get("name", ""),
        value.get("text", ""),
        value.get("start", 0),
        value.get("end", 0),
    )


def robust_stats(values: list[float]) -> tuple[float, float]:
    """Median and scaled MAD of ``values`` (non-empty)."""
    median = statistics.median(values)
    mad = statistics.median(abs(v - median) for v in values) * MAD_SCALE
    return median, mad


def judge(case: PeerPoint, peers: list[PeerPoint], rule: Rule = Rule()) -> Verdict:
    """Compare ``case`` with ``peers`` (the other cases of its group).

    :return: the :class:`Verdict`; ``direction`` is None below the minimum group
        size or when the case sits within the band.
    """
    others = [p for p in peers if p.case_id != case.case_id]
    size = len(others) + 1
    if size < rule.min_group or not others:
        return Verdict(case.case_id, size, None, None, None, None, None)
    median, mad = robust_stats([p.position for p in others])
    threshold = max(rule.k * mad, rule.min_gap)
    deviation = case.position - median
    direction = None
    if deviation > threshold:
        direction = "high"
    elif deviation < -threshold:
        direction = "low"
    explained = (direction == "high" and case.aggravating) or (
        direction == "low" and case.mitigating
    )
    return Verdict(
        case.case_id, size, median, mad, threshold, deviation, direction, explained
    )


def judge_group(points: list[PeerPoint], rule: Rule = Rule()) -> list[Verdict]:
    """The verdict of every case of one group (leave-one-out statistics).

    Sorting once makes the leave-one-out median O(n log n) for the group instead
    of O(n²): removing one value from a sorted list shifts the median by at most
    one rank. The MAD is recomputed per case only for groups under 400 cases;
    above that one value changes it by a negligible amount and the group MAD is
    used (documented).
    """
    if len(points) < rule.min_group:
        return [
            Verdict(p.case_id, len(points), None, None, None, None, None)
            for p in points
        ]
    if len(points) < 400:
        return [judge(p, points, rule) for p in points]
    values = sorted(p.position for p in points)
    _, mad = robust_stats(values)
    threshold = max(rule.k * mad, rule.min_gap)
    n = len(values)
    verdicts = []
    import bisect

    for p in points:
        index = bisect.bisect_left(values, p.position)
        rest_median = _median_without(values, index, n)
        deviation = p.position - rest_median
        direction = (
            "high"
            if deviation > threshold
            else "low"
            if deviation < -threshold
            else None
        )
        explained = (direction == "high" and p.aggravating) or (
            direction == "low" and p.mitigating
        )
        verdicts.append(
            Verdict(
                p.case_id,
                n,
                rest_median,
                mad,
                threshold,
                deviation,
                direction,
                explained,
            )
        )
    return verdicts


def _median_without(values: list[float], index: int, n: int) -> float:
    """Median of sorted ``values`` with the element at ``index`` removed."""
    m = n - 1

    def at(i: int) -> float:
        return values[i if i < index else i + 1]

    if m % 2:
        return at(m // 2)
    return (at(m // 2 - 1) + at(m // 2)) / 2


# ------------------------------------------------------------ officers (执法人员)

_OFFICER_LINE = re.compile(r"(?:执法人员|承办人员?|办案人员)[：:]\s*([^\n]{2,200})")
_OFFICER = re.compile(
    r"([\u4e00-\u9fa5]{1,3}[某×*]{0,2}[\u4e00-\u9fa5]{0,2})\s*[（(]\s*"
    r"(?:行政)?执法证(?:件)?(?:号|编号)(?:码)?[：:\s]*([A-Za-z0-9\-]{4,30})\s*[）)]"
)


@dataclass(frozen=True)
class Officer:
    name: str
    cert_no: str


def parse_officers(text: str) -> list[Officer]:
    """The handling officers named with their 执法证号 in a decision.

    Accepts ``执法人员：张某某（执法证号：33010023061）、李某某（执法证号…）`` and
    the same on separate lines. Officers without a certificate number are not
    returned (a name alone does not identify an officer).
    """
    found: list[Officer] = []
    seen: set[str] = set()
    for line in _OFFICER_LINE.finditer(text or ""):
        for match in _OFFICER.finditer(line.group(1)):
            name, cert = match.group(1).strip(), match.group(2).strip()
            if cert not in seen:
                seen.add(cert)
                found.append(Officer(name, cert))
    return found
