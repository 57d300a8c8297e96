"""同案不同罚 recall classes (issue #13, third round), pure (no app):

(a) ordinary decisions of a catalogue item must be matched to it: citations
    written without 《》, by a defined short name, by a generic title, in 〈〉 or
    with a long version note; closing dates with a seal note or dotted;
(c) what explains an outlier: facts do, boilerplate and denied, supposed or
    quoted-condition circumstances do not.
Each class has controls that must not change.
"""

from pathlib import Path

import pytest

from nlp.catalogue import load_catalogue
from nlp.citations import find_citations
from nlp.factors import find_factors
from nlp.metadata import decision_date, decision_window
from nlp.peers import reason_words
from nlp.review import Reviewer

CATALOGUES = sorted(
    (Path(__file__).resolve().parents[2] / "casebank/resources/catalogues").glob(
        "*.json"
    )
)
NAMES = (
    "城市道路管理条例",
    "中华人民共和国道路运输条例",
    "中华人民共和国食品安全法",
    "中华人民共和国价格法",
    "价格违法行为行政处罚规定",
    "城市市容和环境卫生管理条例",
)


@pytest.fixture(scope="module")
def reviewer():
    return Reviewer([load_catalogue(p) for p in CATALOGUES])


def _keys(text, names=NAMES):
    return [
        (c.key[0], c.key[1], c.key[3], c.role)
        for c in find_citations(text, None, names)
    ]


# ----------------------------------------------------------- (a) citations


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # no 《》 at all
            "当事人的行为违反了城市道路管理条例第二十七条第（一）项的规定，"
            "依据城市道路管理条例第四十二条的规定，决定罚款。",
            [
                ("城市道路管理条例", 27, 1, "violated"),
                ("城市道路管理条例", 42, None, "penalty"),
            ],
        ),
        (  # full name without 《》 after 及
            "违反了《中华人民共和国价格法》第十三条第一款，依据中华人民共和国价格法第四十二条"
            "及价格违法行为行政处罚规定第十三条的规定，决定罚款。",
            [
                ("价格法", 13, None, "violated"),
                ("价格法", 42, None, "penalty"),
                ("价格违法行为行政处罚规定", 13, None, "penalty"),
            ],
        ),
        (  # a short name the decision defines, then used
            "违反了《中华人民共和国道路运输条例》（以下简称《条例》）第二十四条的规定，"
            "依据《条例》第六十三条的规定，决定罚款。",
            [
                ("道路运输条例", 24, None, "violated"),
                ("道路运输条例", 63, None, "penalty"),
            ],
        ),
        (  # a generic title standing for the last law of its kind
            "违反了《城市道路管理条例》第二十七条第（一）项，依据《条例》第四十二条，决定罚款。",
            [
                ("城市道路管理条例", 27, 1, "violated"),
                ("城市道路管理条例", 42, None, "penalty"),
            ],
        ),
        (  # 〈〉 brackets and a long version note after the title
            "违反了〈城市道路管理条例〉第二十七条第（一）项，依据《城市道路管理条例》"
            "（2019年3月24日中华人民共和国国务院令第710号修订）第四十二条，决定罚款。",
            [
                ("城市道路管理条例", 27, 1, "violated"),
                ("城市道路管理条例", 42, None, "penalty"),
            ],
        ),
    ],
)
def test_unusual_citation_forms_are_citations(text, expected):
    """Are laws cited without 《》, by a defined or generic short title, in 〈〉
    or with a long version note recognised with their roles?"""
    assert _keys(text) == expected


def test_unbracketed_names_controls():
    """Controls: a known national name inside an unknown local one is not cited;
    a name without an article is not a citation; without known names nothing
    unbracketed is found (the catalogue parser is unchanged)."""
    local = "违反了江城市城市道路管理条例第十二条的规定。"
    assert _keys(local) == []
    assert _keys("当事人应当遵守城市道路管理条例的规定。") == []
    text = "违反了城市道路管理条例第二十七条第（一）项的规定。"
    assert _keys(text, ()) == []


def test_unbracketed_decision_is_matched_to_its_item(reviewer):
    """Is a decision citing its law without 《》 matched to the item of its
    cited provisions (and a control with 《》 to the same)?"""
    body = (
        "江城市东湖区城市管理局\n行政处罚决定书\n江东城管罚决字〔2025〕第12号\n"
        "当事人：李某某，男，身份证号码420102198805061234\n"
        "经查，当事人于2025年4月2日在东湖区中山路人行道上堆放建材，占用城市道路约30平方米。\n"
        "本局认为，当事人的行为违反了{law}第二十七条第（一）项的规定，"
        "依据{law}第四十二条的规定，决定对当事人罚款人民币3000元。\n"
        "江城市东湖区城市管理局\n2025年4月20日\n"
    )
    for law in ("城市道路管理条例", "《城市道路管理条例》", "“城市道路管理条例”"):
        result = reviewer.review(body.format(law=law), "x")
        assert result["match"]["item_id"] == "CG-002", law
        assert any(c["role"] == "penalty" for c in result["citations"]), law


