"""Third round of the failure classes of issue #14 (checker4): circumstance factors
read per clause (negation, orders, promises, quotes, statute conditions), amounts
(大写/小写 pairs, payment notice, parts and subsets), tiers (quantities in words,
stated tiers contradicted by the facts, 从轻 stated or denied).

Many phrasings per class, each with controls; written for this module, not taken
from any labelled set."""

from pathlib import Path

import pytest

from nlp.amounts import (
    check_amount_consistency,
    extract_penalties,
    find_bases,
    payment_issues,
)
from nlp.factors import (
    find_factors,
    find_factors_by_meaning,
    find_quantities,
    refutes_exemption,
    states_aggravation,
    states_mitigation,
)

DATA = Path(__file__).resolve().parents[1] / "data"


def _names(text: str) -> set[str]:
    return {f.name for f in find_factors_by_meaning(text, find_factors(text))}


def _codes(items) -> set[str]:
    return {f["code"] for f in items}


# ---------------------------------------------------------------- 3. factors


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # first offence, in several wordings
        ("当事人此前从未因此类行为被处罚过。", "first_offence"),
        ("经查询，当事人近两年内无同类违法记录。", "first_offence"),
        ("系统中查不到当事人的违法记录。", "first_offence"),
        ("当事人以前从来没有因为占道经营被罚过。", "first_offence"),
        ("该店开业以来首次出现此类问题。", "first_offence"),
        # harmlessness
        ("当事人的违法行为尚未产生实际危害。", "no_harm"),
        ("未对周边环境产生不良影响。", "no_harm"),
        ("当事人的行为未给消费者造成经济损失。", "no_harm"),
        ("该批产品尚未对外销售。", "no_harm"),
        ("涉案的5箱饮料还堆放在仓库里，一瓶也没有卖出。", "no_harm"),
        ("现场没有出现交通拥堵的情况。", "no_harm"),
        ("违法行为危害后果较为轻微。", "no_harm"),
        # correction
        ("当事人于检查次日将违规广告牌全部拆除。", "corrected"),
        ("当事人在接到责令改正通知书后三日内完成整改。", "corrected"),
        ("当事人在执法队员离开前便把货架搬回了店内。", "corrected"),
        ("摊主很快把三轮车推离了人行道。", "corrected"),
        ("当事人已经把店门口的灯箱撤掉了。", "corrected"),
        ("当事人已将占用的人行道清扫干净并恢复通行。", "corrected"),
        # minor
        ("违法行为持续时间短、涉及数量少，情节轻微。", "minor"),
        ("货值仅有八十元，数量很少。", "minor"),
        # the opposite polarity
        ("当事人并非首次违法。", "not_first"),
        ("当事人不属于初次违法。", "not_first"),
        ("这不是当事人第一次违法。", "not_first"),
        ("当事人有同类违法前科。", "not_first"),
        ("当事人以前被我局处理过两次。", "repeated"),
        ("该摊主在去年已因同样的问题被罚款。", "repeated"),
        ("当事人两年内已被查处三次。", "repeated"),
        ("该违法行为造成了危害后果。", "harm"),
        ("当事人的行为导致两名顾客腹泻。", "harm"),
        ("当事人的行为给他人造成了财产损失。", "harm"),
        ("当事人经责令后仍未改正。", "refused_correction"),
        ("截至调查终结，当事人仍未拆除。", "refused_correction"),
        ("当事人对违建部分至今未予拆除。", "refused_correction"),
        ("当事人直到立案后一个月才整改完毕。", "refused_correction"),
        ("当事人至调查结束仍在原址经营。", "refused_correction"),
        ("当事人在本辖区内尚无被处罚的先例。", "first_offence"),
        ("经比对系统数据，该企业三年来无任何环境违法记录。", "first_offence"),
        ("所涉产品均未流向市场。", "no_harm"),
        ("该次遗撒未引发交通事故。", "no_harm"),
        ("当事人接受处理后迅速组织人员对遗撒路面进行了冲洗。", "corrected"),
        ("当事人2024年曾因相同违法行为被本局处以罚款。", "repeated"),
        ("当事人在限期内未完成整改。", "refused_correction"),
        ("当事人拒绝拆除违法建筑。", "refused_correction"),
        ("当事人接到通知后仍继续施工。", "refused_correction"),
        ("在执法人员的监督下，当事人于当日自行拆除了广告牌。", "corrected"),
        ("违建部分已于9月3日由当事人自行拆除完毕。", "corrected"),
    ],
)
def test_factor_in_own_words_and_polarity(text, name):
    """Each wording states its factor (and only the right polarity)."""
    names = _names(text)
    assert name in names, (text, names)
    opposite = {
        "first_offence": "not_first",
        "not_first": "first_offence",
        "repeated": "first_offence",
        "no_harm": "harm",
        "harm": "no_harm",
        "corrected": "refused_correction",
        "refused_correction": "corrected",
    }.get(name)
    assert opposite not in names, (text, names)


