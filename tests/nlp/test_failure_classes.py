"""The general failure classes of issue #14: unknown decision dates, no fitting
catalogue item, facts-described 首违不罚, amounts, tiers and messages."""

from datetime import date
from pathlib import Path

import pytest

from nlp.evaluate import load_labels
from nlp.law_text import statutory_yuan_range
from nlp.metadata import decision_window

DATA = Path(__file__).resolve().parents[1] / "data"


AIR = (
    "当事人：某建材有限公司，统一社会信用代码：91000000MA0000001X\n"
    "经查，当事人在生产过程中不正常运行大气污染防治设施。"
    "当事人的上述行为违反了《大气污染防治法》第二十条第二款的规定，依据《大气污染防治法》"
    "第九十九条第（三）项的规定，决定给予如下行政处罚：罚款人民币壹拾万元整（100000元）。\n"
)


def _codes(items):
    return {f["code"] for f in items}


# ---------------------------------------------------------------- 1. dates


def test_unknown_date_gives_a_hint_not_a_repeal_finding(reviewer):
    """No readable date: a repealed law is a 提示 with the repeal date, never
    CITATION_REPEALED (the date is unknown, not today)."""
    result, hints = reviewer.review_with_hints(AIR, "no-date")
    assert "CITATION_REPEALED" not in _codes(result["findings"])
    assert {c["status"] for c in result["citations"]} == {"in_force"}
    uncertain = [h for h in hints if h["code"] == "CITATION_REPEAL_UNCERTAIN"]
    assert len(uncertain) == 2  # 第二十条 and 第九十九条
    for hint in uncertain:
        assert hint["severity"] == "hint"
        assert "2026-08-15" in hint["message"]
        assert "生态环境法典" in hint["message"]
    # Hints never enter the spec's JSON.
    assert "hints" not in result
    # tier_range is the archive comparison's internal key; `flask nlp review`
    # drops it (tests/nlp/test_cli.py), so the printed JSON is the spec's.
    assert set(result) - {"tier_range", "comparison_tier"} == {
        "source",
        "decision_date",
        "party",
        "citations",
        "penalties",
        "match",
        "tier",
        "factors",
        "findings",
    }


def test_document_number_year_bounds_the_date(reviewer):
    """文号〔2024〕: the decision was made in 2024, long before the 2026 repeal."""
    text = "某市生态环境局\n行政处罚决定书\n某环罚〔2024〕15号\n" + AIR
    result, hints = reviewer.review_with_hints(text, "year")
    assert {c["status"] for c in result["citations"]} == {"in_force"}
    assert "CITATION_REPEAL_UNCERTAIN" not in _codes(hints)
    assert "CITATION_REPEALED" not in _codes(result["findings"])


def test_service_date_is_an_upper_bound_and_steps_a_lower_bound():
    served = "本决定书于2024年3月5日直接送达当事人。"
    window = decision_window("2024年2月1日立案调查。" + served)
    assert window.low == date(2024, 2, 1)
    assert window.high == date(2024, 3, 5)
    assert window.exact is None
    # A payment deadline is not a step of the procedure.
    window = decision_window("2024年2月1日立案。请于2024年4月1日前缴纳罚款。")
    assert window.low == date(2024, 2, 1)
    # A stated date (落款) is exact.
    window = decision_window("某局\n2025年1月2日\n")
    assert window.exact == date(2025, 1, 2) == window.low == window.high


def test_a_step_after_the_repeal_makes_the_citation_repealed(reviewer):
    """The latest recorded step is a lower bound: after the repeal → repealed, and
    the message names what replaced the provision."""
    text = "2026年9月3日，执法人员现场检查发现：" + AIR
    result, hints = reviewer.review_with_hints(text, "late-step")
    repealed = [f for f in result["findings"] if f["code"] == "CITATION_REPEALED"]
    finding = next(f for f in repealed if "第99条" in f["message"])
    assert "生态环境法典" in finding["message"]
    assert "2026-08-15" in finding["message"]
    assert "内容相近的条文" in finding["message"]
    assert "CITATION_REPEAL_UNCERTAIN" not in _codes(hints)


