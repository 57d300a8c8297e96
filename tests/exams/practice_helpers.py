"""Shared set-up for the practice tests: banks in and out of reach, questions of
every practice type with knowledge points, explanations and a legal basis, and an
exam over a closed bank."""

from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from exams.attempts.services import save_answer, start_attempt, submit_attempt
from exams.banks.models import Question, QuestionVersion
from exams.banks.services import commit_import, ensure_bank, plan_import
from exams.formats.model import ImportedQuestion, ImportResult
from exams.papers.services import (
    create_arrangement,
    create_blueprint_paper,
    enrol_candidates,
)
from portal.actor import Actor
from portal.extensions import db
from portal.laws.services import add_provision

PUNISH = "公共法律知识/行政处罚法"
PERMIT = "公共法律知识/行政许可法"
EXAM_START = datetime(2027, 3, 1, 1, 0)


def law():
    """A small regulation so that a question can cite an article with its text."""
    return add_provision(
        Actor.system(),
        name="练习测试条例",
        level="地方性法规",
        issuer="某市人大常委会",
        effective_date=None,
        articles=[(3, "违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚。")],
    )


def make_questions(bank, rows):
    """Import ``rows`` (ImportedQuestion) into ``bank``; return their Questions."""
    plan = plan_import(ImportResult(questions=rows, format="xlsx"), bank)
    assert plan.errors == [], plan.errors
    created = commit_import(plan, bank, Actor.system())
    db.session.commit()
    return created


def four_types(prefix, point=PUNISH, legal_basis=""):
    """One question of each practice type (keys: B; A+C; 对; 复议)."""
    return [
        ImportedQuestion(
            type="single",
            stem=f"{prefix}单选：行政处罚由哪一级机关管辖？",
            options={"A": "乡镇", "B": "县级以上", "C": "省级", "D": "国务院"},
            key=["B"],
            explanation="行政处罚原则上由县级以上地方人民政府具有行政处罚权的部门管辖。",
            knowledge_point=point,
            legal_basis=legal_basis,
            source=f"{prefix}1",
        ),
        ImportedQuestion(
            type="multiple",
            stem=f"{prefix}多选：下列哪些属于行政处罚？",
            options={"A": "警告", "B": "批评教育", "C": "罚款", "D": "约谈"},
            key=["A", "C"],
            knowledge_point=point,
            source=f"{prefix}2",
        ),
        ImportedQuestion(
            type="true_false",
            stem=f"{prefix}判断：行政处罚应当公开。",
            key=["对"],
            knowledge_point=point,
            source=f"{prefix}3",
        ),
        ImportedQuestion(
            type="fill_blank",
            stem=f"{prefix}填空：不服行政处罚的，可以申请____或者提起____。",
            blanks=[["行政复议", "复议"], ["行政诉讼", "诉讼"]],
            knowledge_point=point,
            source=f"{prefix}4",
        ),
    ]


def current_versions(questions):
    return {q.current.type: q.current for q in questions}


def key_response(version):
    """The right answer of a version as a form would send it."""
    if version.type == "fill_blank":
        return ["复议", "行政诉讼"]
    if version.type == "true_false":
        return ["对"] if version.spec["key"] else ["错"]
    return list(version.spec["key"])


def wrong_response(version):
    if version.type == "fill_blank":
        return ["复议", "仲裁"]
    if version.type == "true_false":
        return ["错"] if version.spec["key"] else ["对"]
    if version.type == "multiple":
        return ["A"]  # a subset: wrong in practice (all-or-nothing)
    return ["A"]


def exam_over(world, bank, *, release="after_window", show_answers=False, users=None):
    """An arrangement drawing every objective question of ``bank`` (4 questions)."""
    paper = create_blueprint_paper(
        "练习测试考试卷",
        [
            {"bank_id": bank.id, "type": t, "count": 1, "score_each": Decimal(25)}
            for t in ("single", "multiple", "true_false", "fill_blank")
        ],
        pool_factor=Decimal(1),
    )
    arrangement = create_arrangement(
        paper,
        name="练习测试考试",
        kind="training",
        window_start=EXAM_START,
        window_end=EXAM_START + timedelta(hours=4),
        duration_minutes=60,
        attempts_allowed=1,
        makeup_attempts=0,
        release_policy=release,
        show_answers=show_answers,
    )
    enrol_candidates(arrangement, users=users or [world.users["officer"]])
    db.session.commit()
    return arrangement


def sit_exam(arrangement, user, *, wrong_types=("single", "fill_blank"), skip=()):
    """Sit the exam: wrong answers for ``wrong_types``, none for ``skip``, right
    answers otherwise; submitted at start + 30 minutes. Returns the attempt."""
    attempt = start_attempt(arrangement, user, EXAM_START)
    for position, item in enumerate(attempt.candidate_paper.items):
        version = db.session.get(QuestionVersion, item["version_id"])
        if version.type in skip:
            continue
        response = (
            wrong_response(version)
            if version.type in wrong_types
            else key_response(version)
        )
        save_answer(attempt, position, response, seq=1, now=EXAM_START)
    submit_attempt(attempt, EXAM_START + timedelta(minutes=30))
    db.session.commit()
    return attempt


def question_by_type(bank, qtype):
    return db.session.scalar(
        sa.select(Question)
        .join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
        .where(Question.bank_id == bank.id, QuestionVersion.type == qtype)
    )


def open_bank(code, organisation=None, is_open=True):
    bank = ensure_bank(code, code, organisation)
    bank.is_practice_open = is_open
    db.session.commit()
    return bank
