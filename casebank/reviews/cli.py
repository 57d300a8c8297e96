"""``flask casebank export-labels OUT.jsonl``: the finding labels as a feedback
set for evaluating the NLP checker (docs/case-review.md)."""

import json

import click

from casebank.cli import casebank_cli
from casebank.reviews.queries import all_labels, label_record
from portal import audit
from portal.actor import Actor
from portal.extensions import db


@casebank_cli.command("export-labels")
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
@click.option("--with-text", is_flag=True, help="同时导出决定书全文（text 字段）")
def export_labels_command(out, with_text):
    """导出检查发现的确认/驳回标注（JSON Lines，每行一条）。"""
    count = 0
    with open(out, "w", encoding="utf-8") as handle:
        for label in db.session.scalars(all_labels()):
            record = label_record(label)
            if with_text:
                record["text"] = label.case.text
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    audit.record(
        "finding_labels_exported",
        Actor.system(),
        label=f"检查发现标注数据（{count} 条，命令行）",
    )
    db.session.commit()
    click.echo(f"已导出 {count} 条标注到 {out}")


@casebank_cli.command("checker-precision")
def checker_precision_command():
    """按评查标注重新计算各检查发现的精确率，并更新“降为提示”状态（变化记入审计日志）。"""
    from casebank.reviews.precision import refresh_states

    changed = refresh_states(Actor.system())
    db.session.commit()
    for state in changed:
        click.echo(
            f"{state.audit_label}：{'降为提示' if state.demoted else '恢复为问题'}"
            f"（确认 {state.confirmed} / 已标注 {state.labelled}）"
        )
    click.echo(f"状态变化 {len(changed)} 项")
