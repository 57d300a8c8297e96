"""The daily job: due-soon / overdue notices and one digest per user.

Each collector in :data:`COLLECTORS` returns :class:`DueItem` rows for every user who
has work that is due soon or overdue. Each item becomes one notification keyed by its
object and state (so it is sent once, not daily), and every user with items gets one
digest per day listing all of them.
"""

import importlib
from dataclasses import dataclass
from datetime import date, datetime

from portal.notifications.service import notify
from portal.timeutil import to_local, utcnow

# Dotted paths of functions ``collect(now) -> list[DueItem]``.
COLLECTORS = [
    "portal.notifications.due.opinions",
    "portal.notifications.due.suggestions",
    "portal.notifications.due.suggestion_acceptance",
    "portal.notifications.due.certificates",
    "portal.notifications.due.review_tasks",
    "portal.notifications.due.results_to_release",
]


@dataclass(frozen=True)
class DueItem:
    user_id: int
    kind: str  # a notify() kind, e.g. "opinion_overdue"
    title: str
    link: str | None
    due_at: datetime | date | None
    key: str  # identifies the object and the state, e.g. "opinion:3:overdue"
    overdue: bool = False
    note: str = ""  # replaces the deadline text when set (work without a deadline)


def _resolve(path):
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def collect_due(now=None):
    """All due-soon and overdue items of every collector."""
    now = now or utcnow()
    items = []
    for path in COLLECTORS:
        items.extend(_resolve(path)(now))
    return items


def daily_digest(now=None):
    """Job: notify each due item once and send each user today's digest.

    :return: the number of users who got a digest.
    """
    now = now or utcnow()
    by_user = {}
    for item in collect_due(now):
        notify(
            item.user_id,
            item.kind,
            item.title,
            body=_due_text(item),
            link=item.link,
            dedupe_key=f"due:{item.key}",
        )
        by_user.setdefault(item.user_id, []).append(item)
    day = to_local(now).date().isoformat()
    for user_id, items in by_user.items():
        overdue = sum(1 for i in items if i.overdue)
        lines = [f"· {i.title}（{_due_text(i)}）" for i in items]
        notify(
            user_id,
            "digest",
            f"今日待办：{len(items)} 项（其中已逾期 {overdue} 项）",
            body="\n".join(lines),
            link="/dashboard",
            dedupe_key=f"digest:{day}",
        )
    return len(by_user)


def _due_text(item):
    if item.note:
        return item.note
    if item.due_at is None:
        return "已逾期" if item.overdue else "即将到期"
    due = item.due_at
    when = (to_local(due) if isinstance(due, datetime) else due).strftime("%Y-%m-%d")
    return f"已于 {when} 逾期" if item.overdue else f"期限 {when}"
