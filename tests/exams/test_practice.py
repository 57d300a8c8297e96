"""Practice (issue #5): which questions a candidate may practise, immediate
feedback, idempotent answers, the 错题本 from practice and from released exams
only, 已掌握 after N correct in a row."""

import random
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from exams.banks.models import QuestionVersion
from exams.banks.services import (
    ensure_default_knowledge_points,
    flag_questions_for_law_changes,
)
from exams.papers.models import ExamArrangement
from exams.practice import queries
from exams.practice.display import key_text, response_text
from exams.practice.models import AnswerRecord, MistakeEntry
from exams.practice.services import (
    SessionClosed,
    answer_question,
    finish_session,
    remove_mistake,
    start_session,
    sync_exam_mistakes,
)
from portal.exceptions import InvalidState
from portal.extensions import db
from tests.exams.practice_helpers import (
    EXAM_START,
    PERMIT,
    PUNISH,
    exam_over,
    four_types,
    key_response,
    law,
    make_questions,
    open_bank,
    question_by_type,
    sit_exam,
    wrong_response,
)
from tests.factories import Factories

NOW = datetime(2027, 4, 1, 2, 0)


@pytest.fixture
def banks(world):
    """Banks around the officer (in 甲区城管局, under 甲区): city-wide open,
    甲区 open, 乙县 open (out of reach), city-wide closed; plus questions that must
    never be served in the open bank (review-flagged, inactive, essay)."""
    ensure_default_knowledge_points()
    law()
    city = open_bank("CITY")
    district = open_bank("DIST", world.district)
    other = open_bank("OTHER", world.other_district)
    closed = open_bank("CLOSED", is_open=False)
    found = {
        "city": make_questions(
            city, four_types("市", legal_basis="《练习测试条例》第三条")
        ),
        "district": make_questions(district, four_types("区", point=PERMIT)),
        "other": make_questions(other, four_types("县")),
        "closed": make_questions(closed, four_types("闭")),
    }
    from exams.formats.model import ImportedQuestion

    flagged, inactive, essay = make_questions(
        city,
        [
            ImportedQuestion(type="true_false", stem="待复核题。", key=["对"]),
            ImportedQuestion(type="true_false", stem="停用题。", key=["错"]),
            ImportedQuestion(type="essay", stem="简述行政处罚的原则。"),
        ],
    )
    flagged.review_reason = "《练习测试条例》第三条条文已修改"
    inactive.is_active = False
    db.session.commit()
    found.update(flagged=flagged, inactive=inactive, essay=essay)
    found["banks"] = {"city": city, "district": district, "other": other}
    found["closed_bank"] = closed
    return found


def _ids(questions):
    return {q.id for q in questions}


def test_scope_of_practisable_questions(app, world, banks):
    """The officer practises open banks that are city-wide or of an ancestor
    organisation; never a closed bank, another district's bank, a question under
    法条变更待复核, an inactive one or a subjective one — however often drawn."""
    officer = world.users["officer"]
    expected = _ids(banks["city"]) | _ids(banks["district"])
    pool = db.session.scalars(queries.practisable_versions(officer)).all()
    assert {v.question_id for v in pool} == expected
    drawn = set()
    for seed in range(5):
        session = start_session(
            officer, "random", NOW, count=100, rng=random.Random(seed)
        )
        drawn |= {item["question_id"] for item in session.items}
    assert drawn == expected
    # A user of the other county reaches its bank and the city's, not 甲区's.
    county_officer = Factories().user(role="officer", organisation=world.other_agency)
    county_pool = db.session.scalars(queries.practisable_versions(county_officer))
    assert {v.question_id for v in county_pool} == _ids(banks["city"]) | _ids(
        banks["other"]
    )
    # Closing the city bank takes its questions out at once.
    banks["banks"]["city"].is_practice_open = False
    db.session.flush()
    pool = db.session.scalars(queries.practisable_versions(officer)).all()
    assert {v.question_id for v in pool} == _ids(banks["district"])


