"""同案不同罚, fourth round (issue #13): the classes the spent held-out sets showed,
pure (no app). Each class has a control that must keep its old result.

(1) a note on how the fine was set between 罚款 and the amount
    (罚款（货值金额20000元的2.1倍）人民币42000元) hid the fine, so the decision
    had no comparison key;
(2) a tier condition the facts deny through a verb of finding (未发现造成人身
    伤害) chose the heavier tier;
(3) a lighter tier met only by the no-harm statement that the catch-all tier
    (未造成人身、财产损害的其他情形) states too was chosen over the catch-all;
(4) a fine outside a tier only inferred from the facts is compared in the tier
    whose range holds it;
(5) a mitigating circumstance that only restates the compared tier (首次被查处,
    接单数量较少, 情节较轻 in a tier for first offences with few orders) is
    shared by every peer and explains no fine at the bottom of the tier;
(6) a key area named by the agency and disturbed passenger order are
    aggravating facts;
(7) the near-end rule: in small, spread groups 3 × MAD covers the whole tier,
    so a fine in the top or bottom tenth past every peer was never flagged.
"""

import pytest

from nlp.amounts import extract_penalties
from nlp.peers import PeerPoint, judge, judge_group
from tests.nlp.consistency_helpers import aggravating, mitigating, points

# ------------------------------------------------- (1) fine behind a note


@pytest.mark.parametrize(
    ("clause", "fine"),
    [
        ("三、罚款（货值金额9600元的1.6倍）人民币壹万伍仟叁佰陆拾元整。", 15360.0),
        (
            "3．罚款（货值金额24000元的1.8倍）人民币43200元（大写：肆万叁仟贰佰元整）。",
            43200.0,
        ),
        ("三、罚款（货值金额32000元的1.3倍）人民币4.16万元。", 41600.0),
        # the note in ASCII brackets, the amount without 人民币
        ("并处罚款(按每平方米200元计算)60000元。", 60000.0),
        # the currency word before the note
        ("对当事人处以罚款人民币（大写）伍仟元整（¥5000.00）。", 5000.0),
        # control: the ordinary form is unchanged
        ("二、对当事人处以罚款人民币8000元。", 8000.0),
    ],
)
def test_fine_after_a_note_on_how_it_was_set(clause, fine):
    text = f"本局决定：\n一、责令停止销售；\n{clause}\n"
    assert extract_penalties(text).fine_yuan == fine


def test_amount_inside_the_note_is_not_the_fine():
    """The base inside the note (货值金额9600元) is not a fine when no amount
    follows the note."""
    text = "本局决定：没收违法销售的产品，罚款（货值金额9600元的1.6倍）。\n"
    assert extract_penalties(text).fine_yuan != 9600.0


# ------------------------------------------ (2), (3) tiers of SC-009


def _toys(facts: str, fine: str, value: int = 18000) -> str:
    return f"""江城市西江区市场监督管理局
行政处罚决定书
江西市监处罚〔2025〕112号

当事人：江城市西江区乐童玩具商行有限公司
统一社会信用代码：91420MWCY742547M70

    经查，当事人于2025年1月至3月期间销售的儿童塑料玩具经检验，邻苯二甲酸酯含量不符合\
GB 6675.1-2014强制性要求。违法销售产品货值金额共计{value}元，{facts}
    当事人的上述行为违反了《中华人民共和国产品质量法》第十三条第二款。
    依据《中华人民共和国产品质量法》第四十九条，本机关决定对当事人作出如下行政处罚：\
责令停止销售，没收违法销售的产品；罚款{fine}（即货值金额{value}元的倍数）。

                                        江城市西江区市场监督管理局
                                        2025年4月22日
"""


@pytest.mark.parametrize(
    ("facts", "fine", "tier"),
    [
        ("未发现造成人身伤害。", "34200元", "一般"),
        ("经调查，没有证据证明造成人身伤害。", "34200元", "一般"),
        # control: harm stated as a fact still chooses the heavier tier
        ("该玩具造成一名儿童误食住院，造成人身伤害。", "48600元", "从重"),
    ],
)
def test_condition_denied_through_a_verb_of_finding(
    casebank_reviewer, facts, fine, tier
):
    out = casebank_reviewer.review(_toys(facts, fine), use_embedding=False)
    assert out["match"]["item_id"] == "SC-009"
    assert out["tier"] == tier


