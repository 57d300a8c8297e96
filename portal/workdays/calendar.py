"""Working-day arithmetic, free of the database (the queries load a Calendar).

The day a period starts from is not counted (期间开始的日，不计算在期间内, as in the
civil procedure rules for periods): 15 working days from a Friday sent opinion end on
the third Friday after it, holidays excluded.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum


class DeadlineFlag(StrEnum):
    OK = "ok"
    WARNING = "warning"  # yellow: the deadline is near
    OVERDUE = "overdue"  # red
    DONE = "done"  # answered in time or closed; no flag

    @property
    def label(self):
        return {
            "ok": "办理中",
            "warning": "即将到期",
            "overdue": "已逾期",
            "done": "已完成",
        }[self]

    @property
    def css(self):
        return {
            "ok": "text-bg-secondary",
            "warning": "text-bg-warning",
            "overdue": "text-bg-danger",
            "done": "text-bg-success",
        }[self]


@dataclass(frozen=True)
class Calendar:
    """Weekends off, Monday–Friday on, except the ``overrides`` (date → is working)."""

    overrides: dict[date, bool] = field(default_factory=dict)

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return day.weekday() < 5

    def add_workdays(self, start: date, count: int) -> date:
        """The ``count``-th working day after ``start`` (``start`` itself not counted)."""
        if count < 0:
            raise ValueError("count must not be negative")
        day = start
        remaining = count
        while remaining:
            day += timedelta(days=1)
            if self.is_workday(day):
                remaining -= 1
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 if end ≤ start)."""
        days = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_workday(day):
                days += 1
        return days

    def flag(self, due: date, today: date, warn_workdays: int) -> DeadlineFlag:
        """Red once ``today`` is past ``due``; yellow when ``due`` is at most
        ``warn_workdays`` working days away (so ``warn_workdays=3`` turns yellow three
        working days before the deadline, and the deadline day itself is yellow).
        """
        if today > due:
            return DeadlineFlag.OVERDUE
        if self.workdays_between(today, due) <= warn_workdays:
            return DeadlineFlag.WARNING
        return DeadlineFlag.OK
