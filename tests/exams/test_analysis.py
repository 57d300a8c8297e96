"""Item analysis: statistics checked against an independent numpy computation."""

import io
import math
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from exams.results.analysis import (
    FLAG_NEGATIVE_DISCRIMINATION,
    FLAG_NO_RESPONSES,
    FLAG_TOO_EASY,
    FLAG_TOO_HARD,
    ITEM_HEADERS,
    CandidateResult,
    ItemResponse,
    cronbach_alpha,
    export_xlsx,
    group_size,
    item_statistics,
    neutralise,
    paper_summary,
)

TOL = 1e-9
N_CANDIDATES = 200
N_ITEMS = 20
EASY, REVERSED, DISTRACTOR_UNUSED, MULTI, PARTIAL = 0, 1, 6, 10, 19
CHOICE_ITEMS = (EASY, REVERSED, 6, 7, 8, 9)
LETTERS = ("A", "B", "C", "D")


def approx(value):
    return pytest.approx(value, abs=TOL, rel=0)


def item_id(k):
    return f"Q{k + 1:02d}"


def _generate():
    """Build a seeded 200 x 20 data set as plain numpy arrays plus result objects.

    Scores follow a logistic model of ability. Item EASY is answered correctly by
    everybody, item REVERSED gets *harder* as ability rises, items 2-5 give
    partial credit out of 2, the choice items have a key and distractors (item
    DISTRACTOR_UNUSED has a distractor nobody picks), item MULTI is a
    multiple-answer item and item PARTIAL was only answered by 150 candidates.
    """
    rng = np.random.default_rng(20240601)
    theta = rng.normal(size=N_CANDIDATES)
    max_scores = np.ones(N_ITEMS)
    max_scores[2:6] = 2
    scores = np.zeros((N_CANDIDATES, N_ITEMS))
    difficulty = np.linspace(-2.5, 3.0, N_ITEMS)
    slope = rng.uniform(0.8, 2.0, N_ITEMS)
    for k in range(N_ITEMS):
        p = 1 / (1 + np.exp(-1.7 * slope[k] * (theta - difficulty[k])))
        if k == REVERSED:
            p = 1 / (1 + np.exp(1.7 * 2.0 * theta))
        if k == EASY:
            p = np.ones(N_CANDIDATES)
        scores[:, k] = rng.binomial(int(max_scores[k]), p)
    answered = np.ones((N_CANDIDATES, N_ITEMS), dtype=bool)
    answered[rng.choice(N_CANDIDATES, size=50, replace=False), PARTIAL] = False
    totals = (scores * answered).sum(axis=1)

    choices = {}
    for k in CHOICE_ITEMS:
        key = LETTERS[k % 4]
        distractors = [letter for letter in LETTERS if letter != key]
        weights = [0.6, 0.4, 0.0] if k == DISTRACTOR_UNUSED else [0.5, 0.3, 0.2]
        wrong = rng.choice(distractors, size=N_CANDIDATES, p=weights)
        choices[k] = [
            (key,) if s else (str(w),) for s, w in zip(scores[:, k], wrong, strict=True)
        ]
    # Multiple answer item, key A+C: wrong answers miss C or add B.
    wrong_multi = [("A",), ("A", "B", "C"), ("B", "D")]
    picks = rng.integers(0, 3, N_CANDIDATES)
    choices[MULTI] = [
        ("A", "C") if s else wrong_multi[j]
        for s, j in zip(scores[:, MULTI], picks, strict=True)
    ]

    # Ids in a shuffled order, so the tie-break by id differs from list order.
    id_numbers = rng.permutation(N_CANDIDATES)
    responses = []
    for i in range(N_CANDIDATES):
        items = {
            item_id(k): ItemResponse(
                score=float(scores[i, k]),
                max_score=float(max_scores[k]),
                choice=choices[k][i] if k in choices else (),
            )
            for k in range(N_ITEMS)
            if answered[i, k]
        }
        # Mix Decimal and float totals, as stored attempts use Decimal.
        total = Decimal(str(totals[i])) if i % 2 else float(totals[i])
        responses.append(CandidateResult(f"C{id_numbers[i]:03d}", total, items))
    return {
        "scores": scores,
        "max_scores": max_scores,
        "answered": answered,
        "totals": totals,
        "id_numbers": id_numbers,
        "choices": choices,
        "responses": responses,
    }


