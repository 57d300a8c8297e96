"""The life of an exam arrangement after it is created (issue #12): 草稿 → 已发布,
changes before the first start, 延期 and 取消 with a reason.

Decisions (see docs/exams.md):

* An arrangement is *started* once any candidate has started an attempt. Until
  then its window, duration, attempts, tab-switch limit, device rule, release
  policy and candidate list may change; after that every change is refused with
  a Chinese reason (the only way out is 取消 and a new arrangement), because the
  candidates who already sat would have sat a different exam.
* 延期 moves the whole window (and every personal make-up deadline) by the same
  amount; it is a change, so it is allowed only before the first start as well.
* 取消 is allowed at any time before the window ends (also after starts: a
  compromised exam must be stoppable); attempts in progress are left to their
  deadline and nobody can start another.
* Drafts are seen and told to nobody; publishing tells every candidate
  (exam_scheduled); a change tells them again (exam_changed), a cancellation
  with its reason (exam_cancelled). Every action is audited.

Services flush and never commit.
"""

from datetime import timedelta

import sqlalchemy as sa

from exams.papers.models import ArrangementCandidate, ExamArrangement
from exams.papers.services import enrol_candidates, validate_paper
from portal import audit
from portal.exceptions import InvalidState
from portal.extensions import db
from portal.notifications import events as notify_events

# The fields an administrator may change before the first start.
EDITABLE = (
    "name",
    "window_start",
    "window_end",
    "duration_minutes",
    "attempts_allowed",
    "makeup_attempts",
    "tab_switch_limit",
    "allow_device_change",
    "release_policy",
    "show_answers",
)


def started(arrangement):
    """Whether any candidate has started an attempt of the arrangement."""
    from exams.attempts.models import Attempt

    return (
        db.session.scalar(
            sa.select(Attempt.id).where(Attempt.arrangement_id == arrangement.id)
        )
        is not None
    )


def change_refusal(arrangement):
    """Why the arrangement cannot be changed now (Chinese), or None."""
    if arrangement.status == "cancelled":
        return "考试已取消，不能再修改"
    if started(arrangement):
        return "已有考生开始考试，考试时间、时长、名单和规则不能再修改；如确需变更，请取消本场考试后重新安排"
    return None


def _ensure_changeable(arrangement):
    reason = change_refusal(arrangement)
    if reason:
        raise InvalidState(reason)


def _snapshot(arrangement):
    out = {}
    for name in EDITABLE:
        value = getattr(arrangement, name)
        out[name] = value.isoformat(sep=" ") if hasattr(value, "isoformat") else value
    return out


