"""Releasing results and what a candidate may see of an attempt (issue #5).

Release by hand (``release_policy = 'manual'``) is a service: it changes state,
flushes and is audited; the view commits. The rest of the module reads: the
release note shown before results are visible, the attempts summary (补考) and the
answer review with keys, which is shown only when

* the arrangement's results are released and the attempt is graded,
* the arrangement allows it (``show_answers``), and
* the candidate cannot sit this arrangement again: a 补考 uses the same personal
  paper, so its keys must stay hidden until the candidate has passed, has used
  every attempt, or their window (make-up deadline included) has closed.
"""

import logging
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from exams.attempts.models import Attempt
from exams.attempts.services import is_released
from exams.banks.models import QuestionVersion
from exams.grading.base import ResponseFormatError
from exams.grading.choice import parse_letters, parse_true_false
from exams.grading.fill_blank import normalise_text
from exams.papers.models import ArrangementCandidate
from portal import audit
from portal.exceptions import InvalidState
from portal.extensions import db
from portal.notifications import events as notify_events
from portal.timeutil import to_local

logger = logging.getLogger(__name__)

LETTERS = "ABCDEFGH"
TYPE_LABELS = {
    "single": "单选题",
    "multiple": "多选题",
    "true_false": "判断题",
    "fill_blank": "填空题",
    "essay": "简答题",
    "case": "案例分析题",
}


# Services ---------------------------------------------------------------------


def _open_attempts(arrangement):
    """(attempts in progress, attempts waiting for a marker) of an arrangement."""
    rows = db.session.execute(
        sa.select(Attempt.status, sa.func.count(Attempt.id))
        .where(
            Attempt.arrangement_id == arrangement.id,
            Attempt.status.in_(("in_progress", "submitted")),
        )
        .group_by(Attempt.status)
    ).all()
    counts = dict(rows)
    return counts.get("in_progress", 0), counts.get("submitted", 0)


def release_blocker(arrangement, now):
    """Why results cannot be released by hand now (Chinese), or ``None``.

    Release is allowed as soon as marking is done: nobody is sitting, every
    submitted answer is graded and at least one attempt is graded, even before the
    window closes. Before the window closes it is refused when answers are shown
    to candidates (a candidate who has not sat yet could learn the keys).
    """
    if arrangement.release_policy != "manual":
        return "本次考试的成绩按设定自动公布，无需人工公布"
    sitting, grading = _open_attempts(arrangement)
    if sitting:
        return f"还有 {sitting} 名考生正在考试，不能公布成绩"
    if grading:
        return f"还有 {grading} 份答卷未评完，阅卷完成后才能公布成绩"
    graded = db.session.scalar(
        sa.select(sa.func.count(Attempt.id)).where(
            Attempt.arrangement_id == arrangement.id, Attempt.status == "graded"
        )
    )
    if not graded:
        return "还没有已评分的答卷"
    if now < arrangement.window_end and arrangement.show_answers:
        return "考试尚未结束，且本次考试向考生公开答案，不能提前公布成绩"
    return None


def release_results(arrangement, actor, now):
    """Release an arrangement's results by hand (公布成绩); idempotent.

    :return: ``True`` when released now, ``False`` when it already was.
    :raises InvalidState: see :func:`release_blocker`.
    """
    if arrangement.release_policy == "manual" and arrangement.results_released_at:
        return False
    blocker = release_blocker(arrangement, now)
    if blocker:
        raise InvalidState(blocker)
    arrangement.results_released_at = now
    db.session.flush()
    audit.record(
        "results_released",
        actor,
        arrangement,
        after={
            "released_at": now.isoformat(timespec="seconds"),
            "show_answers": arrangement.show_answers,
            "before_window_end": now < arrangement.window_end,
        },
    )
    logger.info("Results of arrangement %s released by %s", arrangement.id, actor.label)
    notify_events.results_released(arrangement)
    return True


