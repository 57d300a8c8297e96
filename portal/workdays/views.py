"""Supervision staff keep the working-day calendar (工作日历)."""

from datetime import date

from flask import flash, redirect, render_template, request, url_for

from portal.actor import Actor
from portal.auth.decorators import roles_required
from portal.auth.roles import SUPERVISION_MANAGERS
from portal.exceptions import DomainError
from portal.extensions import db
from portal.timeutil import to_local, utcnow
from portal.workdays import bp, queries, services
from portal.workdays.forms import DayForm, LoadYearForm


def _year():
    this_year = to_local(utcnow()).year
    year = request.args.get("year", type=int) or this_year
    return year if 2000 <= year <= 2100 else this_year


def _render(year, form, status=200):
    bundled = services.bundled_schedule()["years"]
    days = queries.days_of_year(year)
    return (
        render_template(
            "workdays/calendar.html",
            year=year,
            days=days,
            has_holidays=any(not d.is_workday for d in days),
            form=form,
            can_load=str(year) in bundled,
            source=services.bundled_schedule()["source"],
        ),
        status,
    )


@bp.get("/")
@roles_required(*SUPERVISION_MANAGERS)
def show_calendar():
    """The holidays and 调休 working days of one year."""
    return _render(_year(), DayForm())


@bp.post("/")
@roles_required(*SUPERVISION_MANAGERS)
def set_day():
    """Enter or change one day."""
    form = DayForm()
    if not form.validate_on_submit():
        return _render(_year(), form, 400)
    try:
        services.set_day(
            form.day.data,
            form.kind.data == "workday",
            form.note.data,
            Actor.from_request(),
        )
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return _render(form.day.data.year, form, 400)
    db.session.commit()
    flash(f"已保存 {form.day.data.isoformat()} 的安排。", "success")
    return redirect(url_for("workdays.show_calendar", year=form.day.data.year))


@bp.post("/<day>/delete")
@roles_required(*SUPERVISION_MANAGERS)
def remove_day(day):
    """Drop one day's override."""
    form = LoadYearForm()
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        flash("日期格式不正确。", "danger")
        return redirect(url_for("workdays.show_calendar"))
    if not form.validate_on_submit():
        flash("页面已过期，请刷新后重试。", "danger")
        return redirect(url_for("workdays.show_calendar", year=parsed.year))
    try:
        services.remove_day(parsed, Actor.from_request())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
    else:
        db.session.commit()
        flash(f"已删除 {parsed.isoformat()} 的特别安排。", "success")
    return redirect(url_for("workdays.show_calendar", year=parsed.year))


@bp.post("/load/<int:year>")
@roles_required(*SUPERVISION_MANAGERS)
def load_year(year):
    """Enter the shipped schedule of ``year``."""
    form = LoadYearForm()
    if not form.validate_on_submit():
        flash("页面已过期，请刷新后重试。", "danger")
        return redirect(url_for("workdays.show_calendar", year=year))
    try:
        count = services.load_bundled_year(year, Actor.from_request())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(f"已录入 {year} 年节假日安排 {count} 天。", "success")
    return redirect(url_for("workdays.show_calendar", year=year))
