"""Money mentions, imposed penalties and amount consistency in penalty decisions."""

import time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.amounts import (
    Money,
    check_amount_consistency,
    extract_penalties,
    find_bases,
    find_money,
)
from nlp.numerals import to_daxie

# The published extracts (ref-NN.txt) among the labelled decisions.
DECISIONS = Path(__file__).resolve().parents[1] / "data" / "decisions"
FAST = settings(max_examples=200, database=None, deadline=None)

# Characters that exercise every path of the scanner: numerals, units, range
# words, bases, brackets (paired or not), separators and control characters.
SOUP = st.lists(
    st.sampled_from(
        list("零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟点元圆角分整正")
        + list("0123456789,.%/（）()【】，。；、\n\x00\x07\u200b")
        + ["罚款", "没收", "违法所得", "货值金额", "人民币", "以上", "以下", "至", "倍"]
        + [
            "百分之",
            "每平方米",
            "合计",
            "共计",
            "决定给予",
            "如不服",
            "拟",
            "不予",
            "亩",
        ]
        + ["处罚决定", "【处罚决定】", "警告", "责令改正", "即", "大写", "￥", "𝔘", "é"]
    ),
    max_size=60,
).map("".join)


def _decision(name: str) -> str:
    return (DECISIONS / f"ref-{name}").read_text(encoding="utf-8")


def _one(text: str) -> Money:
    mentions = find_money(text)
    assert len(mentions) == 1, mentions
    return mentions[0]


# -- find_money ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "mention", "value"),
    [
        ("处以罚款5000元", "5000元", "5000"),
        ("罚款1.5万元", "1.5万元", "15000"),
        ("罚款人民币伍万贰仟壹佰贰拾元", "人民币伍万贰仟壹佰贰拾元", "52120"),
        ("罚款人民币壹万圆整", "人民币壹万圆整", "10000"),
        ("罚款５，０００元", "５，０００元", "5000"),
        ("罚款￥3000", "￥3000", "3000"),
    ],
)
def test_amounts_with_spans(text, mention, value):
    """A plain amount is found with its value and its exact span in the text."""
    money = _one(text)
    assert money.kind == "amount"
    assert money.value == Decimal(value)
    assert money.text == mention
    assert text[money.start : money.end] == mention


def test_daxie_amount_and_its_bracketed_repetition_are_two_mentions():
    """壹拾万元整（100,000元） yields the 大写 and the 小写 amount separately."""
    text = "罚款人民币壹拾万元整（100,000元）"
    first, second = find_money(text)
    assert (first.text, first.value) == ("人民币壹拾万元整", 100000)
    assert (second.text, second.value) == ("100,000元", 100000)


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("并处十万元以上一百万元以下罚款", "100000", "1000000"),
        ("处二千元以上二万元以下罚款", "2000", "20000"),
        ("一万元以上三万元以下", "10000", "30000"),
        ("五千元以下", None, "5000"),
        ("货值金额一万元以上的", "10000", None),
        ("货值金额不足一万元的", None, "10000"),
        ("2至3万元", "20000", "30000"),
        ("五千至三万元", "5000", "30000"),
    ],
)
def test_ranges(text, low, high):
    """Statutory ranges are one "range" mention with yuan bounds, never an amount."""
    money = _one(text)
    assert money.kind == "range"
    assert money.value is None
    assert money.low == (Decimal(low) if low else None)
    assert money.high == (Decimal(high) if high else None)


@pytest.mark.parametrize(
    ("text", "base", "low", "high"),
    [
        ("并处货值金额二倍以上五倍以下罚款", "货值金额", 2, 5),
        ("处违法所得一倍以上五倍以下的罚款", "违法所得", 1, 5),
        ("并处违法开采砂石价值二倍以上四倍以下罚款", "砂石价值", 2, 4),
        ("处违法经营额三倍罚款", "违法经营额", 3, 3),
        ("一倍", None, 1, 1),
        ("五倍以下", None, None, 5),
    ],
)
def test_multiples(text, base, low, high):
    """Multiples keep their base when written and bounds as multiples."""
    money = _one(text)
    assert (money.kind, money.base, money.low, money.high) == (
        "multiple",
        base,
        low,
        high,
    )


