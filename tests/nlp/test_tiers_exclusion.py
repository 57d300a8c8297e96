"""Tier choice (nlp/tiers.py), seventh consistency round: a condition with an
exclusion in brackets (占用耕地（永久基本农田除外）) is met by the facts without
the exclusion, and an object the facts negate (不涉及永久基本农田) does not meet
a condition that names it. Own sentences and a made-up item (not a catalogue's)."""

import pytest

from nlp.catalogue import Item, Tier
from nlp.factors import find_quantities
from nlp.tiers import _stated_in, choose_tier

ITEM = Item(
    id="T-LAND",
    catalogue="t",
    domain="自然资源",
    violation="未经批准非法占用土地",
    violated_provisions=(),
    penalty_provisions=(),
    statutory_fines=(),
    statutory_measures=(),
    tiers=(
        Tier("较轻", "占用未利用地或者建设用地，面积1000平方米以下", (), ()),
        Tier("一般", "面积1000平方米以上5000平方米以下", (), ()),
        Tier("较重", "不符合规划，或者占用耕地（永久基本农田除外）", (), ()),
        Tier("严重", "占用永久基本农田，或者面积5000平方米以上", (), ()),
    ),
)


def _tier(facts: str) -> str | None:
    quantities = find_quantities(facts)
    return choose_tier(ITEM, facts, [], quantities, {}, facts).level


@pytest.mark.parametrize(
    "facts",
    [
        "当事人擅自占用耕地（一般耕地）搭建养殖棚，经测量占地面积620平方米。",
        "当事人在村东擅自占用集体土地建设仓库，占地面积430平方米，经核实全部为耕地"
        "（不涉及永久基本农田）。",
    ],
)
def test_farmland_below_the_area_bound_is_the_farmland_tier(facts):
    assert _tier(facts) == "较重"


def test_permanent_farmland_stated_is_still_the_heaviest_tier():
    facts = "当事人擅自占用永久基本农田建设厂房，占地面积800平方米。"
    assert _tier(facts) == "严重"


def test_an_exclusion_in_brackets_is_not_required_of_the_facts():
    assert _stated_in("占用耕地（永久基本农田除外）", "当事人擅自占用耕地建房。")
    # other brackets are kept: the facts must state them
    assert not _stated_in("占用耕地（限水田）", "当事人擅自占用耕地建房。")


@pytest.mark.parametrize("negation", ["不涉及", "未涉及", "不属于", "非"])
def test_an_object_the_facts_negate_is_not_stated(negation):
    facts = f"当事人擅自占用土地建房，该地块为耕地（{negation}永久基本农田）。"
    assert not _stated_in("占用永久基本农田", facts)


def test_unused_land_stays_the_light_tier():
    facts = "当事人擅自占用荒草地（未利用地）堆放杂物，占地面积300平方米。"
    assert _tier(facts) == "较轻"


def test_farmland_the_facts_negate_is_not_the_farmland_tier():
    facts = (
        "当事人擅自占用其他草地建设看护房，占地面积600平方米，涉案土地属农用地，"
        "不涉及耕地。"
    )
    assert not _stated_in("占用耕地（永久基本农田除外）", facts)
    assert _tier(facts) != "较重"
