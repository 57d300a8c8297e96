"""成绩复核 (result appeals).

* A candidate may file one appeal per attempt, with a reason, once the attempt's
  result is released and within the arrangement's ``appeal_days`` (default 7)
  after the release: the manual release time, the window end (``after_window``)
  or the submission (``immediate``).
* A training administrator accepts it (the attempt's subjective answers are then
  re-marked by a marker who did not mark them, :func:`exams.results.marking.
  review_mark`; objective items are regraded at once) or rejects it with a reason.
* The candidate is told of the decision and, after the re-mark, of the score
  before and after. Everything is audited.
"""

from datetime import timedelta

import sqlalchemy as sa

from exams.attempts.services import grade_attempt, is_released
from exams.results.marking import SUBJECTIVE, marks_of, review_mark
from exams.results.models import ResultAppeal
from portal import audit
from portal.exceptions import InvalidState
from portal.extensions import db
from portal.notifications import events as notify_events


def released_at(attempt):
    """When the attempt's result became visible (for the appeal period)."""
    arrangement = attempt.arrangement
    if arrangement.release_policy == "manual":
        return arrangement.results_released_at
    if arrangement.release_policy == "after_window":
        return arrangement.window_end
    return attempt.submitted_at


def appeal_deadline(attempt):
    start = released_at(attempt)
    if start is None:
        return None
    return start + timedelta(days=attempt.arrangement.appeal_days)


def appeal_of(attempt_id):
    return db.session.scalar(
        sa.select(ResultAppeal).where(ResultAppeal.attempt_id == attempt_id)
    )


def appeal_blocker(attempt, now):
    """Why the candidate cannot appeal now (Chinese), or ``None``."""
    if not is_released(attempt, now):
        return "成绩公布后才能申请复核"
    if appeal_of(attempt.id) is not None:
        return "每次考试只能申请一次成绩复核"
    deadline = appeal_deadline(attempt)
    if deadline is None or now > deadline:
        return "已超过成绩复核申请期限"
    return None


def file_appeal(attempt, user, reason, actor, now):
    """The candidate's 成绩复核 request.

    :raises InvalidState: not the candidate's attempt, no reason, or
        :func:`appeal_blocker`.
    """
    if attempt.user_id != user.id:
        raise InvalidState("只能对本人的成绩申请复核")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidState("请填写申请复核的理由")
    if len(reason) > 1000:
        raise InvalidState("理由不能超过 1000 字")
    blocker = appeal_blocker(attempt, now)
    if blocker:
        raise InvalidState(blocker)
    appeal = ResultAppeal(
        attempt_id=attempt.id,
        arrangement_id=attempt.arrangement_id,
        user_id=user.id,
        reason=reason,
        status="pending",
        score_before=attempt.score,
        created_at=now,
    )
    db.session.add(appeal)
    db.session.flush()
    audit.record("appeal_filed", actor, appeal, after={"reason": reason[:200]})
    return appeal


def review_answers(appeal):
    """The subjective answers an accepted appeal re-marks (blank answers excepted)."""
    return [
        a
        for a in appeal.attempt.answers
        if a.version.type in SUBJECTIVE
        and isinstance(a.response, str)
        and a.response.strip()
    ]


def remaining(appeal):
    """Answers of an accepted appeal still waiting for their re-mark."""
    answers = review_answers(appeal)
    marks = marks_of([a.id for a in answers])
    return [
        a
        for a in answers
        if not any(m.appeal_id == appeal.id for m in marks.get(a.id, []))
    ]


def _resolve(appeal, actor, now):
    attempt = appeal.attempt
    grade_attempt(attempt, actor, now)
    appeal.status = "resolved"
    appeal.score_after = attempt.score
    appeal.resolved_at = now
    db.session.flush()
    audit.record(
        "appeal_resolved",
        actor,
        appeal,
        before={"score": str(appeal.score_before)},
        after={"score": str(appeal.score_after)},
    )
    notify_events.appeal_decided(appeal)


def decide_appeal(appeal, accept, reason, actor, now):
    """Accept (re-mark by another marker) or reject (with a reason) an appeal."""
    if appeal.status != "pending":
        raise InvalidState("该复核申请已处理")
    reason = (reason or "").strip()
    if not accept and not reason:
        raise InvalidState("不予复核须填写理由")
    appeal.status = "accepted" if accept else "rejected"
    appeal.decision_reason = reason[:500]
    appeal.decided_by_id = actor.user.id if actor.user is not None else None
    appeal.decided_at = now
    appeal.score_before = appeal.attempt.score
    db.session.flush()
    audit.record(
        "appeal_decided",
        actor,
        appeal,
        after={"status": appeal.status, "reason": appeal.decision_reason},
    )
    if accept and not review_answers(appeal):
        # Only objective items: regrading with the current keys is the review.
        _resolve(appeal, actor, now)
        return appeal
    notify_events.appeal_decided(appeal)
    return appeal


def remark(appeal, answer, score, actor, comment, now):
    """The re-mark of one answer of an accepted appeal; the appeal is resolved
    (candidate told the score before and after) when the last one is done."""
    if appeal.status != "accepted":
        raise InvalidState("该复核申请不在复核评分中")
    if answer.attempt_id != appeal.attempt_id:
        raise InvalidState("该答案不属于此复核申请")
    review_mark(answer, appeal, score, actor, comment, now)
    if not remaining(appeal):
        _resolve(appeal, actor, now)
    return appeal


def appeals_of(arrangement_id):
    return db.session.scalars(
        sa.select(ResultAppeal)
        .where(ResultAppeal.arrangement_id == arrangement_id)
        .order_by(ResultAppeal.created_at.desc(), ResultAppeal.id.desc())
    ).all()