@pytest.mark.parametrize(
    ("text", "base", "low", "high"),
    [
        ("处建设项目总投资额百分之一以上百分之五以下罚款", "总投资额", 1, 5),
        ("处工程造价百分之五以上百分之十以下的罚款", "工程造价", 5, 10),
        ("处造价5%以上10%以下罚款", "工程造价", 5, 10),
        ("按建设工程造价6%计", "工程造价", 6, 6),
        ("5%", None, 5, 5),
        ("百分之零点五", None, Decimal("0.5"), Decimal("0.5")),
    ],
)
def test_percentages(text, base, low, high):
    """Percentages keep their base and bounds in percent."""
    money = _one(text)
    assert (money.kind, money.base, money.low, money.high) == (
        "percent",
        base,
        low,
        high,
    )


@pytest.mark.parametrize(
    ("text", "unit", "value"),
    [
        ("按每平方米10元处罚款", "平方米", 10),
        ("每平方米处以50元罚款", "平方米", 50),
        ("售价5元/袋", "袋", 5),
        ("按每吨二十元计算", "吨", 20),
    ],
)
def test_unit_rates(text, unit, value):
    """每平方米10元 and 5元/袋 are unit rates with the unit as base."""
    money = _one(text)
    assert (money.kind, money.base, money.value) == ("per_unit", unit, value)


def test_no_money_in_ordinary_text():
    """Article numbers, dates, counts and 十分 are not money."""
    text = "2023年8月15日，依据第一百二十四条第一款第（五）项，十分严重，两次，5盒，三分之一。"
    assert find_money(text) == []


def test_mentions_of_a_reference_decision_are_ordered_and_disjoint():
    """Mentions come in text order, do not overlap and their text is the span."""
    text = _decision("01.txt")
    mentions = find_money(text)
    assert [m.kind for m in mentions] == ["range", "amount", "amount"]
    for before, after in zip(mentions, mentions[1:], strict=False):
        assert before.end <= after.start
    assert all(text[m.start : m.end] == m.text for m in mentions)


# -- find_bases ---------------------------------------------------------------


def test_find_bases_reads_each_stated_base():
    """Stated bases are read once each, converted to yuan or square metres."""
    text = (
        "经查，当事人违法所得为人民币1,200元，货值金额共计3000元，工程造价50万元，"
        "项目总投资额为2亿元，采出砂石价值8000元，违法经营额12000元，占地面积2亩。"
        "后又查明违法所得1500元。"
    )
    assert find_bases(text) == {
        "违法所得": Decimal("1200"),
        "货值金额": Decimal("3000"),
        "工程造价": Decimal("500000"),
        "总投资额": Decimal("200000000"),
        "砂石价值": Decimal("8000"),
        "违法经营额": Decimal("12000"),
        "面积": Decimal("2") * Decimal("666.67"),
    }


def test_find_bases_ignores_ranges_multiples_and_rates():
    """货值金额不足一万元 (a condition) and 违法所得一倍 (a multiple) are not bases."""
    text = "货值金额不足一万元的，并处违法所得一倍罚款；按每平方米10元处罚款。"
    assert find_bases(text) == {}


def test_find_bases_area_prefers_an_explicit_area_statement():
    """面积 X 平方米 beats an earlier bare area quantity."""
    assert find_bases("搭建两处共10平方米，建筑面积35.5平方米")["面积"] == Decimal(
        "35.5"
    )
    assert find_bases("违法建设50㎡")["面积"] == Decimal("50")


def test_find_bases_on_reference_decisions():
    """The bases stated in real extracts are found (货值金额 6元; 造价 via 合同总价)."""
    assert find_bases(_decision("13.txt")) == {"货值金额": Decimal("6")}
    assert find_bases(_decision("21.txt")) == {
        "工程造价": Decimal("20000"),
        "面积": Decimal("50"),
    }


# -- extract_penalties --------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fine", "measures", "confiscation"),
    [
        ("01.txt", 100000.0, [], False),
        ("03.txt", 52120.0, ["责令停止违法行为"], False),
        ("05.txt", None, ["责令改正"], False),
        ("11.txt", 5000.0, ["责令改正", "没收非法财物"], True),
        ("17.txt", 10000.0, [], False),
        ("21.txt", 1200.0, [], False),
        ("27.txt", None, [], False),
        ("31.txt", 7000.0, [], False),
        ("33.txt", 5000.0, ["责令改正"], False),
        ("35.txt", None, ["责令停止违法行为", "没收非法财物"], True),
        ("39.txt", 5000.0, ["责令改正"], False),
        ("41.txt", None, [], False),
    ],
)
def test_penalties_of_reference_decisions(name, fine, measures, confiscation):
    """Real extracts: the imposed fine, measures and confiscation, not the ranges."""
    penalties = extract_penalties(_decision(name))
    assert penalties.fine_yuan == fine
    assert penalties.measures == measures
    assert penalties.confiscation is confiscation
    assert penalties.warning is False


