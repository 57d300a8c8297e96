"""Backups: the database and the file storage in one archive (issue #17).

``flask backup create`` writes ``zhifa-backup-<time>.tar.gz`` holding

- ``manifest.json``: format, creation time, database backend, Alembic revision, the
  row count of every table, and every stored file with its size and SHA-256;
- ``database.dump`` (PostgreSQL, ``pg_dump --format=custom``) or ``database.sqlite3``
  (SQLite, the online backup API: a consistent copy while the portal runs);
- ``files/…``: everything under ``UPLOAD_DIR`` (uploads, originals, attachments).

``flask backup restore ARCHIVE --yes`` checks the archive first (member names, the
SHA-256 of every file, the manifest), then restores the database (PostgreSQL:
``pg_restore --clean --if-exists --single-transaction``, so a failed restore changes
nothing; SQLite: the backup API in the other direction) and swaps the storage folder in
with a rename, and finally compares the restored row counts with the manifest.

The instance folder's secret key and the NLP model are not included: the key belongs
to the deployment (a restored portal on another host gets its own; users sign in
again) and the model is rebuilt by ``flask nlp build-model``.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from portal import audit
from portal.actor import Actor
from portal.extensions import db

FORMAT = "zhifa.backup/1"
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_DUMP = "database.sqlite3"
FILES = "files"

backup_cli = AppGroup("backup", help="备份与恢复（数据库与上传文件）")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator."""


@dataclass(frozen=True)
class RestoreReport:
    tables: int
    rows: int
    files: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_command_env(url: sa.URL) -> tuple[str, dict]:
    """A libpq connection string for pg_dump/pg_restore; the password goes in env."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(args: list[str], env: dict) -> None:
    try:
        result = subprocess.run(args, env=env, capture_output=True, text=True)  # noqa: S603
    except FileNotFoundError as exc:
        raise BackupError(f"找不到 {args[0]}：请安装 PostgreSQL 客户端工具") from exc
    if result.returncode != 0:
        raise BackupError(f"{args[0]} 执行失败：{result.stderr.strip()[:500]}")


def table_counts() -> dict[str, int]:
    """The row count of every table of the application's schema."""
    inspector = sa.inspect(db.engine)
    counts = {}
    for name in sorted(inspector.get_table_names()):
        table = sa.table(name)
        counts[name] = db.session.scalar(sa.select(sa.func.count()).select_from(table))
    return counts


def _alembic_revision() -> str | None:
    if not sa.inspect(db.engine).has_table("alembic_version"):
        return None
    return db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))


def _dump_database(workdir: Path) -> tuple[str, str]:
    url = db.engine.url
    if url.get_backend_name() == "postgresql":
        target = workdir / PG_DUMP
        conninfo, env = _pg_command_env(url)
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={target}",
                f"--dbname={conninfo}",
            ],
            env,
        )
        return "postgresql", PG_DUMP
    if url.get_backend_name() == "sqlite":
        target = workdir / SQLITE_DUMP
        raw = db.engine.raw_connection()
        try:
            with contextlib.closing(sqlite3.connect(target)) as out:
                raw.driver_connection.backup(out)
        finally:
            raw.close()
        return "sqlite", SQLITE_DUMP
    raise BackupError(f"不支持的数据库类型：{url.get_backend_name()}")