@pytest.fixture(scope="module")
def data():
    return _generate()


@pytest.fixture(scope="module")
def options():
    opts = {item_id(k): list(LETTERS) for k in CHOICE_ITEMS}
    opts[item_id(MULTI)] = [*LETTERS, "E"]
    return opts


@pytest.fixture(scope="module")
def stats(data, options):
    return item_statistics(data["responses"], item_options=options)


def _expected_item(data, k, fraction=0.27):
    """Independent numpy computation of one item's statistics."""
    mask = data["answered"][:, k]
    s = data["scores"][mask, k]
    tot = data["totals"][mask]
    ids = data["id_numbers"][mask]
    m = data["max_scores"][k]
    n = len(s)
    g = min(max(1, int(np.floor(n * fraction + 0.5))), n // 2)
    order = np.lexsort((ids, tot))  # by total, then candidate id
    lower, upper = order[:g], order[n - g :]
    rest = tot - s
    if s.std() == 0 or rest.std() == 0:
        pb = None
    else:
        pb = float(np.corrcoef(s, rest)[0, 1])
    return {
        "n": n,
        "facility": s.mean() / m,
        "discrimination": s[upper].mean() / m - s[lower].mean() / m,
        "point_biserial": pb,
        "lower": np.flatnonzero(mask)[lower],
        "upper": np.flatnonzero(mask)[upper],
    }


def test_generated_item_statistics_match_numpy(data, stats):
    """Facility, discrimination and point-biserial agree with numpy within 1e-9."""
    assert list(stats) == [item_id(k) for k in range(N_ITEMS)]
    for k in range(N_ITEMS):
        expected = _expected_item(data, k)
        got = stats[item_id(k)]
        assert got.n == expected["n"]
        assert got.facility == approx(expected["facility"])
        assert got.discrimination == approx(expected["discrimination"])
        if expected["point_biserial"] is None:
            assert got.point_biserial is None
        else:
            assert got.point_biserial == approx(expected["point_biserial"])
    assert stats[item_id(PARTIAL)].n == 150


def test_generated_data_is_varied(stats):
    """The data set spans easy to hard items, so the comparisons are not trivial."""
    facilities = [s.facility for s in stats.values()]
    assert min(facilities) < 0.2
    assert max(f for f in facilities if f < 1) > 0.8
    assert any(0 < s.point_biserial < 1 for s in stats.values() if s.point_biserial)


def test_other_group_fraction_matches_numpy(data):
    """A non-default group fraction changes the groups the same way as numpy."""
    stats = item_statistics(data["responses"], group_fraction=0.33)
    for k in range(N_ITEMS):
        expected = _expected_item(data, k, fraction=0.33)
        assert stats[item_id(k)].discrimination == approx(expected["discrimination"])


def test_generated_option_counts_match_numpy(data, stats):
    """Option counts, overall and per group, match a direct count of the choices."""
    for k in (*CHOICE_ITEMS, MULTI):
        expected = _expected_item(data, k)
        chosen = data["choices"][k]
        got = stats[item_id(k)]
        for letter in got.option_counts:
            picked = np.array([letter in c for c in chosen])
            assert got.option_counts[letter] == picked.sum()
            assert got.option_upper[letter] == picked[expected["upper"]].sum()
            assert got.option_lower[letter] == picked[expected["lower"]].sum()
    assert list(stats[item_id(MULTI)].option_counts) == ["A", "B", "C", "D", "E"]
    assert stats[item_id(MULTI)].option_counts["E"] == 0
    # Non-choice items have no option counts.
    assert stats[item_id(2)].option_counts == {}


def test_generated_cronbach_alpha_matches_numpy(data):
    """Alpha uses ddof=0 variances; by default only items everybody answered."""
    x = data["scores"][:, :PARTIAL]  # item PARTIAL is missing for 50 candidates
    k = x.shape[1]
    expected = k / (k - 1) * (1 - x.var(axis=0).sum() / x.sum(axis=1).var())
    assert cronbach_alpha(data["responses"]) == approx(expected)

    # With the partial item requested, candidates without it are left out.
    ids = [item_id(j) for j in range(N_ITEMS)]
    y = data["scores"][data["answered"][:, PARTIAL]]
    expected_all = (
        N_ITEMS / (N_ITEMS - 1) * (1 - y.var(axis=0).sum() / y.sum(axis=1).var())
    )
    assert cronbach_alpha(data["responses"], ids) == approx(expected_all)
    assert expected_all != approx(expected)


def test_generated_paper_summary_matches_numpy(data):
    """Summary statistics of the totals agree with numpy."""
    totals = data["totals"]
    summary = paper_summary(data["responses"], pass_mark=Decimal("8"))
    assert summary["n"] == N_CANDIDATES
    assert summary["mean"] == approx(totals.mean())
    assert summary["median"] == approx(np.median(totals))
    assert summary["std"] == approx(totals.std())
    assert summary["min"] == totals.min()
    assert summary["max"] == totals.max()
    assert summary["pass_rate"] == approx((totals >= 8).mean())
    assert summary["alpha"] == approx(cronbach_alpha(data["responses"]))


def test_reversed_item_is_flagged_negative(stats):
    """The item that gets harder with ability has negative discrimination."""
    reversed_item = stats[item_id(REVERSED)]
    assert reversed_item.discrimination < 0
    assert reversed_item.point_biserial < 0
    assert FLAG_NEGATIVE_DISCRIMINATION in reversed_item.flags
    negatives = [s.item_id for s in stats.values() if s.discrimination < 0]
    assert negatives == [item_id(REVERSED)]


def test_item_everybody_gets_right_is_flagged_easy(stats):
    """Full marks for all gives facility 1, no discrimination and the easy flag."""
    easy = stats[item_id(EASY)]
    assert easy.facility == 1
    assert easy.discrimination == 0
    assert easy.point_biserial is None  # zero item variance
    assert FLAG_TOO_EASY in easy.flags
    # Nobody chose a distractor, so all three are flagged, the key is not.
    key = LETTERS[EASY % 4]
    assert easy.flags[1:] == [f"干扰项无人选择：{x}" for x in LETTERS if x != key]


def test_unused_distractor_and_hard_flags(data, stats):
    """A distractor nobody picked is named; facility below 0.2 is flagged hard."""
    key = LETTERS[DISTRACTOR_UNUSED % 4]
    unused = [x for x in LETTERS if x != key][2]
    assert stats[item_id(DISTRACTOR_UNUSED)].flags == [f"干扰项无人选择：{unused}"]
    for s in stats.values():
        assert (FLAG_TOO_HARD in s.flags) == (s.facility < 0.2)
        assert (FLAG_TOO_EASY in s.flags) == (s.facility > 0.9)


def _hand_example():
    """Five candidates, three items (Q1, Q2 out of 1; Q3 out of 2).

    ====  ==  ==  ==  =====
    cand  Q1  Q2  Q3  total
    ====  ==  ==  ==  =====
    A      1   1   2      4
    B      1   1   1      3
    C      1   0   1      2
    D      0   1   0      1
    E      0   0   0      0
    ====  ==  ==  ==  =====

    Q1 is a choice item with key A: A, B, C chose A; D and E chose B.
    """
    rows = {
        "A": (1, 1, 2),
        "B": (1, 1, 1),
        "C": (1, 0, 1),
        "D": (0, 1, 0),
        "E": (0, 0, 0),
    }
    q1_choice = {"A": "A", "B": "A", "C": "A", "D": "B", "E": "B"}
    return [
        CandidateResult(
            cand,
            Decimal(sum(row)),
            {
                "Q1": ItemResponse(row[0], 1, (q1_choice[cand],)),
                "Q2": ItemResponse(row[1], 1),
                "Q3": ItemResponse(row[2], 2),
            },
        )
        for cand, row in rows.items()
    ]


HAND_OPTIONS = {"Q1": ["A", "B", "C", "D"]}


def test_hand_example_facility_and_discrimination():
    """Hand-computed facility and upper-lower index for 5 candidates."""
    # Facility: Q1 = 3/5 = 0.6, Q2 = 3/5 = 0.6, Q3 = (2+1+1)/5 / 2 = 0.4.
    # group_fraction 0.4: g = round(5 * 0.4) = 2, upper = {A, B}, lower = {D, E}.
    # Q1: 1 - 0 = 1; Q2: 1 - 0.5 = 0.5; Q3: (1 + 0.5)/2 - 0 = 0.75.
    stats = item_statistics(
        _hand_example(), group_fraction=0.4, item_options=HAND_OPTIONS
    )
    assert [stats[q].facility for q in ("Q1", "Q2", "Q3")] == [
        approx(0.6),
        approx(0.6),
        approx(0.4),
    ]
    assert [stats[q].discrimination for q in ("Q1", "Q2", "Q3")] == [
        approx(1.0),
        approx(0.5),
        approx(0.75),
    ]
    # Default 27 %: g = round(1.35) = 1, upper = {A}, lower = {E}: all items 1.
    default = item_statistics(_hand_example())
    assert [default[q].discrimination for q in ("Q1", "Q2", "Q3")] == [1, 1, 1]


def test_hand_example_point_biserial():
    """Hand-computed item-rest correlations."""
    # Q1: x = (1,1,1,0,0), rest = (3,2,1,1,0); Sxy = 1.8, Sxx = 1.2, Syy = 5.2.
    # Q2: x = (1,1,0,1,0), rest = (3,2,2,0,0); Sxy = 0.8, Sxx = 1.2, Syy = 7.2.
    # Q3: x = (2,1,1,0,0), rest = (2,2,1,1,0); Sxy = 2.2, Sxx = 2.8, Syy = 2.8.
    stats = item_statistics(_hand_example())
    assert stats["Q1"].point_biserial == approx(1.8 / math.sqrt(1.2 * 5.2))
    assert stats["Q2"].point_biserial == approx(0.8 / math.sqrt(1.2 * 7.2))
    assert stats["Q3"].point_biserial == approx(11 / 14)


def test_hand_example_alpha_and_summary():
    """Hand-computed alpha (ddof=0) and paper summary."""
    # var(Q1) = var(Q2) = 0.6 * 0.4 = 0.24; var(Q3) = 1.2 - 0.8**2 = 0.56.
    # totals 4,3,2,1,0: mean 2, var 2. alpha = 3/2 * (1 - 1.04/2) = 0.72.
    responses = _hand_example()
    assert cronbach_alpha(responses) == approx(0.72)
    # Q1 and Q2 only: var(total) of (2,2,1,1,0) = 0.56; 2 * (1 - 0.48/0.56) = 2/7.
    assert cronbach_alpha(responses, ["Q1", "Q2"]) == approx(2 / 7)
    summary = paper_summary(responses, pass_mark=2)
    assert summary == {
        "n": 5,
        "mean": 2,
        "median": 2,
        "std": approx(math.sqrt(2)),
        "min": 0,
        "max": 4,
        "alpha": approx(0.72),
        "pass_mark": 2,
        "pass_rate": approx(0.6),
    }


def test_hand_example_options_and_flags():
    """Q1's unchosen distractors C and D are flagged; groups count their letters."""
    stats = item_statistics(
        _hand_example(), group_fraction=0.4, item_options=HAND_OPTIONS
    )
    q1 = stats["Q1"]
    assert q1.option_counts == {"A": 3, "B": 2, "C": 0, "D": 0}
    assert q1.option_upper == {"A": 2, "B": 0, "C": 0, "D": 0}
    assert q1.option_lower == {"A": 0, "B": 2, "C": 0, "D": 0}
    assert q1.flags == ["干扰项无人选择：C", "干扰项无人选择：D"]
    assert stats["Q2"].flags == []
    assert stats["Q3"].flags == []


def test_ties_broken_by_candidate_id():
    """With equal totals the lower ids form the lower group, whatever list order."""
    # Everybody totals 1. Ordered by id c1..c4, g = 1: lower = c1 (Q1 = 1),
    # upper = c4 (Q1 = 0), so Q1 discriminates -1 and Q2 +1.
    rows = {"c3": (1, 0), "c1": (1, 0), "c4": (0, 1), "c2": (0, 1)}
    responses = [
        CandidateResult(c, 1.0, {"Q1": ItemResponse(q1, 1), "Q2": ItemResponse(q2, 1)})
        for c, (q1, q2) in rows.items()
    ]
    stats = item_statistics(responses)
    assert stats["Q1"].discrimination == -1
    assert stats["Q2"].discrimination == 1
    assert FLAG_NEGATIVE_DISCRIMINATION in stats["Q1"].flags
    # Q1 and rest (= 1 - Q1) are perfectly anti-correlated.
    assert stats["Q1"].point_biserial == approx(-1)
    # All totals equal: zero total variance, so no alpha; the summary still works.
    assert cronbach_alpha(responses) is None
    summary = paper_summary(responses, pass_mark=1)
    assert summary["std"] == 0
    assert summary["pass_rate"] == 1


def test_one_candidate_never_raises():
    """A single candidate gives facility but no discrimination, correlation or alpha."""
    responses = [
        CandidateResult(
            "solo", 3, {"Q1": ItemResponse(1, 1, ("A",)), "Q2": ItemResponse(2, 2)}
        )
    ]
    stats = item_statistics(responses, item_options={"Q1": ["A", "B"]})
    assert stats["Q1"].n == 1
    assert stats["Q1"].facility == 1
    assert stats["Q1"].discrimination is None
    assert stats["Q1"].point_biserial is None
    assert stats["Q1"].option_counts == {"A": 1, "B": 0}
    assert stats["Q1"].flags == [FLAG_TOO_EASY, "干扰项无人选择：B"]
    assert cronbach_alpha(responses) is None
    summary = paper_summary(responses, pass_mark=60)
    assert summary["n"] == 1
    assert summary["std"] == 0
    assert summary["pass_rate"] == 0
    assert export_xlsx(stats, summary)


def test_item_nobody_answered_never_raises():
    """An item listed but not answered is reported with n=0 and no statistics."""
    responses = _hand_example()
    stats = item_statistics(responses, item_options={**HAND_OPTIONS, "Q9": ["A", "B"]})
    q9 = stats["Q9"]
    assert q9.n == 0
    assert (q9.facility, q9.discrimination, q9.point_biserial) == (None, None, None)
    assert q9.option_counts == {"A": 0, "B": 0}
    assert q9.flags == [FLAG_NO_RESPONSES]
    assert cronbach_alpha(responses, ["Q1", "Q9"]) is None
    assert export_xlsx(stats, paper_summary(responses))


def test_no_candidates_never_raises():
    """An empty paper yields no items and a summary of Nones."""
    assert item_statistics([]) == {}
    assert cronbach_alpha([]) is None
    summary = paper_summary([], pass_mark=60)
    assert summary["n"] == 0
    assert summary["mean"] is None
    assert summary["pass_rate"] is None
    assert export_xlsx({}, summary)


def test_zero_max_score_does_not_divide_by_zero():
    """An item worth nothing has no facility instead of raising."""
    responses = [
        CandidateResult(c, t, {"Q1": ItemResponse(0, 0), "Q2": ItemResponse(t, 1)})
        for c, t in (("a", 0), ("b", 1))
    ]
    stats = item_statistics(responses)
    assert stats["Q1"].facility is None
    assert stats["Q1"].discrimination == 0


@pytest.mark.parametrize("fraction", [0, -0.1, 0.51, 1])
def test_group_fraction_out_of_range_is_rejected(fraction):
    """The groups must not overlap, so the fraction is limited to (0, 0.5]."""
    with pytest.raises(ValueError, match="group_fraction"):
        item_statistics(_hand_example(), group_fraction=fraction)


@pytest.mark.parametrize(
    ("n", "fraction", "expected"),
    [(0, 0.27, 0), (1, 0.27, 0), (2, 0.27, 1), (5, 0.27, 1), (150, 0.27, 41),
     (200, 0.27, 54), (3, 0.5, 1), (10, 0.25, 3)],
)  # fmt: skip
def test_group_size(n, fraction, expected):
    """Halves round up (150 * 0.27 = 40.5 -> 41) and groups never overlap."""
    assert group_size(n, fraction) == expected


def _load(data):
    workbook = load_workbook(io.BytesIO(data))
    return {
        name: [list(row) for row in workbook[name].iter_rows(values_only=True)]
        for name in workbook.sheetnames
    }


def test_export_round_trips_through_openpyxl():
    """The workbook has both sheets, Chinese headers and the computed values."""
    responses = _hand_example()
    stats = item_statistics(responses, group_fraction=0.4, item_options=HAND_OPTIONS)
    summary = paper_summary(responses, pass_mark=2)
    sheets = _load(export_xlsx(stats, summary, {"Q1": "行政处罚的种类"}))
    assert list(sheets) == ["试卷", "试题分析"]

    paper = sheets["试卷"]
    assert paper[0] == ["指标", "数值"]
    values = dict(paper[1:])
    assert values["考生人数"] == 5
    assert values["平均分"] == approx(2)
    assert values["信度系数（Cronbach α）"] == approx(0.72)
    assert values["及格率"] == approx(0.6)

    rows = sheets["试题分析"]
    assert rows[0] == ITEM_HEADERS
    assert rows[0][:6] == [
        "题号",
        "题目",
        "作答人数",
        "难度系数",
        "区分度",
        "点二列相关",
    ]
    assert rows[0][-1] == "标记"
    q1, q2, q3 = rows[1:]
    assert q1[:6] == [
        "Q1",
        "行政处罚的种类",
        5,
        approx(0.6),
        approx(1.0),
        approx(1.8 / math.sqrt(6.24)),
    ]
    assert q1[6:] == [
        "A:3  B:2  C:0  D:0",
        "A:2  B:0  C:0  D:0",
        "A:0  B:2  C:0  D:0",
        "干扰项无人选择：C；干扰项无人选择：D",
    ]
    assert q2[:6] == [
        "Q2",
        None,
        5,
        approx(0.6),
        approx(0.5),
        approx(0.8 / math.sqrt(8.64)),
    ]
    assert q3[3] == approx(0.4)


def test_export_neutralises_formula_injection():
    """Labels and ids starting with = + - @ are stored as text with a leading '."""
    responses = [
        CandidateResult("a", 1, {"=cmd": ItemResponse(1, 1), "Q2": ItemResponse(0, 1)}),
        CandidateResult("b", 0, {"=cmd": ItemResponse(0, 1), "Q2": ItemResponse(0, 1)}),
    ]
    labels = {
        "=cmd": '=HYPERLINK("http://evil.example","点击")',
        "Q2": "+1+2",
        "-3": "@SUM(A1:A9)",
        "Q4": "-2+3\x07",
    }
    stats = item_statistics(responses, item_options={"-3": ["A"], "Q4": ["A"]})
    data = export_xlsx(stats, {"n": 2, "=备注": "-危险"}, labels)
    sheets = _load(data)
    rows = sheets["试题分析"][1:]
    assert [row[:2] for row in rows] == [
        ["'=cmd", '\'=HYPERLINK("http://evil.example","点击")'],
        ["Q2", "'+1+2"],
        ["'-3", "'@SUM(A1:A9)"],
        ["Q4", "'-2+3"],  # the control character is dropped, not written
    ]
    assert sheets["试卷"][2] == ["'=备注", "'-危险"]
    # Nothing was stored as a formula.
    workbook = load_workbook(io.BytesIO(data))
    for sheet in workbook:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("=1", "'=1"), ("+1", "'+1"), ("-1", "'-1"), ("@a", "'@a"), ("\tx", "'\tx"),
     ("a=1", "a=1"), ("", ""), ("题目", "题目")],
)  # fmt: skip
def test_neutralise(text, expected):
    """Only a leading formula character is neutralised."""
    assert neutralise(text) == expected


