"""Reads of the calendar overrides."""

from datetime import date

import sqlalchemy as sa

from portal.extensions import db
from portal.workdays.calendar import Calendar
from portal.workdays.models import CalendarDay


def calendar() -> Calendar:
    """The calendar with every stored override (a few dozen rows per year)."""
    rows = db.session.execute(sa.select(CalendarDay.day, CalendarDay.is_workday))
    return Calendar(overrides={row.day: row.is_workday for row in rows})


def days_of_year(year: int) -> list[CalendarDay]:
    return list(
        db.session.scalars(
            sa.select(CalendarDay)
            .where(CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31)))
            .order_by(CalendarDay.day)
        )
    )


def years_with_entries() -> list[int]:
    days = db.session.scalars(sa.select(CalendarDay.day)).all()
    return sorted({d.year for d in days})


def years_with_holidays() -> list[int]:
    """Years with at least one holiday entered (a lone 调休 working day does not
    make a year's schedule entered)."""
    days = db.session.scalars(
        sa.select(CalendarDay.day).where(CalendarDay.is_workday.is_(False))
    ).all()
    return sorted({d.year for d in days})


def missing_years(*years: int) -> list[int]:
    """Those of ``years`` for which no holiday has been entered yet."""
    known = set(years_with_holidays())
    return [y for y in years if y not in known]