def create_backup(out_dir: str | os.PathLike) -> Path:
    """Write one archive of the database and ``UPLOAD_DIR`` into *out_dir*."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    upload_dir = Path(current_app.config["UPLOAD_DIR"])
    db.session.commit()  # nothing of ours half-written in the dump
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    with tempfile.TemporaryDirectory(prefix="zhifa-backup-") as tmp:
        workdir = Path(tmp)
        backend, dump_name = _dump_database(workdir)
        files = []
        if upload_dir.is_dir():
            for path in sorted(p for p in upload_dir.rglob("*") if p.is_file()):
                rel = path.relative_to(upload_dir).as_posix()
                files.append(
                    {"path": rel, "size": path.stat().st_size, "sha256": _sha256(path)}
                )
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": {
                "backend": backend,
                "file": dump_name,
                "sha256": _sha256(workdir / dump_name),
                "alembic_revision": _alembic_revision(),
                "tables": table_counts(),
            },
            "files": files,
        }
        final = out_dir / f"zhifa-backup-{stamp}.tar.gz"
        partial = final.with_suffix(".partial")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            tar.add(workdir / dump_name, arcname=dump_name)
            for entry in files:
                tar.add(upload_dir / entry["path"], arcname=f"{FILES}/{entry['path']}")
        os.replace(partial, final)
    return final


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = tar.getmembers()
    for member in members:
        name = PurePosixPath(member.name)
        if name.is_absolute() or ".." in name.parts or not member.isfile():
            raise BackupError(f"备份文件中有不安全的条目：{member.name}")
    return members


def _extract_verified(archive: Path, workdir: Path) -> dict:
    """Extract *archive* into *workdir* and check it against its manifest."""
    try:
        with tarfile.open(archive, "r:*") as tar:
            _safe_members(tar)
            tar.extractall(workdir, filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"无法读取备份文件：{exc}") from exc
    try:
        manifest = json.loads((workdir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError("备份文件缺少有效的清单（manifest.json）") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError("不是本系统的备份文件")
    dump = workdir / manifest["database"]["file"]
    if not dump.is_file() or _sha256(dump) != manifest["database"]["sha256"]:
        raise BackupError("数据库备份已损坏（校验值不符）")
    for entry in manifest["files"]:
        path = workdir / FILES / entry["path"]
        if not path.is_file() or _sha256(path) != entry["sha256"]:
            raise BackupError(f"文件已损坏或缺失：{entry['path']}")
    return manifest


def _restore_database(manifest: dict, dump: Path) -> None:
    url = db.engine.url
    backend = manifest["database"]["backend"]
    if backend != url.get_backend_name():
        raise BackupError(
            f"备份来自 {backend} 数据库，当前配置的是 {url.get_backend_name()}"
        )
    db.session.remove()
    if backend == "postgresql":
        db.engine.dispose()
        conninfo, env = _pg_command_env(url)
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={conninfo}",
                str(dump),
            ],
            env,
        )
    else:
        raw = db.engine.raw_connection()
        try:
            with contextlib.closing(sqlite3.connect(dump)) as src:
                src.backup(raw.driver_connection)
        finally:
            raw.close()
    db.engine.dispose()


def _restore_files(manifest: dict, extracted: Path) -> None:
    """Swap the extracted files in for ``UPLOAD_DIR`` (renames on one file system)."""
    upload_dir = Path(current_app.config["UPLOAD_DIR"])
    upload_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=upload_dir.parent))
    incoming = staging / "new"
    if extracted.is_dir():
        shutil.copytree(extracted, incoming)
    else:
        incoming.mkdir()
    old = staging / "old"
    if upload_dir.exists():
        os.replace(upload_dir, old)
    os.replace(incoming, upload_dir)
    shutil.rmtree(staging, ignore_errors=True)


def restore_backup(archive: str | os.PathLike) -> RestoreReport:
    """Restore the database and ``UPLOAD_DIR`` from *archive* (checked first)."""
    archive = Path(archive)
    with tempfile.TemporaryDirectory(prefix="zhifa-restore-") as tmp:
        workdir = Path(tmp)
        manifest = _extract_verified(archive, workdir)
        _restore_database(manifest, workdir / manifest["database"]["file"])
        _restore_files(manifest, workdir / FILES)
    counts = table_counts()
    expected = manifest["database"]["tables"]
    wrong = [t for t, n in expected.items() if counts.get(t) != n]
    if wrong:
        raise BackupError(f"恢复后以下数据表的行数与备份不符：{'、'.join(wrong)}")
    return RestoreReport(
        tables=len(expected), rows=sum(expected.values()), files=len(manifest["files"])
    )


@backup_cli.command("create")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="备份目录（默认：实例目录下的 backups/）",
)
def create_command(out_dir):
    """Back up the database and the uploaded files into one archive."""
    out_dir = out_dir or os.path.join(current_app.instance_path, "backups")
    try:
        path = create_backup(out_dir)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    audit.record("backup_created", Actor.system(), label=path.name)
    db.session.commit()
    click.echo(f"备份完成：{path}")


@backup_cli.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="确认覆盖当前数据库与上传文件")
def restore_command(archive, yes):
    """Restore the database and the uploaded files from an archive."""
    if not yes:
        raise click.ClickException("恢复会覆盖当前数据库与全部上传文件；确认请加 --yes")
    try:
        report = restore_backup(archive)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    # After the restore: the restored audit log gets this entry appended.
    audit.record("backup_restored", Actor.system(), label=Path(archive).name)
    db.session.commit()
    click.echo(
        f"恢复完成：数据表 {report.tables} 张、记录 {report.rows} 条、文件 {report.files} 个。"
    )


def init_app(app):
    app.cli.add_command(backup_cli)
