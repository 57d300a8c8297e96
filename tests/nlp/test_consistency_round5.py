"""同案不同罚, fifth round (issue #13): reasons stated only in the facts, in the
agency's own words, that the blind set consistency-heldout5 showed unrecognised.
Pure (no app); the sentences are written here, not copied from the set. Each class
has controls that must stay without a reason.

(1) a person hurt, told as what happened to them in a clause after the conduct;
(2) others' land, crops or property damaged (受淹, 减产, 死亡, 无法通行);
(3) carrying on after the agency pointed the violation out;
(4) a correction of the party's own accord, told as what it did (主动将…转入…);
(5) a harm the text only reports as not received (尚未接到…受伤投诉) is denied.
"""

import pytest

from nlp.factors import find_factors
from nlp.peers import (
    PeerPoint,
    judge,
    judge_group,
    reason_names,
    reason_words,
    stated_reasons,
)
from tests.nlp.consistency_helpers import aggravating, group, mitigating

# ---------------------------------------------------- (1) a person hurt


@pytest.mark.parametrize(
    ("text", "stated"),
    [
        (
            "经查，当事人运输渣土时车厢未密闭，沿途撒落泥块，"
            "一位骑摩托车的村民在弯道处摔倒骨折。",
            True,
        ),
        ("当事人店外堆放的货架倒下，两名放学经过的学生被砸受伤送医。", True),
        ("经查，现场积水结冰，行人在此滑倒摔伤，当事人仍未清理。", True),
        # controls: denied or only feared
        ("经查，当事人遗撒渣土约20立方米，未造成行人受伤。", False),
        ("当事人销售的电暖器货值8000元，目前尚未接到消费者受伤的投诉。", False),
        ("当事人遗撒渣土约20立方米，如造成市民受伤将依法追究。", False),
    ],
)
def test_person_hurt_in_a_later_clause(text, stated):
    assert bool(aggravating(text)) is stated


# ------------------------------------------- (2) others' property damaged


@pytest.mark.parametrize(
    ("text", "stated"),
    [
        (
            "当事人擅自填埋灌溉沟渠建设厂房，致下游两个村民小组约30亩玉米地"
            "在雨季长期积水，",
            True,
        ),
        ("当事人将废水排入鱼塘，导致承包户养殖的草鱼大量死亡。", True),
        ("当事人堆放的建筑垃圾堵住村道，致使沿线群众无法通行达五天。", True),
        # controls: denied, and a damage that is not caused by the party
        ("经查，当事人填埋沟渠，尚未导致周边农田受淹。", False),
        ("当事人占用的土地为坑塘水面，常年积水。", False),
    ],
)
def test_property_of_others_damaged(text, stated):
    assert bool(aggravating(text)) is stated


# ------------------------------- (3) carrying on after it was pointed out


@pytest.mark.parametrize(
    ("text", "stated"),
    [
        (
            "执法人员于5月3日巡查时当场指出其标价不实，当事人未作更正，"
            "此后仍按原标签对外销售至5月20日。",
            True,
        ),
        ("本局向其书面告知该行为违法后，当事人依旧在原址经营。", True),
        # controls: the party stopped; a statute only telling what to do
        ("执法人员当场指出其违法行为，当事人当即撤下价签，停止销售。", False),
        ("本局告知当事人享有陈述、申辩的权利，当事人未提出陈述申辩。", False),
    ],
)
def test_carrying_on_after_being_told(text, stated):
    assert bool(aggravating(text)) is stated


# ------------------------------------ (4) a correction of its own accord


@pytest.mark.parametrize(
    ("text", "stated"),
    [
        ("检查次周，当事人主动把散落在院内的废油桶移入带围堰的危废间。", True),
        ("立案后，当事人主动联系有资质单位将积存的污泥全部清运处置。", True),
        ("当事人在调查期间主动补办了建筑垃圾处置核准手续。", True),
        # controls: ordered corrections, cooperation without an act, and a
        # concealment
        ("本局责令当事人限期改正，当事人已于期限内建立台账。", False),
        ("当事人配合调查，如实陈述违法事实。", False),
        ("当事人在检查前将台账藏匿，未能提供。", False),
    ],
)
def test_correction_of_own_accord(text, stated):
    assert bool(mitigating(text)) is stated


def test_own_accord_correction_is_notaggravating():
    text = "立案后，当事人主动将露天存放的边角料转入封闭库房。"
    assert aggravating(text) == []


