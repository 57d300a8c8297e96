"""Catalogue format, tier choice, range checks and 同案不同罚 (pure, no app)."""

import copy
import json
from decimal import Decimal

import pytest

from nlp.catalogue import CatalogueError, load_catalogue, parse_catalogue
from nlp.consistency import (
    CasePoint,
    DecisionFacts,
    check,
    fine_range,
    similar_case_finding,
)
from nlp.factors import find_factors, find_quantities
from nlp.tiers import choose_tier

SPEC_EXAMPLE = {
    "format": "zhifa.benchmarks/1",
    "name": "某市城市管理行政处罚裁量基准",
    "issuer": "某市城市管理局",
    "jurisdiction": "某市",
    "effective_from": "2023-12-01",
    "effective_to": None,
    "general_rules": [
        {
            "id": "G-33-1",
            "kind": "no_penalty",
            "basis": "《中华人民共和国行政处罚法》第三十三条第一款",
            "condition": "违法行为轻微并及时改正，没有造成危害后果",
        },
        {
            "id": "G-33-1b",
            "kind": "first_offence_may_exempt",
            "basis": "《中华人民共和国行政处罚法》第三十三条第一款",
            "condition": "初次违法且危害后果轻微并及时改正",
        },
    ],
    "items": [
        {
            "id": "CG-012",
            "domain": "城市管理",
            "violation": "擅自在桥梁或者路灯设施上设置广告牌或者其他挂浮物",
            "violated_provisions": ["《城市道路管理条例》第二十七条第（六）项"],
            "penalty_provisions": ["《城市道路管理条例》第四十二条"],
            "statutory": {
                "measures": ["责令限期改正"],
                "fines": [{"party": "any", "min": 0, "max": 20000, "unit": "yuan"}],
            },
            "tiers": [
                {
                    "level": "轻微",
                    "condition": "单体面积2平方米以下，或者设置3处以下",
                    "measures": ["责令限期改正"],
                    "fines": [{"party": "any", "min": 0, "max": 5000, "unit": "yuan"}],
                },
                {
                    "level": "一般",
                    "condition": "单体面积2平方米以上10平方米以下，或者3处以上10处以下",
                    "measures": ["责令限期改正"],
                    "fines": [
                        {"party": "any", "min": 5000, "max": 10000, "unit": "yuan"}
                    ],
                },
                {
                    "level": "严重",
                    "condition": "单体面积10平方米以上，或者10处以上，或者造成严重损害后果",
                    "measures": ["责令限期改正"],
                    "fines": [
                        {"party": "any", "min": 10000, "max": 20000, "unit": "yuan"}
                    ],
                },
            ],
        }
    ],
}


@pytest.fixture
def catalogue():
    return parse_catalogue(copy.deepcopy(SPEC_EXAMPLE))


def test_spec_example_round_trips(catalogue, tmp_path):
    """The spec's own example loads and serialises back to the same document."""
    path = tmp_path / "c.json"
    path.write_text(json.dumps(SPEC_EXAMPLE, ensure_ascii=False), encoding="utf-8")
    loaded = load_catalogue(path)
    assert loaded.to_json() == {**SPEC_EXAMPLE} | {
        "items": [
            {**SPEC_EXAMPLE["items"][0]}
            | {
                "tiers": SPEC_EXAMPLE["items"][0]["tiers"],
            }
        ]
    }
    assert loaded.items[0].tier("一般").fines[0].max == 10000


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["items"][0].pop("violation"),
            "事项 CG-012：缺少必填字段 violation",
        ),
        (
            lambda d: d["items"][0]["tiers"][0].pop("level"),
            "事项 CG-012 第1档：缺少必填字段 level",
        ),
        (lambda d: d.update(format="x"), "format 必须为"),
        (
            lambda d: d["items"][0]["tiers"][1]["fines"][0].update(unit="multiple"),
            "必须给出 base",
        ),
        (
            lambda d: d["general_rules"][0].update(kind="sometimes"),
            "通用规则 G-33-1：kind",
        ),
    ],
)
def test_validation_errors_name_item_and_key(mutate, message):
    """A missing or wrong key is an error naming the item and the key."""
    data = copy.deepcopy(SPEC_EXAMPLE)
    mutate(data)
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(data)


def test_unknown_keys_are_ignored():
    """Unknown keys do not break loading."""
    data = copy.deepcopy(SPEC_EXAMPLE)
    data["extra"] = 1
    data["items"][0]["comment"] = "x"
    assert parse_catalogue(data).items[0].id == "CG-012"