def withdraw_results(arrangement, actor, reason):
    """Withdraw a manual release (撤回公布) with a reason; idempotent.

    Candidates who looked meanwhile have seen their result; they are told of the
    withdrawal and its reason. For a release made by mistake, not for corrections
    (a key correction regrades by itself).

    :return: ``True`` when withdrawn now, ``False`` when nothing was released.
    :raises InvalidState: the arrangement does not release by hand, or no reason.
    """
    if arrangement.release_policy != "manual":
        raise InvalidState("本次考试的成绩按设定自动公布，不能撤回")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidState("请填写撤回原因")
    if arrangement.results_released_at is None:
        return False
    before = arrangement.results_released_at
    arrangement.results_released_at = None
    db.session.flush()
    audit.record(
        "results_withdrawn",
        actor,
        arrangement,
        before={"released_at": before.isoformat(timespec="seconds")},
        after={"reason": reason[:200]},
    )
    logger.info(
        "Results of arrangement %s withdrawn by %s", arrangement.id, actor.label
    )
    notify_events.results_withdrawn(arrangement, reason[:200])
    return True


# Reads --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReleaseStatus:
    """What the arrangement page says about results (for administrators)."""

    policy: str
    released: bool
    released_at: object  # datetime | None
    pending_grading: int
    can_release: bool
    can_withdraw: bool
    blocker: str | None = None


def release_status(arrangement, now):
    """Whether results are visible now, and what an administrator may do."""
    from exams.attempts.services import results_released

    _, pending = _open_attempts(arrangement)
    manual = arrangement.release_policy == "manual"
    released = results_released(arrangement, now)
    blocker = None if released or not manual else release_blocker(arrangement, now)
    return ReleaseStatus(
        policy=arrangement.release_policy,
        released=released,
        released_at=arrangement.results_released_at,
        pending_grading=pending,
        can_release=manual and not released and blocker is None,
        can_withdraw=manual and released,
        blocker=blocker,
    )


def release_note(attempt):
    """When the candidate will see the result (before release), in Chinese."""
    arrangement = attempt.arrangement
    if arrangement.release_policy == "immediate":
        return "成绩将在阅卷完成后立即公布"
    if arrangement.release_policy == "after_window":
        end = to_local(arrangement.window_end).strftime("%Y-%m-%d %H:%M")
        return f"成绩将于 {end}（北京时间）考试结束后公布"
    if arrangement.results_released_at is not None:
        return "成绩已公布，阅卷完成后即可查看"
    return "成绩将由管理员统一公布，请留意通知"


@dataclass(frozen=True)
class AttemptsSummary:
    used: int
    allowed: int
    makeup: int
    passed: bool
    remaining: int
    deadline: object  # the candidate's last moment to sit (UTC)
    can_sit_again: bool
    sitting_now: bool


def attempts_summary(attempt, now):
    """Attempts used and whether a 补考 remains for this candidate."""
    arrangement = attempt.arrangement
    mine = db.session.scalars(
        sa.select(Attempt).where(
            Attempt.arrangement_id == arrangement.id,
            Attempt.user_id == attempt.user_id,
        )
    ).all()
    entry = db.session.scalar(
        sa.select(ArrangementCandidate).where(
            ArrangementCandidate.arrangement_id == arrangement.id,
            ArrangementCandidate.user_id == attempt.user_id,
        )
    )
    deadline = arrangement.window_end
    if entry is not None and entry.makeup_until and entry.makeup_until > deadline:
        deadline = entry.makeup_until
    allowed = arrangement.attempts_allowed + arrangement.makeup_attempts
    passed = any(a.passed for a in mine)
    remaining = max(0, allowed - len(mine))
    exempt = entry is None or entry.is_exempt
    return AttemptsSummary(
        used=len(mine),
        allowed=allowed,
        makeup=arrangement.makeup_attempts,
        passed=passed,
        remaining=remaining,
        deadline=deadline,
        can_sit_again=not passed and not exempt and remaining > 0 and now < deadline,
        sitting_now=any(a.status == "in_progress" for a in mine),
    )


def answers_visible(attempt, now, summary=None):
    """Whether the candidate may see keys, explanations and legal basis now (see
    the module docstring)."""
    if not attempt.arrangement.show_answers or not is_released(attempt, now):
        return False
    summary = summary or attempts_summary(attempt, now)
    return not summary.can_sit_again and not summary.sitting_now


