"""The outlier rule of the archive comparison and the officer parser (pure)."""

import random
import statistics

import pytest

from nlp.factors import find_factors
from nlp.peers import (
    PeerPoint,
    Rule,
    judge,
    judge_group,
    parse_officers,
    position,
    reason_flags,
    reason_words,
)


def _group(positions, **flags):
    return [PeerPoint(i, p, **flags) for i, p in enumerate(positions)]


ORDINARY = [0.3, 0.35, 0.4, 0.42, 0.45, 0.5]


def test_position_in_tier_and_clamping():
    """Is the position 0 at the bottom, 1 at the top, clamped to −1..2, and None
    without a usable range?"""
    assert position(5000, 5000, 12000) == 0
    assert position(12000, 5000, 12000) == 1
    assert position(8500, 5000, 12000) == pytest.approx(0.5)
    assert position(10**9, 5000, 12000) == 2.0
    assert position(8000, 5000, 5000) is None
    assert position(None, 0, 1) is None


def test_high_outlier_flagged_and_ordinary_not():
    """Is a top-of-tier fine among middle-of-tier peers an unexplained high
    outlier, and an ordinary one not?"""
    peers = _group(ORDINARY)
    verdict = judge(PeerPoint(99, 0.98), peers)
    assert verdict.direction == "high"
    assert verdict.inconsistent
    assert verdict.group_size == 7
    assert verdict.median == pytest.approx(statistics.median(ORDINARY))
    assert not judge(PeerPoint(98, 0.47), peers).inconsistent


def test_stated_reasons_explain_the_matching_direction_only():
    """Does an aggravating reason explain a high outlier (not a low one) and a
    mitigating reason a low outlier (not a high one)?"""
    peers = _group(ORDINARY)
    assert not judge(PeerPoint(1, 0.98, aggravating=True), peers).inconsistent
    assert judge(PeerPoint(1, 0.98, mitigating=True), peers).inconsistent
    assert not judge(PeerPoint(1, 0.0, mitigating=True), peers).inconsistent
    low = judge(PeerPoint(1, 0.0, aggravating=True), peers)
    assert low.direction == "low"
    assert low.inconsistent


def test_minimum_group_size():
    """No verdict below the minimum group size (the case included)."""
    four = _group([0.3, 0.35, 0.4])
    assert judge(PeerPoint(9, 1.0), four).direction is None
    assert judge(PeerPoint(9, 1.0), four, Rule(min_group=4)).direction == "high"


def test_mad_threshold_and_minimum_gap():
    """A widely spread group widens the band (3 × MAD); a tight one still needs
    the minimum gap of 0.35."""
    tight = _group([0.5] * 8)
    assert judge(PeerPoint(9, 0.8), tight).direction is None  # gap 0.3 < 0.35
    assert judge(PeerPoint(9, 0.9), tight).direction == "high"
    spread = _group([0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9])
    assert judge(PeerPoint(9, 0.93), spread).direction is None


def test_tier_end_rule():
    """Is a fine at the very bottom of the tier flagged when the peers sit well
    inside it (0.2 from the median is enough there), and not when sitting at the
    bottom is usual in the group or the median is close to it?"""
    inside = _group([0.14, 0.25, 0.29, 0.3, 0.33, 0.5])
    verdict = judge(PeerPoint(9, 0.0), inside)
    assert verdict.direction == "low"
    assert verdict.at_end
    usual = _group([0.0, 0.0, 0.02, 0.3, 0.33, 0.5, 0.4])
    assert judge(PeerPoint(9, 0.0), usual).direction is None
    near = _group([0.1, 0.12, 0.15, 0.18, 0.2])
    assert judge(PeerPoint(9, 0.0), near).direction is None
    # The reference median ignores peers at the ends (judged by this rule).
    mixed = _group([0.0, 1.0, 0.3, 0.35, 0.4, 0.45])
    assert judge(PeerPoint(9, 1.0), mixed).median == pytest.approx(0.375)


def test_leave_one_out_and_large_group_approximation():
    """Does an outlier not pull its own reference, and does the fast path for
    large groups give the same verdicts as the exact rule?"""
    rng = random.Random(7)
    points = [PeerPoint(i, rng.uniform(0.3, 0.6)) for i in range(600)]
    points += [PeerPoint(1000, 1.0), PeerPoint(1001, -0.2)]
    fast = {v.case_id: v for v in judge_group(points)}
    exact = {p.case_id: judge(p, points) for p in points}
    assert fast[1000].direction == "high"
    assert fast[1001].direction == "low"
    assert {k for k, v in fast.items() if v.direction} == {
        k for k, v in exact.items() if v.direction
    }


