"""The general failure classes of issue #14: unknown decision dates, no fitting
catalogue item, facts-described 首违不罚, amounts, tiers and messages."""

from datetime import date
from pathlib import Path

import pytest

from nlp.catalogue import load_catalogue
from nlp.evaluate import load_labels
from nlp.law_text import statutory_yuan_range
from nlp.metadata import decision_window
from nlp.review import Reviewer

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def reviewer():
    labels = load_labels([DATA / "labels.json"])
    return Reviewer([load_catalogue(p) for p in labels.catalogues])


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
    assert set(result) == {
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
