"""The one definition of a candidate's result in an arrangement.

Every page and export that counts passes or shows a candidate's score (考试统计,
the 成绩单 export, item analysis, certificates) asks this module which attempt
counts. The arrangement's ``result_policy`` chooses it:

* ``best`` (default, 最高分): the graded attempt with the highest score; on a tie
  the earlier one.
* ``last`` (最后一次): the last closed attempt.
* ``first`` (首次): the first closed attempt (a 补考 never changes the result).

The result is *pending* (``None``: 阅卷中) while the attempt that could decide it
is not graded yet: for ``first``/``last`` the chosen attempt itself; for ``best``
any closed attempt still waiting for a marker (it could be the best). Attempts in
progress are ignored; a candidate sitting a 补考 keeps the result they have.
"""

import sqlalchemy as sa

from exams.attempts.models import Attempt
from portal.extensions import db

POLICIES = ("best", "last", "first")


def counted_attempt(attempts, policy="best"):
    """The attempt that is the candidate's result, or ``None`` (no result yet).

    :param attempts: one candidate's attempts of one arrangement (any order).
    :param policy: ``best`` | ``last`` | ``first``.
    """
    closed = sorted(
        (a for a in attempts if a.status != "in_progress"), key=lambda a: a.number
    )
    if not closed:
        return None
    if policy == "first":
        chosen = closed[0]
        return chosen if chosen.status == "graded" else None
    if policy == "last":
        chosen = closed[-1]
        return chosen if chosen.status == "graded" else None
    if policy != "best":
        raise ValueError(f"unknown result policy {policy!r}")
    if any(a.status != "graded" for a in closed):
        return None
    # Highest score; on a tie the earlier attempt (max keeps the first maximum).
    return max(closed, key=lambda a: a.score)


def counted_attempts(arrangement, user_ids=None):
    """``{user id: counted attempt}`` for an arrangement (candidates without a
    result are left out)."""
    stmt = sa.select(Attempt).where(Attempt.arrangement_id == arrangement.id)
    if user_ids is not None:
        stmt = stmt.where(Attempt.user_id.in_(list(user_ids)))
    by_user = {}
    for attempt in db.session.scalars(stmt.order_by(Attempt.user_id, Attempt.number)):
        by_user.setdefault(attempt.user_id, []).append(attempt)
    result = {}
    for user_id, attempts in by_user.items():
        chosen = counted_attempt(attempts, arrangement.result_policy)
        if chosen is not None:
            result[user_id] = chosen
    return result


def candidate_result(arrangement_id, user_id):
    """The counted attempt of one candidate, or ``None``."""
    from exams.papers.models import ExamArrangement

    arrangement = db.session.get(ExamArrangement, arrangement_id)
    attempts = db.session.scalars(
        sa.select(Attempt).where(
            Attempt.arrangement_id == arrangement_id, Attempt.user_id == user_id
        )
    ).all()
    return counted_attempt(attempts, arrangement.result_policy)
