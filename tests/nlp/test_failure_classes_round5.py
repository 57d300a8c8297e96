"""Fifth round of the failure classes of issue #14 (checker6): circumstance
factors read by a trained clause classifier (with the keyword frames' guards as
vetoes), the 款 of a penalty article, parts added to named parts of a total,
sections named without 上述, quantity conditions on a kind the facts deny,
conditions led by the violation's verb, and first offences within a period in
the peer comparison.

Sentences written for this module (several wordings per class, with controls),
not taken from any labelled set."""

from pathlib import Path

import numpy as np
import pytest

from nlp import factor_classifier
from nlp.amounts import check_amount_consistency
from nlp.factors import Factor, find_factors, find_factors_by_meaning
from nlp.peers import reason_flags
from nlp.sections import DECISION, VIOLATED, split_sections
from nlp.tiers import _qualifier_denied, _stated_in

DATA = Path(__file__).resolve().parents[1] / "data"


def _read(text: str) -> list[Factor]:
    return find_factors_by_meaning(text, find_factors(text))


# ------------------------------------------------------- 1. the clause classifier


@pytest.mark.parametrize(
    ("text", "carried"),
    [
        (
            "经查，当事人在店外人行道上摆放桌椅。执法人员指出后，店员随即把桌椅全部搬进店内。",
            "搬进",
        ),
        (
            "经查，该店三种商品没有价签。店员当即打印了价签，十分钟后全部商品标好价格。",
            "打印了价签",
        ),
        (
            "经查，工地围挡倒塌一段。施工方当天下午即安排工人重新搭设并加固。",
            "重新",
        ),
    ],
)
def test_corrections_in_new_words_are_read_with_the_words_that_carried_them(
    text, carried
):
    """No keyword frame covers these wordings; the classifier reads them, and
    says which words carried the factor and which labelled phrase it is close to."""
    assert not any(f.name == "corrected" for f in find_factors(text))
    (factor,) = [f for f in _read(text) if f.name == "corrected"]
    assert factor.how == "meaning"
    assert carried in factor.text
    assert text[factor.start : factor.end] == factor.text
    assert factor.example


@pytest.mark.parametrize(
    "text",
    [
        # ordered, negated, claimed: the keyword frames' guards veto the reading
        "经查，当事人在店外人行道上摆放桌椅。本局责令其当日把桌椅全部搬进店内。",
        "经查，当事人在店外人行道上摆放桌椅，至今未把桌椅搬回店内。",
        "经查，当事人在店外人行道上摆放桌椅。当事人辩称已把桌椅搬进店内。",
        # states and events that read like a correction
        "经查，该批饼干共20箱，已全部售出，货款已全部收讫。",
        "经查，后厨的油烟净化器未通电运行。",
        # the decision's own order, not a fact
        "本局决定：一、责令当事人改正，更换损坏的油烟净化器；二、罚款五千元。",
        # harm, not its absence
        "经查，堆放的建材占用盲道，影响行人通行。",
    ],
)
def test_vetoed_or_unrelated_clauses_are_not_read_as_factors(text):
    assert [f for f in _read(text) if f.how == "meaning"] == []


def test_minor_is_never_read_by_the_classifier_alone():
    """面积约三十平方米 is minor under one item and serious under another: the
    tier decides, not a classifier."""
    text = "经查，当事人在人行道上堆放货物，占用面积约三十平方米，持续时间较短。"
    assert "minor" not in {f.name for f in _read(text) if f.how == "meaning"}


def test_classifier_is_deterministic_and_its_thresholds_are_cross_validated():
    phrases = factor_classifier.training_phrases()
    assert len(phrases) >= 1000
    one = factor_classifier.ClauseClassifier(phrases)
    two = factor_classifier.ClauseClassifier(phrases)
    clauses = ["当事人随即把桌椅搬进店内", "执法人员现场检查发现"]
    assert np.array_equal(one.probabilities(clauses), two.probabilities(clauses))
    # The shipped thresholds are the ones cross-validation chooses (the
    # out-of-fold probabilities computed once, for the choice and the scores).
    probabilities = factor_classifier.cross_validate(phrases)
    chosen = factor_classifier.choose_thresholds(phrases, probabilities=probabilities)
    assert chosen == factor_classifier.THRESHOLDS
    scores = factor_classifier.cv_scores(
        phrases, factor_classifier.THRESHOLDS, probabilities=probabilities
    )
    for factor in factor_classifier.FACTORS:
        assert scores[factor]["precision"] >= 0.85, factor
        assert scores[factor]["recall"] >= 0.7, factor