def test_daxie_fine_with_bracketed_xiaoxie_counts_once():
    """罚款人民币壹拾万元整（100,000元） is one fine of 100000, the 大写 mention."""
    text = _decision("01.txt")
    penalties = extract_penalties(text)
    assert penalties.fine_yuan == 100000.0
    (mention,) = penalties.fine_mentions
    assert mention.text == "人民币壹拾万元整"
    assert text[mention.start : mention.end] == mention.text


def test_daxie_value_wins_when_the_bracketed_repetition_differs():
    """When 大写 and 小写 disagree the 大写 value is the fine."""
    penalties = extract_penalties("决定给予如下处罚：罚款1500元（壹万伍仟元）。")
    assert penalties.fine_yuan == 15000.0


def test_fines_on_company_and_legal_representative_are_summed():
    """Two fines on different parties add up; the statute's range does not count."""
    text = (
        "依据《某法》第十条，处五万元以上二十万元以下罚款。"
        "本局决定对当事人罚款人民币5万元，对其法定代表人张某罚款人民币1万元。"
        "当事人应当自收到本决定书之日起十五日内缴纳罚款。"
    )
    penalties = extract_penalties(text)
    assert penalties.fine_yuan == 60000.0
    assert [m.text for m in penalties.fine_mentions] == ["人民币5万元", "人民币1万元"]


def test_confiscation_is_not_a_fine():
    """没收违法所得1200元 is a confiscation; the multiple's result is the fine."""
    text = "决定作出如下处罚：没收违法所得1200元，处货值金额二倍罚款即4000元。"
    penalties = extract_penalties(text)
    assert penalties.fine_yuan == 4000.0
    assert penalties.confiscation is True
    assert penalties.confiscated_yuan == 1200.0
    assert penalties.measures == ["没收违法所得"]


def test_confiscation_alone_imposes_no_fine():
    """A decision that only confiscates has fine_yuan None."""
    penalties = extract_penalties("决定给予如下处罚：没收违法所得人民币800元。")
    assert penalties.fine_yuan is None
    assert penalties.confiscated_yuan == 800.0


def test_proposed_fine_in_the_notice_is_ignored():
    """The 拟 fine of the prior notice is not the decision's fine."""
    text = (
        "本局于2023年5月1日送达告知书，拟对当事人罚款8000元。当事人未申辩。"
        "本局决定对当事人作出如下处罚：给予警告，并处罚款人民币陆仟元整（6000元）。"
        "如不服本决定，可申请行政复议。"
    )
    penalties = extract_penalties(text)
    assert penalties.fine_yuan == 6000.0
    assert penalties.warning is True
    assert penalties.measures == ["警告"]


def test_decision_span_limits_the_search():
    """With a span, only that part of the text is read."""
    text = "罚款5000元。【处罚决定】责令改正，罚款3000元。"
    start = text.index("【")
    assert extract_penalties(text, (start, len(text))).fine_yuan == 3000.0
    assert extract_penalties(text, (0, 3)).fine_yuan is None


def test_fine_written_after_its_amount_and_per_unit_total():
    """处以5000元的罚款 is a fine; a per-square-metre rate is not, its total is."""
    assert extract_penalties("处以5000元的罚款").fine_yuan == 5000.0
    text = "决定给予如下处罚：按每平方米10元处罚款，共计罚款355元。"
    assert extract_penalties(text).fine_yuan == 355.0


def test_measures_are_normalised_in_order_and_negations_skipped():
    """Measures get their normalised names, in order, once; 不予… is skipped."""
    text = (
        "决定给予如下处罚：警告，并处罚款500元，责令限期改正，不予吊销许可证，"
        "限期拆除违法建筑，恢复土地原状，暂扣许可证，责令停产整治，没收采出的矿产品"
        "和违法所得，责令关闭，通报批评，警告。"
    )
    penalties = extract_penalties(text)
    assert penalties.measures == [
        "警告",
        "责令限期改正",
        "拆除",
        "恢复原状",
        "暂扣许可证件",
        "责令停产整治",
        "没收非法财物",
        "没收违法所得",
        "责令关闭",
        "通报批评",
    ]
    assert penalties.warning is True
    assert penalties.fine_yuan == 500.0


