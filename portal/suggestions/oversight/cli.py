"""``flask suggestions deidentify``: the de-identification job, run now."""

import click
from flask.cli import AppGroup

from portal import jobs

JOB_PATH = "portal.suggestions.oversight.jobs.deidentify_suggestions"

suggestions_cli = AppGroup("suggestions", help="群众意见建议")


@suggestions_cli.command("deidentify")
def deidentify_command():
    """Remove contact data of items past the retention period (audited)."""
    count = jobs.run_job(JOB_PATH, own_session=False)
    click.echo(f"已对 {count} 件群众意见建议去除联系方式。")
