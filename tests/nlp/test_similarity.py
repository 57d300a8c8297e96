"""The shared TF-IDF set-up (nlp.similarity): pure, no Flask, no database."""

import pytest

from nlp.similarity import TfidfSpace, similarity_scores


def test_scores_rank_a_near_duplicate_above_an_unrelated_text():
    text = "小区门口占道经营烧烤，油烟很大，晚上十二点还很吵"
    scores = similarity_scores(
        text,
        [
            "小区门口有人占道经营烧烤，油烟大，半夜还很吵",
            "公园的路灯坏了三盏，晚上很黑",
            text,
        ],
    )
    assert scores[2] == pytest.approx(1.0)
    assert scores[0] > 0.3 > scores[1]
    assert all(0.0 <= s <= 1.0 + 1e-9 for s in scores)


def test_degenerate_inputs():
    assert similarity_scores("随便", []) == []
    assert similarity_scores("", ["", "  "]) == [0.0, 0.0]


def test_a_fitted_space_transforms_new_text_like_its_corpus():
    space = TfidfSpace(char_ngrams=(2, 3), use_words=True)
    matrix = space.fit(["擅自设置广告牌", "未经许可占道经营", "违法倾倒建筑垃圾"])
    query = space.transform(["当事人擅自设置大型广告牌"])
    scores = (matrix @ query.T).toarray().ravel()
    assert scores.argmax() == 0
    assert scores[0] > 0.3


def test_char_only_space_without_sublinear_counts():
    space = TfidfSpace(char_ngrams=(1, 2), use_words=False, sublinear_tf=False)
    matrix = space.fit(["甲乙丙丁", "甲乙丙丁", "戊己庚辛"])
    scores = (matrix @ matrix.T).toarray()
    assert scores[0, 1] == pytest.approx(1.0)
    assert scores[0, 2] == pytest.approx(0.0)
