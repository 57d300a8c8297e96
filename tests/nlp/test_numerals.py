"""Chinese and Arabic numerals, money parsing and 大写 writing."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.numerals import parse_int, parse_money, parse_number, to_daxie

# No example database: the suite must not write files into the repository.
FAST = settings(max_examples=200, database=None, deadline=None)

AMOUNTS = st.decimals(
    min_value=Decimal("0.01"),
    max_value=Decimal("999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("十二", 12),
        ("十", 10),
        ("一百零五", 105),
        ("两千", 2000),
        ("一千二百三十四", 1234),
        ("九十九", 99),
        ("一万零五十", 10050),
        ("一亿二千万", 120_000_000),
        ("壹拾万", 100_000),
        ("1,234", 1234),
        ("１２３", 123),
        ("〇", 0),
        ("零", 0),
        ("二〇二三", 2023),
        ("一万五", 15000),
        ("3万", 30000),
    ],
)
def test_parse_int(text, expected):
    """Integers in Arabic, 小写 and 大写 Chinese, and digit-by-digit years parse."""
    assert parse_int(text) == expected


@pytest.mark.parametrize(
    "text", ["", "abc", "百", "十十", "一一百", "2.5", "一点五", "1,23", "万", "第十条"]
)
def test_parse_int_rejects_non_integers(text):
    """Text that is not a well-formed integer gives None."""
    assert parse_int(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2.5", "2.5"),
        ("一点五", "1.5"),
        ("1.5万", "15000"),
        ("十万", "100000"),
        ("一百万", "1000000"),
        ("0.5万", "5000"),
        ("一点二五万", "12500"),
        ("100,000", "100000"),
        ("3亿", "300000000"),
    ],
)
def test_parse_number(text, expected):
    """Decimals and 万/亿 multipliers parse exactly."""
    assert parse_number(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "元", "五点", "1.2.3", "万万", "abc"])
def test_parse_number_rejects_garbage(text):
    """Text that is not a number gives None."""
    assert parse_number(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5000元", "5000"),
        ("5,000.50元", "5000.50"),
        ("0.5万元", "5000"),
        ("1.5万元", "15000"),
        ("五千元", "5000"),
        ("十万元", "100000"),
        ("伍仟陆佰肆拾元贰角伍分", "5640.25"),
        ("人民币壹拾万元整", "100000"),
        ("壹万零伍佰元", "10500"),
        ("贰拾叁元伍角", "23.5"),
        ("捌佰元正", "800"),
        ("人民币壹万圆整", "10000"),
        ("叁元零伍分", "3.05"),
        ("伍角", "0.5"),
        ("￥5000", "5000"),
        ("人民币 5,000 元", "5000"),
    ],
)
def test_parse_money(text, expected):
    """Money in every written form becomes exact yuan."""
    assert parse_money(text) == Decimal(expected)


@pytest.mark.parametrize(
    "text", ["5000", "十分", "元", "五千", "罚款", "5000元罚款", ""]
)
def test_parse_money_rejects_non_money(text):
    """A bare number, 十分 (very) or other text is not money."""
    assert parse_money(text) is None


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("5640.25", "伍仟陆佰肆拾元贰角伍分"),
        ("100000", "壹拾万元整"),
        ("10500", "壹万零伍佰元整"),
        ("0.5", "伍角"),
        ("0.05", "伍分"),
        ("3.05", "叁元零伍分"),
        ("1005", "壹仟零伍元整"),
        ("100005000", "壹亿零伍仟元整"),
        ("10005000", "壹仟万伍仟元整"),
        ("52120", "伍万贰仟壹佰贰拾元整"),
    ],
)
def test_to_daxie(amount, expected):
    """大写 follows the standard zero and 整 rules."""
    assert to_daxie(Decimal(amount)) == expected


@pytest.mark.parametrize("amount", [Decimal("NaN"), Decimal("Infinity"), "abc"])
def test_to_daxie_rejects_non_amounts(amount):
    """NaN, infinity and non-numbers raise ValueError."""
    with pytest.raises(ValueError, match="not an amount"):
        to_daxie(amount)


@FAST
@given(AMOUNTS)
def test_daxie_round_trips(amount):
    """Any amount up to 999,999,999.99 written in 大写 parses back exactly."""
    assert parse_money(to_daxie(amount)) == amount


@FAST
@given(AMOUNTS)
def test_wan_amounts_round_trip(amount):
    """An amount written as X万元 parses back exactly."""
    assert parse_money(f"{amount / 10000:f}万元") == amount


@FAST
@given(st.integers(min_value=0, max_value=10**12))
def test_arabic_with_thousands_separators_round_trips(number):
    """Arabic integers with or without thousands separators parse back."""
    assert parse_int(f"{number:,}") == number
    assert parse_money(f"{number:,}元") == number


@FAST
@given(st.text())
def test_parsers_never_raise(text):
    """The parsers return a value or None on any text."""
    parse_int(text)
    parse_number(text)
    parse_money(text)


@FAST
@given(
    st.text(
        alphabet="零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟点元角分整0123456789,.人民币"
    )
)
def test_parsers_never_raise_on_numeral_soup(text):
    """Random mixes of numeral characters never make the parsers raise."""
    parse_int(text)
    parse_number(text)
    parse_money(text)
