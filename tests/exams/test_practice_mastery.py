"""Mastery per knowledge point (issue #5, practice): figures computed by hand."""

import random
from datetime import datetime, timedelta

from exams.banks.services import ensure_default_knowledge_points
from exams.practice import queries
from exams.practice.mastery import Outcome, Point, compute_mastery, mastery_level
from exams.practice.services import answer_question, start_session, sync_exam_mistakes
from portal.extensions import db
from tests.exams.practice_helpers import (
    EXAM_START,
    PUNISH,
    exam_over,
    four_types,
    make_questions,
    open_bank,
    sit_exam,
)

T0 = datetime(2027, 5, 1, 0, 0)
TREE = {
    1: Point(1, "公共法律知识", "公共法律知识", None),
    2: Point(2, "行政处罚法", "公共法律知识/行政处罚法", 1),
    3: Point(3, "行政许可法", "公共法律知识/行政许可法", 1),
    4: Point(4, "专业法律知识", "专业法律知识", None),
    5: Point(5, "城管", "专业法律知识/城管", 4),
}


def _at(minute, point, correct):
    return Outcome(point, correct, T0 + timedelta(minutes=minute), minute)


OUTCOMES = [
    # 行政处罚法: T F T T T T (minutes 1–6)
    *(_at(m, 2, c) for m, c in zip(range(1, 7), [1, 0, 1, 1, 1, 1], strict=True)),
    # 行政许可法: three right (minutes 7–9)
    *(_at(m, 3, True) for m in (7, 8, 9)),
    # 城管: F T F T F (minutes 10–14)
    *(_at(m, 5, c) for m, c in zip(range(10, 15), [0, 1, 0, 1, 0], strict=True)),
    # no knowledge point: one wrong
    _at(15, None, False),
]


def _by_name(rows):
    return {(r.point.name if r.point else None): r for r in rows}


def test_levels_by_hand():
    """≥ 85 % 熟练, 60–85 % 一般, < 60 % 薄弱, fewer than 5 answers 数据不足."""
    assert mastery_level(5, 0.85) == "proficient"
    assert mastery_level(5, 0.8499) == "fair"
    assert mastery_level(5, 0.60) == "fair"
    assert mastery_level(5, 0.5999) == "weak"
    assert mastery_level(4, 1.0) == "insufficient"
    assert mastery_level(0, None) == "insufficient"


def test_mastery_rolls_up_and_uses_the_last_k_answers():
    """K = 5: 行政处罚法 4/5 (its first answer falls out) = 80 % 一般; 行政许可法 3
    answers 数据不足; 公共法律知识 rolls up 9 answers, last 5 all right = 熟练; 城管
    2/5 = 40 % 薄弱 and so is its parent; unclassified answers get their own row."""
    rows = _by_name(compute_mastery(reversed(OUTCOMES), TREE, window=5, min_answers=5))
    punish = rows["行政处罚法"]
    assert (punish.answered, punish.recent, punish.recent_correct) == (6, 5, 4)
    assert punish.rate == 0.8
    assert punish.level == "fair"
    permit = rows["行政许可法"]
    assert (permit.answered, permit.recent_correct, permit.level) == (
        3,
        3,
        "insufficient",
    )
    public = rows["公共法律知识"]
    assert (public.answered, public.recent, public.recent_correct) == (9, 5, 5)
    assert public.level == "proficient"
    assert public.level_label == "熟练"
    assert (rows["城管"].rate, rows["城管"].level) == (0.4, "weak")
    assert rows["专业法律知识"].level == "weak"
    assert (rows[None].answered, rows[None].level) == (1, "insufficient")
    assert [r.point.path for r in compute_mastery(OUTCOMES, TREE) if r.point] == [
        "专业法律知识",
        "专业法律知识/城管",
        "公共法律知识",
        "公共法律知识/行政处罚法",
        "公共法律知识/行政许可法",
    ]


def test_mastery_with_the_default_window():
    """K = 20 takes every answer here: 行政处罚法 5/6 = 83 % 一般, 公共法律知识 8/9 =
    89 % 熟练."""
    rows = _by_name(compute_mastery(OUTCOMES, TREE))
    assert rows["行政处罚法"].recent_correct == 5
    assert rows["行政处罚法"].level == "fair"
    assert rows["公共法律知识"].recent_correct == 8
    assert rows["公共法律知识"].level == "proficient"


def test_mastery_from_practice_and_released_exams(app, world):
    """The officer's figures mix practice answers and a released exam: exam
    2 right / 2 wrong, then practice 4 right → 行政处罚法 6/8 = 75 % 一般; 薄弱
    knowledge points feed the 练习薄弱知识点 set."""
    ensure_default_knowledge_points()
    officer = world.users["officer"]
    exam_bank = open_bank("EXAMBANK", is_open=False)
    make_questions(exam_bank, four_types("考"))
    arrangement = exam_over(world, exam_bank, release="immediate")
    sit_exam(arrangement, officer)  # single and fill_blank wrong
    sync_exam_mistakes(officer, EXAM_START + timedelta(hours=1))
    rows = _by_name(queries.mastery_for(officer))
    assert (rows["行政处罚法"].answered, rows["行政处罚法"].recent_correct) == (4, 2)
    assert rows["行政处罚法"].level == "insufficient"

    practice_bank = open_bank("PRACTICE")
    make_questions(practice_bank, four_types("练"))
    session = start_session(
        officer, "random", EXAM_START + timedelta(days=1), rng=random.Random(5)
    )
    from exams.banks.models import QuestionVersion
    from tests.exams.practice_helpers import key_response

    for position, item in enumerate(session.items):
        version = db.session.get(QuestionVersion, item["version_id"])
        answer_question(
            session,
            position,
            key_response(version),
            EXAM_START + timedelta(days=1, minutes=position),
        )
    rows = _by_name(queries.mastery_for(officer))
    punish = rows["行政处罚法"]
    assert (punish.answered, punish.recent_correct, punish.level) == (8, 6, "fair")
    assert rows["公共法律知识"].answered == 8
    assert PUNISH.endswith(punish.point.name)