def test_stated_date_from_the_portal_wins(reviewer):
    result, hints = reviewer.review_with_hints(
        AIR, "stated", stated_date=date(2026, 10, 1)
    )
    assert "CITATION_REPEALED" in _codes(result["findings"])
    assert result["decision_date"] == "2026-10-01"


# ---------------------------------------------------------------- 2. no item


def test_penalty_basis_of_no_item_matches_no_item(reviewer):
    """道路交通安全法第九十条 is no item's basis and 第三十八条 no item's violated
    provision: no item, no BASIS_MISMATCH or tier findings; the law's own range
    (二十元以上二百元以下) is still checked."""
    text = (
        "某市公安局交通警察支队\n行政处罚决定书\n当事人：张某，身份证号码：110101199001011234\n"
        "经查，2024年5月6日，当事人驾驶小型汽车违反禁令标志指示通行。"
        "上述行为违反了《中华人民共和国道路交通安全法》第三十八条的规定，"
        "依据《中华人民共和国道路交通安全法》第九十条的规定，"
        "决定给予如下行政处罚：罚款人民币{fine}元。\n某市公安局交通警察支队\n2024年5月7日\n"
    )
    result, hints = reviewer.review_with_hints(text.format(fine="150"), "no-item")
    assert result["match"] is None
    assert result["tier"] is None
    codes = _codes(result["findings"])
    assert not codes & {"BASIS_MISMATCH", "FINE_OUTSIDE_TIER"}
    (hint,) = [h for h in hints if h["code"] == "NO_ITEM_MATCHED"]
    assert "未匹配到裁量基准事项" in hint["message"]
    over, _ = reviewer.review_with_hints(text.format(fine="500"), "no-item-over")
    assert over["match"] is None
    (finding,) = [f for f in over["findings"] if f["code"] == "FINE_ABOVE_STATUTORY"]
    assert "200元" in finding["message"]


def test_a_cited_violation_of_an_item_still_gives_basis_mismatch(reviewer):
    """When the violated provision identifies the item, a foreign penalty basis is
    the error (BASIS_MISMATCH), not a reason to match nothing."""
    labels = load_labels([DATA / "labels.json"])
    doc = next(
        d for d in labels.documents if d.labels["file"] == "decisions/jt-003.txt"
    )
    result = reviewer.review(doc.path.read_text(encoding="utf-8"), "jt-003")
    assert result["match"]["item_id"] == "JT-007"
    assert "BASIS_MISMATCH" in _codes(result["findings"])


def test_statutory_range_from_law_text():
    assert statutory_yuan_range("处五千元以上二万元以下的罚款") == (5000.0, 20000.0)
    assert statutory_yuan_range("处警告或者二十元以上二百元以下罚款") == (20.0, 200.0)
    assert statutory_yuan_range("处二千元以下罚款") == (0.0, 2000.0)
    # Two ranges (organisation / individual) or multiples: cannot tell.
    assert (
        statutory_yuan_range(
            "对单位处十万元以上二十万元以下罚款；对个人处一万元以上二万元以下罚款"
        )
        is None
    )
    assert statutory_yuan_range("处货值金额五倍以上十倍以下罚款") is None


# ---------------------------------------------------------------- 3. factors


def test_factors_described_by_facts_are_recognised_with_their_words():
    from nlp.factors import find_factors, find_factors_by_meaning

    text = (
        "执法人员到场劝导后，当事人次日即恢复原状，没有群众投诉，未造成实际损失。"
        "经查询，当事人此前没有违法记录。"
    )
    found = find_factors_by_meaning(text, find_factors(text))
    names = {f.name: f for f in found}
    assert {"corrected", "no_harm", "first_offence"} <= set(names)
    corrected = names["corrected"]
    # The span is the words that carried the factor.
    assert text[corrected.start : corrected.end] == corrected.text
    assert "恢复原状" in corrected.text


