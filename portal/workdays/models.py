"""Calendar overrides: the days that differ from the Monday–Friday rule."""

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.extensions import db
from portal.timeutil import utcnow


class CalendarDay(db.Model):
    """A public holiday (``is_workday`` false) or a 调休 working day (true)."""

    __tablename__ = "calendar_days"

    day: so.Mapped[date] = so.mapped_column(sa.Date, primary_key=True)
    is_workday: so.Mapped[bool]
    note: so.Mapped[str] = so.mapped_column(sa.String(50), default="")
    updated_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    updated_at: so.Mapped[datetime] = so.mapped_column(
        sa.DateTime, default=utcnow, onupdate=utcnow
    )

    def __repr__(self):
        return f"<CalendarDay {self.day} {'work' if self.is_workday else 'off'}>"

    @property
    def id(self):  # the audit log names its target by ``id``
        return self.day.isoformat()

    @property
    def audit_label(self):
        kind = "调休上班" if self.is_workday else "节假日"
        return f"工作日历 {self.day.isoformat()} {kind}"
