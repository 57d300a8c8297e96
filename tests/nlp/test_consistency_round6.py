"""同案不同罚, sixth round (issue #13): reasons recognised by meaning (the reason
classifier behind the vetoes of nlp/peers.py), canonical reason names so that a
reason every peer states in its own words is recognised as shared, weak reasons
counted in what the peers share, and the share rule (half the peers). Pure (no
app); every sentence is written here, not copied from a test set."""

import pytest

from nlp.factors import find_factors
from nlp.peers import (
    PeerPoint,
    judge,
    judge_group,
    reason_names,
    shared_reasons,
    stated_reasons,
)
from tests.nlp.consistency_helpers import aggravating, group, mitigating, point

# ------------------------------------------- (1) reasons in words no pattern has


@pytest.mark.parametrize(
    "text",
    [
        "经查，堆放的钢管倒塌，砸坏了相邻商铺的玻璃门。",
        "施工时挖断了邻村的灌溉水管。",
        "当事人为应付检查，临时编造了一份进货台账。",
        "当事人此前已因同类问题被警告过两次。",
    ],
)
def test_aggravating_reason_by_meaning(text):
    assert aggravating(text)
    assert not mitigating(text)


@pytest.mark.parametrize(
    "text",
    [
        "当事人已向受损商户支付了全部修理费用。",
        "当事人与受害车主达成和解并赔付了维修款。",
        "当事人自行把占道的货架全部搬回店内。",
        "立案前当事人已经把广告牌拆下。",
        "当事人因家中变故，靠摆摊维持生计。",
    ],
)
def test_mitigating_reason_by_meaning(text):
    assert mitigating(text)
    assert not aggravating(text)


# ------------------------------------------------ (2) the vetoes stay in force


@pytest.mark.parametrize(
    "text",
    [
        # ordered, promised, claimed: not done
        "责令当事人赔偿相邻商户的损失。",
        "当事人表示将尽快把货架搬回店内。",
        "当事人辩称已赔偿商户，但未提供证据。",
        # negated act, denied harm, a supposition
        "当事人至今没有采取任何整改措施。",
        "本案未造成他人财产损失。",
        "如当事人再次违法，本局将从重处罚。",
        # an order alone is no refusal
        "责令当事人立即改正违法行为。",
        # boilerplate, statute text, procedure
        "本局综合考虑违法事实、性质、情节和社会危害程度。",
        "依据《中华人民共和国大气污染防治法》第一百一十六条的规定。",
        "当事人应当自收到本决定书之日起十五日内缴纳罚款，逾期不缴纳的，每日按罚款数额的百分之三加处罚款。",
    ],
)
def test_no_reason_behind_the_vetoes(text):
    assert aggravating(text) == []
    assert mitigating(text) == []


def test_first_offence_is_no_repeat():
    """The classifier reads 第二次 and 首次 alike in n-grams; the checker's
    first-offence factor in the clause vetoes the aggravating reading."""
    assert aggravating("当事人两年内首次被查处。") == []


def test_violation_restated_is_no_reason():
    """A clause that only restates the item's violation is the violation."""
    violation = "运输渣土车辆未采取密闭措施，沿途遗撒"
    text = "当事人运输渣土的车辆未采取密闭措施，沿途遗撒渣土。"
    agg, _, _ = stated_reasons(text, find_factors(text), violation=violation)
    assert agg is False


def test_tier_restated_is_no_reason():
    tier = "较轻 违法所得较少，且系初次违法"
    text = "当事人违法所得较少，且系初次违法。"
    _, mit, _ = stated_reasons(text, find_factors(text), tier=tier)
    assert mit is False


# ------------------------------------ (3) one kind of reason, one name


def test_differently_worded_reasons_share_a_name():
    one = "当事人已向受损商户支付了全部修理费用。"
    other = "当事人与受害车主达成和解并赔付了维修款。"
    assert reason_names(one, find_factors(one)) == reason_names(
        other, find_factors(other)
    )