# ------------------------------------------------------- 2. 款 of a penalty article


_DUST = (
    "某区综合执法局\n行政处罚决定书\n当事人：某餐饮管理有限公司\n"
    "经查，2026年10月9日，当事人在与居民楼相邻的楼层新开设烧烤餐厅，"
    "经责令改正后仍继续经营。\n"
    "当事人的上述行为违反了《中华人民共和国生态环境法典》第二百五十条第二款的规定，"
    "依据《中华人民共和国生态环境法典》第一千一百三十二条第{paragraph}款的规定，"
    "决定给予如下行政处罚：罚款人民币二万元。\n某区综合执法局\n2026年10月20日\n"
)


def test_another_paragraph_of_the_items_penalty_article_matches_no_item(reviewer):
    """The item punishes under 第一千一百三十二条第一款 and names 第二百五十条
    without a 款; a decision under 第二款 of both is another conduct: no item,
    no BASIS_MISMATCH."""
    result, hints = reviewer.review_with_hints(_DUST.format(paragraph="二"), "p2")
    assert result["match"] is None
    assert "BASIS_MISMATCH" not in {f["code"] for f in result["findings"]}
    assert any(h["code"] == "NO_ITEM_MATCHED" for h in hints)


def test_the_items_own_paragraph_still_matches(reviewer):
    result = reviewer.review(_DUST.format(paragraph="一"), "p1")
    assert result["match"]["item_id"] == "CG-004"


# ------------------------------------------------------- 3. parts added to parts


def test_an_added_part_belongs_to_the_named_parts_of_a_total():
    consistent = (
        "库存饮料货值80元、库存饼干货值45元，加上已售出的饼干15元，货值金额合计140元。"
    )
    assert check_amount_consistency(consistent) == []
    wrong = (
        "库存饮料货值80元、库存饼干货值45元，加上已售出的饼干15元，货值金额合计150元。"
    )
    (issue,) = check_amount_consistency(wrong)
    assert "140元" in issue.message


# ------------------------------------------------------- 4. sections without 上述


def test_violation_and_decision_named_without_shangshu():
    text = (
        "当事人：某建材公司\n经查，你公司自投产以来未建立固体废物管理台账。\n"
        "以上事实有检查笔录为证。\n"
        "你公司的行为违反了《某法》第十条的规定，结合年产生量在一百吨以上的情节，"
        "决定对你公司作如下处罚：罚款十万元。\n"
    )
    names = [s.name for s in split_sections(text)]
    assert VIOLATED in names
    assert DECISION in names


# ------------------------------------------------------- 5. tier conditions


def test_a_quantity_of_a_kind_the_facts_deny_does_not_meet_the_condition():
    facts = "当事人将承包的旱地八亩（不属于永久基本农田）出租给他人建厂房。"
    assert _qualifier_denied("非法转让永久基本农田5亩以上", facts)
    assert not _qualifier_denied("非法转让永久基本农田以外的耕地5亩以上", facts)
    stated = "当事人将承包的永久基本农田八亩出租给他人建厂房。"
    assert not _qualifier_denied("非法转让永久基本农田5亩以上", stated)


def test_a_condition_led_by_the_violations_verb_is_met_by_its_object():
    facts = "当事人擅自在村集体的荒坡（未利用地）上建仓库，占地三百平方米。"
    assert _stated_in("占用未利用地", facts)
    assert not _stated_in("占用耕地以外的农用地", facts)


# ------------------------------------------------------- 6. peers


def test_first_offence_within_a_period_explains_no_low_fine():
    text = "经查，当事人厂界噪声超标6分贝，系一年内首次。"
    factor = Factor("mitigating", "first_offence", "一年内首次", 19, 24)
    assert reason_flags(text, [factor]) == (False, False)
    plain = "经查，当事人厂界噪声超标6分贝，系首次违法。"
    first = Factor("mitigating", "first_offence", "首次违法", 18, 22)
    assert reason_flags(plain, [first]) == (False, True)
