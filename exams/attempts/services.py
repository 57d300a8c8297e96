"""Taking an exam: start, autosave, events, submit, grading (issue #5, core).

Every rule about time is enforced here, on the server, from ``now`` passed in by
the caller (the view, the periodic job or a test): the deadline is fixed when the
attempt starts and never depends on the browser. Services flush; the edge commits.
"""

import logging
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from exams.attempts.devices import check_device, hash_token
from exams.attempts.eligibility import check_start
from exams.attempts.models import Answer, Attempt, AttemptEvent
from exams.banks.models import QuestionVersion
from exams.certs import services as certificates
from exams.grading import get_question_type
from exams.papers.models import ArrangementCandidate, ExamArrangement
from exams.papers.services import generate_candidate_paper
from portal import audit
from portal.actor import Actor
from portal.exceptions import InvalidState, NotAllowed
from portal.extensions import db
from portal.notifications import events as notify_events
from portal.textclean import clean_value

logger = logging.getLogger(__name__)

# "leave": the exam page was left in the same tab (back, reload, another page).
FOCUS_EVENTS = ("blur", "hidden", "leave")


class AttemptClosed(InvalidState):
    """A save or event arrived after the attempt was closed."""


def passed_arrangement_ids(user_id):
    """Arrangements the user has passed (for prerequisites such as 专门 → 通用)."""
    return set(
        db.session.scalars(
            sa.select(Attempt.arrangement_id).where(
                Attempt.user_id == user_id, Attempt.passed.is_(True)
            )
        )
    )


