"""Read helpers for monitoring attempts (issue #5): the attempts of an
arrangement and one attempt's event timeline. Views: :mod:`exams.attempts.monitor_views`.

Heartbeats are not events: they only move ``Attempt.last_seen_at`` (see
:func:`exams.attempts.services.record_event`), so a timeline lists what happened rather
than one row every 30 seconds.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from exams.attempts.models import Attempt, AttemptEvent
from exams.papers.models import ArrangementCandidate
from portal.auth.models import User
from portal.extensions import db

EVENT_LABELS = {
    "start": "开始作答",
    "submit": "交卷",
    "blur": "切出页面（窗口失去焦点）",
    "hidden": "页面隐藏（切换标签页或锁屏）",
    "leave": "离开考试页面（返回、刷新或打开其他网页）",
    "visible": "返回页面",
    "paste": "粘贴（已阻止）",
    "heartbeat": "心跳",
    "device_refused": "设备拒绝（其他设备尝试作答）",
    "device_changed": "更换设备",
    "device_released": "管理员允许更换设备",
}
STATUS_LABELS = {
    "in_progress": "作答中",
    "submitted": "已交卷（待阅卷）",
    "graded": "已评分",
}
SUBMIT_REASONS = {
    "manual": "主动交卷",
    "deadline": "时间到自动交卷",
    "tab_switch": "切屏次数过多自动交卷",
}
# Events that count as leaving the exam page (shown highlighted).
WARNING_KINDS = {"blur", "hidden", "leave", "paste", "device_refused"}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    label: str
    detail: str = ""

    @property
    def is_warning(self):
        return self.kind in WARNING_KINDS


def arrangement_attempts(arrangement_id):
    """Attempts of an arrangement with their candidates, by candidate then number.

    :return: a ``Select`` of (Attempt, User) rows.
    """
    return (
        sa.select(Attempt, User)
        .join(User, Attempt.user_id == User.id)
        .options(so.joinedload(User.organisation))
        .where(Attempt.arrangement_id == arrangement_id)
        .order_by(User.name, User.id, Attempt.number)
    )


def candidates_without_attempt(arrangement_id):
    """How many enrolled, non-exempt candidates have not started yet."""
    started = sa.select(Attempt.user_id).where(Attempt.arrangement_id == arrangement_id)
    return db.session.scalar(
        sa.select(sa.func.count(ArrangementCandidate.id)).where(
            ArrangementCandidate.arrangement_id == arrangement_id,
            ArrangementCandidate.is_exempt.is_(False),
            ArrangementCandidate.user_id.not_in(started),
        )
    )


def attempt_timeline(attempt):
    """Everything that happened in an attempt, oldest first: its start, every
    stored event (focus losses, returns, device checks) and its submission.

    :return: a list of :class:`TimelineEntry` (times in stored UTC).
    """
    entries = [TimelineEntry(attempt.started_at, "start", EVENT_LABELS["start"], "")]
    events = db.session.scalars(
        sa.select(AttemptEvent)
        .where(AttemptEvent.attempt_id == attempt.id)
        .order_by(AttemptEvent.at, AttemptEvent.id)
    )
    for event in events:
        entries.append(
            TimelineEntry(
                event.at,
                event.kind,
                EVENT_LABELS.get(event.kind, event.kind),
                event.detail,
            )
        )
    if attempt.submitted_at is not None:
        entries.append(
            TimelineEntry(
                attempt.submitted_at,
                "submit",
                EVENT_LABELS["submit"],
                SUBMIT_REASONS.get(attempt.submit_reason, attempt.submit_reason),
            )
        )
    # A submission at the deadline may be recorded after later events: sort.
    return sorted(entries, key=lambda e: (e.at, e.kind == "submit"))
