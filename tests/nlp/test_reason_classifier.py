"""The reason classifier (nlp/reason_classifier.py): clauses read as aggravating,
mitigating or neither, canonical names, the labelled-clause files and the
cross-validation that chose the thresholds. The clauses are written here, not
taken from any test set or from the labelled files (a test checks that)."""

import json

import pytest

from nlp import reason_classifier as rc

AGGRAVATING = [
    "堆放的钢管倒塌，砸坏了相邻商铺的玻璃门",
    "施工时挖断了邻村的灌溉水管",
    "当事人为应付检查，临时编造了一份进货台账",
    "当事人此前已因同类问题被警告过两次",
]
MITIGATING = [
    "当事人已向受损商户支付了全部修理费用",
    "当事人与受害车主达成和解并赔付了维修款",
    "当事人自行把占道的货架全部搬回店内",
    "立案前当事人已经把广告牌拆下",
]
NEITHER = [
    "本局于当日送达了告知书",
    "当事人的行为违反了相关规定",
    "经本局负责人集体讨论决定",
    "执法人员向当事人出示了执法证件",
]


@pytest.fixture(scope="module")
def classifier():
    return rc.default_classifier()


def test_written_clauses_are_not_training_clauses():
    texts = {text for _, _, text in rc.training_phrases()}
    assert not texts & set(AGGRAVATING + MITIGATING + NEITHER)


@pytest.mark.parametrize(
    ("clauses", "direction"),
    [(AGGRAVATING, rc.AGGRAVATING), (MITIGATING, rc.MITIGATING), (NEITHER, rc.NONE)],
)
def test_direction_of_clauses_in_new_words(classifier, clauses, direction):
    assert classifier.directions(clauses) == [direction] * len(clauses)


def test_find_reports_spans_names_and_the_nearest_clause(classifier):
    text = "经查，当事人占道堆放钢管。堆放的钢管倒塌，砸坏了相邻商铺的玻璃门。本局于当日送达了告知书。"
    found = classifier.find(text)
    assert [r.direction for r in found] == [rc.AGGRAVATING]
    reason = found[0]
    assert text[reason.start : reason.end] == reason.clause
    assert "砸坏" in reason.clause
    assert reason.score >= rc.THRESHOLDS[rc.AGGRAVATING]
    assert reason.example in classifier.examples
    assert reason.name == classifier.name(reason.clause, rc.AGGRAVATING)[0]


def test_same_kind_in_different_words_shares_one_name(classifier):
    pay = {classifier.name(c, rc.MITIGATING)[0] for c in MITIGATING[:2]}
    harm = {classifier.name(c, rc.AGGRAVATING)[0] for c in AGGRAVATING[:2]}
    assert len(pay) == 1
    assert len(harm) == 1
    assert pay != harm


def test_numbers_do_not_name_a_reason(classifier):
    """投诉三次 is about complaints, not a third offence."""
    one = classifier.name("附近居民为此投诉三次", rc.AGGRAVATING)[0]
    other = classifier.name("附近居民为此投诉14次", rc.AGGRAVATING)[0]
    assert one == other


def test_time_clause_is_read_with_the_next_only():
    units = [u for _, u in rc._units("执法人员检查次日，当事人即自行安装了净化器。")]
    assert "执法人员检查次日" not in units
    assert "执法人员检查次日，当事人即自行安装了净化器" in units
    assert "当事人即自行安装了净化器" in units


def test_label_files_format(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(
        json.dumps(
            {
                "format": rc.FORMAT,
                "phrases": [
                    {"direction": "aggravating", "reason": "规模小", "text": "甲"},
                    {
                        "direction": "none",
                        "reason": "套话",
                        "text": "乙",
                        "source": "x",
                    },
                ],
            }
        ),
        encoding="utf-8",
    )
    # aliases give one reason one name; a source can be left out
    assert rc.load_reason_phrases(good) == [
        ("aggravating", "涉案数量小", "甲"),
        ("none", "套话", "乙"),
    ]
    assert rc.load_reason_phrases(good, frozenset({"x"})) == [
        ("aggravating", "涉案数量小", "甲")
    ]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "other", "phrases": []}), encoding="utf-8")
    with pytest.raises(ValueError, match="format should be"):
        rc.load_reason_phrases(bad)
    odd = tmp_path / "odd.json"
    odd.write_text(
        json.dumps(
            {"format": rc.FORMAT, "phrases": [{"direction": "up", "text": "丙"}]}
        ),
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="unknown direction"):
        rc.load_reason_phrases(odd)


def test_bundled_clauses_cover_every_direction():
    phrases = rc.training_phrases()
    counts = {
        d: sum(1 for p in phrases if p[0] == d) for d in (*rc.DIRECTIONS, rc.NONE)
    }
    assert counts[rc.AGGRAVATING] >= 250
    assert counts[rc.MITIGATING] >= 250
    assert counts[rc.NONE] > counts[rc.AGGRAVATING]
    assert len({p[2] for p in phrases}) == len(phrases)  # no repeated text


def test_cross_validation_on_the_labelled_reason_clauses():
    """Out-of-fold scores on the writer's and the seed clauses alone (a small,
    quick model): both directions well above chance, thresholds in the grid."""
    phrases = rc.load_reason_phrases(rc.REASON_PHRASES) + rc.load_reason_phrases(
        rc.SEED_PHRASES
    )
    thresholds = rc.choose_thresholds(phrases)
    assert all(0.3 <= t <= 0.95 for t in thresholds.values())
    scores = rc.cv_scores(phrases, thresholds)
    for direction in rc.DIRECTIONS:
        assert scores[direction]["precision"] >= 0.8, scores
        assert scores[direction]["recall"] >= 0.5, scores
