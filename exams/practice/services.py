"""Practice sessions, immediate feedback, the 错题本 and its synchronisation with
released exams (issue #5, practice).

Services flush and never commit (STYLE R5); the view commits. Times come in as
``now`` from the caller.
"""

import logging
import random
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from exams.attempts.models import Attempt
from exams.attempts.services import is_released
from exams.banks.models import KnowledgePoint, QuestionVersion
from exams.grading import ResponseFormatError, get_question_type
from exams.practice import queries
from exams.practice.models import AnswerRecord, MistakeEntry, PracticeSession
from portal.exceptions import InvalidState
from portal.extensions import db

logger = logging.getLogger(__name__)

MASTERED_STREAK = 2  # N: correct answers in a row that make a mistake 已掌握
MAX_COUNT = 100  # questions per practice set
CHOICE_TYPES = ("single", "multiple")


class SessionClosed(InvalidState):
    """An answer arrived for a finished practice session."""


def start_session(
    user, mode, now, *, count=10, knowledge_point_ids=(), types=(), rng=None
):
    """Draw a practice set and store it (versions and option orders).

    :param mode: "knowledge_point" (``knowledge_point_ids`` and their subtrees),
        "random" (optionally ``types``), "mistakes" (the user's re-practisable
        错题本 entries) or "weak" (knowledge points whose mastery is 薄弱).
    :param count: how many questions (1…100); fewer when the pool is smaller.
    :param rng: a :class:`random.Random` (tests); the system generator otherwise.
    :return: the new :class:`PracticeSession`.
    :raises InvalidState: bad parameters, or nothing to practise.
    """
    if not 1 <= int(count) <= MAX_COUNT:
        raise InvalidState(f"题量应在 1 至 {MAX_COUNT} 之间")
    types = [t for t in types if t in queries.PRACTICE_TYPES]
    params = {"count": int(count)}
    if mode == "knowledge_point":
        points = _points(knowledge_point_ids)
        stmt = queries.practisable_versions(user, [p.path for p in points], types=types)
        title = "按知识点练习：" + "、".join(p.path for p in points)
        params["knowledge_point_ids"] = [p.id for p in points]
    elif mode == "weak":
        weak = weak_points(user)
        if not weak:
            raise InvalidState("目前没有薄弱知识点（需在该知识点下至少作答 5 题）")
        stmt = queries.practisable_versions(user, [p.path for p in weak], types=types)
        title = "薄弱知识点练习：" + "、".join(p.name for p in weak[:5])
        if len(weak) > 5:
            title += f" 等 {len(weak)} 个"
        params["knowledge_point_ids"] = [p.id for p in weak]
    elif mode == "random":
        stmt = queries.practisable_versions(user, types=types)
        title = "随机练习"
    elif mode == "mistakes":
        stmt = queries.mistake_pool(user)
        if types:
            stmt = stmt.where(QuestionVersion.type.in_(types))
        title = "错题重练"
    else:
        raise InvalidState("未知的练习方式")
    if types:
        params["types"] = types
    pool = list(db.session.scalars(stmt).unique())
    if not pool:
        if mode == "mistakes":
            raise InvalidState("错题本中没有可重练的题目")
        raise InvalidState("没有符合条件的可练习试题")
    rng = rng or random.SystemRandom()
    drawn = rng.sample(pool, min(int(count), len(pool)))
    items = []
    for version in drawn:
        options = sorted((version.spec or {}).get("options", {}))
        if version.type in CHOICE_TYPES:
            options = rng.sample(options, len(options))
        items.append(
            {
                "version_id": version.id,
                "question_id": version.question_id,
                "options": list(options),
            }
        )
    session = PracticeSession(
        user_id=user.id,
        mode=mode,
        title=f"{title}（{len(items)} 题）"[:200],
        params=params,
        items=items,
        created_at=now,
    )
    db.session.add(session)
    # Versions shown to someone are kept: a later edit creates a new version.
    db.session.execute(
        sa.update(QuestionVersion)
        .where(
            QuestionVersion.id.in_([i["version_id"] for i in items]),
            QuestionVersion.is_used.is_(False),
        )
        .values(is_used=True)
    )
    db.session.flush()
    logger.info(
        "Practice session %s (%s) started by user %s", session.id, mode, user.id
    )
    return session


def _points(ids):
    wanted = {int(i) for i in ids if str(i).strip().isdigit()}
    if not wanted:
        raise InvalidState("请选择知识点")
    points = db.session.scalars(
        sa.select(KnowledgePoint)
        .where(KnowledgePoint.id.in_(wanted))
        .order_by(KnowledgePoint.path)
    ).all()
    if len(points) != len(wanted):
        raise InvalidState("知识点不存在")
    return points


