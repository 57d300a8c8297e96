"""``flask casebank add-cases PATH… --agency NAME_OR_ID [--format json]``.

Imports decision files or folders (txt/docx/pdf/zip, the upload page's intake
service) as one agency, runs the checks including the archive comparison (waits
for the queue when one is configured) and reports each file. With
``--format json`` it prints one JSON object per file and line (JSON Lines).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app

from casebank.cli import casebank_cli

SUFFIXES = (".txt", ".docx", ".pdf", ".zip")


def _files(paths) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix.lower() in SUFFIXES
            )
        else:
            found.append(path)
    return found


def _agency(value: str):
    from portal.extensions import db
    from portal.orgs.models import Organisation, OrgKind

    condition = sa.or_(Organisation.name == value, Organisation.code == value)
    if value.isdigit():
        condition = sa.or_(condition, Organisation.id == int(value))
    found = list(
        db.session.scalars(
            sa.select(Organisation).where(
                Organisation.kind == OrgKind.AGENCY, condition
            )
        )
    )
    if len(found) != 1:
        raise click.ClickException(
            f"执法部门“{value}”不存在" if not found else f"执法部门“{value}”不唯一"
        )
    return found[0]


def _wait(case_ids: list[int], timeout: float) -> None:
    """Wait until the checks and the comparison jobs of a queue are done."""
    from casebank.cases.models import CaseFile, CheckStatus
    from portal import jobs
    from portal.extensions import db

    queue = jobs.get_queue()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        pending = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(CaseFile)
            .where(
                CaseFile.id.in_(case_ids),
                CaseFile.check_status == CheckStatus.PENDING,
            )
        )
        if not pending and queue.count == 0 and queue.started_job_registry.count == 0:
            return
        time.sleep(0.5)
    raise click.ClickException("等待后台检查超时，请稍后在案卷列表中查看结果")


def case_json(case) -> dict:
    """The per-file object of ``--format json`` for an imported case."""
    return {
        "case_id": case.id,
        "document_number": case.doc_number,
        "item_id": case.matched_item.code if case.matched_item else None,
        "tier": case.matched_tier.level if case.matched_tier else None,
        "fine_yuan": case.fine_yuan,
        "check_status": case.check_status,
        "findings": [
            {
                "code": f.code,
                "label": f.code_label,
                "severity": f.severity,
                "message": f.message,
                "evidence": f.evidence,
                "reference_cases": f.reference_cases or [],
            }
            for f in case.findings
        ],
    }


@casebank_cli.command("add-cases")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--agency", "agency_ref", required=True, help="执法部门名称、编码或ID")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--timeout", default=1800.0, help="等待后台检查的最长秒数")
def add_cases_command(paths, agency_ref, fmt, timeout):
    """Import decisions as an agency, check them and compare with the archive."""
    from casebank.cases import checks, intake, services
    from casebank.cases.models import CaseFile
    from portal.actor import Actor
    from portal.extensions import db

    agency = _agency(agency_ref)
    config = current_app.config
    limits = intake.Limits(
        file_bytes=config.get("CASE_MAX_FILE_BYTES", 10 * 1024 * 1024),
        zip_entries=config.get("CASE_ZIP_MAX_ENTRIES", 2000),
        zip_total_bytes=config.get("CASE_ZIP_MAX_BYTES", 200 * 1024 * 1024),
    )
    entries, sources = [], []
    for path in _files(paths):
        if path.suffix.lower() not in SUFFIXES:
            entries.append(
                intake.Entry(
                    path.name, error="不支持的文件类型（支持 txt、docx、pdf、zip）"
                )
            )
            sources.append(str(path))
            continue
        data = path.read_bytes()
        expanded = intake.expand_uploads([(path.name, data)], limits)
        for entry in expanded:
            entries.append(entry)
            inner = entry.name != path.name and path.suffix.lower() == ".zip"
            sources.append(
                f"{path}!{entry.name.split('/', 1)[-1]}" if inner else str(path)
            )
    upload_dir = config["UPLOAD_DIR"]
    batch = services.add_cases(
        entries, Actor.system(), agency=agency, agencies=[agency], upload_dir=upload_dir
    )
    stored = [
        c.stored_name
        for c in db.session.scalars(
            sa.select(CaseFile).where(CaseFile.batch_id == batch.id)
        )
        if c.stored_name
    ]
    try:
        db.session.commit()
    except Exception:
        # Nothing half-imported: the rows are rolled back and the files removed.
        db.session.rollback()
        for name in stored:
            path = os.path.join(upload_dir, "cases", name)
            if os.path.exists(path):
                os.remove(path)
        raise
    results = list(batch.results)
    imported = [r["case_id"] for r in results if r["outcome"] == "imported"]
    checks.enqueue_checks(imported)
    if config.get("REDIS_URL") and imported:
        _wait(imported, timeout)
    db.session.expire_all()
    failures = 0
    for source, result in zip(sources, results, strict=True):
        obj = {"source": source}
        if result["outcome"] == "imported":
            obj.update(case_json(db.session.get(CaseFile, result["case_id"])))
        else:
            failures += 1
            obj.update(
                case_id=result["case_id"],
                document_number=None,
                item_id=None,
                tier=None,
                fine_yuan=None,
                findings=[],
                error=result["message"],
            )
        if fmt == "json":
            click.echo(json.dumps(obj, ensure_ascii=False))
        elif "error" in obj:
            click.echo(f"{source}：未导入（{obj['error']}）")
        else:
            names = "、".join(f["label"] for f in obj["findings"]) or "未发现问题"
            click.echo(
                f"{source}：案卷 #{obj['case_id']} {obj['document_number'] or ''}：{names}"
            )
    if fmt != "json":
        click.echo(
            f"共 {len(results)} 份，导入 {len(imported)} 份，未导入 {failures} 份",
            err=True,
        )


@casebank_cli.command("fill-reason-names")
@click.option(
    "--all",
    "refill",
    is_flag=True,
    help="重写全部比对键的理由名称（理由命名规则更新后使用）。",
)
def fill_reason_names_command(refill):
    """为升级前存储的比对键补写裁量理由名称，然后重新比对全部案卷。"""
    from casebank.consistency import services
    from portal.extensions import db

    filled = services.fill_reason_names(refill=refill)
    counts = services.recompute_all()
    db.session.commit()
    click.echo(f"已补写 {filled} 条比对键的理由名称；重新比对：{counts}")
