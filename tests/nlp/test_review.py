"""The whole checker on the development set, and robustness on arbitrary text."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlp.evaluate import evaluate, load_labels
from nlp.review import Reviewer

DATA = Path(__file__).resolve().parents[1] / "data"
LABELS = DATA / "labels.json"


HELDOUT = DATA / "heldout" / "labels.json"


@pytest.fixture(scope="module", params=[LABELS, HELDOUT], ids=["dev", "heldout"])
def metrics(request):
    return evaluate(lambda cats: Reviewer(cats), [request.param], use_embedding=False)


def test_development_set_is_large_enough_and_covers_every_code():
    """At least 60 labelled decisions, covering every finding code of the spec."""
    labels = load_labels([LABELS])
    assert len(labels.documents) >= 60
    codes = {code for doc in labels.documents for code in doc.labels["findings"]}
    from nlp.evaluate import FINDING_CODES

    assert codes == set(FINDING_CODES)


def test_labelled_sets_meet_the_issue_targets(metrics):
    """Citation F1, fine match, item top-1 and finding precision/recall targets hold
    on the development set and on the held-out set."""
    assert metrics["citation_f1"] >= 0.97
    assert metrics["fine_exact_match"] >= 0.97
    assert metrics["item_top1_accuracy"] >= 0.90
    assert metrics["finding_precision"] >= 0.90
    assert metrics["finding_recall"] >= 0.85


def test_similar_case_finding_names_its_references(reviewer):
    """同案不同罚 names the reference cases it was compared with."""
    labels = load_labels([LABELS])
    group = [
        d for d in labels.documents if d.labels["file"].startswith("decisions/sim-")
    ]
    for doc in group:
        reviewer.review(doc.path.read_text(encoding="utf-8"), doc.labels["file"])
    reviewer.corpus = list(reviewer.points().values())
    outlier = next(
        d for d in group if "INCONSISTENT_WITH_SIMILAR" in d.labels["findings"]
    )
    result = reviewer.review(
        outlier.path.read_text(encoding="utf-8"), outlier.labels["file"]
    )
    (finding,) = [
        f for f in result["findings"] if f["code"] == "INCONSISTENT_WITH_SIMILAR"
    ]
    assert "decisions/sim-001.txt" in finding["evidence"]
    assert outlier.labels["file"] not in finding["evidence"]


def test_lawful_reduction_is_not_a_finding(reviewer):
    """减轻 below the statutory minimum with a stated basis is not flagged."""
    text = (
        "某市市场监督管理局\n行政处罚决定书\n当事人：某某超市有限公司，统一社会信用代码：91000000MA0000000X\n"
        "经查，当事人经营超过保质期的食品，货值金额352元，尚未售出。"
        "当事人的上述行为违反了《中华人民共和国食品安全法》第三十四条第（十）项的规定。"
        "鉴于当事人系初次违法，主动消除危害后果，依据《中华人民共和国行政处罚法》第三十二条第（一）项，"
        "决定减轻处罚。依据《中华人民共和国食品安全法》第一百二十四条第一款第（五）项的规定，"
        "决定给予如下行政处罚：罚款人民币伍仟元整（5000元）。\n某市市场监督管理局\n2024年3月1日\n"
    )
    result = reviewer.review(text, "reduction")
    assert result["penalties"]["fine_yuan"] == 5000.0
    assert result["match"]["item_id"] == "SC-001"
    codes = {f["code"] for f in result["findings"]}
    assert "FINE_BELOW_STATUTORY_NO_REASON" not in codes
    unreasoned = text.replace(
        "鉴于当事人系初次违法，主动消除危害后果，依据《中华人民共和国行政处罚法》第三十二条第（一）项，决定减轻处罚。",
        "",
    )
    codes = {f["code"] for f in reviewer.review(unreasoned, "x")["findings"]}
    assert "FINE_BELOW_STATUTORY_NO_REASON" in codes


def test_repealed_law_is_judged_at_the_decision_date(reviewer):
    """《大气污染防治法》 is in force in 2023 and repealed after 2026-08-15."""
    body = (
        "当事人：某建材有限公司，统一社会信用代码：91000000MA0000001X\n"
        "经查，当事人在生产过程中不正常运行大气污染防治设施。"
        "当事人的上述行为违反了《大气污染防治法》第二十条第二款的规定，依据《大气污染防治法》"
        "第九十九条第（三）项的规定，决定给予如下行政处罚：罚款人民币壹拾万元整（100000元）。\n"
    )
    early = reviewer.review(body + "二〇二三年六月十二日\n", "2023")
    late = reviewer.review(body + "二〇二六年九月一日\n", "2026")
    assert {c["status"] for c in early["citations"]} == {"in_force"}
    assert {c["status"] for c in late["citations"]} == {"repealed"}
    assert "CITATION_REPEALED" not in {f["code"] for f in early["findings"]}
    assert "CITATION_REPEALED" in {f["code"] for f in late["findings"]}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_review_never_raises_on_arbitrary_text(reviewer, text):
    """Any string (control characters, mixed scripts, empty) reviews without error."""
    result = reviewer.review(text, "fuzz")
    assert result["source"] == "fuzz"


def test_review_handles_a_megabyte_of_text(reviewer):
    """A 1 MB document with control characters is reviewed without error."""
    chunk = "罚款人民币伍仟元整（5000元）\x00\x07依据《行政处罚法》第三十二条 🙂 ａｂｃ\u202e"
    text = (chunk * (1_000_000 // len(chunk) + 1))[:1_000_000]
    result = reviewer.review(text, "big")
    assert result["source"] == "big"