def weak_points(user):
    """The knowledge points whose mastery level is 薄弱 (deepest first would
    duplicate their parents' subtrees; the pool query takes the union anyway).

    :return: :class:`exams.practice.mastery.Point` objects, in path order.
    """
    return [
        row.point
        for row in queries.mastery_for(user)
        if row.point is not None and row.level == "weak"
    ]


def normalise_response(version, raw):
    """Parse a submitted answer; refuse an empty one.

    :return: the canonical response (JSON-ready: lists, bool).
    :raises InvalidState: nothing chosen or typed, or unreadable.
    """
    qtype = get_question_type(version.type)
    try:
        answer = qtype.normalise_response(raw)
    except ResponseFormatError as exc:
        raise InvalidState(f"答案格式无法识别：{exc}") from None
    if version.type == "fill_blank":
        if not any(str(a).strip() for a in answer):
            raise InvalidState("请先作答再提交")
        return list(answer)
    if answer is None or answer == ():
        raise InvalidState("请先作答再提交")
    return list(answer) if isinstance(answer, tuple) else answer


def grade(version, response):
    """Grade a practice answer: right means fully right (all-or-nothing for 多选;
    every blank for 填空).

    :return: a :class:`exams.grading.GradeResult`.
    """
    spec = dict(version.spec or {})
    if version.type == "fill_blank":
        spec["blanks"] = [dict(b, score=None) for b in spec.get("blanks", [])]
    return get_question_type(version.type).grade(
        spec, response, Decimal(1), {"multiple": "all_or_nothing"}
    )