def test_a_law_change_takes_a_question_out_of_practice(app, world, banks):
    """Flagging questions for a changed article (法条变更待复核) removes them from
    the pool at once."""
    officer = world.users["officer"]
    single = question_by_type(banks["banks"]["city"], "single")
    article = single.current.law_article
    assert article is not None
    flag_questions_for_law_changes({(article.law_id, article.number)}, set(), "T1")
    pool = {
        v.question_id for v in db.session.scalars(queries.practisable_versions(officer))
    }
    assert single.id not in pool


def test_knowledge_point_sets_and_counts(app, world, banks):
    """A knowledge-point set draws from that point and its subtree only; counts
    roll up to the parents."""
    officer = world.users["officer"]
    counts, total, without = queries.practisable_counts(officer)
    points = {p.path: p.id for p in queries.knowledge_points().values()}
    assert counts[points[PUNISH]] == 4
    assert counts[points[PERMIT]] == 4
    assert counts[points["公共法律知识"]] == 8
    assert total == 8
    assert without == 0
    session = start_session(
        officer, "knowledge_point", NOW, count=10, knowledge_point_ids=[points[PERMIT]]
    )
    assert {i["question_id"] for i in session.items} == _ids(banks["district"])
    assert "行政许可法" in session.title
    typed = start_session(officer, "random", NOW, count=10, types=["true_false"])
    assert {
        db.session.get(QuestionVersion, i["version_id"]).type for i in typed.items
    } == {"true_false"}
    assert len(typed.items) == 2
    with pytest.raises(InvalidState, match="知识点不存在"):
        start_session(officer, "knowledge_point", NOW, knowledge_point_ids=[99999])
    with pytest.raises(InvalidState, match="没有符合条件"):
        start_session(
            officer,
            "knowledge_point",
            NOW,
            knowledge_point_ids=[points["专业法律知识/城管"]],
        )
    with pytest.raises(InvalidState, match="题量"):
        start_session(officer, "random", NOW, count=0)


def _session_with_all_types(officer, banks):
    points = {p.path: p.id for p in queries.knowledge_points().values()}
    session = start_session(
        officer,
        "knowledge_point",
        NOW,
        count=4,
        knowledge_point_ids=[points[PUNISH]],
        rng=random.Random(7),
    )
    positions = {}
    for position, item in enumerate(session.items):
        version = db.session.get(QuestionVersion, item["version_id"])
        positions[version.type] = (position, version, item)
    return session, positions


def test_feedback_for_each_type(app, world, banks):
    """Right and wrong answers of 单选, 多选, 判断 and 填空 are graded at once; the key
    is shown with the set's own option letters, the legal basis with its text."""
    officer = world.users["officer"]
    session, positions = _session_with_all_types(officer, banks)
    pos, single, item = positions["single"]
    record, created = answer_question(session, pos, ["A"], NOW)
    assert created
    assert record.correct is False
    shown = item["options"].index("B")
    assert key_text(single, item["options"]) == f"{'ABCD'[shown]}. 县级以上"
    assert response_text(single, record.response, item["options"]).endswith("乡镇")
    assert single.law_article.text.startswith("违法行为轻微")
    pos, multiple, item = positions["multiple"]
    record, _ = answer_question(session, pos, ["C", "A"], NOW)
    assert record.correct is True
    pos, tf, _ = positions["true_false"]
    record, _ = answer_question(session, pos, ["错"], NOW)
    assert record.correct is False
    assert response_text(tf, record.response) == "错误"
    assert key_text(tf) == "正确"
    pos, blank, _ = positions["fill_blank"]
    record, _ = answer_question(session, pos, ["复议", "仲裁"], NOW)
    assert record.correct is False
    assert record.feedback == "答对 1/2 空"
    assert key_text(blank) == "第1空：行政复议 / 复议；第2空：行政诉讼 / 诉讼"
    # every question answered: the set is finished
    assert session.status == "finished"
    assert session.finished_at == NOW
    entries = db.session.scalars(
        sa.select(MistakeEntry).where(MistakeEntry.user_id == officer.id)
    ).all()
    assert {e.question.current.type for e in entries} == {
        "single",
        "true_false",
        "fill_blank",
    }
    assert all(e.source == "practice" and e.key_visible for e in entries)


