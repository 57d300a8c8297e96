"""Sixth round of the failure classes of issue #14 (checker7): 首违/轻微 told in
the agency's own words. A negated record is no record; record nouns with a
qualifier and "no violation since"; harmlessness as the absence of a specific
effect; corrections some minutes after, by unloading, in a longer clause; the
agency's own visits and obstructed traffic are not aggravating; promised
corrections and bare checks are not read by meaning; a supporting reading where
a decision already states the other circumstances of an exemption; the
classifier trained on factor_phrases_more.json.

Sentences written for this module (several wordings per class, with controls),
not taken from any labelled set."""

import pytest

from nlp import factor_classifier
from tests.nlp.factor_reading import factor_names, read_factors

# ------------------------------------------------------- 1. records


@pytest.mark.parametrize(
    "text",
    [
        "经查询，当事人从未有过食品安全违法记录。",
        "当事人未曾有过处罚记录。",
        "该公司此前未有过环保方面的违法记录。",
        "经查，当事人没有违法排污记录。",
        "当事人无违规经营的记录。",
        "该店开业五年来，本所未发现其有违法经营行为。",
        "自2018年取得许可证以来，未发现当事人有其他违法行为。",
    ],
)
def test_a_negated_or_qualified_record_is_a_first_offence(text):
    names = factor_names(text)
    assert "first_offence" in names
    assert "not_first" not in names


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("经查，当事人有过两次违法记录。", "not_first"),
        ("当事人曾有过违法记录。", "not_first"),
        # the present inspection, not the party's history
        ("本次检查未发现其他违法行为。", None),
    ],
)
def test_records_stated_affirmatively_or_of_this_inspection(text, name):
    names = factor_names(text)
    assert "first_offence" not in names
    if name:
        assert name in names


# ------------------------------------------------------- 2. harmlessness


@pytest.mark.parametrize(
    "text",
    [
        "经现场勘查，未发现油污渗漏。",
        "经查，停放期间未影响周边商户正常经营。",
        "经查，未引起车辆通行受阻或者其他邻里矛盾纠纷。",
        "摆放期间未阻碍行人通行。",
        "货物堆放没有挡住消防通道。",
        "经巡查，路面未见破损。",
    ],
)
def test_harmlessness_as_the_absence_of_a_specific_effect(text):
    assert "no_harm" in factor_names(text)


@pytest.mark.parametrize(
    "text",
    [
        "上述情况不影响对其违法行为的认定。",
        "执法人员到场时未见油烟净化器运行。",
        "堆放的建材导致行人通行受阻。",
        "经查，油烟净化器正常运行。",
    ],
)
def test_legal_points_missing_devices_and_harm_are_not_harmlessness(text):
    assert "no_harm" not in factor_names(text)


# ------------------------------------------------------- 3. corrections


@pytest.mark.parametrize(
    "text",
    [
        "半小时后，当事人已将车上超出的货物卸下。",
        "两小时之后摊位已全部搬走。",
        "约二十分钟后，驾驶人将超载部分转载至另一车辆。",
        "检查当日，当事人即按照进货单据把缺少的三个月台账逐笔补录完毕。",
    ],
)
def test_corrections_some_time_after_or_by_unloading(text):
    assert "corrected" in factor_names(text)


@pytest.mark.parametrize(
    "text",
    [
        "执法人员离开十分钟后，当事人又恢复摆摊。",
        "三日后当事人仍在原处经营。",
        "本局责令其于三日内将超载货物卸下。",
        # promised, not done: vetoed for classifier readings too
        "当事人表示愿意在一周内把招牌重新装好。",
        "当事人承诺在十日内清洗滤网并恢复正常使用。",
    ],
)
def test_corrections_repeated_continued_ordered_or_promised_are_not_read(text):
    assert "corrected" not in factor_names(text)


# ------------------------------------------------------- 4. aggravating words