def update_arrangement(arrangement, actor, **fields):
    """Change an arrangement before its first start (audited; candidates of a
    published arrangement are told).

    :param fields: any of :data:`EDITABLE`.
    :return: the names of the fields that changed.
    :raises InvalidState: started, cancelled, or an invalid window.
    """
    _ensure_changeable(arrangement)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise InvalidState("不能修改这些项目：" + "、".join(sorted(unknown)))
    start = fields.get("window_start", arrangement.window_start)
    end = fields.get("window_end", arrangement.window_end)
    if end <= start:
        raise InvalidState("结束时间必须晚于开始时间")
    before = _snapshot(arrangement)
    for name, value in fields.items():
        setattr(arrangement, name, value)
    after = _snapshot(arrangement)
    changed = [name for name in EDITABLE if before[name] != after[name]]
    if not changed:
        return []
    db.session.flush()
    audit.record(
        "arrangement_changed",
        actor,
        arrangement,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    if arrangement.status == "published":
        notify_events.exam_changed(arrangement, "考试安排有变更。", _version(after))
    return changed


def _version(snapshot):
    import hashlib
    import json

    raw = json.dumps(snapshot, sort_keys=True, default=str).encode()
    return hashlib.sha256(raw).hexdigest()[:12]


def postpone(arrangement, actor, new_start):
    """延期: move the window (and personal make-up deadlines) to start at
    ``new_start``, keeping its length.

    :raises InvalidState: started, cancelled, or not later than the current start.
    """
    _ensure_changeable(arrangement)
    if new_start <= arrangement.window_start:
        raise InvalidState("延期后的开始时间必须晚于原开始时间")
    shift = new_start - arrangement.window_start
    before = _snapshot(arrangement)
    arrangement.window_start += shift
    arrangement.window_end += shift
    for entry in arrangement.candidates:
        if entry.makeup_until is not None:
            entry.makeup_until += shift
    db.session.flush()
    after = _snapshot(arrangement)
    audit.record(
        "arrangement_postponed",
        actor,
        arrangement,
        before={"window_start": before["window_start"]},
        after={
            "window_start": after["window_start"],
            "延期": _hours(shift),
        },
    )
    if arrangement.status == "published":
        notify_events.exam_changed(
            arrangement, f"考试延期 {_hours(shift)}。", _version(after)
        )
    return arrangement


def _hours(shift: timedelta):
    minutes = int(shift.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days} 天" if days else "", f"{hours} 小时" if hours else ""]
    parts.append(f"{minutes} 分钟" if minutes else "")
    return "".join(p for p in parts if p) or "0 分钟"


def publish(arrangement, actor):
    """草稿 → 已发布: candidates see it and are told.

    :raises InvalidState: not a draft, or its paper is not usable.
    """
    if arrangement.status != "draft":
        raise InvalidState("只有草稿状态的考试安排可以发布")
    problems = validate_paper(arrangement.paper)
    if problems:
        raise InvalidState("试卷不可用：" + "；".join(problems))
    arrangement.status = "published"
    db.session.flush()
    audit.record(
        "arrangement_published",
        actor,
        arrangement,
        before={"status": "草稿"},
        after={"status": "已发布", "参考人数": len(arrangement.candidates)},
    )
    notify_events.exam_scheduled(arrangement)
    return arrangement


def add_candidates(arrangement, users, actor, *, detail=None):
    """Enrol ``users`` after scheduling (one by hand, or an .xlsx list), audited.
    On a published arrangement :func:`enrol_candidates` tells the new candidates
    (exam_scheduled, once per user: those already on the list hear nothing again).

    :return: the number of candidates added.
    """
    added = enrol_candidates(arrangement, users=users)  # tells new candidates
    if added:
        audit.record(
            "candidates_enrolled",
            actor,
            arrangement,
            label=arrangement.name,
            after={"新增考生": added, **(detail or {})},
        )
    return added


def cancel(arrangement, actor, reason, now):
    """取消 with a reason (audited; candidates are told).

    :raises InvalidState: no reason, already cancelled, or the window is over.
    """
    reason = (reason or "").strip()
    if not reason:
        raise InvalidState("请填写取消原因")
    if arrangement.status == "cancelled":
        raise InvalidState("考试已取消")
    if now >= arrangement.window_end:
        raise InvalidState("考试已结束，不能取消")
    was = arrangement.status
    arrangement.status, arrangement.cancel_reason = "cancelled", reason[:200]
    db.session.flush()
    audit.record(
        "arrangement_cancelled",
        actor,
        arrangement,
        before={"status": was},
        after={"status": "已取消", "reason": arrangement.cancel_reason},
    )
    if was == "published":
        notify_events.exam_cancelled(arrangement)
    return arrangement


def remove_candidate(arrangement, entry, actor):
    """Take a candidate off the list before the first start (audited; a
    published arrangement tells them it is cancelled for them)."""
    _ensure_changeable(arrangement)
    user_id = entry.user_id
    db.session.delete(entry)
    db.session.flush()
    db.session.expire(arrangement, ["candidates"])
    audit.record("candidate_removed", actor, arrangement, after={"user_id": user_id})
    if arrangement.status == "published":
        notify_events.candidate_removed(arrangement, user_id)


def candidate_entry(arrangement_id, user_id):
    return db.session.scalar(
        sa.select(ArrangementCandidate).where(
            ArrangementCandidate.arrangement_id == arrangement_id,
            ArrangementCandidate.user_id == user_id,
        )
    )


__all__ = [
    "EDITABLE",
    "ExamArrangement",
    "cancel",
    "change_refusal",
    "postpone",
    "publish",
    "remove_candidate",
    "started",
    "update_arrangement",
]