@pytest.mark.parametrize(
    "text",
    [
        "当事人未及时清理，至今未恢复原状。",
        "当事人拒不拆除，群众多次投诉。",
        "违法行为认定：当事人的行为违反了规定。",
        "当事人辩称系初次从事此类活动。",
        "危害后果不属于轻微。",
    ],
)
def test_negated_claimed_or_unrelated_clauses_state_no_mitigating_factor(text):
    from nlp.factors import MITIGATING, find_factors, find_factors_by_meaning

    found = find_factors_by_meaning(text, find_factors(text))
    assert [f for f in found if f.how == "meaning" and f.kind == MITIGATING] == []


def test_first_offence_in_own_words_raises_no_penalty_expected(reviewer):
    text = (
        "江城市市场监督管理局\n行政处罚决定书\n当事人：江城市某食品商行有限公司\n"
        "统一社会信用代码：91420102MA4E5F6G7H\n"
        "2024年4月22日，本局执法人员检查发现，当事人店内销售的红枣、核桃仁2个品种商品未标示价格。"
        "经查，当事人此前无价格违法记录。执法人员指出后，当事人当场为上述商品补设了标价签；"
        "经核查当日销售记录，未发现消费者多付价款的情形。\n"
        "当事人的行为违反了《中华人民共和国价格法》第十三条第一款的规定。"
        "依据《中华人民共和国价格法》第四十二条的规定，本局决定：责令当事人改正，并处罚款伍佰元。\n"
        "江城市市场监督管理局\n2024年5月16日\n"
    )
    result = reviewer.review(text, "first")
    assert "NO_PENALTY_EXPECTED" in _codes(result["findings"])
    explained = text.replace(
        "本局决定：",
        "当事人曾于2023年因同类行为被警告，不适用首违不罚。本局决定：",
    )
    assert "NO_PENALTY_EXPECTED" not in _codes(
        reviewer.review(explained, "x")["findings"]
    )


# ---------------------------------------------------------------- 4. amounts


def test_unit_price_times_quantity_and_listed_parts():
    from nlp.amounts import check_amount_consistency

    wrong = "当事人购进电热水壶200台，以每台45元的价格销售，货值金额共计9600元。"
    right = wrong.replace("9600", "9000")
    (issue,) = check_amount_consistency(wrong)
    assert "每台45元" in issue.message
    assert check_amount_consistency(right) == []
    parts = "三船次货值金额分别为48,750元、56,250元、45,000元，合计货值金额{}元。"
    assert check_amount_consistency(parts.format("150,000")) == []
    (issue,) = check_amount_consistency(parts.format("160,000"))
    assert "150000" in issue.message
    fines = "二、没收违法所得2400元；三、罚款5000元。以上共计罚没款{}元。"
    assert check_amount_consistency(fines.format("7400")) == []
    assert len(check_amount_consistency(fines.format("8400"))) == 1


def test_computed_fine_and_total_area():
    from nlp.amounts import extract_penalties, find_bases

    text = (
        "分别建设仓库一处（占地320平方米）和硬化场地一处（占地180平方米），合计占用土地500平方米。"
        "本局决定：按每平方米200元处以罚款，计500平方米×200元/平方米＝100000元（大写：壹拾万元整）。"
    )
    assert extract_penalties(text).fine_yuan == 100000.0
    assert find_bases(text)["面积"] == 500
    repeated = (
        "本局决定：罚款人民币壹佰壹拾万元整（2000平方米×550元/平方米＝1100000元）。"
    )
    assert extract_penalties(repeated).fine_yuan == 1100000.0


# ---------------------------------------------------------------- 5. tiers


