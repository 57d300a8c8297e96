"""Pure grading core: question types, validation, response parsing (no app)."""

from dataclasses import FrozenInstanceError
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exams.grading import (
    QUESTION_TYPES,
    TYPE_BY_LABEL,
    TYPE_LABELS,
    GradeResult,
    QuestionSpecError,
    get_question_type,
    grade_response,
    resolve_type,
    validate_spec,
)
from exams.grading.fill_blank import count_blanks, normalise_text

D = Decimal
FAST = settings(max_examples=200, database=None, deadline=None)

SINGLE = {
    "type": "single",
    "options": {"A": "警告", "B": "罚款", "C": "行政拘留", "D": "没收违法所得"},
    "key": ["B"],
}
MULTIPLE = {
    "type": "multiple",
    "options": {"A": "警告", "B": "罚款", "C": "行政拘留", "D": "没收违法所得"},
    "key": ["A", "B", "D"],
}
TRUE_FALSE = {"type": "true_false", "key": True}
FILL = {
    "type": "fill_blank",
    "stem": "对行政处罚不服的，可以依法申请____或者提起（ ）。",
    "blanks": [
        {"accepted": ["行政复议", "复议"], "score": None},
        {"accepted": ["行政诉讼"]},
    ],
}
ESSAY = {
    "type": "essay",
    "reference_answer": "合法、合理、程序正当……",
    "rubric": [{"point": "合法行政", "score": 2}, {"point": "程序正当", "score": 3}],
}

single = get_question_type("single")
multiple = get_question_type("multiple")
true_false = get_question_type("true_false")
fill_blank = get_question_type("fill_blank")
essay = get_question_type("essay")
case = get_question_type("case")


# ---------------------------------------------------------------- registry


def test_registry_holds_six_types_with_chinese_labels():
    """Every type is registered under its id with its Chinese label."""
    assert TYPE_LABELS == {
        "single": "单选题",
        "multiple": "多选题",
        "true_false": "判断题",
        "fill_blank": "填空题",
        "essay": "简答题",
        "case": "案例分析题",
    }
    assert all(qtype.id == type_id for type_id, qtype in QUESTION_TYPES.items())
    assert [t for t, q in QUESTION_TYPES.items() if not q.auto_graded] == [
        "essay",
        "case",
    ]


def test_unknown_type_raises_key_error_in_chinese():
    """An unknown type id is a KeyError that says so in Chinese."""
    with pytest.raises(KeyError, match="未知题型"):
        get_question_type("matching")
    with pytest.raises(KeyError, match="未知题型"):
        grade_response({"type": "ordering"}, "A", D(1))
    with pytest.raises(KeyError, match="未知题型"):
        resolve_type("连线题")
    assert validate_spec({"type": "matching"}) == ["未知题型：'matching'"]
    assert validate_spec({"type": ["single"]}) == ["未知题型：['single']"]


@pytest.mark.parametrize(
    ("text", "type_id"),
    [
        ("单选题", "single"),
        ("单选", "single"),
        ("单项选择题", "single"),
        ("多选", "multiple"),
        ("多项选择题", "multiple"),
        ("判断", "true_false"),
        ("判断题", "true_false"),
        ("填空", "fill_blank"),
        ("简答", "essay"),
        ("案例分析", "case"),
        ("案例分析题", "case"),
    ],
)
def test_type_by_label_covers_common_variants(text, type_id):
    """Labels and their usual variants in import files map to type ids."""
    assert TYPE_BY_LABEL[text] == type_id
    assert resolve_type(text) == type_id


def test_resolve_type_folds_width_and_spaces():
    """Stray spaces and full-width ids in a spreadsheet cell still resolve."""
    assert resolve_type(" 单选 题 ") == "single"
    assert resolve_type("ｆｉｌｌ＿ｂｌａｎｋ") == "fill_blank"


def test_grade_result_is_frozen():
    """A grade cannot be altered after the fact."""
    result = GradeResult(D(1), D(1), True)
    with pytest.raises(FrozenInstanceError):
        result.score = D(0)


# ---------------------------------------------------------------- single choice


@pytest.mark.parametrize("response", ["B", "b", "Ｂ", ["B"], " B ", "(B)"])
def test_single_choice_correct(response):
    """The key letter in any spelling earns full marks."""
    assert single.grade(SINGLE, response, D(2)) == GradeResult(
        D(2), D(2), True, "回答正确"
    )