@pytest.mark.parametrize(
    "text",
    [
        "当事人未能及时整改。",
        "当事人表示将于三日内拆除。",
        "当事人表示会尽快整改。",
        "本局责令其于3日内自行拆除。",
        "当事人应于三日内清理完毕。",
        "违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚。",
        "本案不符合“违法行为轻微并及时改正，没有造成危害后果”的条件。",
        "该行为可能造成安全隐患。",
        "执法人员首次检查时发现。",
        "该行为虽未造成严重后果，但已造成一定影响。",
        "当事人未取得许可，擅自占用道路。",
        "当事人表示愿意接受处罚并立即整改。",
        "当事人称已经拆除，但复查时仍存在。",
        "当事人没有违法所得。",
        "当事人没有主动消除违法行为的危害后果。",
        "当事人未提出陈述申辩意见。",
        # someone else put it right
        "遗撒物由环卫部门及时清理，费用由当事人承担。",
        "环卫工人当即将遗撒的渣土清扫干净。",
        "本局已委托第三方将违法建筑拆除。",
    ],
)
def test_negated_ordered_promised_quoted_or_conditional_is_no_mitigation(text):
    """A mitigating statement that is negated, ordered, promised, quoted or a
    statute's condition is not a fact of the case."""
    names = _names(text)
    assert not names & {"first_offence", "corrected", "no_harm", "minor"}, (
        text,
        names,
    )


@pytest.mark.parametrize(
    "text",
    [
        "当事人虽系初次违法，但占道时间长达三个月，不予免除处罚。",
        "本案不适用首违不罚。",
        "当事人的违法行为不属于轻微情形，依法应当给予处罚。",
        "当事人虽已拆除，但系在责令期限届满后才拆除，改正不及时。",
        "该行为不在本市轻微违法行为免罚清单之列。",
        "鉴于占道影响较大，仍应依法给予行政处罚。",
        "当事人的违法行为不符合《行政处罚法》第三十三条第一款规定的情形。",
        "经集体讨论，认为本案不宜适用首违不罚。",
        "因当事人未能在规定期限内改正，不符合首违免罚条件。",
        "依照《江城市轻微违法行为免罚清单》，本案不在免罚范围之内。",
        "当事人的情况不满足轻微违法免罚的要求。",
        "根据第三十三条第一款可以不予行政处罚，但考虑到当事人在学校门口经营，决定从轻处罚。",
    ],
)
def test_reasons_against_the_exemption_are_read(text):
    assert refutes_exemption(text), text


@pytest.mark.parametrize(
    "text",
    [
        "鉴于当事人系初次违法，依法从轻处罚。",
        "当事人的违法事实清楚，证据确凿。",
        "违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚。",
    ],
)
def test_no_reason_against_the_exemption(text):
    assert not refutes_exemption(text), text