# ----------------------------------------------------------- (a) dates


def test_closing_dates_in_other_forms():
    """Is the 落款 date read with a seal note after it or written 2025.6.30 /
    2025/06/30, and are amounts with dots not taken for dates?"""
    assert (
        str(decision_date("…\n江城市城市管理局\n2025年6月30日（印章）\n"))
        == "2025-06-30"
    )
    assert str(decision_date("…\n江城市城市管理局\n2025.6.30\n")) == "2025-06-30"
    assert str(decision_date("…\n江城市城市管理局 2025/06/30\n")) == "2025-06-30"
    assert decision_date("罚款3.5.1元，货值2025.50元。\n") is None


def test_window_bounds_an_undated_decision():
    """Without a 落款 the window comes from the steps, the 送达 note and the
    文号 year (the catalogue version is chosen from it in the portal)."""
    text = (
        "江东城管罚决字〔2025〕第12号\n本局于2025年4月2日立案。"
        "2025年4月10日向当事人送达了行政处罚告知书。\n"
        "本决定书于2025年4月28日直接送达当事人。\n"
    )
    window = decision_window(text)
    assert str(window.low) == "2025-04-10"
    assert str(window.high) == "2025-04-28"
    assert decision_date(text) is None


# ----------------------------------------------------------- (c) reasons


@pytest.mark.parametrize(
    ("text", "aggravating", "mitigating"),
    [
        # factual reasons, in the agency's own words, also only in the facts
        ("经查，当事人经责令改正后拒不改正，继续占道。", True, False),
        ("经查，当事人的违法行为造成周边商户直接经济损失3万元。", True, False),
        ("当事人主动退赔了消费者的全部损失。", False, True),
        ("当事人积极配合调查，主动提供了进货凭证。", False, True),
        ("当事人主动消除了违法行为的危害后果。", False, True),
        # boilerplate: no fact, no reason
        ("本局综合考虑违法情节，经集体讨论，决定从轻处罚。", False, False),
        ("当事人配合调查，态度较好，决定从轻处罚。", False, False),
        ("当事人认错态度较好。", False, False),
        # denied, supposed or quoted as a condition: not stated
        ("本案不属于情节严重的情形，也不存在拒不改正的情节。", False, False),
        ("如再次违法，本局将依法从重处罚。", False, False),
        ("依据裁量基准，“拒不改正的”适用从重档次。", False, False),
        ("当事人拒不改正的，处五千元以上一万元以下罚款。", False, False),
        ("当事人的行为未造成经济损失。", False, False),
        ("本局责令当事人退还多收的价款。", False, False),
        # deceiving or obstructing the investigation, consequences for others
        ("当事人向本局提供了伪造的用地证明，经核实后才如实陈述。", True, False),
        ("检查时当事人谎称货物已退回厂家，并删除了电脑中的销售记录。", True, False),
        ("遗撒路段紧邻小学，学校被迫临时关闭正门。", True, False),
        ("当事人在车站出站口拦截旅客，扰乱了客运站的运营秩序。", True, False),
        ("尚未发现造成农户损失。", False, False),
        ("当事人未提供虚假材料。", False, False),
        # 立功 in the agency's words; 第三十二条 of another law is no basis
        ("当事人协助本局查获了一处无证生产窝点。", False, True),
        (
            "依据《中华人民共和国行政处罚法》第三十二条第（一）项，从轻处罚。",
            False,
            True,
        ),
        ("违反了《中华人民共和国产品质量法》第三十二条的规定。", False, False),
        ("当事人的违法行为被媒体曝光，引发舆情。", True, False),
        ("当事人专门向老年人推销该产品。", True, False),
        ("当事人发现问题后主动召回了已售出的产品。", False, True),
        ("当事人系已满十四周岁不满十八周岁的未成年人。", False, True),
        # a correction made as ordered is the party's duty, not a reason
        ("执法人员当场责令其限期改正，当事人已于期限内清理完毕。", False, False),
        ("执法人员责令其改正，当事人按要求拆除了广告牌。", False, False),
        ("当事人当场主动拆除了广告牌。", False, True),
        # the ordinary state and the objects of a measure are no reasons
        ("当事人未造成人身、财产损害，属一般情形。", False, False),
        ("没收尚未售出的涉案产品。", False, False),
        # the agency places the fine at an end because of what it states
        (
            "当事人在夜间作业，附近居民多次反映，本局据此在一般档内按上限处罚。",
            True,
            False,
        ),
        ("当事人立案后即更换了设备，经复测已达标，故在一般档内从低处罚。", False, True),
        # … but boilerplate or nothing before the placement is no reason
        (
            "综合考虑当事人违法行为的事实、性质、情节和社会危害程度，经本局集体讨论，"
            "故在一般档内顶格处罚。",
            False,
            False,
        ),
        ("本局根据本案具体情况，据此按上限处罚。", False, False),
        ("当事人未采取密闭措施，本局在一般档内顶格处罚。", False, False),
    ],
)
def test_what_explains_an_outlier(text, aggravating, mitigating):
    """Do facts explain an outlier (high: 拒不改正, 造成…损失; low: 主动退赔,
    积极配合, 主动消除危害后果) and boilerplate (综合考虑违法情节, 经集体讨论,
    态度较好) or denied / supposed / conditional circumstances not?"""
    high, low = reason_words(text, find_factors(text))
    assert (bool(high), bool(low)) == (aggravating, mitigating), (high, low)