def test_single_choice_wrong_and_empty():
    """A wrong letter or no answer scores zero."""
    wrong = single.grade(SINGLE, "C", D(2))
    assert (wrong.score, wrong.correct, wrong.feedback) == (D(0), False, "回答错误")
    for empty in (None, "", "  ", [], ()):
        result = single.grade(SINGLE, empty, D(2))
        assert (result.score, result.correct, result.feedback) == (
            D(0),
            False,
            "未作答",
        )


def test_single_choice_with_two_letters_or_unknown_letter_scores_zero():
    """Picking two letters, even including the key, or a non-option scores zero."""
    both = single.grade(SINGLE, "AB", D(2))
    assert (both.score, both.feedback) == (D(0), "单选题只能选择一个选项")
    ghost = single.grade(SINGLE, "E", D(2))
    assert (ghost.score, ghost.feedback) == (D(0), "所选选项 E 不存在")


@pytest.mark.parametrize("response", [42, {"A": 1}, "A1", "答案B", [1], object()])
def test_single_choice_malformed_response_scores_zero(response):
    """Unreadable input is a zero with an explanation, not an exception."""
    result = single.grade(SINGLE, response, D(2))
    assert result.score == D(0)
    assert result.correct is False
    assert result.feedback.startswith("答案格式无法识别")


# ---------------------------------------------------------------- multiple choice


def test_multiple_choice_all_or_nothing_is_the_default():
    """Without a policy only the exact key set scores."""
    assert multiple.grade(MULTIPLE, "ABD", D(3)).score == D(3)
    assert multiple.grade(MULTIPLE, "D,B,A", D(3)).correct is True
    assert multiple.grade(MULTIPLE, "AB", D(3)).score == D(0)
    policy = {"multiple": "all_or_nothing"}
    assert multiple.grade(MULTIPLE, "AB", D(3), policy).score == D(0)
    assert multiple.grade(MULTIPLE, "ABCD", D(3), policy).score == D(0)


def test_multiple_choice_partial_credit_is_proportional():
    """Partial: two of three key letters and no wrong one earn two thirds."""
    policy = {"multiple": "partial"}
    result = multiple.grade(MULTIPLE, "AB", D(3), policy)
    assert result == GradeResult(D("2.00"), D(3), False, "少选 D")
    assert multiple.grade(MULTIPLE, "A", D(2), policy).score == D("0.67")
    assert multiple.grade(MULTIPLE, "AB", D(2), policy).score == D("1.33")
    assert multiple.grade(MULTIPLE, "ABD", D(2), policy).score == D(2)


def test_multiple_choice_partial_any_wrong_choice_scores_zero():
    """Partial: a single wrong letter wipes out the credit."""
    result = multiple.grade(MULTIPLE, "ABC", D(3), {"multiple": "partial"})
    assert result == GradeResult(D(0), D(3), False, "错选 C")
    assert multiple.grade(MULTIPLE, "C", D(3), {"multiple": "partial"}).score == 0


def test_multiple_choice_half_policy():
    """少选得半: any correct subset earns half, a wrong letter still zero."""
    policy = {"multiple": "half"}
    assert multiple.grade(MULTIPLE, "A", D(3), policy).score == D("1.50")
    assert multiple.grade(MULTIPLE, "AB", D(3), policy).score == D("1.50")
    assert multiple.grade(MULTIPLE, "AC", D(3), policy).score == D(0)


def test_multiple_choice_empty_malformed_and_bad_policy():
    """Empty and unreadable answers score zero; an unknown policy is an error."""
    policy = {"multiple": "partial"}
    assert multiple.grade(MULTIPLE, [], D(3), policy).feedback == "未作答"
    # Punctuation is a separator, so "A?B" reads as A and B.
    assert multiple.grade(MULTIPLE, "A?B", D(3), policy).score == D("2.00")
    assert multiple.grade(MULTIPLE, "A9", D(3), policy).feedback.startswith(
        "答案格式无法识别"
    )
    assert multiple.grade(MULTIPLE, "ABE", D(3), policy).feedback == "错选 E"
    with pytest.raises(ValueError, match="未知的多选题计分方式"):
        multiple.grade(MULTIPLE, "AB", D(3), {"multiple": "generous"})