ROAD = (
    "江城市西岭区城市管理综合行政执法局\n行政处罚决定书\n西城执罚〔2025〕第{n}号\n\n"
    "当事人：张某某，身份证号：420100199001011234\n\n"
    "　　2025年5月6日，本局执法人员巡查发现，当事人在锦绣街人行道上摆摊经营水果，"
    "占用城市道路约{area}平方米。{facts}\n"
    "　　当事人的行为违反了《城市道路管理条例》第二十七条第（一）项的规定。{reasoning}"
    "依据《城市道路管理条例》第四十二条的规定，本局决定对当事人罚款人民币{fine}元。\n"
    "　　罚款应于收到本决定书之日起十五日内缴纳。\n"
    "　　如不服本决定，可于收到本决定书之日起六十日内申请行政复议，或于六个月内提起行政诉讼。\n\n"
    "江城市西岭区城市管理综合行政执法局\n2025年5月20日\n"
)
FIRST = (
    "经查询，当事人此前未因同类违法行为受过处罚",
    "系统中查不到当事人的违法记录",
    "当事人以前从来没有因为占道经营被罚过",
    "此前没有任何违法记录",
    "当事人系第一次在此摆摊",
)
CORRECTED = (
    "执法人员指出后当事人当即收摊离开",
    "当事人很快把三轮车推离了人行道",
    "当事人于当日下午即自行清理了现场",
    "经劝导，当事人马上将摊位撤走",
    "当事人在接到责令改正通知书后两小时内完成整改",
)
HARMLESS = (
    "未造成危害后果",
    "现场没有出现交通拥堵的情况",
    "未对行人通行造成影响",
    "本局也未接到群众投诉",
    "没有对他人造成任何损害",
)


@pytest.mark.parametrize("k", range(5))
def test_first_offence_in_own_words_is_no_penalty_expected(reviewer, k):
    facts = f"{FIRST[k]}，{CORRECTED[(k + 1) % 5]}，{HARMLESS[(k + 2) % 5]}。"
    text = ROAD.format(n=k, area=3, facts=facts, reasoning="", fine=500)
    result = reviewer.review(text, f"first-{k}")
    assert "NO_PENALTY_EXPECTED" in _codes(result["findings"]), facts
    finding = next(f for f in result["findings"] if f["code"] == "NO_PENALTY_EXPECTED")
    # The evidence is the words that carried the factors.
    assert finding["evidence"]


@pytest.mark.parametrize(
    ("facts", "reasoning"),
    [
        # the exemption answered in the agency's words
        (f"{FIRST[0]}，{CORRECTED[0]}，{HARMLESS[0]}。", "本案不适用首违不罚。"),
        (
            f"{FIRST[1]}，{CORRECTED[1]}，{HARMLESS[1]}。",
            "当事人虽系初次违法并已改正，但其在主干道占道经营，仍应依法给予行政处罚。",
        ),
        # facts that do not meet the rule
        (f"当事人并非初次违法，{CORRECTED[2]}，{HARMLESS[2]}。", ""),
        (f"当事人此前曾因占道经营被罚款，{CORRECTED[3]}，{HARMLESS[3]}。", ""),
        (f"{FIRST[2]}，当事人未能及时清理，{HARMLESS[4]}。", ""),
        (f"{FIRST[3]}，当事人直到立案后才收摊，{HARMLESS[0]}。", ""),
        (f"{FIRST[4]}，{CORRECTED[4]}，但造成了行人绕行的后果。", ""),
        (f"{FIRST[0]}，当事人表示将于三日内清理，{HARMLESS[1]}。", ""),
        # the rule quoted, not met by facts
        (
            "",
            "根据《中华人民共和国行政处罚法》第三十三条规定：初次违法且危害后果轻微"
            "并及时改正的，可以不予行政处罚。",
        ),
    ],
)
def test_no_penalty_expected_controls(reviewer, facts, reasoning):
    text = ROAD.format(n=9, area=3, facts=facts, reasoning=reasoning, fine=500)
    result = reviewer.review(text, "control")
    assert "NO_PENALTY_EXPECTED" not in _codes(result["findings"]), (facts, reasoning)


# ---------------------------------------------------------------- 4. amounts


