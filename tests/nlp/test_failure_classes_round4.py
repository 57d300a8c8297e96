"""Fourth round of the failure classes of issue #14 (checker5): corrections and
harmlessness in the agency's own words (补 + what was missing, fractional
periods, a correction the agency only verified, a harmless statement the agency
denies), repetition periods in tier conditions, tiers named as phrases, limits
stated on their own, areas with a stated total, approximate amounts, totals over
several goods, computation operands and the provision that names the punishable
act.

Sentences written for this module (several wordings per class, with controls),
not taken from any labelled set."""

from pathlib import Path

import pytest

from nlp.amounts import check_amount_consistency, extract_penalties, find_bases
from nlp.citations import find_citations
from nlp.factors import find_factors, find_factors_by_meaning, find_quantities
from nlp.tiers import explicit_tier

DATA = Path(__file__).resolve().parents[1] / "data"


def _item(reviewer, item_id):
    return next(i for c in reviewer.catalogues for i in c.items if i.id == item_id)


def _names(text: str) -> set[str]:
    return {f.name for f in find_factors_by_meaning(text, find_factors(text))}


def _codes(items) -> set[str]:
    return {f["code"] for f in items}


# ---------------------------------------------------------------- corrections


@pytest.mark.parametrize(
    "text",
    [
        # 补 + what was missing
        "检查人员指出后，经营者当场补填了缺失的进货查验记录。",
        "该店于次日补挂了营业执照正本。",
        "当事人当天下午便补贴了禁烟标识。",
        "当事人随即补写了价目牌上的计价单位。",
        # fractional periods
        "当事人在一个半小时内将堆放的木料全部搬走。",
        "当事人半天内就把广告横幅摘除了。",
        "当事人半小时内将餐桌撤回店内并清扫了地面。",
        # the agency only verified the party's correction
        "经执法人员复核确认，当事人已整改到位。",
        "执法人员现场查验，当事人已拆除了违规招牌。",
    ],
)
def test_correction_in_own_words(text):
    assert "corrected" in _names(text), text


@pytest.mark.parametrize(
    "text",
    [
        "执法人员责令其于三日内补填进货查验记录。",  # an order
        "当事人表示将尽快补挂营业执照。",  # a promise
        "当事人未能在半天内补写价目牌。",  # denied
        "木料由环卫部门在一个半小时内全部清运。",  # someone else did it
    ],
)
def test_correction_controls(text):
    assert "corrected" not in _names(text), text


# ---------------------------------------------------------------- harmlessness


@pytest.mark.parametrize(
    "text",
    [
        "但其堆放地点紧邻医院大门，不属于没有造成危害后果的情形。",
        "现场情况表明，难以认定为未造成不良影响。",
        "当事人辩称没有给任何人造成损失，但未提供证据。",
        "当事人称未对周边环境产生影响。",
    ],
)
def test_denied_or_claimed_harmlessness_is_not_a_fact(text):
    assert "no_harm" not in _names(text), text


@pytest.mark.parametrize(
    "text",
    [
        "经核查，该行为未造成危害后果。",
        "当事人的行为没有给周边住户带来不良影响。",
    ],
)
def test_harmlessness_stated_by_the_agency(text):
    assert "no_harm" in _names(text), text


SHOP = (
    "澄江市东湖区城市管理局\n行政处罚决定书\n澄东城管罚〔2026〕{n}号\n\n"
    "当事人：石某某，男，身份证号码3205001985********。\n\n"
    "　　2026年3月2日，当事人在东湖路12号店外人行道上堆放装修板材，占用城市道路约"
    "三平方米。{facts}\n"
    "　　当事人的行为违反了《城市道路管理条例》第二十七条第（一）项的规定。{reasoning}"
    "依据《城市道路管理条例》第四十二条的规定，本局决定对当事人罚款人民币四百元。\n"
    "　　罚款应于收到本决定书之日起十五日内缴纳。\n"
    "　　如不服本决定，可于收到本决定书之日起六十日内申请行政复议，或于六个月内提起行政诉讼。\n\n"
    "澄江市东湖区城市管理局\n2026年3月16日\n"
)


@pytest.mark.parametrize(
    "facts",
    [
        "执法人员指出后，当事人在一个半小时内将板材全部搬回店内。经查询，当事人此前"
        "无同类违法记录，现场未影响行人通行。",
        "当事人当场补贴了施工告示并于半天内把板材运走，执法人员复查确认已改正。当事人"
        "系初次违法，没有造成任何损害。",
    ],
)
def test_own_word_first_offence_is_no_penalty_expected(reviewer, facts):
    result = reviewer.review(SHOP.format(n=1, facts=facts, reasoning=""), "own")
    assert "NO_PENALTY_EXPECTED" in _codes(result["findings"]), facts