def test_policy_keys_of_other_types_are_ignored():
    """A paper-level policy can be passed to every type unchanged."""
    policy = {"multiple": "partial"}
    assert single.grade(SINGLE, "B", D(1), policy).score == D(1)
    assert true_false.grade(TRUE_FALSE, "对", D(1), policy).score == D(1)


@FAST
@given(
    letters=st.integers(min_value=2, max_value=8),
    data=st.data(),
    cents=st.integers(min_value=1, max_value=10_000),
)
def test_partial_score_bounded_and_full_only_for_exact_key(letters, data, cents):
    """For any key and response: 0 ≤ score ≤ max, and score == max iff exact."""
    options = {chr(ord("A") + i): f"选项{i}" for i in range(letters)}
    pool = sorted(options)
    key = data.draw(st.sets(st.sampled_from(pool), min_size=2))
    response = data.draw(st.sets(st.sampled_from(pool)))
    spec = {"type": "multiple", "options": options, "key": sorted(key)}
    max_score = D(cents) / 100
    result = multiple.grade(spec, sorted(response), max_score, {"multiple": "partial"})
    assert isinstance(result.score, Decimal)
    assert D(0) <= result.score <= max_score
    assert (result.score == max_score) == (response == key)
    assert result.correct is (response == key)


def test_partial_score_never_rounds_up_to_full_marks():
    """7 of 8 letters at 0.01 points is 0.00875: truncated, not rounded to 0.01."""
    options = {chr(ord("A") + i): f"选项{i}" for i in range(8)}
    spec = {"type": "multiple", "options": options, "key": sorted(options)}
    result = multiple.grade(spec, "ABCDEFG", D("0.01"), {"multiple": "partial"})
    assert result.score == D("0.00")
    three = {"type": "fill_blank", "blanks": [{"accepted": [c]} for c in "甲乙丙"]}
    assert fill_blank.grade(three, ["甲", "乙", ""], D("0.01")).score == D("0.00")


# ---------------------------------------------------------------- true / false


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("对", True),
        ("正确", True),
        ("√", True),
        ("T", True),
        ("t", True),
        ("true", True),
        (True, True),
        (1, True),
        (["对"], True),
        ("错", False),
        ("错误", False),
        ("×", False),
        ("F", False),
        ("False", False),
        (False, False),
        ("错。", False),
        ("", None),
        (None, None),
        ([], None),
    ],
)
def test_true_false_normalise_response(raw, expected):
    """Browser and spreadsheet spellings of 对/错 are understood."""
    assert true_false.normalise_response(raw) is expected


def test_true_false_grading():
    """Matching the key scores, the opposite and blanks do not."""
    assert true_false.grade(TRUE_FALSE, "√", D(1)).correct is True
    assert true_false.grade(TRUE_FALSE, "错误", D(1)).score == D(0)
    assert true_false.grade(TRUE_FALSE, None, D(1)).feedback == "未作答"
    false_key = {"type": "true_false", "key": "错"}  # as an import may store it
    assert true_false.grade(false_key, False, D(1)).score == D(1)
    assert true_false.grade(false_key, "对", D(1)).score == D(0)


@pytest.mark.parametrize("raw", ["也许", 2, ["对", "错"], 0.5])
def test_true_false_malformed_response_scores_zero(raw):
    """Anything that means neither 对 nor 错 is an unreadable answer."""
    result = true_false.grade(TRUE_FALSE, raw, D(1))
    assert (result.score, result.correct) == (D(0), False)
    assert result.feedback.startswith("答案格式无法识别")


# ---------------------------------------------------------------- choice parsing


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("AC", ("A", "C")),
        ("A,C", ("A", "C")),
        ("a，c", ("A", "C")),
        ("C、A", ("A", "C")),
        ("A C", ("A", "C")),
        (["C", "A"], ("A", "C")),
        (("A", "c"), ("A", "C")),
        ({"A", "C"}, ("A", "C")),
        ("ＡＣ", ("A", "C")),
        ("AAC", ("A", "C")),
        ("[A, C]", ("A", "C")),
        ("", ()),
        (None, ()),
    ],
)
def test_choice_normalise_response(raw, expected):
    """Letters come back sorted and distinct whatever the separator or width."""
    assert multiple.normalise_response(raw) == expected


