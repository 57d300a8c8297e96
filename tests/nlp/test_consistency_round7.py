"""同案不同罚, seventh round (issue #13): three classes of reasons stated only
in the facts that the patterns and the classifier missed — vulnerable users or
institutions the goods went to, intent and concealment (records made up
afterwards), and a small gain — with the vetoes that keep them apart from
denials, orders and a tier that bounds the gain. Pure (no app); every sentence
is written here, not copied from a test set."""

import pytest

from tests.nlp.consistency_helpers import aggravating, mitigating

# ------------------------------------ (1) vulnerable users and institutions


@pytest.mark.parametrize(
    "text",
    [
        "其中八十箱系当事人配送给城西区康宁养老中心，供入住老人饮用。",
        "当事人将该批奶粉出售给本市两家托育机构。",
        "该批口罩已发放给辖区三家敬老院。",
        "上述护理垫主要供术后病人使用。",
        "所售米粉供婴幼儿食用。",
    ],
)
def test_vulnerable_users_are_an_aggravating_reason(text):
    assert aggravating(text)
    assert not mitigating(text)


# ------------------------------------------ (2) intent and concealment


@pytest.mark.parametrize(
    "text",
    [
        "当事人为掩盖产地，撕去了外箱上的原厂标识。",
        "当事人明知检测不合格，故意将不合格批次混入合格品中出厂。",
        "执法人员调取的出库台账经比对系事后补记。",
        "其提交的两份销售合同系伪造。",
        "检查发现，部分检修记录为事后补签。",
    ],
)
def test_intent_and_concealment_are_an_aggravating_reason(text):
    assert aggravating(text)


@pytest.mark.parametrize(
    "text",
    [
        "经调查，当事人无主观故意，系对规定理解有误。",
        "当事人并非故意不办理登记手续。",
        "当事人不是故意占用该处绿地。",
        "如当事人故意拖延，本局将依法强制执行。",
    ],
)
def test_intent_denied_or_supposed_is_no_reason(text):
    assert not aggravating(text)


# --------------------------------------------------------- (3) a small gain


@pytest.mark.parametrize(
    "text",
    [
        "当事人此次运输仅收取运费80元。",
        "经核算，当事人违法所得仅为360元。",
        "当事人获利甚微，且系初次从事该经营。",
    ],
)
def test_a_small_gain_is_a_mitigating_reason(text):
    assert mitigating(text)
    assert not aggravating(text)


def test_a_small_gain_that_restates_the_tier_is_no_reason():
    text = "经核算，当事人违法所得仅为360元。"
    assert not mitigating(text, tier="较轻 违法所得1000元以下")
    # a tier that bounds something else leaves the gain a reason
    assert mitigating(text, tier="较轻 经营面积50平方米以下")


@pytest.mark.parametrize(
    "text",
    [
        "责令当事人退还仅收取的押金200元。",
        "当事人辩称仅获利100元。",
    ],
)
def test_a_small_gain_ordered_or_claimed_is_no_reason(text):
    assert not mitigating(text)


# --------------------------------------------- controls that must not change


@pytest.mark.parametrize(
    "text",
    [
        "当事人在城南农贸市场内销售散装白酒。",
        "该批电热水壶销往本市多家商超。",
        "当事人收取运费后将货物运至目的地。",
        "当事人未按规定建立进货查验记录。",
        "当事人的违法所得已予以没收。",
    ],
)
def test_ordinary_facts_state_no_reason(text):
    assert not aggravating(text)
    assert not mitigating(text)


@pytest.mark.parametrize(
    "text",
    [
        "当事人常年卧病，一家人仅靠这间小卖部度日。",
        "当事人去年家庭突遭变故，独自抚养两个孩子。",
    ],
)
def test_livelihood_hardship_is_a_mitigating_reason(text):
    """Hardship told as a fact, not by the words 家庭困难 (the patterns carry it
    whatever the classifier's probability)."""
    assert mitigating(text)
    assert not aggravating(text)
