"""`flask backup create` / `flask backup restore`: a round trip that compares every
table and every stored file, on SQLite and on PostgreSQL (issue #17).

These tests own their databases (a file for SQLite, a fresh PostgreSQL database):
restoring replaces whole tables, which no shared test database may see.
"""

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.actor import Actor
from portal.audit import record
from portal.config import TestConfig
from portal.extensions import db
from tests.conftest import create_pg_database, drop_pg_database, require_pg
from tests.factories import Factories


@pytest.fixture(params=["sqlite", "postgresql"])
def backup_app(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'portal.db'}"
    else:
        require_pg()
        url = create_pg_database("zhifa_backup")
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=url,
        UPLOAD_DIR=str(tmp_path / "storage" / "uploads"),
    )
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()
    if request.param == "postgresql":
        drop_pg_database(url)


def _snapshot():
    """Every row of every table, in primary-key order, as plain tuples."""
    db.session.expire_all()
    tables = {}
    for table in db.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        rows = db.session.execute(sa.select(table).order_by(*order)).all()
        tables[table.name] = [tuple(row) for row in rows]
    db.session.rollback()
    return tables


def _files(root: Path):
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _populate(app):
    world = Factories().world()
    record("demo_seeded", Actor.system(), label="备份测试")
    db.session.commit()
    uploads = Path(app.config["UPLOAD_DIR"])
    (uploads / "cases").mkdir(parents=True)
    (uploads / "cases" / "a.txt").write_text("行政处罚决定书（甲）", encoding="utf-8")
    (uploads / "suggestions").mkdir()
    (uploads / "suggestions" / "photo.jpg").write_bytes(bytes(range(256)) * 40)
    return world


def test_round_trip_restores_every_table_and_file(backup_app, tmp_path):
    world = _populate(backup_app)
    before_tables = _snapshot()
    uploads = Path(backup_app.config["UPLOAD_DIR"])
    before_files = _files(uploads)
    assert sum(len(rows) for rows in before_tables.values()) > 10
    assert len(before_files) == 2

    runner = backup_app.test_cli_runner()
    out = tmp_path / "backups"
    result = runner.invoke(args=["backup", "create", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "备份完成" in result.output
    (archive,) = out.glob("zhifa-backup-*.tar.gz")

    # Change everything after the backup: a new user, an edited row, files
    # removed, changed and added.
    Factories().user(username="after_backup", organisation=world.city)
    users = db.metadata.tables["users"]
    db.session.execute(sa.update(users).values(name="改过的名字"))
    db.session.commit()
    (uploads / "cases" / "a.txt").unlink()
    (uploads / "suggestions" / "photo.jpg").write_bytes(b"changed")
    (uploads / "new.txt").write_text("备份后新增", encoding="utf-8")
    assert _snapshot() != before_tables

    result = runner.invoke(args=["backup", "restore", str(archive), "--yes"])
    assert result.exit_code == 0, result.output
    assert "恢复完成" in result.output

    after_tables = _snapshot()
    audit_after = after_tables.pop("audit_logs")
    audit_before = before_tables.pop("audit_logs")
    assert after_tables == before_tables
    # The restored log, plus the two entries written after the dump (the backup
    # itself is recorded once its archive exists; the restore is appended to the
    # restored log).
    assert audit_after[: len(audit_before)] == audit_before
    restored_actions = db.session.scalars(
        sa.text("SELECT action FROM audit_logs ORDER BY id")
    ).all()
    assert restored_actions[-1] == "backup_restored"
    assert "backup_created" not in restored_actions
    assert _files(uploads) == before_files


def test_restore_refuses_a_tampered_archive_and_changes_nothing(backup_app, tmp_path):
    world = _populate(backup_app)
    runner = backup_app.test_cli_runner()
    result = runner.invoke(args=["backup", "create", "--out", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    (archive,) = (tmp_path / "b").glob("*.tar.gz")

    # Rewrite the archive with one stored file altered but the manifest unchanged.
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(tampered, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "files/cases/a.txt":
                data = "篡改".encode()
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data))

    Factories().user(username="kept_user", organisation=world.city)
    before = _snapshot()
    uploads = Path(backup_app.config["UPLOAD_DIR"])
    before_files = _files(uploads)

    result = runner.invoke(args=["backup", "restore", str(tampered), "--yes"])
    assert result.exit_code != 0
    assert "文件已损坏或缺失：cases/a.txt" in result.output
    assert _snapshot() == before
    assert _files(uploads) == before_files


def test_restore_needs_confirmation_and_refuses_unsafe_members(backup_app, tmp_path):
    runner = backup_app.test_cli_runner()
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        data = json.dumps({"format": "zhifa.backup/1"}).encode()
        info = tarfile.TarInfo("../outside.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))

    result = runner.invoke(args=["backup", "restore", str(evil)])
    assert result.exit_code != 0
    assert "确认请加 --yes" in result.output

    result = runner.invoke(args=["backup", "restore", str(evil), "--yes"])
    assert result.exit_code != 0
    assert "不安全的条目" in result.output
    assert not (tmp_path.parent / "outside.txt").exists()