def test_fill_blank_normalises_width_and_punctuation(app, world, banks):
    """A 填空 answer typed in full width with punctuation is right."""
    officer = world.users["officer"]
    session, positions = _session_with_all_types(officer, banks)
    pos, _, _ = positions["fill_blank"]
    record, _ = answer_question(session, pos, ["《行政复议》。", " 诉讼 "], NOW)
    assert record.correct is True


def test_double_answer_is_idempotent(app, world, banks):
    """Submitting the same question twice (double click, retry, another answer in
    a second tab) keeps the first answer and counts one mistake."""
    officer = world.users["officer"]
    session, positions = _session_with_all_types(officer, banks)
    pos, single, _ = positions["single"]
    first, created = answer_question(session, pos, ["A"], NOW)
    again, created_again = answer_question(
        session, pos, ["B"], NOW + timedelta(seconds=1)
    )
    assert created
    assert not created_again
    assert again.id == first.id
    assert again.correct is False
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AnswerRecord.id)).where(
                AnswerRecord.session_id == session.id
            )
        )
        == 1
    )
    entry = db.session.scalar(sa.select(MistakeEntry))
    assert entry.wrong_count == 1


def test_empty_and_closed_answers_are_refused(app, world, banks):
    """An empty answer is refused and not stored; a finished set takes no more."""
    officer = world.users["officer"]
    session, positions = _session_with_all_types(officer, banks)
    pos, _, _ = positions["fill_blank"]
    with pytest.raises(InvalidState, match="请先作答"):
        answer_question(session, pos, ["", " "], NOW)
    with pytest.raises(InvalidState, match="请先作答"):
        answer_question(session, positions["single"][0], [], NOW)
    with pytest.raises(InvalidState, match="题号无效"):
        answer_question(session, 99, ["A"], NOW)
    assert db.session.scalar(sa.select(sa.func.count(AnswerRecord.id))) == 0
    finish_session(session, NOW)
    with pytest.raises(SessionClosed):
        answer_question(session, pos, ["复议", "诉讼"], NOW)


def test_mistake_is_mastered_after_two_correct_in_a_row(app, world, banks):
    """A practice mistake enters the 错题本; re-practising it, one right answer is
    not enough, two in a row make it 已掌握; a new mistake undoes that."""
    officer = world.users["officer"]
    session, positions = _session_with_all_types(officer, banks)
    pos, single, _ = positions["single"]
    answer_question(session, pos, ["A"], NOW)
    entry = db.session.scalar(sa.select(MistakeEntry))
    assert (entry.wrong_count, entry.correct_streak, entry.mastered_at) == (1, 0, None)

    def redo(minutes, response):
        redo_session = start_session(officer, "mistakes", NOW, count=10)
        assert [i["question_id"] for i in redo_session.items] == [single.question_id]
        answer_question(redo_session, 0, response, NOW + timedelta(minutes=minutes))
        db.session.refresh(entry)

    redo(1, ["B"])
    assert entry.correct_streak == 1
    assert entry.mastered_at is None
    redo(2, ["B"])
    assert entry.correct_streak == 2
    assert entry.mastered_at == NOW + timedelta(minutes=2)
    with pytest.raises(InvalidState, match="没有可重练"):
        start_session(officer, "mistakes", NOW, count=10)
    assert db.session.scalar(queries.mistakes_for(officer, "active")) is None
    assert db.session.scalar(queries.mistakes_for(officer, "mastered")).id == entry.id
    # a later mistake in an ordinary set puts it back
    later = start_session(officer, "random", NOW, count=100, rng=random.Random(3))
    position = next(
        p for p, i in enumerate(later.items) if i["question_id"] == single.question_id
    )
    answer_question(later, position, ["C"], NOW + timedelta(minutes=3))
    db.session.refresh(entry)
    assert (entry.wrong_count, entry.correct_streak, entry.mastered_at) == (2, 0, None)