@pytest.mark.parametrize(
    "text",
    [
        "决定给予如下行政处罚：罚款人民币伍仟元（¥5000.00）。",
        "决定给予如下行政处罚：罚款人民币5000元（大写：伍仟元整）。",
        "决定给予如下行政处罚：罚款¥5,000.00元（大写：人民币伍仟元整）。",
        "决定给予如下行政处罚：罚款伍仟元整（小写：5000元）。",
    ],
)
def test_agreeing_pairs_count_once(text):
    assert extract_penalties(text).fine_yuan == 5000.0
    assert check_amount_consistency(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "决定给予如下行政处罚：罚款人民币5000元（大写：肆仟元整）。",
        "决定给予如下行政处罚：罚款人民币肆仟元（5000元）。",
        "决定给予如下行政处罚：处罚款人民币伍仟元整（小写：¥4,000.00）。",
    ],
)
def test_disagreeing_pairs_are_inconsistent_and_uncertain(text):
    penalties = extract_penalties(text)
    assert len(check_amount_consistency(text)) == 1
    # Nothing corroborates either reading: both are kept for the range checks.
    assert {penalties.fine_yuan, penalties.fine_alternative} == {4000.0, 5000.0}


def test_the_corroborated_reading_of_a_pair_wins():
    text = (
        "广告面积24平方米，按每平方米120元计算，本局决定对当事人罚款2880元"
        "（大写：贰仟捌佰元整）。罚款于收到本决定书之日起十五日内缴纳。"
    )
    penalties = extract_penalties(text)
    assert penalties.fine_yuan == 2880.0
    assert penalties.fine_alternative is None
    assert len(check_amount_consistency(text)) == 1


def test_payment_notice_restates_the_fine():
    same = "决定如下：罚款3000元。请于15日内将罚款3000元缴至指定账户。"
    penalties = extract_penalties(same)
    assert penalties.fine_yuan == 3000.0  # not counted twice
    assert payment_issues(same, penalties) == []
    with_seizure = (
        "决定如下：1.没收违法所得500元；2.罚款3000元。"
        "请于15日内将上述罚没款3500元缴至指定账户。"
    )
    assert payment_issues(with_seizure, extract_penalties(with_seizure)) == []
    other = "决定如下：罚款3000元。请于15日内将罚款叁仟伍佰元缴至指定账户。"
    penalties = extract_penalties(other)
    assert penalties.fine_yuan == 3000.0
    issues = payment_issues(other, penalties)
    assert len(issues) == 1
    assert "3500" in issues[0].message


def test_bases_in_brackets_and_other_names():
    text = "本局决定：对当事人处以货值金额（2000元）三倍的罚款，计6000元。"
    assert find_bases(text)["货值金额"] == 2000
    assert extract_penalties(text).fine_yuan == 6000.0
    assert find_bases("经查，当事人销售额为12000元。")["销售金额"] == 12000


def test_parts_subsets_and_totals():
    whole = (
        "经查，涉案三批货物货值分别为1200元、800元、500元，合计2500元，"
        "其中已销售部分货值为2000元。决定给予如下行政处罚：罚款5000元。"
    )
    assert check_amount_consistency(whole) == []
    assert find_bases(whole)["货值金额"] == 2500
    sides = "设置广告牌两块：一块长12米、高3米，另一块长8米、高3米。"
    assert find_bases(sides)["面积"] == 60
    assert find_bases("广告面积为8米×3米。")["面积"] == 24
    subset = "经查，涉案三批货物货值分别为1200元、800元、500元，其中前两批合计2000元。"
    assert check_amount_consistency(subset) == []
    wrong = "经查，涉案三批货物货值分别为1200元、800元、500元，合计2600元。"
    assert len(check_amount_consistency(wrong)) == 1
    price = "当事人共销售该商品15件，单价每件40元，货值金额650元。"
    assert len(check_amount_consistency(price)) == 1
    right = "当事人共销售该商品15件，单价每件40元，货值金额600元。"
    assert check_amount_consistency(right) == []
    # a quantity of packs times the units per pack
    packs = "当事人购进饮料10箱，每箱24瓶，每瓶5元，货值金额共计{}元。"
    assert check_amount_consistency(packs.format(1200)) == []
    assert len(check_amount_consistency(packs.format(1300))) == 1
    # a profit is price minus cost: not checked as price × quantity
    profit = (
        "购进该产品20件，每件进价30元，每件售价45元，已全部售出，违法所得共计300元。"
    )
    assert check_amount_consistency(profit) == []