# ---------------------------------------------------------------- fill blank


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ＡＢＣ１２３", "abc123"),
        ("行政复议。", "行政复议"),
        (" 行政 复议 ", "行政复议"),
        ("行政\u3000复议", "行政复议"),
        ("《行政处罚法》", "行政处罚法"),
        ("Hello, World!", "helloworld"),
    ],
)
def test_fill_blank_normalisation(typed, stored):
    """Width, whitespace, punctuation and case do not matter."""
    assert normalise_text(typed) == normalise_text(stored)
    spec = {"type": "fill_blank", "blanks": [{"accepted": [stored]}]}
    assert fill_blank.grade(spec, typed, D(1)).correct is True


def test_fill_blank_normalisation_keeps_symbols_and_digits_apart():
    """Symbols survive normalisation, so different amounts stay different."""
    assert normalise_text("1+1") != normalise_text("11")
    spec = {"type": "fill_blank", "blanks": [{"accepted": ["5000元"]}]}
    assert fill_blank.grade(spec, "500元", D(1)).score == D(0)


def test_fill_blank_equal_shares():
    """Blanks without scores share the question score equally."""
    both = fill_blank.grade(FILL, ["复议", "行政诉讼。"], D(2))
    assert both == GradeResult(D(2), D(2), True, "回答正确", (True, True))
    first = fill_blank.grade(FILL, ["行政复议", "民事诉讼"], D(2))
    assert (first.score, first.correct, first.details) == (D(1), False, (True, False))
    assert first.feedback == "答对 1/2 空"
    three = {"type": "fill_blank", "blanks": [{"accepted": [c]} for c in "甲乙丙"]}
    assert fill_blank.grade(three, ["甲", "乙", "x"], D(2)).score == D("1.33")
    assert fill_blank.grade(three, ["甲", "x", "x"], D(2)).score == D("0.67")


def test_fill_blank_explicit_scores():
    """Explicit per-blank scores are summed for the blanks answered correctly."""
    spec = {
        "type": "fill_blank",
        "blanks": [
            {"accepted": ["十五日"], "score": "1.5"},
            {"accepted": ["六十日", "60日"], "score": 2},
            {"accepted": ["六个月"], "score": D("0.5")},
        ],
    }
    assert fill_blank.total_score(spec) == D(4)
    result = fill_blank.grade(spec, ["十五日", "６０日", "三个月"], D(4))
    assert (result.score, result.details) == (D("3.50"), (True, True, False))
    assert fill_blank.grade(spec, ["", "", "六个月"], D(4)).score == D("0.50")
    with pytest.raises(QuestionSpecError, match="与本题分值 5 分不一致"):
        fill_blank.grade(spec, ["十五日"], D(5))


def test_fill_blank_mixed_scores_share_the_remainder():
    """Blanks without a score split what the explicit scores leave."""
    spec = {
        "type": "fill_blank",
        "blanks": [
            {"accepted": ["甲"], "score": 2},
            {"accepted": ["乙"]},
            {"accepted": ["丙"]},
        ],
    }
    assert fill_blank.total_score(spec) is None
    assert fill_blank.grade(spec, ["x", "乙", "丙"], D(4)).score == D(2)
    assert fill_blank.grade(spec, ["甲", "乙", "x"], D(4)).score == D(3)
    with pytest.raises(QuestionSpecError, match="超过本题分值"):
        fill_blank.grade(spec, ["甲"], D(1))


def test_fill_blank_empty_short_and_malformed_responses():
    """Missing blanks count as wrong; unreadable shapes score zero."""
    empty = fill_blank.grade(FILL, ["", " "], D(2))
    assert (empty.score, empty.feedback, empty.details) == (
        D(0),
        "未作答",
        (False, False),
    )
    assert fill_blank.grade(FILL, None, D(2)).feedback == "未作答"
    short = fill_blank.grade(FILL, ["复议"], D(2))
    assert (short.score, short.details) == (D(1), (True, False))
    extra = fill_blank.grade(FILL, ["复议", "行政诉讼", "多余"], D(2))
    assert extra.correct is True
    for bad in (42.0, object(), [["复议"]], {"x": "复议"}, [True]):
        result = fill_blank.grade(FILL, bad, D(2))
        assert result.score == D(0), bad
        assert result.feedback.startswith("答案格式无法识别"), bad


