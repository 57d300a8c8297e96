"""Citation parsing: numerals, lists, back-references and roles."""

from pathlib import Path

import pytest

from nlp.citations import find_citations, parse_provision, short_law_name
from nlp.sections import split_sections

# The published extracts (ref-NN.txt) among the labelled decisions.
DECISIONS = Path(__file__).resolve().parents[1] / "data" / "decisions"


def keys(text, **kwargs):
    return [(c.key, c.role) for c in find_citations(text, **kwargs)]


def test_article_paragraph_item_in_chinese_and_arabic_numerals():
    """第N条第N款第（N）项 parse with Chinese and Arabic numerals alike."""
    text = "违反了《大气污染防治法》第二十条第二款，依据同法第99条第（三）项的规定，处以罚款。"
    assert keys(text) == [
        (("大气污染防治法", 20, 2, None), "violated"),
        (("大气污染防治法", 99, None, 3), "penalty"),
    ]


def test_short_and_full_names_are_the_same_law():
    """《行政处罚法》 and 《中华人民共和国行政处罚法》 give the same key."""
    a = find_citations("依据《行政处罚法》第三十二条")[0]
    b = find_citations("依据《中华人民共和国行政处罚法》第三十二条")[0]
    assert a.key == b.key == ("行政处罚法", 32, None, None)
    assert short_law_name("《中华人民共和国土地管理法》（2019年修正）") == "土地管理法"


def test_lists_and_item_lists():
    """第十八条、第三十九条 and 第（一）、（二）项 yield one citation each."""
    text = "违反《巴彦淖尔市城市市容和环境卫生管理条例》第十八条、第三十九条及第四十条第（一）、（二）项"
    got = [c.key[1:] for c in find_citations(text)]
    assert got == [(18, None, None), (39, None, None), (40, None, 1), (40, None, 2)]


def test_paragraph_list_inherits_article():
    """第三十三条第一款、第二款 cites two paragraphs of article 33."""
    got = [c.key for c in find_citations("根据《行政处罚法》第三十三条第一款、第二款")]
    assert got == [("行政处罚法", 33, 1, None), ("行政处罚法", 33, 2, None)]


@pytest.mark.parametrize(
    ("backref", "expected"),
    [
        ("该条例", "城市道路管理条例"),
        ("上述条例", "城市道路管理条例"),
        ("同法", "价格法"),
        ("该法", "价格法"),
    ],
)
def test_back_references_resolve_to_the_latest_law_of_their_kind(backref, expected):
    """同法/该法 point at the last 法, 该条例/上述条例 at the last 条例."""
    text = (
        "违反《城市道路管理条例》第二十七条和《价格法》第十三条，"
        f"依据{backref}第四十二条的规定，处罚款。"
    )
    cited = find_citations(text)
    assert short_law_name(cited[-1].law) == expected
    assert cited[-1].article == 42
    assert cited[-1].role == "penalty"


def test_titles_without_article_are_not_citations():
    """Document titles (《行政处罚决定书》) and laws cited as a whole are skipped."""
    assert find_citations("送达《行政处罚决定书》，根据《行政处罚法》的规定") == []


def test_roles():
    """违反 → violated, 依据…处罚 → penalty, remedy laws and other mentions → other."""
    text = (
        "当事人的上述行为违反了《城市道路管理条例》第二十七条第（六）项的规定。"
        "依据该条例第四十二条的规定，决定处罚款五千元。"
        "如不服本决定，可依据《中华人民共和国行政复议法》第二十条申请行政复议。"
        "参照《广告法》第九条。"
    )
    roles = {c.key[1]: c.role for c in find_citations(text)}
    assert roles == {27: "violated", 42: "penalty", 20: "other", 9: "other"}


def test_general_law_is_never_the_penalty_provision():
    """依据《行政处罚法》第三十二条…从轻处罚 is discretion, role other."""
    citation = find_citations(
        "依据《行政处罚法》第三十二条第（一）项的规定，决定从轻处罚"
    )[0]
    assert citation.role == "other"


def test_sectioned_layout_roles_come_from_the_section():
    """In the 【违反条款】/【处罚依据】 form the section decides the role."""
    text = (DECISIONS / "ref-01.txt").read_text(encoding="utf-8")
    parts = split_sections(text)

    def section_of(pos):
        return next((p.name for p in parts if p.start <= pos < p.end and p.title), None)

    got = {(c.key, c.role) for c in find_citations(text, section_of)}
    assert (("大气污染防治法", 20, 2, None), "violated") in got
    assert (("大气污染防治法", 99, None, 3), "penalty") in got


def test_parse_provision_of_a_catalogue():
    """Catalogue provision strings parse into keys."""
    got = [c.key for c in parse_provision("《城市道路管理条例》第二十七条第（六）项")]
    assert got == [("城市道路管理条例", 27, None, 6)]
