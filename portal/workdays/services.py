"""Changes to the working-day calendar (flush, never commit; every change audited)."""

import json
from datetime import date
from importlib import resources

from portal import audit
from portal.exceptions import ValidationFailed
from portal.extensions import db
from portal.workdays.models import CalendarDay


def bundled_schedule() -> dict:
    """The holiday schedules shipped with the portal (``resources/holidays_cn.json``)."""
    text = (
        resources.files("portal.workdays")
        .joinpath("resources/holidays_cn.json")
        .read_text(encoding="utf-8")
    )
    return json.loads(text)


def _state(day):
    return {"日期": day.day.isoformat(), "上班": day.is_workday, "说明": day.note}


def set_day(day: date, is_workday: bool, note: str, actor) -> CalendarDay:
    """Store ``day`` as a holiday or a working day (replacing an earlier entry)."""
    note = (note or "").strip()
    if len(note) > 50:
        raise ValidationFailed("说明不能超过 50 个字")
    entry = db.session.get(CalendarDay, day)
    before = _state(entry) if entry else None
    if entry is None:
        entry = CalendarDay(day=day, is_workday=is_workday, note=note)
        db.session.add(entry)
    else:
        entry.is_workday = is_workday
        entry.note = note
    entry.updated_by_id = actor.user.id if actor.user is not None else None
    db.session.flush()
    audit.record("workday_set", actor, entry, before=before, after=_state(entry))
    return entry


def remove_day(day: date, actor) -> None:
    """Drop the override of ``day``: it follows the Monday–Friday rule again."""
    entry = db.session.get(CalendarDay, day)
    if entry is None:
        raise ValidationFailed("该日期没有特别安排")
    audit.record("workday_removed", actor, entry, before=_state(entry))
    db.session.delete(entry)
    db.session.flush()


def load_bundled_year(year: int, actor) -> int:
    """Enter the shipped schedule of ``year``; existing entries of those days are
    overwritten, others kept. Returns the number of days entered."""
    schedule = bundled_schedule()["years"].get(str(year))
    if schedule is None:
        raise ValidationFailed(
            f"系统未内置 {year} 年的节假日安排，请按国务院通知逐日录入"
        )
    count = 0
    for kind, is_workday in (("holidays", False), ("workdays", True)):
        for iso, note in schedule[kind]:
            set_day(date.fromisoformat(iso), is_workday, note, actor)
            count += 1
    return count