@pytest.mark.parametrize(
    "raw",
    [
        ["复议", "行政诉讼"],
        "复议|行政诉讼",
        "复议\n行政诉讼",
        {0: "复议", "1": "行政诉讼"},
    ],
)
def test_fill_blank_response_shapes(raw):
    """Lists, separated strings and index-keyed dicts are all accepted."""
    assert fill_blank.grade(FILL, raw, D(2)).score == D(2)


def test_count_blanks_in_stem():
    """Underscore runs and empty brackets, full- or half-width, are blanks."""
    assert count_blanks(FILL["stem"]) == 2
    assert count_blanks("____、＿＿、( )、（）、（　）") == 5
    assert count_blanks("《行政处罚法》（2021年修订）第_条") == 0


# ---------------------------------------------------------------- essay / case


@pytest.mark.parametrize("qtype", [essay, case])
def test_essay_needs_manual_grading(qtype):
    """Without a marker's score the answer is pending: None, zero, rubric max."""
    spec = {**ESSAY, "type": qtype.id}
    assert qtype.auto_graded is False
    result = qtype.grade(spec, "依法行政的基本要求包括……", D(5))
    assert result == GradeResult(D(0), D(5), None, "待人工评分")
    assert qtype.total_score(spec) == D(5)
    blank = qtype.grade(spec, "", D(5))
    assert (blank.correct, blank.feedback) == (None, "未作答，待人工评分")


def test_essay_manual_score():
    """A marker's score in range is recorded; full marks count as correct."""
    partial = essay.grade(
        ESSAY, "……", D(5), {"manual_score": D("3.5"), "feedback": "缺程序要点"}
    )
    assert partial == GradeResult(D("3.50"), D(5), False, "缺程序要点")
    full = essay.grade(ESSAY, "……", D(5), {"manual_score": 5})
    assert (full.score, full.correct) == (D(5), True)
    zero = essay.grade(ESSAY, "", D(5), {"manual_score": D(0)})
    assert (zero.score, zero.correct) == (D(0), False)


@pytest.mark.parametrize(
    ("manual", "error", "message"),
    [
        (D("5.5"), ValueError, "超过本题满分"),
        (D(-1), ValueError, "必须在 0 到 5 分之间"),
        ("abc", ValueError, "不是有效的数字"),
        (4.0, TypeError, "不能是浮点数"),
    ],
)
def test_essay_manual_score_out_of_range(manual, error, message):
    """Manual scores outside 0..max, or floats, are refused in Chinese."""
    with pytest.raises(error, match=message):
        essay.grade(ESSAY, "……", D(5), {"manual_score": manual})


def test_essay_rubric_must_match_question_score():
    """A rubric total that differs from the paper's score is an error."""
    with pytest.raises(QuestionSpecError, match="评分要点合计 5 分"):
        essay.grade(ESSAY, "……", D(10))
    no_rubric = {"type": "case", "reference_answer": "应当听证"}
    assert case.total_score(no_rubric) is None
    assert case.grade(no_rubric, "……", D(10)).max_score == D(10)


