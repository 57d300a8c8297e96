"""Reads for practice: what a candidate may practise, their sessions, their
错题本 and their answer log. Scope is decided here, in SQL."""

import sqlalchemy as sa

from exams.banks.models import KnowledgePoint, Question, QuestionBank, QuestionVersion
from exams.practice.mastery import Outcome, Point, compute_mastery
from exams.practice.models import AnswerRecord, MistakeEntry, PracticeSession
from portal.extensions import db

# Types with an automatic key: the only ones that can give immediate feedback.
PRACTICE_TYPES = ("single", "multiple", "true_false", "fill_blank")


def ancestor_paths(organisation):
    """Materialised paths of ``organisation`` and every ancestor ("/1/4/9/" →
    "/1/", "/1/4/", "/1/4/9/")."""
    parts = [p for p in (organisation.path or "").split("/") if p]
    return ["/" + "/".join(parts[: n + 1]) + "/" for n in range(len(parts))]


def bank_in_reach(user):
    """SQL condition on ``QuestionBank``: city-wide banks and banks of the user's
    organisation or of one of its ancestors (a district bank reaches every agency
    and town of the district; another district's bank does not)."""
    from portal.orgs.models import Organisation

    paths = ancestor_paths(user.organisation) if user.organisation else []
    return sa.or_(
        QuestionBank.organisation_id.is_(None),
        QuestionBank.organisation_id.in_(
            sa.select(Organisation.id).where(Organisation.path.in_(paths))
        ),
    )


def servable():
    """SQL condition: the question is active, not under 法条变更待复核, and its
    current version is of a type with an automatic key."""
    return sa.and_(
        Question.is_active,
        Question.review_reason == "",
        QuestionVersion.type.in_(PRACTICE_TYPES),
    )


def practisable_versions(user, knowledge_point_paths=(), types=()):
    """Select the current versions ``user`` may practise.

    A question is practisable when its bank is open for practice and within the
    user's reach (:func:`bank_in_reach`) and it is :func:`servable`.

    :param knowledge_point_paths: restrict to these knowledge points and their
        subtrees (empty: any, including questions without a knowledge point).
    :param types: restrict to these question types (empty: every practice type).
    """
    stmt = (
        sa.select(QuestionVersion)
        .join(Question, Question.current_version_id == QuestionVersion.id)
        .join(QuestionBank, Question.bank_id == QuestionBank.id)
        .where(QuestionBank.is_practice_open, bank_in_reach(user), servable())
        .order_by(QuestionVersion.id)
    )
    if types:
        stmt = stmt.where(QuestionVersion.type.in_(list(types)))
    if knowledge_point_paths:
        stmt = stmt.join(
            KnowledgePoint, QuestionVersion.knowledge_point_id == KnowledgePoint.id
        ).where(
            sa.or_(
                *(
                    sa.or_(
                        KnowledgePoint.path == path,
                        KnowledgePoint.path.startswith(path + "/", autoescape=True),
                    )
                    for path in knowledge_point_paths
                )
            )
        )
    return stmt


def knowledge_points():
    """Every knowledge point as :class:`exams.practice.mastery.Point`, by id."""
    return {
        kp.id: Point(kp.id, kp.name, kp.path, kp.parent_id)
        for kp in db.session.scalars(sa.select(KnowledgePoint))
    }


def practisable_counts(user):
    """Practisable questions per knowledge point, rolled up to the ancestors.

    :return: ({knowledge point id: count of its subtree}, total,
        count without a knowledge point).
    """
    sub = practisable_versions(user).subquery()
    direct = dict(
        db.session.execute(
            sa.select(sub.c.knowledge_point_id, sa.func.count()).group_by(
                sub.c.knowledge_point_id
            )
        ).all()
    )
    points = knowledge_points()
    counts = {}
    for point_id, count in direct.items():
        node = point_id
        while node is not None and node in points:
            counts[node] = counts.get(node, 0) + count
            node = points[node].parent_id
    return counts, sum(direct.values()), direct.get(None, 0)


def sessions_for(user, status=None):
    """Select the user's practice sessions, newest first."""
    stmt = sa.select(PracticeSession).where(PracticeSession.user_id == user.id)
    if status:
        stmt = stmt.where(PracticeSession.status == status)
    return stmt.order_by(PracticeSession.id.desc())


def own_session(user, session_id):
    """The user's session with this id, or ``None`` (another user's is ``None``)."""
    return db.session.scalar(
        sa.select(PracticeSession).where(
            PracticeSession.id == session_id, PracticeSession.user_id == user.id
        )
    )


def mistakes_for(user, status="active"):
    """Select the user's 错题本 entries, most recent mistake first.

    :param status: "active" (未掌握), "mastered" (已掌握) or "all".
    """
    stmt = sa.select(MistakeEntry).where(MistakeEntry.user_id == user.id)
    if status == "active":
        stmt = stmt.where(MistakeEntry.mastered_at.is_(None))
    elif status == "mastered":
        stmt = stmt.where(MistakeEntry.mastered_at.is_not(None))
    return stmt.order_by(MistakeEntry.last_wrong_at.desc(), MistakeEntry.id.desc())


def mistake_counts(user):
    """(未掌握, 已掌握) entry counts of the user's 错题本."""
    rows = db.session.execute(
        sa.select(MistakeEntry.mastered_at.is_(None), sa.func.count(MistakeEntry.id))
        .where(MistakeEntry.user_id == user.id)
        .group_by(MistakeEntry.mastered_at.is_(None))
    ).all()
    counts = {bool(active): n for active, n in rows}
    return counts.get(True, 0), counts.get(False, 0)


def mistake_pool(user):
    """Select the current versions of the user's re-practisable 错题本 entries:
    not yet mastered, key visible to the user (an exam that hides its answers
    must not leak its key through practice feedback) and still servable."""
    return (
        sa.select(QuestionVersion)
        .join(Question, Question.current_version_id == QuestionVersion.id)
        .join(MistakeEntry, MistakeEntry.question_id == Question.id)
        .where(
            MistakeEntry.user_id == user.id,
            MistakeEntry.mastered_at.is_(None),
            MistakeEntry.key_visible,
            servable(),
        )
        .order_by(MistakeEntry.last_wrong_at.desc(), QuestionVersion.id)
    )


def latest_wrong_record(entry):
    """The answer record behind a 错题本 entry's last mistake (for "你的答案")."""
    return db.session.scalar(
        sa.select(AnswerRecord)
        .where(
            AnswerRecord.user_id == entry.user_id,
            AnswerRecord.question_id == entry.question_id,
            AnswerRecord.correct.is_(False),
        )
        .order_by(AnswerRecord.answered_at.desc(), AnswerRecord.id.desc())
        .limit(1)
    )


def outcomes_for(user):
    """The user's answer log as :class:`exams.practice.mastery.Outcome` rows."""
    rows = db.session.execute(
        sa.select(
            AnswerRecord.knowledge_point_id,
            AnswerRecord.correct,
            AnswerRecord.answered_at,
            AnswerRecord.id,
        ).where(AnswerRecord.user_id == user.id)
    ).all()
    return [Outcome(kp, bool(correct), at, rid) for kp, correct, at, rid in rows]


def mastery_for(user, window=None, min_answers=None):
    """Mastery rows of the user for every knowledge point (see
    :func:`exams.practice.mastery.compute_mastery`)."""
    kwargs = {}
    if window is not None:
        kwargs["window"] = window
    if min_answers is not None:
        kwargs["min_answers"] = min_answers
    return compute_mastery(outcomes_for(user), knowledge_points(), **kwargs)
