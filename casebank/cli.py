"""``flask nlp …``: the NLP checker from the command line (issue #3), and
``flask casebank …``: benchmark catalogue import/export (issue #6).

The ``nlp`` commands are the glue between the framework-free ``nlp`` package and the
portal's configuration; they never touch the database, so they work on a fresh
checkout. Heavy imports (sentence-transformers, torch) happen only inside the commands
that need them.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from casebank.reviewer import embedding_model_path, make_reviewer

nlp_cli = AppGroup("nlp", help="执法文书智能审查（处罚决定书核查）")

DOC_SUFFIXES = (".txt", ".docx", ".pdf")


def _fail(message: str) -> None:
    click.echo(f"错误：{message}", err=True)
    sys.exit(2)


def _load_catalogues(paths):
    from nlp.catalogue import CatalogueError, load_catalogue

    catalogues = []
    for path in paths:
        try:
            catalogues.append(load_catalogue(path))
        except CatalogueError as exc:
            _fail(str(exc))
    return catalogues


def _documents(paths) -> list[Path]:
    found = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.suffix.lower() in DOC_SUFFIXES)
            )
        elif path.exists():
            found.append(path)
        else:
            _fail(f"文件不存在：{raw}")
    return found


def _read(path: Path) -> str:
    from nlp.documents import DocumentError, read_text

    try:
        return read_text(path)
    except DocumentError as exc:
        _fail(f"{path}：{exc}")
    except OSError as exc:
        _fail(f"{path}：无法读取（{exc.strerror}）")
    return ""


@nlp_cli.command("review")
@click.option(
    "--catalogue",
    "catalogues",
    multiple=True,
    required=True,
    type=click.Path(),
    help="裁量基准文件（zhifa.benchmarks/1 JSON），可多次给出",
)
@click.option("--corpus", type=click.Path(), help="相似案件目录（用于同案不同罚比对）")
@click.option(
    "--format", "fmt", type=click.Choice(["json"]), default="json", show_default=True
)
@click.argument("docs", nargs=-1, required=True, type=click.Path())
def review_command(catalogues, corpus, fmt, docs):
    """Review penalty decisions and print the JSON result of the spec."""
    from nlp.embedding import EmbeddingError

    catalogue_objs = _load_catalogues(catalogues)
    paths = _documents(docs)
    if not paths:
        _fail("没有可审查的文书（支持 .txt、.docx、.pdf）")
    texts = [(str(p), _read(p)) for p in paths]
    try:
        reviewer = make_reviewer(catalogue_objs)
    except EmbeddingError as exc:
        _fail(str(exc))
    if corpus:
        for path in _documents([corpus]):
            reviewer.review_parsed(reviewer.parse(_read(path), str(path)))
            reviewer.add_to_corpus(str(path))
    results = [reviewer.review(text, source) for source, text in texts]
    for result in results:
        # The portal's archive comparison reads this; the spec's JSON has no such key.
        result.pop("tier_range", None)
        result.pop("comparison_tier", None)
    click.echo(json.dumps(results, ensure_ascii=False, indent=2))


@nlp_cli.command("build-model")
@click.option(
    "--catalogue",
    "catalogues",
    multiple=True,
    type=click.Path(exists=True),
    help="裁量基准文件（默认：随附的演示裁量基准）",
)
@click.option("--out", type=click.Path(), help="输出目录（默认 NLP_MODEL_DIR）")
@click.option("--dim", default=256, show_default=True)
@click.option("--epochs", default=3, show_default=True)
@click.option("--max-seconds", default=90.0, show_default=True)
@click.option("--if-missing", is_flag=True, help="目录中已有模型时跳过")
def build_model_command(catalogues, out, dim, epochs, max_seconds, if_missing):
    """Build the domain embedding model from the law corpus and catalogues."""
    from casebank import CATALOGUE_DIR
    from nlp.embedding import is_model_dir
    from nlp.laws import LawLibrary
    from nlp.model_builder import build_domain_model

    out = out or current_app.config["NLP_MODEL_DIR"]
    catalogues = catalogues or sorted(str(p) for p in CATALOGUE_DIR.glob("*.json"))
    if if_missing and is_model_dir(out):
        click.echo(f"领域模型已存在：{out}")
        return
    started = time.perf_counter()
    laws = LawLibrary.default()
    corpus = [a.text for a in laws.iter_articles()]
    pairs = list(_training_pairs(_load_catalogues(catalogues), laws))
    report = build_domain_model(
        corpus, pairs, out, dim=dim, epochs=epochs, max_seconds=max_seconds
    )
    click.echo(
        f"领域模型已生成：{out}（词表 {report.vocab_size}，维度 {report.dim}，"
        f"训练样本对 {report.train_pairs}，用时 {time.perf_counter() - started:.1f} 秒）"
    )


def _training_pairs(catalogues, laws):
    """(description, provision text) pairs from the catalogue items."""
    from nlp.citations import parse_provision

    for catalogue in catalogues:
        for item in catalogue.items:
            for provision in (*item.violated_provisions, *item.penalty_provisions):
                for citation in parse_provision(provision):
                    article = laws.article(citation.law, citation.article)
                    if article is not None:
                        yield item.violation, article.text[:500]
            for tier in item.tiers:
                if tier.condition:
                    yield item.violation, tier.condition


@nlp_cli.command("evaluate")
@click.option("--labels", "labels", multiple=True, type=click.Path(exists=True))
@click.option(
    "--from-portal",
    is_flag=True,
    help="用门户中评查人员的确认/驳回标注评估当前检查程序",
)
@click.option("--baseline", is_flag=True, help="同时给出仅用 TF-IDF 的匹配结果")
@click.option("--errors/--no-errors", default=False, help="列出每份出错文书")
def evaluate_command(labels, from_portal, baseline, errors):
    """Score the checker on labelled decisions and print the metrics as JSON."""
    from nlp.evaluate import LabelError, evaluate

    app = current_app._get_current_object()
    if from_portal:
        from casebank.reviews.precision import evaluate_portal

        metrics = evaluate_portal(app)
        metrics["embedding_model"] = embedding_model_path(app)
        if not errors:
            metrics.pop("errors", None)
        click.echo(json.dumps(metrics, ensure_ascii=False, indent=2))
        return
    if not labels:
        _fail("请用 --labels 指定标注文件，或用 --from-portal 评估门户中的标注")
    try:
        metrics = evaluate(lambda cats: make_reviewer(cats, app), list(labels))
        if baseline:
            tfidf = evaluate(
                lambda cats: make_reviewer(cats, app, embedding=False), list(labels)
            )
            metrics["tfidf_only"] = {
                k: v
                for k, v in tfidf.items()
                if k not in ("errors", "findings_by_code")
            }
    except LabelError as exc:
        _fail(str(exc))
    metrics["embedding_model"] = embedding_model_path(app)
    if not errors:
        metrics.pop("errors", None)
    click.echo(json.dumps(metrics, ensure_ascii=False, indent=2))


casebank_cli = AppGroup("casebank", help="案卷评查与裁量基准目录")


@casebank_cli.command("import-catalogue")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--jurisdiction", "jurisdiction_code", required=True, help="适用辖区的组织编码"
)
@click.option("--code", help="目录编码（新建目录时使用，或指定要追加版本的目录）")
@click.option(
    "--domain", "domain_codes", multiple=True, help="执法领域编码，可多次给出"
)
@click.option("--publish", is_flag=True, help="导入后立即发布")
def import_catalogue_command(path, jurisdiction_code, code, domain_codes, publish):
    """Import a catalogue (.json or .xlsx) as a new version; all or nothing."""
    import sqlalchemy as sa

    from casebank import documents, services
    from portal.actor import Actor
    from portal.exceptions import DomainError
    from portal.extensions import db
    from portal.orgs.models import Domain, Organisation

    jurisdiction = db.session.scalar(
        sa.select(Organisation).where(Organisation.code == jurisdiction_code)
    )
    if jurisdiction is None:
        _fail(f"组织编码不存在：{jurisdiction_code}")
    domains = None
    if domain_codes:
        domains = list(
            db.session.scalars(sa.select(Domain).where(Domain.code.in_(domain_codes)))
        )
        unknown = set(domain_codes) - {d.code for d in domains}
        if unknown:
            _fail(f"执法领域编码不存在：{'、'.join(sorted(unknown))}")
    path = Path(path)
    try:
        plan = documents.read_document(path.name, path.read_bytes())
        version = services.import_catalogue(
            plan,
            Actor.system(),
            jurisdiction=jurisdiction,
            code=code,
            domains=domains,
            source_format="xlsx" if path.suffix.lower() == ".xlsx" else "json",
            filename=path.name,
            publish=publish,
        )
    except documents.CatalogueImportError as exc:
        db.session.rollback()
        for error in exc.errors:
            click.echo(f"错误：{error}", err=True)
        sys.exit(2)
    except DomainError as exc:
        db.session.rollback()
        _fail(exc.message)
    db.session.commit()
    click.echo(
        f"已导入 {version.catalogue.code}：{version.name}（{version.period_label}，"
        f"{version.status_label}，事项 {len(version.items)} 个）"
    )
    if publish:
        from casebank.cases.checks import enqueue_pending

        enqueue_pending()  # the cases this version covers were marked for a re-check


@casebank_cli.command("export-catalogue")
@click.argument("code")
@click.option("--on", "on_date", help="导出该日有效的版本（YYYY-MM-DD，默认今天）")
@click.option("--version-id", type=int, help="导出指定版本")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "xlsx"]),
    default="json",
    show_default=True,
)
@click.option(
    "--out", type=click.Path(dir_okay=False), help="输出文件（默认标准输出，仅 JSON）"
)
def export_catalogue_command(code, on_date, version_id, fmt, out):
    """Export the version in force (or a given version) of a catalogue."""
    from datetime import date

    import sqlalchemy as sa

    from casebank import queries
    from casebank.models import BenchmarkCatalogue, CatalogueVersion
    from casebank.xlsx import write_xlsx
    from portal.extensions import db

    catalogue = db.session.scalar(
        sa.select(BenchmarkCatalogue).where(BenchmarkCatalogue.code == code)
    )
    if catalogue is None:
        _fail(f"目录编码不存在：{code}")
    if version_id:
        version = db.session.get(CatalogueVersion, version_id)
        if version is None or version.catalogue_id != catalogue.id:
            _fail(f"目录 {code} 没有版本 {version_id}")
    else:
        try:
            on = date.fromisoformat(on_date) if on_date else queries.china_today()
        except ValueError:
            _fail(f"日期格式不正确：{on_date}")
        version = queries.version_in_force(catalogue, on)
        if version is None:
            _fail(f"目录 {code} 在 {on.isoformat()} 没有有效的已发布版本")
    document = queries.export_document(version)
    if fmt == "xlsx":
        if not out:
            _fail("导出 Excel 时必须给出 --out")
        Path(out).write_bytes(write_xlsx(document))
    else:
        text = json.dumps(document, ensure_ascii=False, indent=2)
        if out:
            Path(out).write_text(text + "\n", encoding="utf-8")
        else:
            click.echo(text)
    if out:
        click.echo(f"已导出：{out}", err=True)


def init_app(app):
    app.cli.add_command(nlp_cli)
    app.cli.add_command(casebank_cli)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
