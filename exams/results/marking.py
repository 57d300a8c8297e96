"""Marking of subjective answers: marks by marker (评分记录), 双评 with a tolerance
and 仲裁, grade revision with a reason, and re-marking for an accepted appeal.

The answer's score follows from its marks (:func:`final_score`):

1. The latest ``revision`` or ``review`` mark, when there is one, is the score (an
   administrator's change with a reason; the re-mark of an accepted appeal).
2. Otherwise an ``arbitration`` mark is the score (以仲裁评分为准).
3. With 双评 (the arrangement's ``double_marking``) the answer needs a ``first``
   and a ``second`` mark by two different markers. When they differ by at most
   the tolerance (``marking_tolerance``, points, inclusive) the score is their
   mean, rounded half up to 0.01; when they differ by more, the answer waits for
   arbitration by a third marker (neither of the two).
4. Without 双评 the ``first`` mark is the score.

Services flush; views commit. Every mark is audited (``answer_graded``, with the
kind), revisions with their reason (``answer_grade_revised``).
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from exams.attempts.models import Answer, Attempt
from exams.attempts.services import grade_attempt
from exams.banks.models import Question, QuestionVersion
from exams.results.models import AnswerMark
from portal import audit
from portal.exceptions import InvalidState
from portal.extensions import db
from portal.notifications import events as notify_events
from portal.timeutil import utcnow

SUBJECTIVE = ("essay", "case")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class MarkState:
    """Where an answer stands: ``score`` when final, else the next ``stage``
    (``first`` | ``second`` | ``arbitration``) and who may not mark it."""

    score: Decimal | None
    stage: str | None
    excluded: frozenset


def final_score(marks, double, tolerance):
    """The answer's score from its marks (see the module docstring).

    :param marks: :class:`AnswerMark` rows (any order).
    :return: a :class:`MarkState`.
    """
    ordered = sorted(marks, key=lambda m: (m.created_at, m.id or 0))
    overrides = [m for m in ordered if m.kind in ("revision", "review")]
    if overrides:
        return MarkState(overrides[-1].score, None, frozenset())
    arbitration = [m for m in ordered if m.kind == "arbitration"]
    if arbitration:
        return MarkState(arbitration[-1].score, None, frozenset())
    first = next((m for m in ordered if m.kind == "first"), None)
    if first is None:
        return MarkState(None, "first", frozenset())
    if not double:
        return MarkState(first.score, None, frozenset())
    second = next((m for m in ordered if m.kind == "second"), None)
    if second is None:
        return MarkState(None, "second", frozenset({first.marker_id}))
    if abs(first.score - second.score) <= tolerance:
        mean = ((first.score + second.score) / 2).quantize(CENT, ROUND_HALF_UP)
        return MarkState(mean, None, frozenset())
    return MarkState(
        None, "arbitration", frozenset({first.marker_id, second.marker_id})
    )


def marks_of(answer_ids):
    """``{answer id: [AnswerMark]}``."""
    result = {}
    if not answer_ids:
        return result
    for mark in db.session.scalars(
        sa.select(AnswerMark)
        .where(AnswerMark.answer_id.in_(list(answer_ids)))
        .order_by(AnswerMark.created_at, AnswerMark.id)
    ):
        result.setdefault(mark.answer_id, []).append(mark)
    return result


def state_of(answer, marks=None):
    arrangement = answer.attempt.arrangement
    if marks is None:
        marks = marks_of([answer.id]).get(answer.id, [])
    return final_score(marks, arrangement.double_marking, arrangement.marking_tolerance)


def _max_score(answer):
    return Decimal(answer.attempt.candidate_paper.items[answer.position]["score"])


def _check(score, answer):
    maximum = _max_score(answer)
    if score is None or score < 0 or score > maximum:
        raise InvalidState(f"得分应在 0 至 {maximum} 分之间")
    return Decimal(score).quantize(CENT, ROUND_HALF_UP)


def _apply(answer, state, actor, now):
    """Store the final score (if any) and regrade the attempt."""
    if state.score is None:
        answer.score, answer.correct = None, None
    else:
        answer.score = state.score
        answer.correct = state.score == _max_score(answer)
    grade_attempt(answer.attempt, actor, now)


def _marker_id(actor):
    return actor.user.id if actor.user is not None else None


def mark_answer(answer, score, actor, comment="", now=None):
    """A marker's score for a subjective answer waiting for a mark; the stage
    (初评, 二评, 仲裁) follows from the marks already given.

    :return: the :class:`MarkState` after the mark.
    :raises InvalidState: no mark is due, the marker already marked this answer
        (双评 and 仲裁 need different markers) or the score is out of range.
    """
    if answer.version.type not in SUBJECTIVE:
        raise InvalidState("客观题由系统自动评分")
    if answer.attempt.status != "submitted":
        raise InvalidState("该答卷已评完，如需改分请在答卷页面修改并填写理由")
    state = state_of(answer)
    if state.stage is None:
        raise InvalidState("该答案已评分")
    marker = _marker_id(actor)
    if marker is not None and marker in state.excluded:
        raise InvalidState("您已评过该答案，需由另一位阅卷人评分")
    score = _check(score, answer)
    mark = AnswerMark(
        answer_id=answer.id,
        marker_id=marker,
        kind=state.stage,
        score=score,
        comment=(comment or "")[:200],
        created_at=now or utcnow(),
    )
    db.session.add(mark)
    db.session.flush()
    after = state_of(answer)
    _apply(answer, after, actor, now)
    db.session.flush()
    audit.record(
        "answer_graded",
        actor,
        answer.attempt,
        after={
            "position": answer.position,
            "kind": mark.kind,
            "score": str(score),
            "comment": mark.comment,
        },
    )
    return after


def revise_grade(answer, score, actor, reason, now=None):
    """改分: an administrator changes the score of a marked subjective answer, with
    a reason (audited, before and after; the candidate is told when the score
    of a released result changes).

    Objective items are not revised by hand: their key is corrected instead (更正
    答案 regrades every attempt that used the question).
    """
    reason = (reason or "").strip()
    if not reason:
        raise InvalidState("请填写改分理由")
    if answer.version.type not in SUBJECTIVE:
        raise InvalidState("客观题不能手工改分，请更正答案后自动重评")
    if answer.attempt.status == "in_progress":
        raise InvalidState("考试尚未交卷")
    score = _check(score, answer)
    before_answer = answer.score
    before = notify_events.scores_of([answer.attempt])
    db.session.add(
        AnswerMark(
            answer_id=answer.id,
            marker_id=_marker_id(actor),
            kind="revision",
            score=score,
            comment=reason[:200],
            created_at=now or utcnow(),
        )
    )
    db.session.flush()
    _apply(answer, state_of(answer), actor, now)
    db.session.flush()
    audit.record(
        "answer_grade_revised",
        actor,
        answer.attempt,
        before={"position": answer.position, "score": str(before_answer)},
        after={"position": answer.position, "score": str(score), "reason": reason},
    )
    notify_events.scores_changed([answer.attempt], before)
    return answer.attempt


def review_mark(answer, appeal, score, actor, comment="", now=None):
    """The re-mark of an accepted appeal by a marker who has not marked this
    answer before; it replaces the earlier score."""
    if answer.version.type not in SUBJECTIVE:
        raise InvalidState("客观题不需要复核评分")
    marks = marks_of([answer.id]).get(answer.id, [])
    marker = _marker_id(actor)
    if any(m.appeal_id == appeal.id for m in marks):
        raise InvalidState("该答案已复核评分")
    if marker is not None and any(
        m.marker_id == marker for m in marks if m.kind != "revision"
    ):
        raise InvalidState("复核须由未评过该答案的阅卷人评分")
    score = _check(score, answer)
    db.session.add(
        AnswerMark(
            answer_id=answer.id,
            marker_id=marker,
            kind="review",
            score=score,
            comment=(comment or "")[:200],
            appeal_id=appeal.id,
            created_at=now or utcnow(),
        )
    )
    db.session.flush()
    _apply(answer, state_of(answer), actor, now)
    db.session.flush()
    audit.record(
        "answer_graded",
        actor,
        answer.attempt,
        after={"position": answer.position, "kind": "review", "score": str(score)},
    )


# Reads --------------------------------------------------------------------------


def subjective_answers(bank_ids=None, arrangement_id=None, question_id=None):
    stmt = (
        sa.select(Answer)
        .join(Attempt, Answer.attempt_id == Attempt.id)
        .join(QuestionVersion, Answer.version_id == QuestionVersion.id)
        .where(QuestionVersion.type.in_(SUBJECTIVE))
    )
    if bank_ids is not None:
        stmt = stmt.join(Question, QuestionVersion.question_id == Question.id).where(
            Question.bank_id.in_(bank_ids)
        )
    if arrangement_id:
        stmt = stmt.where(Attempt.arrangement_id == arrangement_id)
    if question_id:
        stmt = stmt.where(QuestionVersion.question_id == question_id)
    return stmt


@dataclass
class QueueEntry:
    answer: object
    stage: str
    marks: list  # earlier marks (shown for arbitration only)


def markable(marker_id, bank_ids=None, arrangement_id=None, question_id=None, limit=50):
    """Answers the marker may mark now, grouped by question (all answers to one
    question together), then in order of submission. Earlier marks are not shown
    to a second marker (blind 双评); an arbiter sees both."""
    stmt = (
        subjective_answers(bank_ids, arrangement_id, question_id)
        .where(Attempt.status == "submitted", Answer.score.is_(None))
        .order_by(QuestionVersion.question_id, Attempt.submitted_at, Answer.id)
    )
    answers = [
        a for a in db.session.scalars(stmt.limit(1000)) if not _blank(a.response)
    ]
    marks = marks_of([a.id for a in answers])
    queue = []
    for answer in answers:
        state = state_of(answer, marks.get(answer.id, []))
        if state.stage is None or marker_id in state.excluded:
            continue
        shown = marks.get(answer.id, []) if state.stage == "arbitration" else []
        queue.append(QueueEntry(answer, state.stage, shown))
        if len(queue) >= limit:
            break
    return queue


def _blank(response):
    if response is None:
        return True
    if isinstance(response, str):
        return not response.strip()
    return False


def pending_questions(bank_ids=None, arrangement_id=None):
    """Questions with subjective answers waiting for a mark: ``[(question id,
    stem, count)]`` for the 按题阅卷 filter."""
    stmt = (
        sa.select(
            QuestionVersion.question_id,
            sa.func.min(QuestionVersion.stem),
            sa.func.count(Answer.id),
        )
        .select_from(Answer)
        .join(Attempt, Answer.attempt_id == Attempt.id)
        .join(QuestionVersion, Answer.version_id == QuestionVersion.id)
        .where(
            QuestionVersion.type.in_(SUBJECTIVE),
            Attempt.status == "submitted",
            Answer.score.is_(None),
        )
        .group_by(QuestionVersion.question_id)
        .order_by(QuestionVersion.question_id)
    )
    if bank_ids is not None:
        stmt = stmt.join(Question, QuestionVersion.question_id == Question.id).where(
            Question.bank_id.in_(bank_ids)
        )
    if arrangement_id:
        stmt = stmt.where(Attempt.arrangement_id == arrangement_id)
    return db.session.execute(stmt).all()


def graded_marks(bank_ids=None, arrangement_id=None, question_id=None, limit=100):
    """已评: the latest marks given, newest first, with their answers."""
    stmt = (
        sa.select(AnswerMark, Answer)
        .join(Answer, AnswerMark.answer_id == Answer.id)
        .join(Attempt, Answer.attempt_id == Attempt.id)
        .join(QuestionVersion, Answer.version_id == QuestionVersion.id)
        .where(QuestionVersion.type.in_(SUBJECTIVE))
        .order_by(AnswerMark.created_at.desc(), AnswerMark.id.desc())
        .limit(limit)
    )
    if bank_ids is not None:
        stmt = stmt.join(Question, QuestionVersion.question_id == Question.id).where(
            Question.bank_id.in_(bank_ids)
        )
    if arrangement_id:
        stmt = stmt.where(Attempt.arrangement_id == arrangement_id)
    if question_id:
        stmt = stmt.where(QuestionVersion.question_id == question_id)
    return db.session.execute(stmt).all()