def test_removed_entry_stays_removed_until_the_next_mistake(app, world, banks):
    """Removing an entry removes it; a right answer does not bring it back, a new
    mistake does (with every mistake counted)."""
    officer = world.users["officer"]
    session, positions = _session_with_all_types(officer, banks)
    pos, single, _ = positions["single"]
    answer_question(session, pos, ["A"], NOW)
    remove_mistake(db.session.scalar(sa.select(MistakeEntry)))
    again = start_session(officer, "random", NOW, count=100, rng=random.Random(1))
    p = next(
        i for i, it in enumerate(again.items) if it["question_id"] == single.question_id
    )
    answer_question(again, p, ["B"], NOW + timedelta(minutes=1))
    assert db.session.scalar(sa.select(MistakeEntry)) is None
    third = start_session(officer, "random", NOW, count=100, rng=random.Random(2))
    p = next(
        i for i, it in enumerate(third.items) if it["question_id"] == single.question_id
    )
    answer_question(third, p, ["D"], NOW + timedelta(minutes=2))
    entry = db.session.scalar(sa.select(MistakeEntry))
    assert entry.wrong_count == 2
    assert entry.correct_streak == 0


# Exams -> 错题本 ----------------------------------------------------------------


def test_exam_mistakes_only_after_release(app, world, banks):
    """Wrong and unanswered objective items of an exam reach the 错题本 only once
    the result is released; before that nothing of the exam is recorded (no
    entry, no answer record, no mastery figure). Syncing again changes nothing."""
    officer = world.users["officer"]
    arrangement = exam_over(world, banks["closed_bank"], release="after_window")
    attempt = sit_exam(
        arrangement, officer, wrong_types=("single",), skip=("fill_blank",)
    )
    during = EXAM_START + timedelta(hours=1)
    assert sync_exam_mistakes(officer, during) == 0
    assert db.session.scalar(sa.select(sa.func.count(AnswerRecord.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(MistakeEntry.id))) == 0
    assert all(row.answered == 0 for row in queries.mastery_for(officer))

    after = arrangement.window_end + timedelta(minutes=1)
    assert sync_exam_mistakes(officer, after) == 2
    entries = db.session.scalars(sa.select(MistakeEntry)).all()
    assert {e.question.current.type for e in entries} == {"single", "fill_blank"}
    assert all(e.source == "exam" for e in entries)
    assert all(e.last_wrong_at == attempt.submitted_at for e in entries)
    assert db.session.scalar(sa.select(sa.func.count(AnswerRecord.id))) == 4
    # idempotent
    assert sync_exam_mistakes(officer, after + timedelta(days=1)) == 0
    assert db.session.scalar(sa.select(sa.func.count(AnswerRecord.id))) == 4
    assert db.session.scalar(sa.select(MistakeEntry.wrong_count).limit(1)) == 1
    # another candidate's sync does not see this attempt
    assert sync_exam_mistakes(world.users["auxiliary"], after) == 0


def test_manual_release_and_hidden_keys(app, world, banks):
    """With a manual release, entries appear only after the release; with
    show_answers off their keys stay hidden and they are not re-practised (practice
    feedback would leak the key); switching show_answers on reveals them."""
    officer = world.users["officer"]
    arrangement = exam_over(world, banks["closed_bank"], release="manual")
    sit_exam(arrangement, officer)
    later = EXAM_START + timedelta(days=2)
    assert sync_exam_mistakes(officer, later) == 0
    arrangement.results_released_at = later
    db.session.commit()
    assert sync_exam_mistakes(officer, later) == 2
    entries = db.session.scalars(sa.select(MistakeEntry)).all()
    assert len(entries) == 2
    assert not any(e.key_visible for e in entries)
    assert db.session.scalars(queries.mistake_pool(officer)).all() == []
    with pytest.raises(InvalidState, match="没有可重练"):
        start_session(officer, "mistakes", later)
    db.session.get(ExamArrangement, arrangement.id).show_answers = True
    db.session.commit()
    assert sync_exam_mistakes(officer, later) == 0
    assert all(e.key_visible for e in db.session.scalars(sa.select(MistakeEntry)).all())
    redo = start_session(officer, "mistakes", later, count=10)
    assert len(redo.items) == 2


def test_exam_then_practice_ordering(app, world, banks):
    """An exam synced after later practice answers is ordered by answer time: two
    right practice answers after the exam mistake still make it 已掌握."""
    officer = world.users["officer"]
    closed = banks["closed_bank"]
    arrangement = exam_over(world, closed, release="manual", show_answers=True)
    sit_exam(arrangement, officer, wrong_types=("single",))
    single = question_by_type(closed, "single")
    # The bank is opened for practice later; the officer practises the question
    # twice correctly before the exam result is released.
    closed.is_practice_open = True
    db.session.commit()
    points = {p.path: p.id for p in queries.knowledge_points().values()}
    for minutes in (1, 2):
        session = start_session(
            officer,
            "knowledge_point",
            EXAM_START + timedelta(days=1),
            count=100,
            knowledge_point_ids=[points[PUNISH]],
        )
        position = next(
            p for p, i in enumerate(session.items) if i["question_id"] == single.id
        )
        answer_question(
            session,
            position,
            key_response(single.current),
            EXAM_START + timedelta(days=1, minutes=minutes),
        )
    assert db.session.scalar(sa.select(MistakeEntry)) is None
    arrangement.results_released_at = EXAM_START + timedelta(days=2)
    db.session.commit()
    sync_exam_mistakes(officer, EXAM_START + timedelta(days=2))
    entry = db.session.scalar(sa.select(MistakeEntry))
    assert entry.question_id == single.id
    assert entry.source == "exam"
    assert entry.correct_streak == 2
    assert entry.mastered_at == EXAM_START + timedelta(days=1, minutes=2)


def test_key_correction_after_sync_is_picked_up(app, world, banks):
    """Correcting a key after the 错题本 was synchronised updates the entry: the
    answer that became right leaves the 错题本."""
    from exams.attempts.services import correct_key
    from portal.actor import Actor

    officer = world.users["officer"]
    closed = banks["closed_bank"]
    arrangement = exam_over(world, closed, release="immediate", show_answers=True)
    sit_exam(arrangement, officer, wrong_types=("single",))
    now = EXAM_START + timedelta(hours=1)
    assert sync_exam_mistakes(officer, now) == 1
    single = question_by_type(closed, "single")
    version = single.current
    answered = wrong_response(version)  # ["A"]
    correct_key(version, dict(version.spec, key=answered), Actor.system())
    db.session.commit()
    sync_exam_mistakes(officer, now)
    assert db.session.scalar(sa.select(MistakeEntry)) is None


def test_flagged_mistake_is_not_re_practised(app, world, banks):
    """A 错题本 entry whose question went under 法条变更待复核 stays listed but is
    not served again until it is reviewed."""
    officer = world.users["officer"]
    session, positions = _session_with_all_types(officer, banks)
    pos, single, _ = positions["single"]
    answer_question(session, pos, ["A"], NOW)
    question = single.question
    question.review_reason = "《练习测试条例》第三条条文已修改"
    db.session.flush()
    assert db.session.scalar(queries.mistakes_for(officer)).question_id == question.id
    with pytest.raises(InvalidState, match="没有可重练"):
        start_session(officer, "mistakes", NOW)
    question.review_reason = ""
    db.session.flush()
    redo = start_session(officer, "mistakes", NOW)
    assert [i["question_id"] for i in redo.items] == [question.id]