@pytest.mark.parametrize(
    ("text", "absent", "present"),
    [
        ("执法人员此后多次回访，未发现当事人再次摆摊。", "repeated", None),
        ("经多次劝导，当事人仍拒不搬离。", "repeated", "refused_correction"),
        ("摆放期间未阻碍行人通行。", "obstructed", "no_harm"),
        ("当事人多次在此摆摊。", None, "repeated"),
        ("当事人以推搡方式妨碍民警执行公务。", None, "obstructed"),
    ],
)
def test_the_agencys_own_visits_and_traffic_are_not_aggravating(text, absent, present):
    names = factor_names(text)
    if absent:
        assert absent not in names
    if present:
        assert present in names


# ------------------------------------------------------- 5. the classifier


def test_a_bare_check_is_not_a_first_offence():
    """经信息系统查询 names the check, not its result: the classifier reads it
    above the supporting threshold, the reading needs an absence, a first time or
    a clean record."""
    clause = "经公安交通管理信息系统查询"
    (row,) = factor_classifier.default_classifier().probabilities([clause])
    column = factor_classifier.default_classifier()._order.index("first_offence")
    assert row[column] >= factor_classifier.SUPPORT_THRESHOLDS["first_offence"]
    text = f"{clause}，被处罚人持有C1驾驶证。当事人当即改正。摆放期间未阻碍行人通行。"
    assert "first_offence" not in factor_names(text)


LENIENT = "经查，当事人此前从未受过处罚。当事人当即把货物搬回店内。{clause}。"


def test_a_supporting_reading_needs_the_other_circumstances():
    """A clause between the supporting (CV-F1) and the standalone (CV-F0.5)
    threshold is read only where the decision states the other circumstances of
    an exemption and nothing aggravating."""
    clause = "附近居民的生活未受打扰"
    classifier = factor_classifier.default_classifier()
    (row,) = classifier.probabilities([clause])
    score = row[classifier._order.index("no_harm")]
    assert (
        factor_classifier.SUPPORT_THRESHOLDS["no_harm"]
        <= score
        < factor_classifier.THRESHOLDS["no_harm"]
    )
    assert "no_harm" not in factor_names(f"经查，{clause}。")
    found = [
        f for f in read_factors(LENIENT.format(clause=clause)) if f.name == "no_harm"
    ]
    assert [f.how for f in found] == ["meaning"]
    assert found[0].text in clause
    assert len(found[0].text) >= 4
    repeated = LENIENT.format(clause=clause).replace(
        "此前从未受过处罚", "两年内多次被查处"
    )
    assert "no_harm" not in factor_names(repeated)


def test_thresholds_are_cross_validated_on_every_phrase_file():
    phrases = factor_classifier.training_phrases()
    more = factor_classifier.load_phrases(factor_classifier.MORE_PHRASES)
    assert len(more) >= 900
    assert set(more) <= set(phrases)
    assert (
        factor_classifier.choose_thresholds(phrases, factor_classifier.SUPPORT_BETA)
        == factor_classifier.SUPPORT_THRESHOLDS
    )
    for name in factor_classifier.FACTORS:
        assert (
            factor_classifier.SUPPORT_THRESHOLDS[name]
            <= factor_classifier.THRESHOLDS[name]
        )


# ------------------------------------------------------- 6. whole decisions


