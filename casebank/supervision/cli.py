"""``flask casebank sample``: draw a random review sample from the command line."""

import sys

import click
import sqlalchemy as sa
from flask import current_app

from casebank.supervision import services
from portal.actor import Actor
from portal.exceptions import DomainError
from portal.extensions import db
from portal.orgs.models import Organisation


@click.command("sample")
@click.option("--agency", "agency_code", required=True, help="执法部门编码")
@click.option("--period", required=True, help="期间：YYYY-MM（月）或 YYYY-Qn（季度）")
@click.option(
    "--rate",
    type=float,
    default=None,
    help="抽取比例，0–1 的小数（默认 CASE_SAMPLE_RATE，通常 0.05）",
)
@click.option("--seed", type=int, default=None, help="随机种子（默认随机生成）")
def sample_command(agency_code, period, rate, seed):
    """抽取某执法部门某期间无问题案卷的随机样本（记录种子，可复现）。"""
    agency = db.session.scalar(
        sa.select(Organisation).where(Organisation.code == agency_code)
    )
    if agency is None:
        click.echo(f"错误：没有编码为 {agency_code} 的执法部门", err=True)
        sys.exit(2)
    if rate is None:
        rate = current_app.config.get("CASE_SAMPLE_RATE", 0.05)
    try:
        draw = services.draw_sample(
            agency, period, Actor.system(), rate=rate, seed=seed
        )
    except services.DrawExists as exc:
        db.session.rollback()
        existing = exc.draw
        click.echo(f"错误：{exc.message}", err=True)
        click.echo(
            f"已有抽查 #{existing.id}：种子 {existing.seed}，抽中 {existing.drawn_ids}",
            err=True,
        )
        sys.exit(1)
    except DomainError as exc:
        db.session.rollback()
        click.echo(f"错误：{exc.message}", err=True)
        sys.exit(2)
    db.session.commit()
    click.echo(
        f"抽查 #{draw.id}：{agency.name} {draw.period}，比例 {draw.rate_percent}%，"
        f"种子 {draw.seed}，候选 {draw.candidate_count} 件，"
        f"抽中 {len(draw.drawn_ids)} 件：{draw.drawn_ids}"
    )
