"""Classical item analysis of a marked exam paper (pure functions).

The statistics follow the usual classical test theory report (Moodle's quiz
statistics is the reference in ``docs``): facility index, upper-lower
discrimination index, point-biserial correlation, distractor counts and
Cronbach's alpha. Nothing here touches Flask or the database: callers build
:class:`CandidateResult` objects from stored attempts and pass them in, so the
numbers can be checked against an independent computation in tests.
"""

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from openpyxl.styles import Font

from portal.spreadsheets import neutralise, new_workbook, workbook_bytes

FLAG_NEGATIVE_DISCRIMINATION = "区分度为负"
FLAG_TOO_HARD = "过难（难度系数低于0.2）"
FLAG_TOO_EASY = "过易（难度系数高于0.9）"
FLAG_UNUSED_DISTRACTOR = "干扰项无人选择：{option}"
FLAG_NO_RESPONSES = "无人作答"
FLAG_LOW_DISCRIMINATION = "区分度低（低于{limit}）"
FLAG_SMALL_SAMPLE = "样本不足（作答 {n} 人，少于 {min_n} 人不判断难度和区分度）"

# Default minimum number of answers before 过难/过易/区分度 flags are raised
# (configurable: EXAM_ANALYSIS_MIN_N).
DEFAULT_MIN_N = 30
LOW_DISCRIMINATION_BELOW = 0.2

TOO_HARD_BELOW = 0.2
TOO_EASY_ABOVE = 0.9


@dataclass(frozen=True)
class ItemResponse:
    """One candidate's marked answer to one item.

    ``choice`` holds the option letters chosen (choice items only).
    """

    score: float
    max_score: float
    choice: tuple[str, ...] = ()


@dataclass(frozen=True)
class CandidateResult:
    """A candidate's paper total and per-item responses, keyed by item id."""

    candidate: str
    total: Decimal | float
    items: dict[str, ItemResponse]


@dataclass(frozen=True)
class ItemStats:
    """Item analysis of one item.

    ``facility``, ``discrimination`` and ``point_biserial`` are ``None`` when
    they are undefined (no responses, a single response, zero variance).
    """

    item_id: str
    n: int
    facility: float | None
    discrimination: float | None
    point_biserial: float | None
    option_counts: dict[str, int] = field(default_factory=dict)
    option_upper: dict[str, int] = field(default_factory=dict)
    option_lower: dict[str, int] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def _pvariance(values: Sequence[float]) -> float:
    # Two-pass population variance: fsum keeps the result within rounding error of
    # an independent numpy computation.
    mean = _mean(values)
    return math.fsum((v - mean) ** 2 for v in values) / len(values)


def _pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    if len(xs) < 2:
        return None
    mx, my = _mean(xs), _mean(ys)
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    syy = math.fsum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    sxy = math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    return sxy / math.sqrt(sxx * syy)


def _proportion(response: ItemResponse) -> float:
    # An item worth nothing cannot be "got right"; count it as 0 rather than divide
    # by zero.
    if response.max_score <= 0:
        return 0.0
    return float(response.score) / float(response.max_score)