_DECISION = (
    "溪口市南湖区综合行政执法局\n行政处罚决定书\n南综执罚〔2025〕第88号\n"
    "当事人：钱某某，男，1985年5月出生\n"
    "经查，2025年9月3日上午，当事人在南湖区柳荫路人行道上摆放蔬菜筐售卖，"
    "占用人行道约4平方米。{facts}\n"
    "本局认为，当事人擅自占用城市道路经营，违反了《城市道路管理条例》第二十七条"
    "第（一）项的规定。根据《城市道路管理条例》第四十二条的规定，决定对当事人"
    "罚款贰佰元。\n当事人应当自收到本决定书之日起十五日内缴纳罚款。\n"
    "溪口市南湖区综合行政执法局\n2025年9月15日\n"
)


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (
            "执法队员上前劝导约二十分钟后，当事人已将菜筐全部搬离，人行道恢复原样；"
            "摆放期间未阻碍行人通行。经查询本局执法档案，当事人从未有过占道经营的"
            "处罚记录。",
            True,
        ),
        (
            "执法队员上前劝导后，当事人随即把菜筐全部搬回店内。经查询，当事人从未"
            "受过行政处罚。附近居民的生活未受打扰。",
            True,
        ),
        # controls: the correction only promised; a record of earlier cases
        (
            "执法队员上前劝导后，当事人表示愿意在次日把菜筐搬走；摆放期间未阻碍行人"
            "通行。经查询本局执法档案，当事人从未有过占道经营的处罚记录。",
            False,
        ),
        (
            "执法队员上前劝导后，当事人随即把菜筐全部搬回店内。经查询，当事人有过"
            "两次占道经营的处罚记录。附近居民的生活未受打扰。",
            False,
        ),
    ],
)
def test_first_offence_told_in_own_words_expects_no_penalty(reviewer, facts, expected):
    result = reviewer.review(_DECISION.format(facts=facts), "own-words")
    assert result["match"]["item_id"] == "CG-002"
    found = [f for f in result["findings"] if f["code"] == "NO_PENALTY_EXPECTED"]
    assert bool(found) is expected
    if expected:
        # the words that carried each factor are the finding's evidence
        assert "搬" in found[0]["evidence"]
        assert "处罚" in found[0]["evidence"]


# ------------------------------------------------------- 7. vetoes of this round


@pytest.mark.parametrize(
    "text",
    [
        "当事人已主动联系了部分购买者，但尚未办理退货。",
        "当事人已拆除一部分，但仍未全部拆除。",
    ],
)
def test_a_correction_the_next_clause_takes_back_is_not_read(text):
    assert "corrected" not in factor_names(text)


@pytest.mark.parametrize(
    "text",
    [
        # another act left undone does not take the correction back
        "当事人接到通知后即停止施工，但未主动申请补办手续。",
        # the order's deadline, the party acted within it
        "当事人在责令改正期限内已将广告牌拆除。",
        "本局立案后，当事人在责令退还期限届满前已自行拆除全部棚体。",
    ],
)
def test_corrections_beside_another_undone_act_or_within_a_deadline(text):
    assert "corrected" in factor_names(text)


def test_a_late_correction_is_not_read():
    assert "corrected" not in factor_names("当事人未能当场改正，三日后才补交证件。")


def test_a_correction_followed_by_harmlessness_stays_read():
    names = factor_names("当事人当即拆除了广告牌，但未造成任何影响。")
    assert "no_harm" in names


def test_a_negating_character_that_negates_nothing_is_not_harmlessness():
    """未成年学生 names a person, not an absent effect: above the supporting
    threshold, still not harmlessness in a lenient decision."""
    clause = "购买者多为未成年学生"
    classifier = factor_classifier.default_classifier()
    (row,) = classifier.probabilities([clause])
    assert (
        row[classifier._order.index("no_harm")]
        >= factor_classifier.SUPPORT_THRESHOLDS["no_harm"]
    )
    assert "no_harm" not in factor_names(LENIENT.format(clause=clause))


def test_a_negated_correction_is_not_harmlessness():
    """期间未停止喷涂作业: the violation went on; its negation is not 无危害."""
    from nlp.factors import _classifier_vetoed

    text = "经查，检查期间未停止喷涂作业。"
    start = text.index("期间")
    clause = "检查期间未停止喷涂作业"
    assert _classifier_vetoed(text, "no_harm", start, start + 8, clause)
    text = "经查，检查期间未发生泄漏。"
    assert not _classifier_vetoed(
        text, "no_harm", start, start + 7, "检查期间未发生泄漏"
    )
