"""Top-level CLI: ``flask seed demo`` and friends (STYLE R12)."""

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from portal.extensions import db

seed_cli = AppGroup("seed", help="演示数据")


@seed_cli.command("demo")
@click.option("--seed", default=42, show_default=True, help="随机种子（结果可复现）")
@click.option("--users", default=60, show_default=True, help="用户数量")
@click.option("--if-empty", is_flag=True, help="仅在数据库中还没有用户时生成")
def seed_demo_command(seed, users, if_empty):
    """Create the demo city, agencies and users (idempotent, deterministic)."""
    from portal.auth.models import User
    from portal.seed import DEMO_PASSWORD, NAMED_USERS, seed_demo

    if if_empty and db.session.scalar(sa.select(sa.func.count(User.id))):
        click.echo("数据库中已有用户，跳过演示数据。")
    else:
        created = seed_demo(seed=seed, users=users)
        db.session.commit()
        click.echo(
            f"演示数据：新建组织 {created['organisations']} 个，用户 {created['users']} 个，"
            f"裁量基准目录 {created['catalogues']} 个，演示试题 {created['questions']} 道，"
            f"演示案卷 {created['cases']} 份，监督意见书 {created['opinions']} 份，"
            f"群众意见建议 {created['suggestions']} 件。"
        )
        if created["cases"]:
            from casebank.cases.checks import enqueue_pending

            enqueue_pending()  # inline without Redis: the demo cases are checked now
    click.echo(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
    for username, name, _org, _grants in NAMED_USERS:
        click.echo(f"  {username:<12} {name}")


deploy_cli = AppGroup("deploy", help="部署配置")


@deploy_cli.command("nginx-conf")
@click.option(
    "--upstream",
    "upstreams",
    multiple=True,
    default=("127.0.0.1:8000",),
    show_default=True,
    help="gunicorn 节点地址（可重复）",
)
@click.option("--listen", default="443", show_default=True, help="监听地址或端口")
@click.option("--server-name", default="_", show_default=True, help="站点域名")
@click.option(
    "--save-concurrency",
    type=click.IntRange(min=0),
    default=24,
    show_default=True,
    help="同时转发的答题自动保存与心跳请求上限，超出时由 nginx 直接答复 503（0 为不限）",
)
@click.option(
    "--start-click-rate",
    type=click.FloatRange(min=0),
    default=20,
    show_default=True,
    help="每秒转发的“开始答题”首次点击数（全站），超出时由 nginx 直接答复排队页（0 为不限）",
)
@click.option("--cert", help="TLS 证书路径（与 --key 一起给出时启用 HTTPS）")
@click.option("--key", help="TLS 私钥路径")
def nginx_conf_command(  # noqa: PLR0913 - one parameter per option
    upstreams, listen, server_name, save_concurrency, start_click_rate, cert, key
):
    """Print the nginx site configuration (docs/deployment.md)."""
    from flask import current_app

    from exams.attempts.admission import BUSY_MESSAGE
    from portal.nginx import render_site

    if bool(cert) != bool(key):
        raise click.UsageError("--cert 与 --key 须同时给出。")
    retry_after = int(current_app.config.get("EXAM_SAVE_RETRY_AFTER", 3))
    click.echo(
        render_site(
            upstreams,
            busy_message=BUSY_MESSAGE,
            listen=listen,
            server_name=server_name,
            save_concurrency=save_concurrency,
            retry_after=retry_after,
            start_click_rate=start_click_rate,
            tls=(cert, key) if cert else None,
        ),
        nl=False,
    )


def init_app(app):
    app.cli.add_command(seed_cli)
    app.cli.add_command(deploy_cli)