PROSE = """某市城市管理局
行政处罚决定书
当事人：某建材有限公司，法定代表人：李某。
经查，当事人运输渣土车辆未密闭，遗撒路面面积约20平方米。当事人曾于2022年因同类行为被罚款2000元。
依据《中华人民共和国大气污染防治法》第一百一十六条，处二千元以上二万元以下的罚款。
本局于2023年5月20日送达告知书，拟对当事人罚款9000元，当事人提出申辩。
按裁量基准属“一般”情形，该档罚款幅度为5000元以上1万元以下。
本局决定对当事人作出如下行政处罚：
一、责令当事人立即改正违法行为；
二、罚款人民币捌仟元整（8,000元）。
当事人应当自收到本决定书之日起十五日内缴纳罚款。逾期不缴纳的，每日按罚款数额的百分之三加处罚款。
如不服本决定，可在六十日内申请行政复议。"""


def test_full_prose_decision():
    """Only the decision part counts: not the statute, tier, notice or earlier case."""
    penalties = extract_penalties(PROSE)
    assert penalties.fine_yuan == 8000.0
    assert penalties.measures == ["责令改正"]
    assert [m.text for m in penalties.fine_mentions] == ["人民币捌仟元整"]
    assert find_bases(PROSE) == {"面积": Decimal("20")}
    assert check_amount_consistency(PROSE) == []


def test_fallback_skips_notices_and_earlier_cases():
    """Without a decision marker, proposed (拟) and earlier (曾) fines are skipped."""
    text = (
        "当事人曾于2022年被罚款2000元。告知书中拟罚款9000元。"
        "经研究，对当事人罚款6000元并没收违法所得500元。"
    )
    penalties = extract_penalties(text)
    assert penalties.fine_yuan == 6000.0
    assert penalties.confiscated_yuan == 500.0


def test_no_penalty_decision():
    """不予行政处罚 imposes nothing."""
    penalties = extract_penalties("经研究，决定不予行政处罚。")
    assert penalties.fine_yuan is None
    assert penalties.measures == []
    assert penalties.fine_mentions == []


# -- check_amount_consistency -------------------------------------------------


def test_daxie_xiaoxie_mismatch_is_reported():
    """大写 and bracketed 小写 that differ are reported with both writings."""
    text = "罚款人民币壹万伍仟元（1500元）。"
    (issue,) = check_amount_consistency(text)
    assert issue.message == "大写金额壹万伍仟元（15000元）与小写金额（1500元）不一致"
    assert (
        issue.evidence == text[issue.start : issue.end] == "人民币壹万伍仟元（1500元）"
    )


def test_reverse_order_mismatch_is_reported():
    """小写 followed by a different bracketed 大写 is reported too."""
    (issue,) = check_amount_consistency("罚款5000元（伍佰元）")
    assert issue.message == "大写金额伍佰元（500元）与小写金额（5000元）不一致"


def test_parts_and_total():
    """Parts that add up are fine; a wrong 合计 names the parts and the total."""
    assert (
        check_amount_consistency("罚款5000元，没收违法所得2000元，合计7000元。") == []
    )
    (issue,) = check_amount_consistency("罚款5000元，没收违法所得2000元，合计8000元。")
    assert issue.message == (
        "分项金额5000元、2000元之和为7000元，与合计金额8000元不一致"
    )
    assert issue.evidence == "5000元，没收违法所得2000元，合计8000元"


def test_total_of_listed_items_checks_the_counted_items():
    """以上两项罚款合计 is checked against the two fines stated before it."""
    text = (
        "（一）按每平方米300元处罚款360,000元；\n"
        "（二）按每平方米500元处罚款700,000元。\n\n"
        "六、处罚决定\n以上两项罚款合计人民币1,160,000元（大写：壹佰壹拾陆万元整）。"
    )
    (issue,) = check_amount_consistency(text)
    assert issue.message == (
        "分项金额360,000元、700,000元之和为1060000元，"
        "与合计金额壹佰壹拾陆万元整（1160000元）不一致"
    )
    fixed = text.replace(
        "1,160,000元（大写：壹佰壹拾陆万", "1,060,000元（大写：壹佰零陆万"
    )
    assert check_amount_consistency(fixed) == []