def answer_question(session, position, raw_response, now, streak=MASTERED_STREAK):
    """Record and grade one answer of a practice session (immediate feedback).

    The first answer to a question counts: a double submit, a retry or a second
    tab returns the stored record unchanged.

    :return: (the :class:`AnswerRecord`, whether it was created now).
    :raises SessionClosed: the session was finished.
    :raises InvalidState: bad position or empty/unreadable answer.
    """
    if not 0 <= position < len(session.items):
        raise InvalidState("题号无效")
    existing = _record_at(session.id, position)
    if existing is not None:
        return existing, False
    if session.status != "in_progress":
        raise SessionClosed("本次练习已结束，不能再作答")
    item = session.items[position]
    version = db.session.get(QuestionVersion, item["version_id"])
    response = normalise_response(version, raw_response)
    result = grade(version, response)
    record = AnswerRecord(
        user_id=session.user_id,
        question_id=version.question_id,
        version_id=version.id,
        knowledge_point_id=version.knowledge_point_id,
        source="practice",
        session_id=session.id,
        position=position,
        response=response,
        correct=bool(result.correct),
        feedback=(result.feedback or "")[:200],
        key_shown=True,
        answered_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:
        # The same answer arrived twice at once (double click): keep the first.
        return _record_at(session.id, position), False
    refresh_entry(
        session.user_id, version.question_id, create=not record.correct, streak=streak
    )
    answered = db.session.scalar(
        sa.select(sa.func.count(AnswerRecord.id)).where(
            AnswerRecord.session_id == session.id
        )
    )
    if answered >= len(session.items):
        finish_session(session, now)
    db.session.expire(session, ["records"])
    db.session.flush()
    return record, True


def _record_at(session_id, position):
    return db.session.scalar(
        sa.select(AnswerRecord).where(
            AnswerRecord.session_id == session_id, AnswerRecord.position == position
        )
    )


def finish_session(session, now):
    """Close a session (idempotent); unanswered questions stay unanswered."""
    if session.status == "in_progress":
        session.status = "finished"
        session.finished_at = now
        db.session.flush()
    return session


def refresh_entry(user_id, question_id, *, create, streak=MASTERED_STREAK):
    """Recompute the 错题本 entry of a question from the user's answer log.

    Wrong count, last mistake, its version and source, the run of correct answers
    since the last mistake (已掌握 at ``streak`` in a row) and whether the key may
    be shown. Computing from the log, ordered by answer time, keeps the entry right
    when an exam answer is synchronised after later practice answers.

    :param create: create a missing entry (a new mistake); otherwise a removed
        entry stays removed until the next mistake.
    :return: the entry, or ``None``.
    """
    records = db.session.scalars(
        sa.select(AnswerRecord)
        .where(AnswerRecord.user_id == user_id, AnswerRecord.question_id == question_id)
        .order_by(AnswerRecord.answered_at, AnswerRecord.id)
    ).all()
    entry = db.session.scalar(
        sa.select(MistakeEntry).where(
            MistakeEntry.user_id == user_id, MistakeEntry.question_id == question_id
        )
    )
    wrong = [i for i, r in enumerate(records) if not r.correct]
    if not wrong:
        # e.g. a key correction turned the only mistake into a right answer
        if entry is not None:
            db.session.delete(entry)
            db.session.flush()
        return None
    if entry is None and not create:
        return None
    last = records[wrong[-1]]
    since = records[wrong[-1] + 1 :]
    fields = {
        "version_id": last.version_id,
        "source": last.source,
        "wrong_count": len(wrong),
        "last_wrong_at": last.answered_at,
        "correct_streak": len(since),
        "mastered_at": since[streak - 1].answered_at if len(since) >= streak else None,
        "key_visible": any(r.key_shown for r in records),
    }
    if entry is None:
        entry = MistakeEntry(user_id=user_id, question_id=question_id, **fields)
        try:
            with db.session.begin_nested():
                db.session.add(entry)
            return entry
        except IntegrityError:
            entry = db.session.scalar(
                sa.select(MistakeEntry).where(
                    MistakeEntry.user_id == user_id,
                    MistakeEntry.question_id == question_id,
                )
            )
    for name, value in fields.items():
        setattr(entry, name, value)
    db.session.flush()
    return entry


def sync_exam_mistakes(user, now, streak=MASTERED_STREAK):
    """Copy the answers of the user's RELEASED exam attempts into the answer log
    and the 错题本 (idempotent; called when the 错题本, the mastery page or the
    practice home page opens).

    Only attempts whose results the candidate may see now
    (:func:`exams.attempts.services.is_released`) are read, so nothing of an unreleased
    exam reaches the 错题本. Objective items only; an unanswered item counts as a
    mistake. A key correction or a change of the arrangement's ``show_answers``
    after an earlier sync is picked up on the next one.

    :return: the number of new mistakes recorded.
    """
    attempts = [
        a
        for a in db.session.scalars(
            sa.select(Attempt)
            .where(Attempt.user_id == user.id, Attempt.status == "graded")
            .order_by(Attempt.id)
        )
        if is_released(a, now)
    ]
    if not attempts:
        return 0
    existing = {
        (r.attempt_id, r.position): r
        for r in db.session.scalars(
            sa.select(AnswerRecord).where(
                AnswerRecord.user_id == user.id,
                AnswerRecord.attempt_id.in_([a.id for a in attempts]),
            )
        )
    }
    version_ids = {
        item["version_id"] for a in attempts for item in a.candidate_paper.items
    }
    versions = {
        v.id: v
        for v in db.session.scalars(
            sa.select(QuestionVersion).where(QuestionVersion.id.in_(version_ids))
        )
    }
    touched, new_mistakes = {}, 0
    for attempt in attempts:
        answers = {a.position: a for a in attempt.answers}
        show = bool(attempt.arrangement.show_answers)
        for position, item in enumerate(attempt.candidate_paper.items):
            version = versions[item["version_id"]]
            if version.type not in queries.PRACTICE_TYPES:
                continue  # subjective items have no key to learn from
            answer = answers.get(position)
            correct = bool(answer is not None and answer.correct)
            record = existing.get((attempt.id, position))
            if record is None:
                db.session.add(
                    AnswerRecord(
                        user_id=user.id,
                        question_id=version.question_id,
                        version_id=version.id,
                        knowledge_point_id=version.knowledge_point_id,
                        source="exam",
                        attempt_id=attempt.id,
                        position=position,
                        response=answer.response if answer is not None else None,
                        correct=correct,
                        key_shown=show,
                        answered_at=attempt.submitted_at,
                    )
                )
                new_mistakes += not correct
            elif record.correct != correct or record.key_shown != show:
                record.correct, record.key_shown = correct, show
            else:
                continue
            qid = version.question_id
            touched[qid] = touched.get(qid, False) or not correct
    db.session.flush()
    for question_id, create in touched.items():
        refresh_entry(user.id, question_id, create=create, streak=streak)
    if new_mistakes:
        logger.info("%d exam mistakes of user %s synchronised", new_mistakes, user.id)
    return new_mistakes


def remove_mistake(entry):
    """Remove a 错题本 entry (the answer log stays; a new mistake brings it back)."""
    db.session.delete(entry)
    db.session.flush()


def set_bank_practice(bank, is_open, actor):
    """Open or close a question bank for practice (audited).

    :return: whether anything changed.
    """
    from portal import audit

    if bank.is_practice_open == bool(is_open):
        return False
    before = bank.is_practice_open
    bank.is_practice_open = bool(is_open)
    db.session.flush()
    audit.record(
        "bank_practice_set",
        actor,
        bank,
        before={"is_practice_open": before},
        after={"is_practice_open": bank.is_practice_open},
    )
    logger.info(
        "Bank %s practice %s by %s",
        bank.code,
        "opened" if is_open else "closed",
        actor.label,
    )
    return True