def test_range_findings_need_both_readings_of_an_uncertain_fine(reviewer):
    # 3㎡ → 轻微 (0–2000): 1500 is inside, 2500 above; the pair disagrees.
    text = ROAD.format(
        n=7,
        area=3,
        facts="",
        reasoning="",
        fine="壹仟伍佰元（2500元）",
    ).replace("人民币壹仟伍佰元（2500元）元", "人民币壹仟伍佰元（2500元）")
    result = reviewer.review(text, "pair")
    codes = _codes(result["findings"])
    assert "AMOUNT_INCONSISTENT" in codes
    assert "FINE_OUTSIDE_TIER" not in codes


# ---------------------------------------------------------------- 5. tiers


@pytest.mark.parametrize(
    ("text", "unit", "value"),
    [
        ("占道面积约20余平方米。", "平方米", 20.0),
        ("当事人在桥梁护栏上设置广告牌两处。", "处", 2.0),
        ("当事人两年内已被查处三次。", "times", 3.0),
        ("当事人此前曾被处罚两次。", "times", 3.0),
        ("核定载质量为十吨，经称重实际装载砂石十四点二吨。", "%", 42.0),
        ("超过昼间限值60分贝（A），超标1.6分贝。", "exceed_db", 1.6),
        # the excess computed from the measured value and the limit
        (
            "化学需氧量排放浓度为90毫克/升，超过《污水综合排放标准》一级标准限值"
            "（50毫克/升）。",
            "exceed_multiple",
            0.8,
        ),
        (
            "油烟排放浓度为3.6mg/m³，超过排放标准规定的2.0mg/m³限值。",
            "exceed_multiple",
            0.8,
        ),
        (
            "厂界昼间等效声级为61.6分贝（A），超过昼间限值60分贝（A）。",
            "exceed_db",
            1.6,
        ),
    ],
)
def test_quantities_in_words_and_other_forms(text, unit, value):
    found = [q.value for q in find_quantities(text) if q.name == unit]
    assert found, (text, find_quantities(text))
    assert found[0] == value, (text, find_quantities(text))


@pytest.mark.parametrize(
    "text",
    ["遗撒面积未达到十平方米。", "当事人从未被处罚过一次。", "超标3分贝以下。"],
)
def test_bounds_and_negations_are_not_quantities(text):
    assert find_quantities(text) == []


def test_stated_tier_contradicted_by_stated_quantities(reviewer):
    text = ROAD.format(
        n=3,
        area="六十",
        facts="",
        reasoning="当事人的行为属于裁量基准“轻微”情形。",
        fine=1500,
    )
    result = reviewer.review(text, "tier")
    assert result["tier"] == "严重"
    assert "FINE_OUTSIDE_TIER" in _codes(result["findings"])


def test_stated_tier_kept_when_quantities_agree(reviewer):
    text = ROAD.format(
        n=4, area=3, facts="", reasoning="属于裁量基准“轻微”情形。", fine=1500
    )
    assert reviewer.review(text, "tier")["tier"] == "轻微"


@pytest.mark.parametrize(
    ("reasoning", "finding"),
    [
        # a lawful 从轻 with its basis stated: a neutral hint, no finding
        ("鉴于当事人积极配合调查、如实陈述，依法从轻处罚。", False),
        ("当事人主动认错，本局决定对其从轻处罚。", False),
        # 从轻 denied, requested by the party or only the statute's consequence
        ("当事人积极配合调查，但不具有从轻处罚情节。", True),
        ("当事人积极配合调查，并请求从轻处罚，本局不予采纳。", True),
        (
            "当事人积极配合调查。《行政处罚法》规定，主动消除或者减轻违法行为危害后果的，"
            "应当从轻或者减轻行政处罚。",
            True,
        ),
    ],
)
def test_from_light_stated_or_not(reviewer, reasoning, finding):
    # 30㎡ → 一般 (2000–8000); 1500 is below the tier.
    text = ROAD.format(n=5, area=30, facts="", reasoning=reasoning, fine=1500)
    result, hints = reviewer.review_with_hints(text, "light")
    assert ("FINE_OUTSIDE_TIER" in _codes(result["findings"])) is finding, reasoning
    if not finding:
        assert "LAWFUL_ADJUSTMENT" in _codes(hints)