candidate_rows = st.lists(
    st.lists(st.one_of(st.none(), st.integers(0, 2)), min_size=3, max_size=3),
    min_size=0,
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(rows=candidate_rows, fraction=st.floats(0.01, 0.5))
def test_statistics_stay_in_range(rows, fraction):
    """Any data set (missing answers included) gives bounded values, never raises."""
    responses = [
        CandidateResult(
            f"c{i}",
            sum(s for s in row if s is not None),
            {
                f"Q{k}": ItemResponse(s, 2, ("A",) if s else ("B",))
                for k, s in enumerate(row)
                if s is not None
            },
        )
        for i, row in enumerate(rows)
    ]
    stats = item_statistics(
        responses, group_fraction=fraction, item_options={"Q0": ["A", "B", "C"]}
    )
    for item in stats.values():
        assert sum(item.option_upper.values()) <= item.n
        if item.n == 0:
            continue
        assert 0 <= item.facility <= 1
        if item.discrimination is not None:
            assert -1 <= item.discrimination <= 1
        if item.point_biserial is not None:
            assert -1 - TOL <= item.point_biserial <= 1 + TOL
    alpha = cronbach_alpha(responses, ["Q0", "Q1", "Q2"])
    assert alpha is None or alpha <= 1 + TOL
    assert export_xlsx(stats, paper_summary(responses, pass_mark=3))