def test_excess_in_decibels_and_short_textual_condition():
    from nlp.catalogue import Item, Tier
    from nlp.factors import find_quantities
    from nlp.tiers import choose_tier

    facts = (
        "东侧厂界夜间等效声级为52.1分贝（A），超过《工业企业厂界环境噪声排放标准》"
        "（GB 12348-2008）2类区夜间50分贝（A）的排放限值2.1分贝。超标噪声主要来自夜间运行的设备。"
    )
    quantities = find_quantities(facts)
    assert [(q.name, q.value) for q in quantities if q.name == "exceed_db"] == [
        ("exceed_db", 2.1)
    ]
    item = Item(
        id="T-1",
        catalogue="t",
        domain="生态环境",
        violation="超标排放噪声",
        violated_provisions=(),
        penalty_provisions=(),
        statutory_fines=(),
        statutory_measures=(),
        tiers=(
            Tier("轻微", "超过噪声排放标准3分贝以下，昼间排放", (), ()),
            Tier("一般", "超标3分贝以上10分贝以下", (), ()),
            Tier("较重", "超标10分贝以上15分贝以下，或者夜间超标排放", (), ()),
        ),
    )
    choice = choose_tier(item, facts, [], quantities, {}, facts)
    assert choice.level == "较重"


def test_lawful_reduction_is_a_neutral_hint(reviewer):
    text = (
        "某市市场监督管理局\n行政处罚决定书\n当事人：某某超市有限公司，统一社会信用代码：91000000MA0000000X\n"
        "经查，当事人经营超过保质期的食品，货值金额352元，尚未售出。"
        "当事人的上述行为违反了《中华人民共和国食品安全法》第三十四条第（十）项的规定。"
        "鉴于当事人系初次违法，主动消除危害后果，依据《中华人民共和国行政处罚法》第三十二条第（一）项，"
        "决定减轻处罚。依据《中华人民共和国食品安全法》第一百二十四条第一款第（五）项的规定，"
        "决定给予如下行政处罚：罚款人民币伍仟元整（5000元）。\n某市市场监督管理局\n2024年3月1日\n"
    )
    result, hints = reviewer.review_with_hints(text, "reduction")
    assert not _codes(result["findings"]) & {
        "FINE_BELOW_STATUTORY_NO_REASON",
        "FINE_OUTSIDE_TIER",
    }
    (note,) = [h for h in hints if h["code"] == "LAWFUL_ADJUSTMENT"]
    assert "非问题" in note["message"]
    assert "超出" not in note["message"]


def test_direct_tfidf_vectors_equal_scikit_learns(reviewer):
    """The fast TF-IDF rows (matcher and clause classifier) are scikit-learn's."""
    import numpy as np

    from nlp import factor_classifier
    from nlp.similarity import TfidfSpace

    matcher = reviewer.matcher_for(None)
    text = "当事人在人行道上 摆摊经营，占用面积约4平方米。ABC"
    fast = matcher._space.transform_one(text).toarray()
    slow = matcher._space.transform([text]).toarray()
    assert np.abs(fast - slow).max() < 1e-12
    stems = TfidfSpace(char_ngrams=(1, 2), use_words=False, sublinear_tf=False)
    stems.fit(["下列哪一项属于行政处罚", "行政处罚的种类有哪些"])
    assert (
        np.abs(
            stems.transform_one(text).toarray() - stems.transform([text]).toarray()
        ).max()
        < 1e-12
    )
    classifier = factor_classifier.default_classifier()
    from sklearn.preprocessing import normalize

    clauses = ["次日即恢复原状", "没有群众投诉"]
    expected = normalize(classifier._vec.transform(clauses)).toarray()
    assert np.abs(classifier._transform(clauses).toarray() - expected).max() < 1e-12


# ------------------------------------------------- second round (issue #13/#14)

ROAD = (
    "江城市东湖区城市管理局\n行政处罚决定书\n"
    "当事人：某装饰材料有限公司\n"
    "经查，当事人在店铺门前人行道上堆放瓷砖、板材等货物，擅自占用城市道路。"
    "当事人的行为违反了《城市道路管理条例》第二十七条第（一）项的规定，依据《城市道路"
    "管理条例》第四十二条的规定，本局综合考虑违法情节，{tier}决定罚款人民币{fine}元。\n"
    "江城市东湖区城市管理局\n2025年10月9日\n"
)