def test_denied_harmlessness_gives_no_no_penalty_expected(reviewer):
    facts = (
        "执法人员指出后，当事人在一个半小时内将板材全部搬回店内。当事人此前无同类违法"
        "记录。"
    )
    reasoning = "板材堆放在盲道上，不属于未造成危害后果的情形。"
    result = reviewer.review(SHOP.format(n=2, facts=facts, reasoning=reasoning), "d")
    assert "NO_PENALTY_EXPECTED" not in _codes(result["findings"])


# ---------------------------------------------------------------- tiers

PRICES = (
    "澄江市市场监督管理局\n行政处罚决定书\n澄市监价罚〔2026〕{n}号\n\n"
    "当事人：澄江市新禾副食店\n统一社会信用代码：92320500MA7X1Y2Z3W\n\n"
    "　　2026年2月5日，本局执法人员检查发现，当事人店内腊肉、香肠、咸鸭蛋三个品种"
    "商品未标示价格，当事人当日补齐了价签。{history}\n"
    "　　本局认为，当事人的行为违反了《中华人民共和国价格法》第十三条第一款的规定。"
    "当事人不属于初次违法，不适用首违不罚。依据《中华人民共和国价格法》第四十二条的"
    "规定，本局决定：罚款人民币捌佰元。\n"
    "　　罚款应于十五日内缴纳。\n\n澄江市市场监督管理局\n2026年2月20日\n"
)


@pytest.mark.parametrize(
    ("history", "tier"),
    [
        # the repetition lies outside the 一年内 of the heavy tier
        ("当事人曾于2024年6月因同一问题被给予警告，本次为两年内第二次违法。", "轻微"),
        ("当事人此次系三年内再次实施同类违法行为。", "轻微"),
        # within the period: the heavy tier is met
        ("当事人曾于2025年9月因同一问题被给予警告，本次为一年内第二次违法。", "严重"),
        ("当事人系六个月内再次实施同类违法行为。", "严重"),
    ],
)
def test_repetition_period_of_a_tier_condition(reviewer, history, tier):
    result = reviewer.review(PRICES.format(n=3, history=history), "period")
    assert result["tier"] == tier, history


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("当事人使用改装车辆从事经营，属于情节严重。", "情节严重"),
        ("本局认定为情节严重，依法处罚。", "情节严重"),
    ],
)
def test_a_level_written_as_a_phrase_is_named(reviewer, text, level):
    choice = explicit_tier(_item(reviewer, "JT-005"), text)
    assert choice is not None
    assert choice.level == level


@pytest.mark.parametrize(
    "text",
    [
        "条例规定，情节严重的，处一万元以上五万元以下的罚款。",
        "当事人的行为不属于情节严重。",
    ],
)
def test_a_phrase_level_quoted_or_denied_is_not_named(reviewer, text):
    choice = explicit_tier(_item(reviewer, "JT-005"), text)
    assert choice is None or choice.level is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("出口氨氮浓度为12mg/L，执行的排放限值为8mg/L。", 0.5),
        ("总磷浓度为1.5毫克/升，所执行标准的限值为0.5mg/L。", 2.0),
        ("颗粒物浓度为45mg/m³，排放标准：30毫克/立方米。", 0.5),
    ],
)
def test_excess_from_a_limit_stated_on_its_own(text, value):
    found = {q.name: q.value for q in find_quantities(text)}
    assert found.get("exceed_multiple") == pytest.approx(value)


def test_a_limit_above_the_measurement_is_no_excess():
    text = "出口氨氮浓度为6mg/L，执行的排放限值为8mg/L。"
    assert "exceed_multiple" not in {q.name for q in find_quantities(text)}


# ---------------------------------------------------------------- amounts


@pytest.mark.parametrize(
    ("text", "area"),
    [
        (
            "设置招牌三块：第一块面积9平方米；第二块面积6平方米；第三块面积4平方米；"
            "合计19平方米。",
            19,
        ),
        ("东侧搭建面积12平方米，西侧搭建面积5平方米，总面积17平方米。", 17),
        ("违法搭建的彩钢棚面积为30平方米。", 30),
        # a quoted bound is not the total
        ("搭建面积为8平方米，不属于“合计50平方米以上”的情形。", 8),
    ],
)
def test_a_stated_total_area_wins_over_its_parts(text, area):
    assert find_bases(text)["面积"] == area


@pytest.mark.parametrize(
    ("text", "name", "value"),
    [
        (
            "经认定，违法采出的石料市场价值为每吨60元，共计人民币36000元。",
            "市场价值",
            36000,
        ),
        ("货值金额按每件120元计算，合计3600元。", "货值金额", 3600),
        ("涉案产品货值为单价45元/盒，总计为2250元。", "货值金额", 2250),
    ],
)
def test_a_base_stated_per_unit_then_its_total(text, name, value):
    assert find_bases(text)[name] == value


