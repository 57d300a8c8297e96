"""文号 extraction (nlp.metadata.document_number)."""

from pathlib import Path

import pytest

from nlp.metadata import document_number

DECISIONS = Path(__file__).resolve().parents[1] / "data" / "decisions"
QUOTED = "经送达《行政处罚事先告知书》（江南城管罚告字〔2023〕第12号），当事人未申辩。"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cg-001.txt", "江南城管罚决字〔2023〕第12号"),
        ("cg-002.txt", "江西城管罚决字〔2023〕第87号"),
        ("sc-001.txt", "江南市监处罚〔2023〕46号"),
    ],
)
def test_reads_the_decisions_own_number_not_the_quoted_ones(name, expected):
    assert document_number((DECISIONS / name).read_text("utf-8")) == expected


def test_forms_and_absence():
    head = "江城市城管局\n江城城管罚决字〔2024〕第5号\n"
    assert document_number(head + QUOTED) == "江城城管罚决字〔2024〕第5号"
    # Only another document's number, quoted: the decision has none.
    assert document_number("处罚决定\n" + QUOTED) is None
    assert (
        document_number("文号：江城城管罚［2024］ 12 号\n") == "江城城管罚［2024］12号"
    )
    assert (
        document_number("文号：江城城管罚〔2024〕12号 当事人")
        == "江城城管罚〔2024〕12号"
    )
    assert document_number("没有文号的文本") is None
