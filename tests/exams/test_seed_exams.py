"""The demo exam data of ``flask seed demo``: a practice bank and open exams."""

import sqlalchemy as sa

from exams.attempts.services import start_attempt
from exams.banks.models import Question, QuestionVersion
from exams.seed import BANK_CODE, demo_arrangements, demo_questions, seed_exams_demo
from nlp.citations import find_citations
from portal.actor import Actor
from portal.extensions import db
from portal.timeutil import utcnow


def test_demo_exams_are_open_to_the_city(app, world):
    """The seed creates a practice-open bank, a mock exam for officers and auxiliary
    staff, and the 专门 → 通用 path for officers; a second run creates nothing."""
    created = seed_exams_demo(Actor.system(), world.city)
    db.session.commit()
    assert created == len(demo_questions(False)) == 22
    assert seed_exams_demo(Actor.system(), world.city) == 0

    exams = demo_arrangements()
    mock = exams["行政处罚法模拟考试（演示）"]
    special = exams["城管专门法律知识考试（演示）"]
    general = exams["通用法律知识考试（演示）"]
    assert general.prerequisite_id == special.id
    assert mock.show_answers
    assert not general.show_answers
    enrolled = {c.user_id for c in mock.candidates}
    assert world.users["officer"].id in enrolled
    assert world.users["auxiliary"].id in enrolled
    assert world.users["auxiliary"].id not in {c.user_id for c in special.candidates}
    assert world.users["supervision_staff"].id not in enrolled

    attempt = start_attempt(mock, world.users["officer"], utcnow())
    assert len(attempt.candidate_paper.items) == 22
    assert sum(float(i["score"]) for i in attempt.candidate_paper.items) == 100
    # Without a law library the article is named in the explanation.
    explanations = db.session.scalars(
        sa.select(QuestionVersion.explanation)
        .join(Question, Question.current_version_id == QuestionVersion.id)
        .where(Question.bank.has(code=BANK_CODE))
    ).all()
    assert all("《中华人民共和国行政处罚法》第" in e for e in explanations)


def test_demo_questions_cite_the_law_library_when_present(app, world):
    """With the law library imported every demo question links its article."""
    from portal.laws.services import add_provision

    numbers = sorted(
        {find_citations(q.legal_basis)[0].article for q in demo_questions(True)}
    )
    add_provision(
        Actor.system(),
        name="中华人民共和国行政处罚法",
        level="法律",
        issuer="全国人民代表大会常务委员会",
        effective_date=None,
        articles=[(n, f"第{n}条的条文。") for n in numbers],
    )
    seed_exams_demo(Actor.system(), world.city)
    db.session.commit()
    linked = db.session.scalars(
        sa.select(QuestionVersion.law_article_id)
        .join(Question, Question.current_version_id == QuestionVersion.id)
        .where(Question.bank.has(code=BANK_CODE))
    ).all()
    assert len(linked) == 22
    assert all(linked)
