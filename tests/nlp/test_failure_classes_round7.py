"""Seventh round of the failure classes of issue #14 (checker8): what the spent
set classes-heldout7 showed. Harmlessness as an effect named right after a bare
negation (无拥堵、无事故) or as goods/ads that reached no one else; spillage words
among the effects looked for; corrections told as what the party did once the
agency pointed it out, as the time they took, or as a missing document brought;
the agency's prompt (执法人员提出后) is not the party's claim; amounts: a fine
computed per unit in parts, a product written out, two batches of one unit.

Sentences written for this module (several wordings per class, with controls),
not taken from any labelled set."""

import pytest

from nlp.amounts import check_amount_consistency
from nlp.factors import find_quantities
from tests.nlp.factor_reading import factor_names, read_factors

# ------------------------------------------------- 1. harmlessness, bare negation


@pytest.mark.parametrize(
    "text",
    [
        "现场交通秩序良好，无拥堵。",
        "事发路段未发生事故，车辆通行有序。",
        "过往群众均未受阻。",
        "周边商户没有发生纠纷。",
        "沿线巡查未见砂石洒落。",
        "执法人员沿途查看，未发现泥浆滴漏。",
        "该宣传单仅在店内摆放，未通过微信或其他渠道传播。",
        "该批标签未向其他门店散发。",
        "摆放期间，消防通道未被占用。",
        "人行道上的无障碍通道没有被遮挡。",
    ],
)
def test_harmless_bare_negation(text):
    assert "no_harm" in factor_names(text)


@pytest.mark.parametrize(
    "text",
    [
        "当事人占道经营造成路口拥堵。",
        "渣土沿途洒落，污染路面。",
        "当事人通过微信朋友圈发布该广告。",
        "该车发生事故后驶离现场。",
        "当事人将货物堆放在未被占用的空地上，堵住了消防通道。",
        "当事人在设备运行正常、并无事故等紧急情况的情况下开启旁路阀门。",
    ],
)
def test_harm_stated_is_not_harmless(text):
    assert "no_harm" not in factor_names(text)


# ------------------------------------------------- 2. corrections


@pytest.mark.parametrize(
    "text",
    [
        "经执法人员指出，当事人在店门口将多摆的货架搬回店内。",
        "队员告知后，摊主把三筐水果挪开。",
        "经民警提醒，驾驶人将车上多出的钢材卸下。",
        "当事人随即联系同事送来了营业执照原件。",
        "当事人现场对篷布重新覆盖，整改用时约十分钟。",
        "清理耗时半小时，路面恢复整洁。",
    ],
)
def test_corrections_told_by_the_act(text):
    assert "corrected" in factor_names(text)


@pytest.mark.parametrize(
    "text",
    [
        "经执法人员指出，当事人仍未拆除。",
        "执法人员告知后，当事人拒不停止施工。",
        "经民警指出，驾驶人表示将于次日卸下多载货物。",
        "执法人员告知后，当事人继续摆卖，未收摊。",
    ],
)
def test_prompted_but_not_corrected(text):
    assert "corrected" not in factor_names(text)


def test_agency_prompt_is_not_a_claim():
    # the classifier's reading of a correction in the sentence of the prompt
    for text in (
        "检查人员提出后，店主在货架上重新写了价格，复查时价签已到位。",
        "执法人员提出后，经营者对货品重新标了价，复查时标价已齐全。",
    ):
        assert "corrected" in factor_names(text)


def test_party_claim_still_vetoes():
    # (controls: what the party says is not a finding of fact)
    assert "corrected" not in {
        f.name for f in read_factors("当事人提出，其价签已到位。") if f.how == "meaning"
    }
    assert "corrected" not in factor_names("当事人辩称已经整改。")


# ------------------------------------------------- 3. amounts


def test_parts_of_a_per_unit_fine_that_do_not_add_up():
    text = (
        "按每平方米一百元计罚：北侧招牌十二平方米计一千二百元，西侧招牌九平方米计九百元。"
        "决定对当事人罚款共计人民币贰仟叁佰元（2300元）。"
    )
    assert check_amount_consistency(text)


def test_parts_of_a_per_unit_fine_that_add_up():
    text = (
        "按每平方米一百元计罚：北侧招牌十二平方米计一千二百元，西侧招牌九平方米计九百元。"
        "决定对当事人罚款共计人民币贰仟壹佰元（2100元）。"
    )
    assert check_amount_consistency(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "按每平方米五十元处以罚款，计三百平方米×50元/平方米＝16000元。",
        "货值金额8000元×2＝18000元。",
        "项目总投资300万元×1%＝3000元。",
    ],
)
def test_written_product_that_is_wrong(text):
    issues = check_amount_consistency(text)
    assert issues
    assert "算式" in issues[0].message


@pytest.mark.parametrize(
    "text",
    [
        "按每平方米五十元处以罚款，计三百平方米×50元/平方米＝15000元。",
        "货值金额8000元×2＝16000元。",
        "项目总投资300万元×1%＝30000元。",
        "每箱12瓶×5元×10箱＝600元。",
    ],
)
def test_written_product_that_is_right(text):
    assert check_amount_consistency(text) == []


def test_two_batches_of_one_unit_at_two_prices():
    text = (
        "第一批三百件，每件售价20.00元；第二批一百件，每件售价45.00元。"
        "两批货值金额合计10,500.00元。"
    )
    assert check_amount_consistency(text) == []
    wrong = text.replace("10,500.00", "11,500.00")
    assert check_amount_consistency(wrong)


# ------------------------------------------------- 4. an area told by its sides


@pytest.mark.parametrize(
    ("text", "area"),
    [
        ("店外横幅一条，长约二米、宽约零点五米。", 1.0),
        ("招牌尺寸为4米×1.5米。", 6.0),
        ("棚架长度为6米，宽度为3米。", 18.0),
    ],
)
def test_area_from_two_sides(text, area):
    areas = [q.value for q in find_quantities(text) if q.name == "平方米"]
    assert areas == [area]


@pytest.mark.parametrize(
    "text",
    [
        "集装箱长6米、宽2米、高2.5米。",  # a volume, not an area
        "违建面积二十平方米，长5米，宽4米。",  # the area is stated
        "人行道宽约五米，摊位长3米。",  # one side each of two things
    ],
)
def test_no_area_from_sides(text):
    areas = [q.value for q in find_quantities(text) if q.name == "平方米"]
    assert areas in ([], [20.0])