def test_essay_response_shapes():
    """Paragraph lists are joined; dicts are unreadable."""
    assert essay.normalise_response([" 一、", None, "二、"]) == "一、\n二、"
    assert essay.normalise_response(None) == ""
    bad = essay.grade(ESSAY, {"text": "x"}, D(5))
    assert (bad.score, bad.correct) == (D(0), False)


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"type": "single", "key": ["A"]}, "缺少选项"),
        ({"type": "single", "options": {"A": "甲"}, "key": ["A"]}, "至少需要两个选项"),
        ({"type": "single", "options": {"A": "甲", "B": "乙"}}, "缺少正确答案"),
        (
            {"type": "single", "options": {"A": "甲", "B": "乙"}, "key": ["E"]},
            "正确答案 E 不在选项中",
        ),
        (
            {"type": "single", "options": {"A": "甲", "B": "乙"}, "key": ["A", "B"]},
            "单选题只能有一个正确答案",
        ),
        (
            {"type": "single", "options": {"A": "甲", "B": "乙"}, "key": "甲"},
            "无法识别",
        ),
        (
            {"type": "single", "options": {"A": "甲", "1": "乙"}, "key": "A"},
            "选项标识“1”无效",
        ),
        (
            {"type": "single", "options": {"A": "甲", "B": " "}, "key": "A"},
            "选项 B 的内容为空",
        ),
        (
            {"type": "single", "options": {"A": "罚款", "B": "罚款。"}, "key": "A"},
            "选项 A 与选项 B 内容相同",
        ),
        (
            {"type": "multiple", "options": {"A": "甲", "B": "乙"}, "key": ["A"]},
            "多选题至少需要两个正确答案",
        ),
        ({"type": "true_false", "key": "是的吧"}, "判断题的答案必须是“对”或“错”"),
        ({"type": "true_false"}, "判断题的答案必须是“对”或“错”"),
        ({"type": "fill_blank", "blanks": []}, "填空题至少需要一个空"),
        (
            {"type": "fill_blank", "blanks": [{"accepted": []}]},
            "第 1 空没有可接受的答案",
        ),
        ({"type": "fill_blank", "blanks": [{"score": 1}]}, "第 1 空没有可接受的答案"),
        (
            {"type": "fill_blank", "blanks": [{"accepted": ["。"]}]},
            "为空（忽略空格和标点后）",
        ),
        (
            {"type": "fill_blank", "blanks": [{"accepted": ["甲"], "score": -1}]},
            "第 1 空的分值不能为负数",
        ),
        (
            {"type": "fill_blank", "blanks": [{"accepted": ["甲"], "score": 0}]},
            "第 1 空的分值必须大于 0",
        ),
        (
            {
                "type": "fill_blank",
                "stem": "____和____",
                "blanks": [{"accepted": ["甲"]}],
            },
            "题干中有 2 处空位",
        ),
        ({"type": "essay"}, "简答题至少需要参考答案或评分要点"),
        ({"type": "case", "rubric": []}, "案例分析题至少需要参考答案或评分要点"),
        (
            {"type": "essay", "rubric": [{"point": "", "score": 2}]},
            "第 1 个评分要点缺少内容",
        ),
        (
            {"type": "essay", "rubric": [{"point": "甲"}]},
            "第 1 个评分要点的分值必须是数字",
        ),
        ({"type": "essay", "rubric": "甲"}, "评分要点必须是列表"),
        (["single"], "题目定义必须是字典"),
    ],
)
def test_validate_reports_broken_specs_in_chinese(spec, message):
    """Each kind of broken definition yields a specific Chinese message."""
    errors = validate_spec(spec)
    assert any(message in error for error in errors), errors


def test_validate_accepts_good_specs_and_detects_type_mismatch():
    """Well-formed specs pass; a spec of another type is flagged."""
    for spec in (SINGLE, MULTIPLE, TRUE_FALSE, FILL, ESSAY):
        assert validate_spec(spec) == []
    assert (
        validate_spec({"type": "single", "options": SINGLE["options"], "key": "b"})
        == []
    )
    assert single.validate(MULTIPLE) == ["题型不符：应为“single”，实际为“multiple”"]


def test_grade_refuses_broken_spec_and_float_score():
    """Grading a broken spec raises; a float maximum is refused, never used."""
    with pytest.raises(QuestionSpecError, match="缺少选项") as excinfo:
        single.grade({"type": "single", "key": "A"}, "A", D(1))
    assert excinfo.value.errors == ["缺少选项"]
    assert isinstance(excinfo.value, ValueError)
    with pytest.raises(TypeError, match="不能是浮点数"):
        single.grade(SINGLE, "B", 1.0)
    with pytest.raises(ValueError, match="不能为负数"):
        single.grade(SINGLE, "B", D(-1))
    assert single.grade(SINGLE, "B", 2).score == D(2)


def test_float_scores_inside_a_spec_are_read_exactly():
    """A spec score that came back from JSON as 0.1 becomes Decimal('0.1')."""
    spec = {
        "type": "fill_blank",
        "blanks": [
            {"accepted": ["甲"], "score": 0.1},
            {"accepted": ["乙"], "score": 0.2},
        ],
    }
    assert fill_blank.total_score(spec) == D("0.3")
    assert fill_blank.grade(spec, ["甲", "乙"], D("0.3")).correct is True
