"""The one start rule (issue #12): whether a candidate may start an attempt of an
arrangement now, or the Chinese reason why not.

Every page that offers 开始考试 (the dashboard, 我的考试, the 考试须知 page) and
the start endpoint itself ask :func:`check_start`, so a button is shown only when
a start would succeed, and a refusal says the same thing everywhere.

Rules, in the order they are checked:

1. enrolled in a published arrangement (a draft is invisible; a cancelled one
   says 考试已取消 with its reason), not exempt;
2. an attempt in progress is always resumable (continue, until its deadline);
3. 已通过 — a passed candidate does not sit again;
4. 次数已用完 — attempts + 补考 attempts are used up;
5. 待前置考试通过 — the prerequisite (资格-专门 before 资格-通用) is not passed;
6. 未到开考时间 / 已结束 — the window (a personal 补考 deadline extends it);
7. 成绩未公布前不能补考 — a later sitting starts only when the previous attempt
   is graded and its result released to the candidate as failed (the candidate
   must know they failed; a pending manual grade or an unreleased result blocks).
"""

from dataclasses import dataclass

import sqlalchemy as sa

from exams.attempts.models import Attempt
from exams.papers.models import ArrangementCandidate
from portal.extensions import db
from portal.timeutil import to_local


@dataclass(frozen=True)
class StartCheck:
    """The answer of :func:`check_start`."""

    ok: bool
    reason: str = ""  # Chinese, empty when ok
    code: str = ""  # a stable key for tests and templates
    resume: Attempt | None = None  # the attempt in progress (ok: continue it)
    sitting: int = 1  # the number of the attempt a start creates
    closes_at: object = None  # the candidate's window end (make-up deadline)

    @property
    def is_makeup(self):
        return self.sitting > 1


def _passed_ids(user_id):
    return set(
        db.session.scalars(
            sa.select(Attempt.arrangement_id).where(
                Attempt.user_id == user_id, Attempt.passed.is_(True)
            )
        )
    )


def check_start(arrangement, user_id, now, *, entry=None, attempts=None, passed=None):
    """Whether ``user_id`` may start (or resume) ``arrangement`` at ``now``.

    :param entry: the candidate's :class:`ArrangementCandidate` if already loaded.
    :param attempts: the candidate's attempts of this arrangement if loaded.
    :param passed: the ids of arrangements the candidate passed if loaded.
    :return: a :class:`StartCheck`.
    """
    from exams.attempts.services import is_released

    if entry is None:
        entry = db.session.scalar(
            sa.select(ArrangementCandidate).where(
                ArrangementCandidate.arrangement_id == arrangement.id,
                ArrangementCandidate.user_id == user_id,
            )
        )
    if entry is None or arrangement.status == "draft":
        return StartCheck(False, "您不在本次考试名单中", "not_enrolled")
    if arrangement.status == "cancelled":
        return StartCheck(
            False, f"考试已取消：{arrangement.cancel_reason}", "cancelled"
        )
    if entry.is_exempt:
        return StartCheck(False, f"您已免考：{entry.exempt_reason}", "exempt")
    if attempts is None:
        attempts = list(
            db.session.scalars(
                sa.select(Attempt)
                .where(
                    Attempt.arrangement_id == arrangement.id,
                    Attempt.user_id == user_id,
                )
                .order_by(Attempt.number)
            )
        )
    closes_at = arrangement.window_end
    if entry.makeup_until and entry.makeup_until > closes_at:
        closes_at = entry.makeup_until
    current = next((a for a in attempts if a.status == "in_progress"), None)
    if current is not None and now < current.deadline_at:
        return StartCheck(
            True,
            code="resume",
            resume=current,
            sitting=current.number,
            closes_at=closes_at,
        )
    sitting = len(attempts) + 1
    refuse = lambda reason, code: StartCheck(  # noqa: E731
        False, reason, code, sitting=sitting, closes_at=closes_at
    )
    if any(a.passed for a in attempts):
        return refuse("已通过本场考试", "passed")
    allowed = arrangement.attempts_allowed + arrangement.makeup_attempts
    if len(attempts) >= allowed:
        return refuse("考试次数已用完", "used_up")
    if arrangement.prerequisite_id:
        passed = _passed_ids(user_id) if passed is None else passed
        if arrangement.prerequisite_id not in passed:
            name = arrangement.prerequisite.name if arrangement.prerequisite else ""
            return refuse(f"待前置考试通过：须先通过“{name}”", "prerequisite")
    if now < arrangement.window_start:
        start = to_local(arrangement.window_start).strftime("%Y-%m-%d %H:%M")
        return refuse(
            f"未到开考时间（考试尚未开始，{start} 开考，北京时间）", "not_open"
        )
    # The personal make-up deadline applies after the window.
    end = (
        entry.makeup_until
        if (entry.makeup_until and now >= arrangement.window_end)
        else arrangement.window_end
    )
    if now >= end:
        return refuse("考试已结束", "closed")
    if attempts:
        last = attempts[-1]
        if last.status == "in_progress" or not is_released(last, now):
            return refuse(
                "成绩未公布前不能补考：上次考试阅卷完成并公布成绩后，如未通过方可补考",
                "result_pending",
            )
    return StartCheck(True, code="start", sitting=sitting, closes_at=closes_at)