def start_attempt(arrangement, user, now, device=None, actor=None):
    """Start (or resume) the candidate's attempt; idempotent.

    A refresh, a double click or a second tab gets the attempt in progress. The
    deadline is ``min(now + duration + personal extra time, window end)``, where the
    window end is the candidate's make-up deadline when one applies.

    :param device: the requesting :class:`exams.attempts.devices.Device`; a new attempt is
        bound to it, and resuming from another one is checked against the
        arrangement's device rule.
    :raises NotAllowed: not enrolled, exempt, prerequisite not passed, outside the
        window, or no attempts left.
    :raises DeviceRefused: resuming from another device when that is forbidden (a
        ``device_refused`` event is flushed; commit it).
    :param actor: who starts it (the candidate with the client IP) for the audit
        entry of a new attempt; defaults to the candidate without IP.
    """
    current = _in_progress(arrangement.id, user.id)
    if current is not None:
        if device is not None:
            check_device(current, device, now, claim=True)
        close_if_expired(current, now)
        if current.status == "in_progress":
            return current
    # The one start rule (also behind every 开始考试 button).
    entry = db.session.scalar(
        sa.select(ArrangementCandidate).where(
            ArrangementCandidate.arrangement_id == arrangement.id,
            ArrangementCandidate.user_id == user.id,
        )
    )
    check = check_start(arrangement, user.id, now, entry=entry)
    if not check.ok or check.resume is not None:
        if check.resume is not None:
            return check.resume
        raise NotAllowed(check.reason)
    used = check.sitting - 1
    window_end = arrangement.window_end
    if entry.makeup_until and now > arrangement.window_end:
        window_end = entry.makeup_until
    paper = generate_candidate_paper(arrangement, user.id, sitting=check.sitting)
    db.session.flush()
    duration = timedelta(minutes=arrangement.duration_minutes + entry.extra_minutes)
    attempt = Attempt(
        arrangement_id=arrangement.id,
        user_id=user.id,
        candidate_paper_id=paper.id,
        number=used + 1,
        started_at=now,
        deadline_at=min(now + duration, window_end),
        last_seen_at=now,
        device_hash=hash_token(device.token) if device is not None else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:
        # Another request of the same candidate started it a moment ago.
        return _in_progress(arrangement.id, user.id)
    audit.record(
        "attempt_started",
        actor or Actor(user=user),
        attempt,
        label=f"{arrangement.name} 第 {attempt.number} 次",
    )
    logger.info("Attempt %s started by user %s", attempt.id, user.id)
    return attempt


def in_progress(arrangement_id, user_id):
    """The candidate's attempt in progress for the arrangement, or None."""
    return _in_progress(arrangement_id, user_id)


def _in_progress(arrangement_id, user_id):
    return db.session.scalar(
        sa.select(Attempt).where(
            Attempt.arrangement_id == arrangement_id,
            Attempt.user_id == user_id,
            Attempt.status == "in_progress",
        )
    )


def close_if_expired(attempt, now):
    """Submit an attempt whose deadline has passed (on its next access)."""
    if attempt.status == "in_progress" and now >= attempt.deadline_at:
        submit_attempt(attempt, attempt.deadline_at, reason="deadline")
        return True
    return False


def _answer_row(attempt, position, now):
    """The answer row of an item for writing, created empty if missing.

    Two requests for a new item (an answer and a 标记, or a retried save) may race
    to insert the same (attempt, position): the loser re-reads the winner's row.

    :raises AttemptClosed: the deadline has passed or the attempt was submitted.
    :raises InvalidState: no such item.
    """
    if close_if_expired(attempt, now):
        raise AttemptClosed("考试时间已到，答卷已自动提交，本次修改未保存")
    if attempt.status != "in_progress":
        raise AttemptClosed("答卷已提交，不能再修改")
    # One row, not the attempt's whole answer list: this runs on every autosave.
    # An existing row proves the position valid; only a first save needs the paper.
    answer = _stored_answer(attempt.id, position)
    if answer is not None:
        return answer
    items = attempt.candidate_paper.items
    if not 0 <= position < len(items):
        raise InvalidState("题号无效")
    try:
        with db.session.begin_nested():
            # Through the relationship, so a loaded ``attempt.answers`` (grading
            # later in the same session) sees the new row; unloaded, it stays so.
            answer = Answer(
                attempt=attempt,
                position=position,
                version_id=items[position]["version_id"],
                response=None,
                saved_at=now,
                seq=-1,
            )
            db.session.add(answer)
    except IntegrityError:
        # Another request created it a moment ago: use the winner's row.
        db.session.expire(attempt, ["answers"])
        answer = _stored_answer(attempt.id, position)
    return answer


def _stored_answer(attempt_id, position):
    return db.session.scalar(
        sa.select(Answer).where(
            Answer.attempt_id == attempt_id, Answer.position == position
        )
    )


def save_answer(attempt, position, response, seq, now, flagged=None):
    """Autosave one answer.

    :param position: the item's position (0-based) in the personal paper.
    :param seq: the client's increasing save counter; an older retried save that
        arrives after a newer one is ignored (the newer answer stays).
    :return: the :class:`Answer` as stored.
    :raises AttemptClosed: the deadline has passed or the attempt was submitted.
    """
    response = clean_value(response)  # no lone surrogate reaches the graders
    answer = _answer_row(attempt, position, now)
    if seq >= answer.seq:
        answer.response, answer.seq, answer.saved_at = response, seq, now
        if flagged is not None:
            answer.flagged = bool(flagged)
    attempt.last_seen_at = now
    db.session.flush()
    return answer


def quick_save(attempt_id, user_id, device, position, response, seq, now, flagged=None):
    """The autosave fast path: two UPDATE statements and no ORM object.

    The first statement moves ``last_seen_at`` (a save is a heartbeat) only if
    every rule holds — the attempt is the user's, in progress, before its
    deadline, and the request comes from its device or the arrangement allows
    changing device — and returns the deadline; the attempt's row stays locked
    until the commit, so a concurrent submit grades after this save. The second
    writes the answer only if its row exists and ``seq`` is not older than the
    stored one (the stale-seq rule, in the statement).

    :return: the reply (``seq``, ``flagged``, ``remaining``), or None when the
        fast path cannot decide (a rule fails, a first save of the item, an
        older seq): the caller then takes :func:`save_answer`, which gives the
        precise answer or error. Nothing needs undoing in that case.
    """
    attempts = Attempt.__table__
    arrangements = ExamArrangement.__table__
    digest = hash_token(device.token) if device is not None else None
    device_ok = sa.or_(
        attempts.c.device_hash == digest if digest is not None else sa.false(),
        sa.select(arrangements.c.allow_device_change)
        .where(arrangements.c.id == attempts.c.arrangement_id)
        .scalar_subquery()
        .is_(True),
    )
    deadline = db.session.execute(
        sa.update(attempts)
        .where(
            attempts.c.id == attempt_id,
            attempts.c.user_id == user_id,
            attempts.c.status == "in_progress",
            attempts.c.deadline_at > now,
            device_ok,
        )
        .values(last_seen_at=now)
        .returning(attempts.c.deadline_at)
    ).scalar()
    if deadline is None:
        return None
    answers = Answer.__table__
    values = {"response": response, "seq": seq, "saved_at": now}
    if flagged is not None:
        values["flagged"] = bool(flagged)
    row = db.session.execute(
        sa.update(answers)
        .where(
            answers.c.attempt_id == attempt_id,
            answers.c.position == position,
            answers.c.seq <= seq,
        )
        .values(**values)
        .returning(answers.c.seq, answers.c.flagged)
    ).first()
    if row is None:
        return None
    return {
        "ok": True,
        "seq": row.seq,
        "flagged": row.flagged,
        "remaining": max(0, int((deadline - now).total_seconds())),
    }


def quick_heartbeat(attempt_id, user_id, device, now):
    """The heartbeat fast path: one UPDATE under the same rules as
    :func:`quick_save`. :return: the reply, or None (take the full path)."""
    attempts = Attempt.__table__
    arrangements = ExamArrangement.__table__
    digest = hash_token(device.token) if device is not None else None
    allow = (
        sa.select(arrangements.c.allow_device_change)
        .where(arrangements.c.id == attempts.c.arrangement_id)
        .scalar_subquery()
    )
    limit = (
        sa.select(arrangements.c.tab_switch_limit)
        .where(arrangements.c.id == attempts.c.arrangement_id)
        .scalar_subquery()
    )
    row = db.session.execute(
        sa.update(attempts)
        .where(
            attempts.c.id == attempt_id,
            attempts.c.user_id == user_id,
            attempts.c.status == "in_progress",
            attempts.c.deadline_at > now,
            sa.or_(
                attempts.c.device_hash == digest if digest is not None else sa.false(),
                allow.is_(True),
            ),
        )
        .values(last_seen_at=now)
        .returning(attempts.c.deadline_at, attempts.c.tab_switches, limit)
    ).first()
    if row is None:
        return None
    return {
        "ok": True,
        "status": "in_progress",
        "switches": row[1],
        "limit": row[2],
        "remaining": max(0, int((row[0] - now).total_seconds())),
    }


def set_flag(attempt, position, flagged, now):
    """Mark or unmark an item "to review" (标记), answered or not; the response and
    its save counter are left alone.

    :return: the :class:`Answer` (created empty for an unanswered item).
    :raises AttemptClosed: the deadline has passed or the attempt was submitted.
    """
    answer = _answer_row(attempt, position, now)
    answer.flagged = bool(flagged)
    attempt.last_seen_at = now
    db.session.flush()
    return answer


def record_event(attempt, kind, now, detail="", actor=None):
    """Log a page event; focus losses count, and at the arrangement's limit the
    attempt is submitted (0 = no limit).

    A heartbeat only moves ``last_seen_at``: one row every 30 seconds per
    candidate would drown the timeline and the table, and the last contact is
    what monitoring needs.

    :return: the number of focus losses so far.
    """
    if attempt.status != "in_progress":
        raise AttemptClosed("答卷已提交")
    attempt.last_seen_at = now
    if kind != "heartbeat":
        db.session.add(
            AttemptEvent(
                attempt_id=attempt.id, kind=kind[:20], at=now, detail=detail[:200]
            )
        )
    if kind in FOCUS_EVENTS:
        attempt.tab_switches += 1
        limit = attempt.arrangement.tab_switch_limit
        if limit and attempt.tab_switches >= limit:
            submit_attempt(attempt, now, reason="tab_switch", actor=actor)
    db.session.flush()
    return attempt.tab_switches


def submit_attempt(attempt, now, reason="manual", actor=None):
    """Close and grade an attempt; a second submit (two tabs, double click) changes
    nothing and returns the same result.

    Objective items are graded through the question-type registry with the paper's
    多选 policy; an attempt with subjective items stays ``submitted`` until they are
    graded by hand.
    """
    if attempt.status != "in_progress":
        return attempt
    if db.session.get_bind().dialect.name == "postgresql":
        # Two tabs submitting at once: the second waits and sees it submitted, so
        # the submission is graded and audited once.
        db.session.flush()
        db.session.refresh(attempt, with_for_update=True)
        if attempt.status != "in_progress":
            return attempt
    attempt.status = "submitted"
    attempt.submitted_at = min(now, attempt.deadline_at)
    attempt.submit_reason = reason
    grade_attempt(attempt, now=attempt.submitted_at)
    db.session.flush()
    audit.record(
        "attempt_submitted",
        actor or Actor.system(),
        attempt,
        after={"reason": reason, "score": str(attempt.score)},
    )
    return attempt


def grade_attempt(attempt, actor=None, now=None):
    """(Re)grade every objective answer of an attempt and total the score; a final
    result goes to the certificate service (issuance, regrades, annual review)."""
    paper = attempt.arrangement.paper
    policy = {"multiple": paper.multiple_policy}
    items = attempt.candidate_paper.items
    versions = {
        v.id: v
        for v in db.session.scalars(
            sa.select(QuestionVersion).where(
                QuestionVersion.id.in_([item["version_id"] for item in items])
            )
        )
    }
    answers = {a.position: a for a in attempt.answers}
    total, manual_pending = Decimal(0), False
    for position, item in enumerate(items):
        version = versions[item["version_id"]]
        max_score = Decimal(item["score"])
        answer = answers.get(position)
        qtype = get_question_type(version.type)
        if not qtype.auto_graded:
            if answer is None or _unanswered(answer.response):
                # Nothing written: 0 points and nothing for a grader to read (the
                # attempt must not wait forever for an answer that is not there).
                if answer is not None:
                    answer.score, answer.correct = Decimal(0), False
            elif answer.score is None:
                manual_pending = True
            else:
                total += answer.score
            continue
        spec = _spec_for_grading(version, max_score)
        response = answer.response if answer is not None else None
        result = qtype.grade(spec, response, max_score, policy)
        if answer is not None:
            answer.score, answer.correct = result.score, result.correct
        total += result.score
    attempt.score = total
    if manual_pending:
        attempt.passed = None
    else:
        attempt.status = "graded"
        attempt.passed = total >= paper.pass_mark
        certificates.on_attempt_graded(attempt, actor, now)
    return attempt


def _unanswered(response):
    """Whether a subjective response holds no text at all."""
    if response is None:
        return True
    if isinstance(response, str):
        return not response.strip()
    if isinstance(response, list):
        return not any(str(part).strip() for part in response if part is not None)
    return False


def _spec_for_grading(version, max_score):
    """The stored spec, with blank scores left to the item's score on the paper."""
    spec = dict(version.spec or {})
    if spec.get("type") == "fill_blank":
        spec["blanks"] = [dict(b, score=None) for b in spec.get("blanks", [])]
    return spec


def close_expired(now):
    """Periodic job: submit every attempt past its deadline.

    :return: the number of attempts closed.
    """
    expired = db.session.scalars(
        sa.select(Attempt).where(
            Attempt.status == "in_progress", Attempt.deadline_at <= now
        )
    ).all()
    for attempt in expired:
        submit_attempt(attempt, attempt.deadline_at, reason="deadline")
    return len(expired)


def results_released(arrangement, now):
    """Whether the arrangement's release policy lets candidates see results now."""
    if arrangement.release_policy == "immediate":
        return True
    if arrangement.release_policy == "after_window":
        return now >= arrangement.window_end
    return arrangement.results_released_at is not None


def is_released(attempt, now):
    """Whether the candidate may see this attempt's score and pass/fail now: it is
    fully graded and the arrangement's results are released."""
    return attempt.status == "graded" and results_released(attempt.arrangement, now)


def remaining_seconds(attempt, now):
    """Seconds left before the server deadline (0 when past)."""
    return max(0, int((attempt.deadline_at - now).total_seconds()))


def pending_manual_answers(bank_ids=None):
    """Answers of subjective items in submitted attempts still waiting for a score,
    oldest first. Candidates are not named: graders see the answer only."""
    stmt = (
        sa.select(Answer)
        .join(Attempt, Answer.attempt_id == Attempt.id)
        .join(QuestionVersion, Answer.version_id == QuestionVersion.id)
        .where(
            Attempt.status == "submitted",
            Answer.score.is_(None),
            QuestionVersion.type.in_(("essay", "case")),
        )
        .order_by(Attempt.submitted_at, Answer.id)
    )
    if bank_ids is not None:
        from exams.banks.models import Question

        stmt = stmt.join(Question, QuestionVersion.question_id == Question.id).where(
            Question.bank_id.in_(bank_ids)
        )
    return stmt


def grade_manually(answer, score, actor, comment=""):
    """Score one subjective answer; the attempt is final when none is left.

    Recorded as a mark (:func:`exams.results.marking.mark_answer`: 初评, 二评 or
    仲裁 as the arrangement's 双评 setting requires).

    :raises InvalidState: the score is outside 0 … the item's score.
    """
    from exams.results.marking import mark_answer

    mark_answer(answer, score, actor, comment)
    return answer.attempt


def correct_key(version, new_spec, actor):
    """Correct the key of a question version and regrade every attempt that used it.

    A key correction fixes an error in the version candidates actually saw, so it
    changes that version (no new version) and is audited with before and after.

    :return: the number of attempts regraded.
    """
    from exams.grading import get_question_type

    errors = get_question_type(version.type).validate(new_spec)
    if errors:
        raise InvalidState("；".join(errors))
    before = version.spec
    version.spec = dict(new_spec)
    affected = db.session.scalars(
        sa.select(Attempt)
        .join(Answer, Answer.attempt_id == Attempt.id)
        .where(Answer.version_id == version.id, Attempt.status != "in_progress")
        .distinct()
    ).all()
    before_scores = notify_events.scores_of(affected)
    for attempt in affected:
        grade_attempt(attempt, actor)
    db.session.flush()
    notify_events.scores_changed(affected, before_scores)
    audit.record(
        "key_corrected",
        actor,
        version.question,
        before=before,
        after={"spec": new_spec, "attempts_regraded": len(affected)},
    )
    return len(affected)