def test_fine_on_a_tier_boundary_gets_a_tier(reviewer):
    """A fine exactly on the boundary of two tiers, with facts that decide
    nothing, is put in 一般 (never None because of the boundary) and says why; a
    fine strictly inside one tier keeps tier None (the text does not decide it)
    but the archive comparison uses that tier."""
    for fine in (8000, 2000):
        result, _ = reviewer.review_with_hints(ROAD.format(tier="", fine=fine), "b")
        assert result["match"]["item_id"] == "CG-002"
        assert result["tier"] == "一般", fine
        assert result["comparison_tier"] is None
        assert "FINE_OUTSIDE_TIER" not in _codes(result["findings"])
    inside, _ = reviewer.review_with_hints(ROAD.format(tier="", fine=3000), "i")
    assert inside["tier"] is None
    assert inside["comparison_tier"] == "一般"
    assert inside["tier_range"] == {"low": 2000.0, "high": 8000.0}


def test_negated_and_described_tiers(reviewer):
    """A tier named only in a negation is not the tier; ranges of two tiers
    quoted side by side let the facts (here the fine on the boundary) decide;
    two tiers applied to parts of one case stay undecided."""
    negated = ROAD.format(tier="本案不属于裁量基准规定的“严重”情形，", fine=8000)
    assert reviewer.review(negated, "n")["tier"] == "一般"
    described = ROAD.format(
        tier="对照裁量基准，“一般”档罚款2000元以上8000元以下，“严重”档罚款8000元以上"
        "20000元以下，",
        fine=8000,
    )
    assert reviewer.review(described, "d")["tier"] == "一般"
    applied = ROAD.format(
        tier="东侧部分属于“一般”情形，西侧部分属于“严重”情形，", fine=8000
    )
    assert reviewer.review(applied, "a")["tier"] is None


PRICE_TAGS = (
    "江城市江口区市场监督管理局\n行政处罚决定书\n"
    "当事人：江城市江口区小林水果店（个体工商户）\n"
    "经查，当事人店内4个品种的水果未标示价格。执法人员指出后，当事人在十分钟内即对"
    "上述水果全部补标价格到位。检查前当日尚无顾客购买，没有消费者因此多付价款；当事人"
    "此前没有任何价格违法记录。{why}\n"
    "当事人的行为违反了《中华人民共和国价格法》第十三条第一款的规定，依据《中华人民"
    "共和国价格法》第四十二条的规定，属裁量基准“轻微”档次，决定罚款人民币伍佰元整（500元）。\n"
    "江城市江口区市场监督管理局\n2025年4月28日\n"
)


def test_first_offence_described_in_own_words(reviewer):
    """首违不罚 facts in the agency's words (补标价格到位, 没有消费者多付价款,
    此前没有违法记录) give NO_PENALTY_EXPECTED, with the carrying words; the
    agency's own explanation why it does not apply (难以认定为轻微，不宜免予处罚)
    refutes it."""
    result = reviewer.review(PRICE_TAGS.format(why=""), "f")
    (finding,) = [f for f in result["findings"] if f["code"] == "NO_PENALTY_EXPECTED"]
    assert "全部补标" in finding["evidence"]
    assert "没有消费者因此多付价款" in finding["evidence"]
    refuted = PRICE_TAGS.format(
        why="但其危害后果难以认定为轻微，本局认为不宜免予处罚。"
    )
    assert "NO_PENALTY_EXPECTED" not in _codes(
        reviewer.review(refuted, "r")["findings"]
    )


def test_named_parts_of_a_base_and_its_total():
    """Parts of a base that do not add up to its stated total are
    AMOUNT_INCONSISTENT, and the total (not the first part) is the base."""
    from nlp.amounts import check_amount_consistency, find_bases

    text = (
        "经查，A款货值4200元，B款货值3100元，货值金额共计{total}元。"
        "本局决定罚款16600元。"
    )
    wrong = text.format(total=8300)
    (issue,) = check_amount_consistency(wrong)
    assert "7300" in issue.message
    assert find_bases(wrong)["货值金额"] == 8300
    assert check_amount_consistency(text.format(total=7300)) == []