def group_size(n: int, group_fraction: float = 0.27) -> int:
    """Return the size of the upper and lower groups for ``n`` candidates.

    The size is ``max(1, round(n * group_fraction))`` with halves rounded up
    (not Python's banker's rounding), capped at ``n // 2`` so that the two
    groups never share a candidate.

    :param n: number of candidates who answered the item
    :param group_fraction: share of candidates in each group, in (0, 0.5]
    :return: the group size, 0 when ``n < 2``
    """
    if n < 2:
        return 0
    return min(max(1, math.floor(n * group_fraction + 0.5)), n // 2)


def _item_ids(
    responses: Iterable[CandidateResult], extra: Iterable[str] = ()
) -> list[str]:
    # Order of first appearance, so reports follow the paper's own order.
    seen: dict[str, None] = {}
    for result in responses:
        seen.update(dict.fromkeys(result.items))
    seen.update(dict.fromkeys(extra))
    return list(seen)


def _count_options(
    responses: Iterable[ItemResponse], options: Sequence[str]
) -> dict[str, int]:
    counts = dict.fromkeys(options, 0)
    chosen: dict[str, int] = {}
    for response in responses:
        # A letter repeated in one answer is still one candidate choosing it.
        for letter in set(response.choice):
            chosen[letter] = chosen.get(letter, 0) + 1
    for letter in sorted(chosen):
        counts[letter] = counts.get(letter, 0) + chosen[letter]
    return counts


def _analyse_item(
    item_id: str,
    answered: list[tuple[CandidateResult, ItemResponse]],
    options: Sequence[str],
    group_fraction: float,
    min_n: int = 0,
    low_discrimination: float | None = None,
) -> ItemStats:
    n = len(answered)
    if n == 0:
        empty = dict.fromkeys(options, 0)
        return ItemStats(
            item_id=item_id,
            n=0,
            facility=None,
            discrimination=None,
            point_biserial=None,
            option_counts=dict(empty),
            option_upper=dict(empty),
            option_lower=dict(empty),
            flags=[FLAG_NO_RESPONSES],
        )

    scores = [float(r.score) for _, r in answered]
    max_total = math.fsum(float(r.max_score) for _, r in answered)
    # Sum of scores over sum of maxima equals mean score / max score when every
    # candidate had the same maximum, and stays meaningful when they did not.
    facility = math.fsum(scores) / max_total if max_total > 0 else None

    rest = [float(c.total) - s for (c, _), s in zip(answered, scores, strict=True)]
    point_biserial = _pearson(scores, rest)

    # One ascending order by (total, candidate id) makes the groups reproducible:
    # among tied totals the lower ids go to the lower group.
    ordered = sorted(answered, key=lambda cr: (float(cr[0].total), cr[0].candidate))
    g = group_size(n, group_fraction)
    lower = [r for _, r in ordered[:g]]
    upper = [r for _, r in ordered[n - g :]] if g else []
    if g:
        discrimination = _mean([_proportion(r) for r in upper]) - _mean(
            [_proportion(r) for r in lower]
        )
    else:
        discrimination = None

    option_counts = _count_options((r for _, r in answered), options)
    flags = []
    if n < min_n:
        # Too few answers for facility and discrimination to mean anything.
        flags.append(FLAG_SMALL_SAMPLE.format(n=n, min_n=min_n))
    else:
        if discrimination is not None and discrimination < 0:
            flags.append(FLAG_NEGATIVE_DISCRIMINATION)
        elif (
            discrimination is not None
            and low_discrimination is not None
            and discrimination < low_discrimination
        ):
            flags.append(FLAG_LOW_DISCRIMINATION.format(limit=low_discrimination))
        if facility is not None and facility < TOO_HARD_BELOW:
            flags.append(FLAG_TOO_HARD)
        if facility is not None and facility > TOO_EASY_ABOVE:
            flags.append(FLAG_TOO_EASY)
    flags.extend(
        FLAG_UNUSED_DISTRACTOR.format(option=letter)
        for letter in options
        if option_counts.get(letter, 0) == 0
    )
    return ItemStats(
        item_id=item_id,
        n=n,
        facility=facility,
        discrimination=discrimination,
        point_biserial=point_biserial,
        option_counts=option_counts,
        option_upper=_count_options(upper, options),
        option_lower=_count_options(lower, options),
        flags=flags,
    )


def screen_statistics(responses, item_options=None, min_n=DEFAULT_MIN_N):
    """:func:`item_statistics` as the screens and exports show it: flags only from
    ``min_n`` answers, 区分度低 below 0.2."""
    return item_statistics(
        responses,
        item_options=item_options,
        min_n=min_n,
        low_discrimination=LOW_DISCRIMINATION_BELOW,
    )


def item_statistics(
    responses: Sequence[CandidateResult],
    *,
    group_fraction: float = 0.27,
    item_options: Mapping[str, Sequence[str]] | None = None,
    min_n: int = 0,
    low_discrimination: float | None = None,
) -> dict[str, ItemStats]:
    """Compute classical item statistics for every item on a paper.

    Each item is analysed over the candidates who have a response for it (its
    ``n``). ``facility`` is the mean score divided by the maximum score.
    ``discrimination`` is the upper-lower index: candidates are ordered by
    ``(total, candidate id)``, the top and bottom :func:`group_size` of them form
    the upper and lower groups, and the index is the difference of their mean
    proportional scores (``score / max_score``). ``point_biserial`` is the
    Pearson correlation of the item score with the total minus that item.

    Flags (Chinese, for the report): negative discrimination, facility below 0.2
    or above 0.9, one flag per listed option that nobody chose (the key included:
    nobody choosing the key also shows as a very low facility), and "无人作答" for
    an item without responses.

    :param responses: marked results, one per candidate
    :param group_fraction: share of candidates in each of the upper and lower
        groups, in (0, 0.5]
    :param item_options: option letters per item (e.g. ``{"Q1": ["A", "B",
        "C", "D"]}``); listed options are always counted, even at zero, and items
        listed here without responses are reported with ``n = 0``
    :param min_n: below this many answers an item gets only the 样本不足 flag
        instead of 过难/过易/区分度 flags (the screens pass ``EXAM_ANALYSIS_MIN_N``,
        default 30)
    :param low_discrimination: flag 区分度低 below this index (``None``: only a
        negative index is flagged)
    :return: ``ItemStats`` keyed by item id, in order of first appearance
    :raises ValueError: if ``group_fraction`` is outside (0, 0.5]
    """
    if not 0 < group_fraction <= 0.5:
        raise ValueError(f"group_fraction must be in (0, 0.5], got {group_fraction}")
    item_options = item_options or {}
    result = {}
    for item_id in _item_ids(responses, item_options):
        answered = [(c, c.items[item_id]) for c in responses if item_id in c.items]
        result[item_id] = _analyse_item(
            item_id,
            answered,
            list(item_options.get(item_id, ())),
            group_fraction,
            min_n,
            low_discrimination,
        )
    return result


def cronbach_alpha(
    responses: Sequence[CandidateResult], item_ids: Sequence[str] | None = None
) -> float | None:
    """Compute Cronbach's alpha over a set of items.

    ``alpha = k / (k - 1) * (1 - sum(var(item)) / var(total))`` where ``total``
    is the sum of the chosen items' scores (not ``CandidateResult.total``) and
    all variances are population variances (ddof = 0, as in Moodle's report;
    the ddof factor cancels in the ratio as long as it is used consistently).

    Alpha needs complete data, so candidates missing any of the items are left
    out (listwise deletion).

    :param responses: marked results, one per candidate
    :param item_ids: items to include; by default the items every candidate
        answered, in order of first appearance
    :return: alpha, or ``None`` when ``k < 2``, fewer than two candidates remain
        or the total variance is zero
    """
    if item_ids is None:
        item_ids = [
            i for i in _item_ids(responses) if all(i in c.items for c in responses)
        ]
    k = len(item_ids)
    if k < 2:
        return None
    complete = [c for c in responses if all(i in c.items for i in item_ids)]
    if len(complete) < 2:
        return None
    columns = [[float(c.items[i].score) for c in complete] for i in item_ids]
    totals = [math.fsum(row) for row in zip(*columns, strict=True)]
    total_variance = _pvariance(totals)
    if total_variance == 0:
        return None
    item_variance = math.fsum(_pvariance(col) for col in columns)
    return k / (k - 1) * (1 - item_variance / total_variance)


def paper_summary(
    responses: Sequence[CandidateResult], *, pass_mark: Decimal | float | None = None
) -> dict:
    """Summarise the paper totals.

    :param responses: marked results, one per candidate
    :param pass_mark: totals at or above this pass; ``None`` skips the pass rate
    :return: a dict with ``n``, ``mean``, ``median``, ``std`` (population, ddof =
        0), ``min``, ``max``, ``alpha`` (see :func:`cronbach_alpha`),
        ``pass_mark`` and ``pass_rate`` (0-1); the statistics are ``None`` when
        there are no candidates
    """
    totals = [float(c.total) for c in responses]
    summary = {
        "n": len(totals),
        "mean": None,
        "median": None,
        "std": None,
        "min": None,
        "max": None,
        "alpha": cronbach_alpha(responses),
        "pass_mark": pass_mark,
        "pass_rate": None,
    }
    if not totals:
        return summary
    summary.update(
        mean=_mean(totals),
        median=statistics.median(totals),
        std=math.sqrt(_pvariance(totals)),
        min=min(totals),
        max=max(totals),
    )
    if pass_mark is not None:
        # Compare the original values: Decimal against Decimal stays exact.
        passed = sum(1 for c in responses if c.total >= pass_mark)
        summary["pass_rate"] = passed / len(totals)
    return summary


def _cell(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return neutralise(str(value))
    if isinstance(value, int | float | Decimal):
        return value
    return neutralise(str(value))


def _format_counts(counts: Mapping[str, int]) -> str:
    return "  ".join(f"{letter}:{count}" for letter, count in counts.items())


SUMMARY_LABELS = {
    "n": "考生人数",
    "mean": "平均分",
    "median": "中位数",
    "std": "标准差",
    "min": "最低分",
    "max": "最高分",
    "alpha": "信度系数（Cronbach α）",
    "pass_mark": "及格线",
    "pass_rate": "及格率",
}

ITEM_HEADERS = [
    "题号",
    "题目",
    "作答人数",
    "难度系数",
    "区分度",
    "点二列相关",
    "选项分布",
    "高分组选项",
    "低分组选项",
    "标记",
]


def export_xlsx(
    stats: Mapping[str, ItemStats],
    summary: Mapping[str, object],
    item_labels: Mapping[str, str] | None = None,
) -> bytes:
    """Write the item analysis report as an Excel workbook.

    The 试卷 sheet lists the paper summary (one 指标/数值 row per key; unknown
    keys are written under their own name), the 试题分析 sheet one row per item.
    Every text cell is passed through :func:`neutralise`, because item labels
    come from question authors and must not run as formulas.

    :param stats: result of :func:`item_statistics`
    :param summary: result of :func:`paper_summary`
    :param item_labels: question text (or short title) per item id
    :return: the ``.xlsx`` file contents
    """
    item_labels = item_labels or {}
    bold = Font(bold=True)
    workbook = new_workbook()

    paper = workbook.active
    paper.title = "试卷"
    paper.append(["指标", "数值"])
    for key, value in summary.items():
        paper.append([_cell(SUMMARY_LABELS.get(key, key)), _cell(value)])

    items = workbook.create_sheet("试题分析")
    items.append(ITEM_HEADERS)
    for item_id, item in stats.items():
        items.append(
            [
                _cell(item_id),
                _cell(item_labels.get(item_id)),
                item.n,
                _cell(item.facility),
                _cell(item.discrimination),
                _cell(item.point_biserial),
                _cell(_format_counts(item.option_counts)),
                _cell(_format_counts(item.option_upper)),
                _cell(_format_counts(item.option_lower)),
                _cell("；".join(item.flags)),
            ]
        )

    for sheet in (paper, items):
        for cell in sheet[1]:
            cell.font = bold
        sheet.freeze_panes = "A2"
    for column in "DEF":
        for cell in items[column][1:]:
            cell.number_format = "0.000"
    items.column_dimensions["B"].width = 40
    items.column_dimensions["J"].width = 40

    return workbook_bytes(workbook)
