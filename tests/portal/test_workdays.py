"""Working-day calendar: arithmetic, the shipped 2026 schedule, the admin page."""

from datetime import date

import pytest
import sqlalchemy as sa

from portal.actor import Actor
from portal.audit.models import AuditLog
from portal.extensions import db
from portal.workdays import services
from portal.workdays.calendar import Calendar, DeadlineFlag
from portal.workdays.models import CalendarDay
from portal.workdays.queries import calendar, missing_years


def test_plain_weeks_skip_weekends():
    cal = Calendar()
    # Friday 2030-01-04 + 1 working day is Monday; the start day is not counted.
    assert cal.add_workdays(date(2030, 1, 4), 1) == date(2030, 1, 7)
    assert cal.add_workdays(date(2030, 1, 4), 15) == date(2030, 1, 25)
    assert cal.add_workdays(date(2030, 1, 4), 0) == date(2030, 1, 4)
    assert cal.workdays_between(date(2030, 1, 4), date(2030, 1, 25)) == 15
    assert cal.workdays_between(date(2030, 1, 25), date(2030, 1, 4)) == 0
    with pytest.raises(ValueError, match="negative"):
        cal.add_workdays(date(2030, 1, 4), -1)


def test_overrides_move_deadlines():
    cal = Calendar(overrides={date(2030, 1, 7): False, date(2030, 1, 5): True})
    # Saturday 5th is a working day, Monday 7th a holiday.
    assert cal.add_workdays(date(2030, 1, 4), 1) == date(2030, 1, 5)
    assert cal.add_workdays(date(2030, 1, 4), 2) == date(2030, 1, 8)


def test_flags_turn_yellow_then_red():
    cal = Calendar()
    due = date(2030, 1, 25)  # a Friday
    assert cal.flag(due, date(2030, 1, 21), 3) is DeadlineFlag.OK  # Mon: 4 left
    assert cal.flag(due, date(2030, 1, 22), 3) is DeadlineFlag.WARNING  # Tue: 3 left
    assert cal.flag(due, due, 3) is DeadlineFlag.WARNING
    assert cal.flag(due, date(2030, 1, 26), 3) is DeadlineFlag.OVERDUE
    # One day's warning (public submissions): yellow only the working day before.
    assert cal.flag(due, date(2030, 1, 23), 1) is DeadlineFlag.OK
    assert cal.flag(due, date(2030, 1, 24), 1) is DeadlineFlag.WARNING


def test_shipped_2026_schedule_counts_the_national_day_week(app):
    assert missing_years(2026) == [2026]
    count = services.load_bundled_year(2026, Actor.system())
    db.session.commit()
    assert count == db.session.scalar(
        sa.select(sa.func.count()).select_from(CalendarDay)
    )
    assert missing_years(2026, 2027) == [2027]
    cal = calendar()
    assert not cal.is_workday(date(2026, 10, 5))  # a Monday in the holiday
    assert cal.is_workday(date(2026, 10, 10))  # a Saturday worked instead
    # Issued Thu 24 Sep: 25–27 Sep and 1–7 Oct are off, Sat 10 Oct is worked.
    assert cal.add_workdays(date(2026, 9, 24), 15) == date(2026, 10, 22)
    with pytest.raises(Exception, match="未内置 1999"):
        services.load_bundled_year(1999, Actor.system())


def test_staff_edit_the_calendar_and_every_change_is_audited(app, client, auth, world):
    auth.login(world.users["supervision_staff"].username)
    response = client.post(
        "/admin/workdays/",
        data={"day": "2030-01-02", "kind": "holiday", "note": "<b>测试</b>假日"},
    )
    assert response.status_code == 302
    page = client.get("/admin/workdays/?year=2030").get_data(as_text=True)
    assert "&lt;b&gt;测试&lt;/b&gt;假日" in page
    assert not calendar().is_workday(date(2030, 1, 2))

    response = client.post("/admin/workdays/", data={"kind": "holiday"})
    assert response.status_code == 400
    assert "请选择日期" in response.get_data(as_text=True)

    assert client.post("/admin/workdays/2030-01-02/delete").status_code == 302
    assert calendar().is_workday(date(2030, 1, 2))
    actions = db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions[-2:] == ["workday_set", "workday_removed"]

    response = client.post("/admin/workdays/not-a-date/delete", follow_redirects=True)
    assert "日期格式不正确" in response.get_data(as_text=True)


def test_missing_year_is_announced_and_loadable(app, client, auth, world):
    auth.login(world.users["sys_admin"].username)
    page = client.get("/admin/workdays/?year=2026").get_data(as_text=True)
    assert "尚未录入 2026 年" in page
    response = client.post("/admin/workdays/load/2026", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "已录入 2026 年节假日安排" in page
    assert "国庆节调休上班" in page
    assert "尚未录入 2026 年" not in page