@dataclass
class ReviewItem:
    """One question of the attempt as the candidate saw it, with the key."""

    number: int
    type: str
    type_label: str
    stem: str
    max_score: Decimal
    score: Decimal | None
    verdict: str  # 正确 | 部分正确 | 错误 | 未作答 | 待评阅
    options: list = field(default_factory=list)  # (letter, text, chosen, is_key)
    your_answer: str = ""
    key: str = ""
    blanks: list = field(default_factory=list)  # (your answer, accepted, hit)
    rubric: list = field(default_factory=list)  # (point, score)
    explanation: str = ""
    legal_basis: str = ""
    law_citation: str = ""
    law_text: str = ""


def _verdict(answer, response):
    if _empty(response):
        return "未作答"
    if answer is None or answer.score is None:
        return "待评阅"  # objective answers always carry a score once graded
    if answer.correct:
        return "正确"
    return "部分正确" if answer.score > 0 else "错误"


def _empty(response):
    if response is None:
        return True
    if isinstance(response, str):
        return not response.strip()
    if isinstance(response, list | tuple):
        return not any(str(part).strip() for part in response if part is not None)
    return False


def _letters(response):
    try:
        return parse_letters(response)
    except ResponseFormatError:
        return ()


def _true_false(value):
    try:
        parsed = parse_true_false(value)
    except ResponseFormatError:
        return ""
    if parsed is None:
        return ""
    return "正确" if parsed else "错误"


def review_items(attempt):
    """The attempt's questions in the candidate's order with their answers, keys,
    scores, explanations and legal basis.

    Choice options are listed in the candidate's shuffled order and lettered A, B …
    as on the exam page; the candidate's choices and the key are translated from
    the stored (original) letters into those displayed letters.
    """
    items = attempt.candidate_paper.items
    versions = {
        v.id: v
        for v in db.session.scalars(
            sa.select(QuestionVersion).where(
                QuestionVersion.id.in_([i["version_id"] for i in items])
            )
        )
    }
    answers = {a.position: a for a in attempt.answers}
    review = []
    for position, item in enumerate(items):
        version = versions[item["version_id"]]
        spec = version.spec or {}
        answer = answers.get(position)
        response = answer.response if answer is not None else None
        entry = ReviewItem(
            number=position + 1,
            type=version.type,
            type_label=TYPE_LABELS.get(version.type, version.type),
            stem=version.stem,
            max_score=Decimal(item["score"]),
            # Two decimals like a graded answer (an unanswered item showed "0").
            score=answer.score if answer is not None else Decimal("0.00"),
            verdict=_verdict(answer, response),
            explanation=version.explanation or "",
            legal_basis=version.legal_basis or "",
        )
        if version.law_article is not None:
            entry.law_citation = version.law_article.citation
            entry.law_text = version.law_article.text
        _fill_answer(entry, version.type, spec, item, response)
        review.append(entry)
    return review


def _fill_answer(entry, type_id, spec, item, response):
    if type_id in ("single", "multiple"):
        order = item.get("options") or sorted(spec.get("options", {}))
        display = {original: LETTERS[i] for i, original in enumerate(order)}
        chosen = set(_letters(response))
        key = set(_letters(spec.get("key")))
        entry.options = [
            (display[o], spec["options"].get(o, ""), o in chosen, o in key)
            for o in order
        ]
        entry.your_answer = "".join(sorted(display[o] for o in chosen if o in display))
        entry.key = "".join(sorted(display[o] for o in key if o in display))
    elif type_id == "true_false":
        entry.your_answer = _true_false(response)
        entry.key = _true_false(spec.get("key"))
    elif type_id == "fill_blank":
        given = response if isinstance(response, list) else []
        hits = entry.verdict == "正确"
        for index, blank in enumerate(spec.get("blanks", [])):
            mine = str(given[index]) if index < len(given) and given[index] else ""
            accepted = blank.get("accepted", [])
            entry.blanks.append((mine, "／".join(accepted), hits or _hit(mine, blank)))
    else:
        entry.your_answer = response if isinstance(response, str) else ""
        entry.key = spec.get("reference_answer") or ""
        entry.rubric = [
            (point.get("point") or "", point.get("score"))
            for point in spec.get("rubric") or []
            if isinstance(point, dict)
        ]