def test_reason_flags_from_the_checker_factors():
    """Is 拒不改正 aggravating, 主动消除危害后果 mitigating, plain cooperation
    (配合调查, stated in almost every decision) not a reason for a low fine, and
    active cooperation (积极配合调查) one?"""
    text = "当事人经责令改正后拒不改正。"
    assert reason_flags(text, find_factors(text)) == (True, False)
    text = "当事人主动消除危害后果。"
    assert reason_flags(text, find_factors(text)) == (False, True)
    text = "当事人配合调查，如实陈述违法事实，立即停止违法行为。"
    assert reason_flags(text, find_factors(text)) == (False, False)
    text = "当事人积极配合调查，如实陈述违法事实，立即停止违法行为。"
    assert reason_flags(text, find_factors(text)) == (False, True)
    text = "执法人员当场责令其限期改正。"
    assert reason_flags(text, find_factors(text)) == (False, False)
    text = "当事人曾于2025年3月因同类行为被本局查处。"
    assert reason_flags(text, find_factors(text)) == (True, False)
    text = "当事人作业时关闭船舶自动识别系统、遮挡船名，刻意逃避监管。"
    assert reason_flags(text, find_factors(text))[0]
    stored = [f.to_json() for f in find_factors("当事人主动消除危害后果。")]
    assert reason_flags("", stored) == (False, True)


def test_reasons_stated_only_in_the_facts_with_their_words():
    """Are reasons written only in the facts (经查 …) recognised, with the words
    that carry them, and are orders, refusals, negations and statute
    conditionals not taken for reasons?"""
    cases = {
        "经查，当事人经责令改正后拒不改正，广告牌仍悬挂原处。": ("high", "拒不改正"),
        "经核查执法系统记录，本次系第二次被查处。": ("high", "第二次被查处"),
        "车辆行经汉江路时钢管滑落，砸中路边一名行人，致其左腿骨折。": ("high", "骨折"),
        "当事人积极采取措施消除了违法行为的危害后果。": (
            "low",
            "消除了违法行为的危害后果",
        ),
        "当事人已向上述顾客全额退还多收的差价。": ("low", "退还"),
    }
    for text, (direction, word) in cases.items():
        aggravating, mitigating = reason_words(text, find_factors(text))
        words = aggravating if direction == "high" else mitigating
        assert any(word in w for w in words), (text, words)
        assert not (mitigating if direction == "high" else aggravating), text
    quiet = (
        "本局责令其于3日内自行拆除。",
        "依据该条例规定，逾期不改正的，处一万元以下罚款。",
        "当事人一年内未再次违法。",
        "属于“两年内首次或者第二次被查处”的“一般”情形。",
        "责令当事人退还多收价款。",
    )
    for text in quiet:
        assert reason_flags(text, find_factors(text)) == (False, False), text
    # Injuries negated are not an aggravating reason (they state harmlessness,
    # a mitigating factor since checker4).
    assert (
        reason_flags("未造成人员受伤。", find_factors("未造成人员受伤。"))[0] is False
    )


def test_explained_extremes_are_not_the_norm():
    """Do peers at a tier end that state their reason not make that end look
    usual (so an unexplained fine at the same end is still an outlier)?"""
    peers = _group([0.25, 0.5, 0.25, 0.4, 0.5, 1.0])
    peers += [PeerPoint(50, 0.0, mitigating=True), PeerPoint(51, 0.0, mitigating=True)]
    verdict = judge(PeerPoint(99, 0.0), peers)
    assert verdict.direction == "low"
    assert verdict.inconsistent
    # Without the reasons, three of nine at the bottom is the group's practice.
    plain = _group([0.25, 0.5, 0.25, 0.4, 0.5, 1.0, 0.0, 0.0])
    assert not judge(PeerPoint(99, 0.0), plain).inconsistent
    fast = {v.case_id: v for v in judge_group([*peers, PeerPoint(99, 0.0)])}
    assert fast[99].inconsistent


def test_parse_officers():
    """Are officers with a 执法证号 parsed, in both written forms, without
    duplicates, and names without a number ignored?"""
    text = (
        "执法人员：邵某某（执法证号33010023061）　葛某某（执法证号：33010023094）\n"
        "执法人员：邵某某（执法证号33010023061）\n承办人：王某（无证）"
    )
    assert [(o.name, o.cert_no) for o in parse_officers(text)] == [
        ("邵某某", "33010023061"),
        ("葛某某", "33010023094"),
    ]
    assert parse_officers("执法人员：张三、李四") == []