# -------------------------------------------------- the verdict follows


def test_stated_facts_explain_a_top_fine_but_not_a_bare_one():
    peers = [PeerPoint(i, p) for i, p in enumerate((0.3, 0.4, 0.5, 0.55, 0.6), 1)]
    facts = "经查，当事人倾倒渣土时堵塞排水沟，致相邻商户的仓库在暴雨中受淹。"
    agg, mit = (bool(w) for w in reason_words(facts, find_factors(facts)))
    explained = judge(PeerPoint(9, 1.0, agg, mit), peers)
    bare = judge(PeerPoint(9, 1.0), peers)
    assert explained.direction == "high"
    assert not explained.inconsistent
    assert bare.direction == "high"
    assert bare.inconsistent


def test_own_accord_correction_does_not_explain_a_top_fine():
    peers = [PeerPoint(i, p) for i, p in enumerate((0.3, 0.4, 0.5, 0.55, 0.6), 1)]
    facts = "立案后，当事人主动将散落的废料转入防渗仓库。"
    agg, mit = (bool(w) for w in reason_words(facts, find_factors(facts)))
    assert (agg, mit) == (False, True)
    assert judge(PeerPoint(9, 1.0, agg, mit), peers).inconsistent


# ------------------------------------- (6) a reason the whole group states


def test_reason_names_ignore_the_numbers():
    one = "附近居民为此投诉14次。"
    other = "附近居民为此投诉三次。"
    assert reason_names(one, find_factors(one)) == reason_names(
        other, find_factors(other)
    )
    assert all(name.startswith("+") for name in reason_names(one, find_factors(one)))


def test_reason_names_of_a_checker_factor_and_of_a_correction():
    text = "当事人经责令改正后拒不改正。立案后，当事人主动将废料转入封闭库房。"
    names = reason_names(text, find_factors(text))
    assert any(n.startswith("+") for n in names)
    assert any(n.startswith("-") for n in names)
    assert stated_reasons(text, find_factors(text))[:2] == (True, True)


def test_reason_every_peer_states_explains_nothing():
    peers = group({"+学校门前"})
    case = PeerPoint(9, 1.0, True, False, frozenset({"+学校门前"}))
    verdict = judge(case, peers)
    assert verdict.direction == "high"
    assert verdict.inconsistent


def test_reason_of_its_own_still_explains():
    peers = group({"+学校门前"})
    case = PeerPoint(9, 1.0, True, False, frozenset({"+学校门前", "+投诉#次"}))
    assert not judge(case, peers).inconsistent


def test_reason_most_peers_lack_still_explains():
    """Sixth round: a reason fewer than half the other peers state is the
    case's own (one peer lacking it no longer makes it so, see round 6)."""
    peers = group({"+学校门前"})
    for i in range(4):
        peers[i] = PeerPoint(i + 1, peers[i].position)
    case = PeerPoint(9, 1.0, True, False, frozenset({"+学校门前"}))
    assert not judge(case, peers).inconsistent


def test_keys_without_names_keep_the_flags_rule():
    peers = group(set())
    case = PeerPoint(9, 1.0, True, False)
    assert not judge(case, peers).inconsistent


def test_shared_mitigating_name_does_not_explain_a_high_fine_either_way():
    # a shared mitigating name is no aggravating reason: the flags decide
    peers = [
        PeerPoint(i, p, False, True, frozenset({"-主动"}))
        for i, p in enumerate((0.3, 0.4, 0.45, 0.5, 0.55, 0.6), 1)
    ]
    case = PeerPoint(9, 1.0, True, True, frozenset({"-主动", "+投诉#次"}))
    assert not judge(case, peers).inconsistent


def test_shared_reason_in_the_large_group_path():
    import random

    rng = random.Random(5)
    points = [
        PeerPoint(i, rng.uniform(0.3, 0.7), False, False, frozenset({"+学校门前"}))
        for i in range(1, 450)
    ]
    points.append(PeerPoint(900, 1.0, True, False, frozenset({"+学校门前"})))
    points.append(PeerPoint(901, 1.0, True, False, frozenset({"+学校门前", "+x"})))
    verdicts = {v.case_id: v for v in judge_group(points)}
    assert verdicts[900].inconsistent
    assert not verdicts[901].inconsistent
    assert verdicts[901].direction == "high"