@pytest.mark.parametrize(
    ("facts", "tier"),
    [
        # only the no-harm words, which 一般 (…的其他情形) states as well
        ("未造成人身、财产损害。", "一般"),
        # control: the lighter tier's own circumstance is stated
        ("当事人及时停止销售并主动召回已售产品，未造成人身、财产损害。", "从轻"),
    ],
)
def test_no_harm_shared_with_the_catch_all_decides_no_tier(
    casebank_reviewer, facts, tier
):
    out = casebank_reviewer.review(_toys(facts, "36000元", 20000), use_embedding=False)
    assert out["tier"] == tier


# ------------------------------------- (4) comparison tier of ZR-001


def _land(discretion: str, fine: int, area: int = 520) -> str:
    return f"""雁岭市自然资源和规划局
行政处罚决定书
雁自然资罚〔2025〕112号

当事人：雁岭市枫桥区石塘物流有限公司
统一社会信用代码：91533100MA6P7X3D4G

    经查，2025年3月，当事人未经批准，租用石塘村原村小学旧址（集体建设用地）\
新建仓库，占用土地{area}平方米。经核实，该地块符合国土空间规划。
    当事人的行为违反了《中华人民共和国土地管理法》第四十四条第一款的规定。
    {discretion}依据《中华人民共和国土地管理法》第七十七条第一款的规定，本机关决定：\
责令当事人退还非法占用的土地，限期拆除新建的建筑物，并处罚款人民币{fine}元\
（每平方米{fine // area}元）。

雁岭市自然资源和规划局
2025年8月5日
"""


def test_fine_outside_an_inferred_tier_is_compared_where_it_lies(casebank_reviewer):
    """The facts leave 较轻 and 一般 both partly met; the tier inferred (一般) does
    not hold the fine (220 元/平方米), 较轻 does: the comparison uses 较轻 and
    its range, while the decision's tier and FINE_OUTSIDE_TIER stay."""
    out = casebank_reviewer.review(
        _land("当事人非法占地面积未超过一千平方米且符合国土空间规划。", 114400),
        use_embedding=False,
    )
    assert out["match"]["item_id"] == "ZR-001"
    if out["tier"] == "较轻":
        pytest.skip("the facts now decide 较轻 by themselves")
    assert out["comparison_tier"] == "较轻"
    assert out["tier_range"] == {"low": 52000.0, "high": 156000.0}


def test_fine_inside_its_tier_has_no_comparison_tier(casebank_reviewer):
    """Control: a fine inside the tier chosen needs no other comparison tier."""
    out = casebank_reviewer.review(
        _land("对照裁量基准，适用“较轻”情形。", 114400), use_embedding=False
    )
    assert out["tier"] == "较轻"
    assert out["comparison_tier"] is None


# --------------------------- (5) circumstances restating the tier itself

FIRST_FEW = "较轻 两年内首次被查处，且平台记录接单30单以下"
SECOND = "一般 两年内第二次被查处，或者接单30单以上100单以下"
REASONS = "作出上述处罚的理由：当事人首次被查处且接单数量较少（28单），情节较轻。"


def test_tier_restating_circumstances_explain_no_bottom():
    text = REASONS
    assert mitigating(text)  # without the tier: a reason
    assert mitigating(text, tier=FIRST_FEW) == []


def test_first_offence_in_a_tier_that_does_not_state_it_still_counts():
    """Control: 首次被查处 in a tier for second offences is not that tier's
    condition (and a first offence there is unusual)."""
    text = "当事人系首次被查处。"
    assert mitigating(text, tier=SECOND)


def test_distinct_reason_still_explains_in_that_tier():
    """Control: a reason the tier does not state (主动消除危害后果) still counts."""
    text = REASONS + "当事人当日即主动消除违法行为的危害后果。"
    words = mitigating(text, tier=FIRST_FEW)
    assert any("消除" in w for w in words)


# ---------------------------------------------- (6) key areas, order


@pytest.mark.parametrize(
    ("text", "stated"),
    [
        ("当事人在南屏火车站出站口招揽乘客，扰乱站区客运秩序。", True),
        ("当事人的行为属于在客运站等重点区域违法经营，依法在本档内从重处罚。", True),
        ("该路段位于城市重点路段。", True),
        # controls: the market order every violation disturbs; a denied key area
        ("当事人的行为扰乱了市场秩序。", False),
        ("经核查，该地点不属于重点区域。", False),
    ],
)
def test_key_area_and_passenger_order(text, stated):
    assert bool(aggravating(text)) is stated


# ------------------------------------------- (7) near a tier end, small groups