def _hit(mine, blank):
    wanted = normalise_text(mine)
    return bool(wanted) and any(
        wanted == normalise_text(a) for a in blank.get("accepted", [])
    )


def result_page(attempt, now):
    """Everything the candidate's result page may show, and nothing more: the
    review (with keys) is built only when :func:`answers_visible` allows it.

    :return: a dict of template variables.
    """
    from exams.results import appeals

    released = is_released(attempt, now)
    summary = attempts_summary(attempt, now)
    visible = released and answers_visible(attempt, now, summary)
    appeal = appeals.appeal_of(attempt.id)
    return {
        "appeal": appeal,
        "appeal_blocker": appeals.appeal_blocker(attempt, now) if released else None,
        "appeal_deadline": appeals.appeal_deadline(attempt) if released else None,
        "attempt": attempt,
        "released": released,
        "grading": attempt.status == "submitted",
        "note": None if released else release_note(attempt),
        "summary": summary if released else None,
        "show_answers": visible,
        "answers_later": released and attempt.arrangement.show_answers and not visible,
        "review": review_items(attempt) if visible else [],
    }


# Settings -----------------------------------------------------------------------


def update_result_settings(
    arrangement, actor, *, result_policy, double_marking, marking_tolerance, appeal_days
):
    """成绩与阅卷设置 of an arrangement (audited with before and after).

    * ``result_policy`` (best / last / first) only until the first attempt is
      graded: afterwards it would change who passed, and certificates issued on
      the old rule.
    * ``double_marking`` and ``marking_tolerance`` only until the first
      subjective answer of the arrangement is marked.
    * ``appeal_days`` (0–60) at any time.

    :raises InvalidState: a locked setting changed, or a value out of range.
    """
    from exams.attempts.models import Answer
    from exams.papers.models import RESULT_POLICIES
    from exams.results.models import AnswerMark

    if result_policy not in RESULT_POLICIES:
        raise InvalidState("未知的成绩认定方式")
    if marking_tolerance is None or marking_tolerance < 0:
        raise InvalidState("双评允许误差不能为负数")
    if appeal_days is None or not 0 <= appeal_days <= 60:
        raise InvalidState("复核申请期限应在 0 至 60 天之间")
    graded = db.session.scalar(
        sa.select(sa.func.count(Attempt.id)).where(
            Attempt.arrangement_id == arrangement.id, Attempt.status == "graded"
        )
    )
    if graded and result_policy != arrangement.result_policy:
        raise InvalidState("已有评分完成的答卷，不能再更改成绩认定方式")
    marked = db.session.scalar(
        sa.select(sa.func.count(AnswerMark.id))
        .join(Answer, AnswerMark.answer_id == Answer.id)
        .join(Attempt, Answer.attempt_id == Attempt.id)
        .where(Attempt.arrangement_id == arrangement.id)
    )
    if marked and (
        double_marking != arrangement.double_marking
        or marking_tolerance != arrangement.marking_tolerance
    ):
        raise InvalidState("已开始阅卷，不能再更改双评设置")
    before = {
        "result_policy": arrangement.result_policy,
        "double_marking": arrangement.double_marking,
        "marking_tolerance": str(arrangement.marking_tolerance),
        "appeal_days": arrangement.appeal_days,
    }
    arrangement.result_policy = result_policy
    arrangement.double_marking = double_marking
    arrangement.marking_tolerance = marking_tolerance
    arrangement.appeal_days = appeal_days
    db.session.flush()
    after = {
        "result_policy": result_policy,
        "double_marking": double_marking,
        "marking_tolerance": str(marking_tolerance),
        "appeal_days": appeal_days,
    }
    if after != before:
        audit.record(
            "result_settings_changed", actor, arrangement, before=before, after=after
        )
    return arrangement
