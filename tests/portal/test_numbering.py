"""The shared document counter: per (kind, period), a floor, the data migration."""

from datetime import date

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from portal import create_app, numbering
from portal.config import TestConfig
from portal.extensions import db
from tests.conftest import create_pg_database, drop_pg_database, require_pg


def test_counters_are_per_kind_and_period_and_roll_back(app):
    assert numbering.next_value("opinion", 2026) == 1
    assert numbering.next_value("opinion", 2026) == 2
    assert numbering.next_value("opinion", 2027) == 1
    assert numbering.next_value("suggestion", "20261206") == 1
    db.session.commit()
    assert numbering.next_value("opinion", 2026) == 3
    db.session.rollback()  # the number drawn in a failed transaction comes back
    assert numbering.last_value("opinion", 2026) == 2
    assert numbering.next_value("opinion", 2026) == 3
    assert numbering.last_value("nothing", 2026) == 0


def test_floor_skips_numbers_used_outside_the_counter(app):
    assert numbering.next_value("certificate:JC", 2026, floor=41) == 42
    assert numbering.next_value("certificate:JC", 2026, floor=41) == 43
    assert numbering.next_value("certificate:JC", 2026, floor=50) == 51


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'numbers.db'}"
        return
    require_pg()
    url = create_pg_database("zhifa_numbers")
    yield url
    drop_pg_database(url)


def test_migration_carries_the_old_counters_over_and_back(empty_db_url):
    """Do the opinion and 受理编号 counters go on where they stopped after the
    upgrade, and come back on downgrade?"""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_db_url)
    with app.app_context():
        upgrade(revision="3b7e9c1d2a40")
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO opinion_counters VALUES (2026, 7)"))
            conn.execute(
                sa.text("INSERT INTO suggestion_counters VALUES (:day, 12)"),
                {"day": date(2026, 12, 6)},
            )
        upgrade(revision="5a1c0e7d9b23")
        assert numbering.next_value("opinion", 2026) == 8
        assert numbering.next_value("suggestion", "20261206") == 13
        db.session.commit()
        db.session.remove()
        downgrade(revision="3b7e9c1d2a40")
        with db.engine.connect() as conn:
            assert conn.execute(
                sa.text("SELECT year, last_value FROM opinion_counters")
            ).all() == [(2026, 8)]
            (day, value) = conn.execute(
                sa.text("SELECT day, last_value FROM suggestion_counters")
            ).one()
            assert (str(day), value) == ("2026-12-06", 13)
        downgrade(revision="base")
        db.engine.dispose()