def test_stored_factor_found_by_meaning_keeps_its_name(reviewer):
    """The review JSON stores factors without their name: one found by meaning
    is named again by meaning, so an ordinary no-harm phrase stays no reason
    when the portal reads the stored JSON (and a real reason stays one)."""
    text = (
        "经查，当事人销售以次充好的复合肥，货值金额20000元，尚未售出部分已封存。"
        "当事人主动退赔了购买农户的全部损失。"
    )
    stored = reviewer.review(text, "x")["factors"]
    high, low = reason_words(text, stored)
    assert high == []
    assert low == ["主动退赔"]


# ----------------------------------------------------------- (b) tiers


def test_negated_condition_is_not_met_by_its_affirmation(reviewer):
    """ZR-001 较重 is 不符合国土空间规划: a decision stating 符合国土空间规划 does not
    meet it (bigram containment alone did), one stating 不符合 does."""
    base = (
        "经查，当事人未经批准，在物流园区东侧一块国有建设用地上搭建钢棚用作临时货场，"
        "经测绘占地420平方米，{}。\n"
        "违反条款：《中华人民共和国土地管理法》第四十四条第一款\n"
        "处罚依据：《中华人民共和国土地管理法》第七十七条第一款\n"
        "处罚决定：罚款{}元\n"
    )
    assert (
        reviewer.review(base.format("符合国土空间规划", 75600), "x")["tier"] != "较重"
    )
    negated = reviewer.review(base.format("经核实不符合国土空间规划", 252000), "x")
    assert negated["tier"] == "较重"


def test_the_violation_itself_is_no_reason():
    """For an item whose violation is 逃避监管 (篡改监测数据 …), stating it is
    no aggravating reason; a real one stated beside it still is."""
    violation = "通过偷排、篡改或者伪造监测数据、不正常运行大气污染防治设施等逃避监管的方式排放大气污染物"
    text = "经查，当事人通过篡改监测数据的方式逃避监管，排放大气污染物。"
    assert reason_words(text, find_factors(text))[0]  # without the item: a reason
    assert reason_words(text, find_factors(text), violation)[0] == []
    text += "当事人经责令改正后拒不改正。"
    assert reason_words(text, find_factors(text), violation)[0] == ["拒不改正"]


def test_simple_procedure_form_is_matched_and_ranged(reviewer):
    """A 当场处罚决定书 (简易程序) form — labelled lines, both provisions under
    处罚依据, no 落款 date — is matched to its item and has a tier range, so it
    enters the peer group; a control without any provision or facts is not."""
    form = (
        "城市管理行政执法当场处罚决定书\n编号：江东城管当罚〔2025〕0012号\n"
        "当事人：张某某  性别：男  身份证号码：420102198805061234\n"
        "违法时间：2025年5月3日10时\n违法地点：东湖区中山路12号门前\n"
        "违法事实：当事人在中山路12号门前人行道上摆摊经营水果，占用城市道路约6平方米。\n"
        "处罚依据：城市道路管理条例第二十七条第（一）项、第四十二条\n"
        "处罚种类及数额：罚款人民币贰佰元（200元）\n"
        "执法人员：王某（执法证号：42010010001）\n江城市东湖区城市管理局\n"
    )
    result = reviewer.review(form, "x")
    assert result["match"]["item_id"] == "CG-002"
    assert result["tier_range"] is not None
    assert result["tier"] or result["comparison_tier"]
    assert decision_date(form) is None
    assert str(decision_window(form).low) == "2025-05-03"
    bare = "当场处罚决定书\n当事人：张某某\n处罚种类及数额：罚款人民币贰佰元（200元）\n"
    assert reviewer.review(bare, "y")["match"] is None
