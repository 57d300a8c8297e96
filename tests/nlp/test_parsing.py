"""Sections, decision date, party type and circumstance factors."""

from datetime import date
from pathlib import Path

from nlp import sections
from nlp.factors import (
    AGGRAVATING,
    MITIGATING,
    find_factors,
    find_quantities,
    refutes_exemption,
    states_discretion,
)
from nlp.metadata import decision_date, party_type, reference_date

# The published extracts (ref-NN.txt) among the labelled decisions.
DECISIONS = Path(__file__).resolve().parents[1] / "data" / "decisions"

PROSE = """某市城市管理局
行政处罚决定书
某城管罚决字〔2023〕第12号
当事人：张某，男，身份证号码：3301**********1234，住址：某市某区。
经查，2023年5月8日，当事人未经批准在某路桥梁护栏上设置广告牌2处，单体面积约1.5平方米。
上述事实有现场检查笔录、照片等证据证实。
本机关于2023年5月20日向当事人送达了《行政处罚告知书》，当事人未提出陈述申辩。
当事人的上述行为违反了《城市道路管理条例》第二十七条第（六）项的规定。鉴于当事人系初次违法，且已及时拆除，
依据该条例第四十二条的规定，决定给予如下行政处罚：罚款人民币叁仟元整（3000元）。
当事人应自收到本决定书之日起十五日内缴纳罚款。
如不服本处罚决定，可在收到本决定书之日起六十日内申请行政复议。
某市城市管理局
二〇二三年六月十二日
"""


def names(parts):
    return [p.name for p in parts]


def test_prose_sections_in_order():
    """Prose decisions are split at their customary opening words."""
    parts = sections.split_sections(PROSE)
    found = names(parts)
    for expected in (
        sections.PARTY,
        sections.FACTS,
        sections.EVIDENCE,
        sections.VIOLATED,
        sections.DECISION,
        sections.PERFORMANCE,
        sections.REMEDY,
    ):
        assert expected in found
    assert found.index(sections.FACTS) < found.index(sections.DECISION)
    start, end = sections.section_span(parts, sections.DECISION)
    assert "叁仟元" in PROSE[start:end]
    assert "十五日内缴纳" not in PROSE[start:end]
    # contiguous cover of the text
    assert parts[0].start == 0
    assert parts[-1].end == len(PROSE)
    assert all(a.end == b.start for a, b in zip(parts, parts[1:], strict=False))


def test_bracket_sections_of_a_real_extract():
    """The 【…】 layout of the reference extracts maps to canonical sections."""
    text = (DECISIONS / "ref-01.txt").read_text(encoding="utf-8")
    parts = sections.split_sections(text)
    assert {sections.PARTY, sections.FACTS, sections.VIOLATED, sections.BASIS} <= set(
        names(parts)
    )
    start, end = sections.section_span(parts, sections.DECISION)
    assert "壹拾万元" in text[start:end]


def test_decision_date_closing_line_in_chinese_numerals():
    """The closing date line (二〇二三年六月十二日) is the decision date."""
    assert decision_date(PROSE) == date(2023, 6, 12)


def test_reference_date_falls_back_to_latest_date():
    """Without a stated decision date, the law is judged at the latest date mentioned."""
    text = "2021年3月29日检查；2021年5月10日送达告知书；处罚如下。"
    assert decision_date(text) is None
    assert reference_date(text) == date(2021, 5, 10)
    assert reference_date("没有日期") is None
    header = "【文书】某局 行政处罚决定书（2024年7月17日；转载）\n【违法事实】2024年8月1日复查"
    assert decision_date(header) == date(2024, 7, 17)
    assert decision_date("2023年2月30日") is None  # not a calendar date


def test_party_type():
    """Individuals by 身份证号, organisations by 统一社会信用代码 or 公司."""
    assert party_type(PROSE) == "individual"
    org = "当事人：某某餐饮管理有限公司，统一社会信用代码：91330100MA2XXXXX1X，法定代表人：李某"
    assert party_type(org) == "organization"
    assert party_type("") is None
    assert (
        party_type("x", "【当事人】戴某（某铸业有限公司直接负责的主管人员）")
        == "individual"
    )
    assert party_type("x", "【当事人】某百货超市（个体，经营者王某）") == "individual"


def test_factors_with_spans_and_negation():
    """Factors are found with exact spans; negated cues do not count."""
    factors = find_factors(PROSE)
    kinds = {(f.name, f.kind) for f in factors}
    assert ("first_offence", MITIGATING) in kinds
    assert ("corrected", MITIGATING) in kinds
    for f in factors:
        assert PROSE[f.start : f.end] == f.text
    negated = find_factors("当事人不属于初次违法，且逾期未改正，未及时改正。")
    got = {f.name for f in negated}
    assert "first_offence" not in got
    assert "corrected" not in got
    assert {"not_first", "refused_correction"} <= got
    assert all(f.kind == AGGRAVATING for f in negated)


def test_no_harm_is_mitigating_not_a_consequence():
    """没有造成危害后果 is mitigating; 造成严重后果 is aggravating."""
    assert [f.name for f in find_factors("没有造成危害后果")] == ["no_harm"]
    assert [f.name for f in find_factors("造成严重环境污染后果")] == [
        "serious_consequence"
    ]


def test_quantities():
    """面积, 处数, 品种, 超标倍数, 亩, % and 第N次 are read with canonical units."""
    text = (
        "设置广告牌3处，面积共1,212.5平方米，占地2亩，超标1.5倍，系两年内第二次，"
        "未明码标价商品3个品种，超员百分之二十，于2023年3月29日检查"
    )
    got = {(q.name, round(q.value, 2)) for q in find_quantities(text)}
    assert got == {
        ("处", 3.0),
        ("平方米", 1212.5),
        ("平方米", 1333.34),
        ("exceed_multiple", 1.5),
        ("times", 2.0),
        ("种", 3.0),
        ("%", 20.0),
    }


def test_discretion_statements():
    """Negated discretion words do not count as reasoning."""
    assert states_discretion("综合考虑违法情节，决定从轻处罚")
    assert not states_discretion("决定书摘录未载明从轻")
    assert refutes_exemption("当事人虽系初次违法，但不符合首违不罚的适用条件")
    assert not refutes_exemption("当事人系初次违法")