def test_consistent_and_ordinary_text_reports_nothing():
    """Matching pairs, bases beside totals and plain prose give no issue."""
    texts = [
        "罚款人民币壹拾万元整（100,000元）",
        "货值金额3000元，罚款5000元，没收违法所得2000元，合计7000元。",
        "当事人违法所得合计1200元，另有货值金额500元。",
        "2023年5月，当事人共计销售3次，每次5元。",
    ]
    for text in texts:
        assert check_amount_consistency(text) == [], text
    for path in sorted(DECISIONS.glob("ref-*.txt")):
        assert check_amount_consistency(path.read_text(encoding="utf-8")) == []


@FAST
@given(
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999.99"), places=2)
)
def test_correct_daxie_pairs_are_never_reported(amount):
    """An amount in 大写 with its exact 小写 repetition is always consistent."""
    text = f"罚款人民币{to_daxie(amount)}（{amount:,}元）。"
    assert check_amount_consistency(text) == []
    assert extract_penalties(text).fine_yuan == float(amount)


# -- robustness and speed -----------------------------------------------------


def _all(text):
    find_money(text)
    find_bases(text)
    extract_penalties(text)
    check_amount_consistency(text)


@FAST
@given(st.text())
def test_never_raises_on_any_text(text):
    """Arbitrary unicode, including control characters, never raises."""
    _all(text)


@FAST
@given(SOUP)
def test_never_raises_on_numeral_soup(text):
    """Random mixes of the characters the scanner reacts to never raise."""
    _all(text)
    mentions = find_money(text)
    for before, after in zip(mentions, mentions[1:], strict=False):
        assert before.end <= after.start
    assert all(text[m.start : m.end] == m.text for m in mentions)


def _cpu_seconds(function, *args):
    started = time.process_time()
    function(*args)
    return time.process_time() - started


def test_one_megabyte_text():
    """A 1 MB adversarial text is handled without error, and the work grows
    linearly with the text: ten times the text costs far less than a hundred
    times the CPU (a quadratic scan would). A ratio of CPU times of the same
    process, not a wall-clock limit, so a loaded machine does not fail it
    (speed targets live in ``bench/``)."""
    pieces = [
        "罚款人民币壹拾万元整（100,000元）",
        "一二三四五六七八九十百千万" * 3,
        "（（",
        "\x00\x01",
        "以上以下倍%合计",
        "没收违法所得1200元",
        "每平方米",
        "百分之",
        "1,2,3,4.5.6",
        "决定给予如下处罚：",
    ]
    mixed = ("".join(pieces) * 20000)[:1_000_000]
    # No decision marker: every sentence goes through the fallback.
    sentence = "罚款5000元，没收违法所得200元，合计5200元。"
    count = 1_000_000 // len(sentence)
    penalties = extract_penalties(sentence * count)
    assert penalties.fine_yuan == 5000.0 * count
    assert penalties.confiscated_yuan == 200.0 * count

    def work(text):
        _all(text)
        extract_penalties(text)

    work(mixed[:1000])  # warm the regular-expression caches
    # Distinct texts: the scans cache their result per text.
    small = min(_cpu_seconds(work, mixed[n : n + 100_000]) for n in (0, 1))
    large = _cpu_seconds(work, mixed)
    assert large < 30 * max(small, 0.01)


def test_typical_decision_scan_is_linear():
    """find_money + extract_penalties on a decision-sized text: a text eight
    times longer costs at most about eight times the CPU (ratio of CPU times in
    one process; the absolute speed is measured by ``bench/nlp.py``)."""
    text = "\n".join(_decision(n) for n in ("01.txt", "03.txt", "11.txt", "31.txt"))
    text = (text * 8)[:24000]

    def best_of(sample, runs=5):
        best = float("inf")
        for index in range(runs):
            probe = sample + str(index)  # defeat the scan cache
            started = time.process_time()
            find_money(probe)
            extract_penalties(probe)
            best = min(best, time.process_time() - started)
        return best

    short, long = best_of(text[:3000]), best_of(text)
    assert long < 20 * max(short, 0.001)