@pytest.mark.parametrize(
    ("text", "mitigation", "aggravation"),
    [
        ("本局决定对其从轻处罚。", True, False),
        ("本案不予从轻处罚。", False, False),
        ("当事人无从重情节。", False, False),
        ("依法从重处罚。", False, True),
        ("当事人提出从轻处罚的申辩意见，本局不予采纳。", False, False),
    ],
)
def test_adjustment_words_are_the_agencys_own(text, mitigation, aggravation):
    from nlp.factors import AGGRAVATING, MITIGATING, Factor

    mitigating = [Factor(MITIGATING, "cooperated", "配合", 0, 2)]
    aggravating = [Factor(AGGRAVATING, "repeated", "再次", 0, 2)]
    assert states_mitigation(text, mitigating) is mitigation
    assert states_aggravation(text, aggravating) is aggravation


# ---------------------------------------------------------------- 1. dates

AIR_OLD = (
    "江城市生态环境局\n行政处罚决定书\n江环罚〔2026〕第88号\n\n"
    "当事人：江城市某建材有限公司\n统一社会信用代码：91420100MA4K0000X1\n\n"
    "　　{day}，我局执法人员现场检查发现，当事人在生产过程中不正常运行大气污染防治设施。\n"
    "　　当事人的上述行为违反了《中华人民共和国大气污染防治法》第二十条第二款的规定。"
    "依据《中华人民共和国大气污染防治法》第九十九条第（三）项的规定，决定给予如下行政"
    "处罚：罚款人民币壹拾伍万元整（150000元）。\n"
    "　　如不服本决定，可于收到本决定书之日起六十日内申请行政复议。\n\n"
    "江城市生态环境局\n2026年9月20日\n"
)


def test_conduct_before_the_repeal_is_a_hint_not_a_finding(reviewer):
    """行政处罚法第三十七条: the law in force at the time of the conduct applies
    (从旧兼从轻); citing it after its repeal is not by itself CITATION_REPEALED."""
    result, hints = reviewer.review_with_hints(
        AIR_OLD.format(day="2026年7月10日"), "old"
    )
    assert "CITATION_REPEALED" not in _codes(result["findings"])
    old = [h for h in hints if h["code"] == "CITATION_OLD_LAW_APPLIES"]
    assert old
    assert "2026-07-10" in old[0]["message"]
    assert "生态环境法典" in old[0]["message"]
    after, _ = reviewer.review_with_hints(AIR_OLD.format(day="2026年8月20日"), "new")
    assert "CITATION_REPEALED" in _codes(after["findings"])


def test_a_minor_tier_stated_by_the_agency_is_a_minor_violation(reviewer):
    """属于“轻微”情形 + corrected + harmless, fined without a reason against
    不予处罚 → NO_PENALTY_EXPECTED; not when the correction was refused."""
    facts = "执法人员指出后当事人当即收摊离开，未对行人通行造成影响。"
    text = ROAD.format(
        n=11, area=3, facts=facts, reasoning="属于裁量基准“轻微”情形。", fine=500
    )
    assert "NO_PENALTY_EXPECTED" in _codes(reviewer.review(text, "minor")["findings"])
    refused = facts + "经复查，当事人至今仍未清理遗留物品。"
    text = ROAD.format(
        n=12, area=3, facts=refused, reasoning="属于裁量基准“轻微”情形。", fine=500
    )
    assert "NO_PENALTY_EXPECTED" not in _codes(
        reviewer.review(text, "refused")["findings"]
    )


def test_stock_phrase_is_no_reason_against_the_exemption(reviewer):
    """依法应当给予行政处罚 is written in every decision: it does not explain why
    首违不罚 does not apply (仍应…处罚 does)."""
    facts = f"{FIRST[0]}，{CORRECTED[0]}，{HARMLESS[0]}。"
    stock = "当事人的行为违反了规定，依法应当给予行政处罚。"
    text = ROAD.format(n=13, area=3, facts=facts, reasoning=stock, fine=500)
    assert "NO_PENALTY_EXPECTED" in _codes(reviewer.review(text, "s")["findings"])
    assert not refutes_exemption(stock)
    assert refutes_exemption("当事人虽系初次违法，仍应依法给予行政处罚。")