def test_a_base_stated_per_unit_alone_is_no_total():
    assert "市场价值" not in find_bases("经认定，石料市场价值为每吨60元。")


@pytest.mark.parametrize(
    "text",
    [
        "经核算，违法所得约三万元（29800元）。",
        "涉案货值约为十二万元（119,500元）。",
        "违法经营额四万余元（41200元）。",
    ],
)
def test_an_approximate_figure_and_the_exact_one_agree(text):
    assert check_amount_consistency(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "经核算，违法所得三万元（29800元）。",  # not stated as approximate
        "经核算，违法所得约三万元（26000元）。",  # too far to be a rounding
    ],
)
def test_an_exact_or_far_pair_still_disagrees(text):
    assert check_amount_consistency(text)


GOODS = (
    "现场查扣大米20袋、食用油6桶。大米进价每袋40元、售价55元，食用油每桶售价80元，"
    "按售价计算，货值金额共计{total}元。"
)


def test_a_total_over_several_goods_at_their_prices():
    assert check_amount_consistency(GOODS.format(total=1580)) == []  # 1100 + 480
    assert check_amount_consistency(GOODS.format(total=1280)) == []  # 800 + 480


def test_a_total_over_several_goods_that_does_not_add_up():
    issues = check_amount_consistency(GOODS.format(total=1700))
    assert issues
    assert "不一致" in issues[0].message


@pytest.mark.parametrize(
    ("text", "fine"),
    [
        ("本局决定：处违法所得三倍罚款，计12000元×3＝36000元。", 36000),
        ("决定如下：按货值金额的2倍处以罚款，即4500元x2=9000元。", 9000),
        ("本局决定：罚款人民币6000元。", 6000),
    ],
)
def test_the_operand_of_a_computation_is_not_a_fine(text, fine):
    assert extract_penalties(text).fine_yuan == fine


# ---------------------------------------------------------------- citations


@pytest.mark.parametrize(
    "sentence",
    [
        "当事人的行为违反了《中华人民共和国消费者权益保护法》第二十四条第一款的规定，"
        "构成《中华人民共和国消费者权益保护法》第五十六条第一款第（八）项所指的违法行为。",
        "当事人违反了《中华人民共和国消费者权益保护法》第二十四条第一款的规定，构成了"
        "《中华人民共和国消费者权益保护法》第五十六条第一款第（八）项规定的违法行为。",
    ],
)
def test_the_provision_naming_the_punishable_act_is_the_basis(sentence):
    roles = {c.article: c.role for c in find_citations(sentence)}
    assert roles == {24: "violated", 56: "penalty"}


# ---------------------------------------------------------------- meaning model


def test_meaning_model_threshold_learned_by_leave_one_out():
    from nlp import factor_model

    phrases = factor_model.load_phrases()
    # Both settings from one pass: each held-out model is built once.
    chosen, earlier = factor_model.leave_one_out_settings(
        phrases, [(factor_model.THRESHOLD, factor_model.COVERAGE), (0.5, 0.6)]
    )
    # each phrase read by a model of all the others: precise, and finds more
    # than the earlier setting did
    assert chosen["precision"] >= 0.9
    assert chosen["recall"] > 2 * earlier["recall"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        pytest.param(
            "经回访，附近商户均未反映经营受到影响。",
            "no_harm",
            # Fifth round: the trained classifier replaced the nearest-phrase
            # model; it reads this clause at 0.74, below its cross-validated
            # no_harm threshold (0.8). Known miss, see docs/nlp.md.
            marks=pytest.mark.xfail(strict=True, reason="below the CV threshold"),
        ),
        ("油烟净化器已经重新装好并正常运转。", "corrected"),
    ],
)
def test_factors_recognised_by_meaning_name_their_words(text, name):
    found = [f for f in find_factors_by_meaning(text, []) if f.name == name]
    assert found, text
    assert found[0].how == "meaning"
    assert len(found[0].text) >= 4  # the words that carried it
    assert found[0].example  # and the labelled phrase they resemble


@pytest.mark.parametrize(
    "text",
    [
        "至被发现时共采出石料约六百吨。",  # 被发现 is no first offence
        "当事人已缴纳罚款。",  # 当事人已 is no correction
        "当事人说已经拆了，但现场仍在。",
        "附近居民投诉很多。",
        # only the topic shared with a phrase (立即停止了露天烧烤 / 危害程度较低)
        "当事人在夜市烧烤摊点露天烧烤。",
        "执法人员对危害程度进行了评估。",
    ],
)
def test_short_shared_words_carry_no_factor(text):
    assert not find_factors_by_meaning(text, []), text
