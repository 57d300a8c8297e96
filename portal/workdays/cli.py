"""``flask workdays load 2026`` and ``flask workdays show 2026``."""

import click
from flask.cli import AppGroup

from portal.actor import Actor
from portal.exceptions import DomainError
from portal.extensions import db

workdays_cli = AppGroup("workdays", help="工作日历（节假日与调休）")


@workdays_cli.command("load")
@click.argument("year", type=int)
def load_command(year):
    """Enter the shipped holiday schedule of YEAR."""
    from portal.workdays import services

    try:
        count = services.load_bundled_year(year, Actor.system())
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"已录入 {year} 年节假日安排 {count} 天。")


@workdays_cli.command("show")
@click.argument("year", type=int)
def show_command(year):
    """List the holidays and 调休 working days of YEAR."""
    from portal.workdays.queries import days_of_year

    for day in days_of_year(year):
        kind = "上班" if day.is_workday else "放假"
        click.echo(f"{day.day.isoformat()}  {kind}  {day.note}")