def test_checker_factor_and_clause_of_one_kind_share_a_name():
    """拒不改正 found by the checker's keywords and a refusal told in other
    words carry one canonical name."""
    factor = "当事人经责令改正后拒不改正。"
    clause = "当事人收到整改通知后置之不理，照常施工。"
    assert reason_names(factor, find_factors(factor)) & reason_names(
        clause, find_factors(clause)
    )


def test_weak_reasons_are_stored_marked():
    text = "当事人配合调查，如实陈述违法事实。"
    agg, mit, names = stated_reasons(text, find_factors(text))
    assert (agg, mit) == (False, False)
    assert names
    assert all(name.startswith("-~") for name in names)


# ----------------------- (4) the shared-reason rule with different wordings


PAYMENTS = [
    "当事人已向受损商户支付了全部修理费用。",
    "当事人与受害车主达成和解并赔付了维修款。",
    "当事人已按价赔偿了被损坏的花木。",
    "事后当事人主动承担了全部修复费用。",
    "当事人已向邻居赔偿了全部损失。",
    "当事人已经全额赔偿了受损车辆的维修费。",
]


def test_reason_every_peer_states_in_its_own_words_explains_no_bottom():
    positions = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55)
    peers = [
        point(i, p, t)
        for i, (p, t) in enumerate(zip(positions, PAYMENTS, strict=True), 1)
    ]
    assert all(p.mitigating for p in peers)
    assert len(shared_reasons(peers)) >= 1
    bottom = point(9, 0.0, "当事人已向受害村民赔付了全部青苗损失。")
    assert bottom.mitigating
    assert judge(bottom, peers).inconsistent
    own = point(
        9, 0.0, "当事人已向受害村民赔付了全部青苗损失。当事人系低保户，家庭生活困难。"
    )
    assert not judge(own, peers).inconsistent


def test_outlier_active_cooperation_against_peers_plain_cooperation():
    """积极配合调查 is a reason of its own only if the peers do not cooperate:
    every peer states 配合调查 (weak, stored marked), so the bottom fine whose
    only reason is its 积极配合 is set apart."""
    plain = "当事人配合调查，如实陈述违法事实。"
    peers = [point(i, p, plain) for i, p in enumerate((0.3, 0.4, 0.45, 0.5, 0.55), 1)]
    active = point(9, 0.0, "当事人积极配合调查，如实陈述违法事实。")
    assert active.mitigating
    assert judge(active, peers).inconsistent
    alone = [PeerPoint(i, p) for i, p in enumerate((0.3, 0.4, 0.45, 0.5, 0.55), 1)]
    assert not judge(active, alone).inconsistent  # no peer cooperates: a reason


# -------------------------------------------- (5) half the peers, not all


def test_reason_half_the_peers_state_explains_nothing():
    peers = group({"+学校门前"})
    for i in range(3):  # three of six lack it: half still state it
        peers[i] = PeerPoint(i + 1, peers[i].position)
    case = PeerPoint(9, 1.0, True, False, frozenset({"+学校门前"}))
    assert judge(case, peers).inconsistent
    peers[3] = PeerPoint(4, peers[3].position)  # two of six: the case's own
    assert not judge(case, peers).inconsistent


def test_share_rule_in_the_large_group_path():
    import random

    rng = random.Random(7)
    points = [
        PeerPoint(
            i,
            rng.uniform(0.3, 0.7),
            False,
            False,
            frozenset({"+学校门前"}) if i % 3 else frozenset(),
        )
        for i in range(1, 450)
    ]  # two thirds state it
    points.append(PeerPoint(900, 1.0, True, False, frozenset({"+学校门前"})))
    points.append(PeerPoint(901, 1.0, True, False, frozenset({"+学校门前", "+x"})))
    verdicts = {v.case_id: v for v in judge_group(points)}
    assert verdicts[900].inconsistent
    assert not verdicts[901].inconsistent


def test_no_names_stored_keeps_the_flags_rule():
    peers = [PeerPoint(i, p) for i, p in enumerate((0.3, 0.4, 0.45, 0.5, 0.55), 1)]
    assert shared_reasons(peers) == frozenset()
    assert not judge(PeerPoint(9, 1.0, True, False), peers).inconsistent