def facts(text, fine, party="individual", bases=None):
    return DecisionFacts(
        text=text,
        party=party,
        decision_date=None,
        citations=[],
        fine_yuan=fine,
        fine_evidence=f"罚款{fine}元",
        factors=find_factors(text),
        quantities=find_quantities(text),
        bases=bases or {},
    )


def codes(findings):
    return sorted(f.code for f in findings)


@pytest.mark.parametrize(
    ("text", "level", "how"),
    [
        ("设置广告牌2处，单体面积约1.5平方米", "轻微", "inferred"),
        ("设置广告牌5处，单体面积约6平方米", "一般", "inferred"),
        ("设置广告牌12处", "严重", "inferred"),
        ("设置广告牌12处，本案属于“一般”情形", "一般", "explicit"),
        ("设置广告牌若干", None, None),
    ],
)
def test_tier_choice(catalogue, text, level, how):
    """Explicit tier wins; otherwise the heaviest tier whose condition is met."""
    item = catalogue.items[0]
    choice = choose_tier(item, text, find_factors(text), find_quantities(text), {})
    assert (choice.level, choice.how) == (level, how)


def test_fine_checks(catalogue):
    """Above statutory, outside tier and within range behave as documented."""
    item, rules = catalogue.items[0], catalogue.general_rules

    def run(text, fine):
        f = facts(text, fine)
        tier = choose_tier(item, text, f.factors, f.quantities, f.bases)
        return codes(check(f, item, tier, rules))

    assert run("设置广告牌5处，情节一般", 8000) == []
    assert run("设置广告牌5处，情节一般", 25000) == ["FINE_ABOVE_STATUTORY"]
    assert run("设置广告牌5处", 15000) == ["FINE_OUTSIDE_TIER"]
    # above the tier with a stated aggravating reason is not a finding
    assert run("设置广告牌5处，拒不改正，决定从重处罚", 15000) == []
    # within range but no reasoning at all
    assert run("设置广告牌", 8000) == ["NO_DISCRETION_REASONING"]


def test_no_penalty_expected_and_its_refutation(catalogue):
    """A first offence, harmless and corrected, fined without reason is flagged."""
    item, rules = catalogue.items[0], catalogue.general_rules
    text = "设置广告牌1处，当事人系初次违法，危害后果轻微，已及时改正"
    f = facts(text, 1000)
    tier = choose_tier(item, text, f.factors, f.quantities, f.bases)
    assert codes(check(f, item, tier, rules)) == ["NO_PENALTY_EXPECTED"]
    refuted = text + "，但其广告牌位于主干道桥梁，不适用首违不罚"
    f = facts(refuted, 1000)
    assert codes(check(f, item, tier, rules)) == []


def test_fine_range_units_and_parties():
    """Multiples and per-unit rates convert only when the base is stated."""
    data = copy.deepcopy(SPEC_EXAMPLE)
    data["items"][0]["statutory"]["fines"] = [
        {
            "party": "organization",
            "min": 1,
            "max": 3,
            "unit": "multiple",
            "base": "货值金额",
        },
        {
            "party": "individual",
            "min": 10,
            "max": 20,
            "unit": "yuan_per_unit",
            "base": "平方米",
        },
    ]
    fines = parse_catalogue(data).items[0].statutory_fines
    assert fine_range(fines, "organization", {"货值金额": Decimal(2000)}) == (
        2000,
        6000,
    )
    assert fine_range(fines, "organization", {}) is None
    assert fine_range(fines, "individual", {"面积": Decimal("12.5")}) == (125, 250)


def points(*fines):
    return [
        CasePoint(f"case-{i}", "CG-012", "一般", fine, 5000, 10000)
        for i, fine in enumerate(fines)
    ]


def test_inconsistent_with_similar_flags_robust_outliers():
    """A fine far from its peers (same item and tier) is flagged, naming them."""
    refs = points(6000, 6500, 6000, 7000)
    outlier = CasePoint("case-x", "CG-012", "一般", 10000, 5000, 10000)
    finding = similar_case_finding(outlier, refs)
    assert finding is not None
    assert finding.code == "INCONSISTENT_WITH_SIMILAR"
    assert "case-0" in finding.evidence
    usual = CasePoint("case-y", "CG-012", "一般", 6500, 5000, 10000)
    assert similar_case_finding(usual, refs) is None
    # too few references, or another tier: no finding
    assert similar_case_finding(outlier, refs[:2]) is None
    other_tier = CasePoint("case-z", "CG-012", "严重", 20000, 10000, 20000)
    assert similar_case_finding(other_tier, refs) is None