NOISE = (
    "澄江市生态环境局\n行政处罚决定书\n澄环罚〔2025〕41号\n\n"
    "当事人：澄江市华宇机械制造有限公司\n统一社会信用代码：91320500MA1P2Q3R4S\n\n"
    "　　2025年4月10日，我局委托监测站对当事人厂界噪声进行监测，{when}等效声级为"
    "{level}分贝（A），超过《工业企业厂界环境噪声排放标准》规定的{when}限值{limit}分贝"
    "（A）。\n"
    "　　我局认为，当事人超过噪声排放标准排放工业噪声，违反了《中华人民共和国噪声污染"
    "防治法》第二十四条的规定。依据《中华人民共和国噪声污染防治法》第七十五条的规定，"
    "我局决定对当事人罚款人民币陆万元。\n"
    "　　当事人应于收到本决定书之日起十五日内缴纳罚款。\n\n"
    "澄江市生态环境局\n2025年5月6日\n"
)
PASSENGERS = (
    "澄江市交通运输局\n行政处罚决定书\n澄交罚〔2025〕第18号\n\n"
    "当事人：钱某某，身份证号：320500198805051234\n\n"
    "　　2025年3月9日，执法人员在G312线检查时发现，当事人驾驶的核定载客19人的客运"
    "车辆实际载客{load}人。\n"
    "　　本局认为，当事人的行为违反了《中华人民共和国道路交通安全法》第四十九条的规定。"
    "依据《中华人民共和国道路交通安全法》第九十二条第一款的规定，决定对当事人罚款人民币"
    "叁佰元。\n　　当事人应于十五日内缴纳罚款。\n\n澄江市交通运输局\n2025年3月9日\n"
)


@pytest.mark.parametrize(
    ("when", "level", "limit", "tier", "outside"),
    [
        # 8.5 dB at night: 夜间超标排放 → 较重 (10–15万): 6万 is below it
        ("夜间", "58.5", "50", "较重", True),
        # 8.5 dB by day → 一般 (5–10万): 6万 is inside
        ("昼间", "68.5", "60", "一般", False),
    ],
)
def test_excess_and_condition_words_written_out(
    reviewer, when, level, limit, tier, outside
):
    text = NOISE.format(when=when, level=level, limit=limit)
    result = reviewer.review(text, "noise")
    assert result["tier"] == tier
    assert ("FINE_OUTSIDE_TIER" in _codes(result["findings"])) is outside


@pytest.mark.parametrize(
    ("load", "tier", "outside"),
    [("26", "较重", True), ("21", "一般", False)],
)
def test_overload_from_rated_and_actual(reviewer, load, tier, outside):
    # 26/19 = +36.8 % → 较重 (500–1000): 300 is below; 21/19 = +10.5 % → 一般
    result = reviewer.review(PASSENGERS.format(load=load), "bus")
    assert result["tier"] == tier
    assert ("FINE_OUTSIDE_TIER" in _codes(result["findings"])) is outside


def test_a_tier_that_restates_the_violation_is_the_ordinary_tier(reviewer):
    text = (
        "澄江市公安局交通警察支队\n行政处罚决定书\n\n"
        "被处罚人：孙某某，身份证号：320500199001011234\n\n"
        "　　2025年5月2日，被处罚人未取得机动车驾驶证驾驶小型轿车在人民路行驶，被执勤民警"
        "查获。\n　　被处罚人的行为违反了《中华人民共和国道路交通安全法》第十九条第一款的规定。"
        "依据《中华人民共和国道路交通安全法》第九十九条第一款第（一）项的规定，决定对被处罚人"
        "处以罚款{fine}元。\n\n澄江市公安局交通警察支队\n2025年5月2日\n"
    )
    result = reviewer.review(text.format(fine=800), "licence")
    assert result["tier"] == "一般"
    # 1500 is above 一般 (200–1000) with no stated reason, and no heavier tier's
    # condition is met
    high = reviewer.review(text.format(fine=1500), "licence-high")
    assert "FINE_OUTSIDE_TIER" in _codes(high["findings"])