SPREAD = [0.2, 0.25, 0.3, 0.42, 0.5, 0.6, 0.79]  # seven peers, 3 × MAD ≈ 0.9


@pytest.mark.parametrize(("position", "direction"), [(0.92, "high"), (0.08, "low")])
def test_near_a_tier_end_past_every_peer(position, direction):
    """In a small, spread group the MAD band covers the whole tier; a fine in
    the top or bottom tenth, past every peer by a tenth of the tier, is set
    apart anyway — and the verdict names the peer it was compared with."""
    verdict = judge(PeerPoint(99, position), points(SPREAD))
    assert verdict.threshold > 0.5  # the band alone would not flag it
    assert verdict.direction == direction
    assert verdict.at_end
    assert verdict.extreme == (0.79 if direction == "high" else 0.2)


@pytest.mark.parametrize(
    "peers",
    [
        SPREAD[:-1] + [0.86],  # a peer within a tenth of the fine
        [0.7, 0.72, 0.75, 0.78, 0.8, 0.8],  # median within 0.25 of the fine
    ],
)
def test_near_a_tier_end_controls(peers):
    """Not set apart: a peer close to the fine, or a median close to it."""
    assert judge(PeerPoint(99, 0.92), points(peers)).direction is None


def test_near_end_rule_in_the_large_group_path():
    """The fast path for large groups (≥ 400) applies the same near-end rule,
    the case itself left out of the peers' extremes."""
    values = [0.2 + 0.5 * (i % 100) / 99 for i in range(450)]  # 0.2 … 0.7
    points = [PeerPoint(i, v) for i, v in enumerate(values)]
    points += [PeerPoint(1000, 0.91), PeerPoint(1001, 0.81)]
    fast = {v.case_id: v for v in judge_group(points)}
    assert fast[1000].direction == "high"
    assert fast[1000].extreme == 0.81
    assert fast[1001].direction is None
    exact = judge(points[-2], points)
    assert exact.direction == "high"


# ------------------------------- (8) more circumstances in the agency's words


@pytest.mark.parametrize(
    ("text", "stated"),
    [
        ("周边居民已为此向12345热线投诉31次。", True),
        ("该行为引起周边群众多次投诉。", True),
        ("当事人在接到责令改正通知书后继续施工。", True),
        ("涉案产品已销往三个省份。", True),
        ("违法行为持续两年之久。", True),
        ("涉案食品供应给幼儿园。", True),
        ("施工造成周边三户居民房屋墙体开裂。", True),
        ("鉴于当事人违法经营时间长、影响恶劣，故在本档内从重处罚。", True),
        ("当事人在被查处后仍继续销售同类产品。", True),
        ("当事人在执法人员离开后再次占道经营。", True),
        ("当事人拒绝提供相关账册。", True),
        ("当事人故意隐瞒事实。", True),
        ("涉案数量巨大，货值金额高达50万元。", True),
        ("本案违法行为发生在重大活动保障期间。", True),
        # controls: the complaint a case starts from, dissuasion ignored (the
        # ordinary street case), boilerplate before 从重, denied damage, a
        # correction made as ordered
        ("本案系接到群众投诉后立案。", False),
        ("当事人经劝阻后继续经营。", False),
        ("经综合考虑违法情节，故在本档内从重处罚。", False),
        ("经查，施工未造成房屋开裂。", False),
        ("本局向当事人送达责令改正通知书，当事人于三日后改正。", False),
        ("经查处后，当事人已改正。", False),
        ("当事人未故意隐瞒。", False),
        ("经检测，厂界噪声高达62分贝。", False),
    ],
)
def test_aggravating_circumstances_in_own_words(text, stated):
    assert bool(aggravating(text)) is stated


@pytest.mark.parametrize(
    ("text", "stated"),
    [
        ("当事人年满七十周岁，家庭困难，系低保户。", True),
        ("当事人系残疾人，以此为生计。", True),
        ("当事人主动向本局报告了违法行为。", True),
        ("当事人主动上缴了违法所得。", True),
        ("当事人在立案调查前已主动停止违法行为并全部召回问题产品。", True),
        ("当事人系受他人指使。", True),
        # controls: denied, and plain cooperation
        ("当事人未主动报告。", False),
        ("当事人未及时召回。", False),
        ("当事人配合调查，如实陈述。", False),
    ],
)
def test_mitigating_circumstances_in_own_words(text, stated):
    assert bool(mitigating(text)) is stated
