"""``flask exams import``: question imports from the command line (issue #4)."""

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from portal.actor import Actor
from portal.extensions import db

exams_cli = AppGroup("exams", help="题库与考试")


@exams_cli.command("import")
@click.argument("path", type=click.Path())
@click.option("--bank", "bank_code", required=True, help="题库编码（不存在时自动创建）")
@click.option("--dry-run", is_flag=True, help="只检查，不保存")
@click.option(
    "--format", "fmt", type=click.Choice(["json"]), default="json", show_default=True
)
def import_command(path, bank_code, dry_run, fmt):
    """Import questions (.xlsx, .docx, GIFT, Aiken) into a bank; prints one JSON object.

    Exits non-zero only when nothing could be read. A file with errors saves nothing.
    """
    from exams.banks.services import commit_import, ensure_bank, plan_import
    from exams.formats import FormatError, read_file

    file = Path(path)
    try:
        result = read_file(file.name, file.read_bytes())
    except FormatError as exc:
        click.echo(f"错误：{exc}", err=True)
        sys.exit(2)
    except OSError as exc:
        click.echo(f"错误：无法读取 {path}（{exc.strerror}）", err=True)
        sys.exit(2)
    if not result.questions and not result.issues:
        click.echo(f"错误：{file.name} 中没有可读取的试题", err=True)
        sys.exit(2)
    bank = ensure_bank(bank_code)
    plan = plan_import(result, bank)
    output = {
        "file": str(file),
        "bank": bank.code,
        "dry_run": dry_run,
        **plan.as_dict(),
    }
    saved = 0
    if not dry_run and not plan.errors and plan.questions:
        saved = len(commit_import(plan, bank, Actor.system()))
        db.session.commit()
    elif dry_run:
        db.session.rollback()
    else:
        # Errors: nothing is saved, but a newly created bank is kept only when
        # asked to save (the bank is created when it does not exist).
        db.session.commit()
    output["saved"] = saved
    click.echo(json.dumps(output, ensure_ascii=False, indent=2))
    if not result.questions:
        sys.exit(1)
