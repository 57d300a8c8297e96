"""Every table comes from the migrations, identically on SQLite and PostgreSQL."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from portal import create_app
from portal.config import TestConfig
from portal.extensions import db
from tests.conftest import create_pg_database, drop_pg_database, require_pg


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    require_pg()
    url = create_pg_database("zhifa_migr")
    yield url
    drop_pg_database(url)


def test_upgrade_from_empty_matches_models_and_downgrades(empty_db_url):
    """Does `flask db upgrade` on an empty database build exactly the model schema?"""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_db_url)
    with app.app_context():
        upgrade()
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"users", "user_roles", "organisations", "audit_logs"} <= tables
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "render_as_batch": True}
            )
            assert compare_metadata(context, db.metadata) == []

        # The append-only guard exists in a migrated database, not only in tests.
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO audit_logs (at, actor_name, action) "
                    "VALUES (CURRENT_TIMESTAMP, '系统', 'login')"
                )
            )
        with pytest.raises(sa.exc.DatabaseError, match="审计日志只能追加"):
            with db.engine.begin() as conn:
                conn.execute(sa.text("DELETE FROM audit_logs"))

        downgrade(revision="base")
        remaining = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        db.engine.dispose()


def test_seed_runs_on_migrated_database(empty_db_url):
    """Does the demo seed work against a schema built by migrations (as `make run`)?"""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_db_url)
    with app.app_context():
        upgrade()
        from portal.seed import seed_demo

        created = seed_demo(users=12)
        db.session.commit()
        assert created == {
            "organisations": 17,
            "users": 12,
            "catalogues": 5,
            "questions": 22,
            "cases": 30,  # 20 dev-set decisions + the peer group g01
            "opinions": 2,
            "suggestions": 5,
        }
        assert seed_demo(users=12) == dict.fromkeys(created, 0)
        db.session.remove()
        db.engine.dispose()
