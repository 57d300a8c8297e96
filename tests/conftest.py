"""Shared fixtures (flaskr/Indico style).

Database tests run on SQLite and, when PostgreSQL is reachable, on PostgreSQL too:
the ``app`` fixture is parametrised over both. ``REQUIRE_POSTGRES=1`` (set by CI)
turns an unreachable PostgreSQL into a failure instead of a skip.
"""

import os
import uuid

import pytest
import sqlalchemy as sa
from flask import g
from flask.testing import FlaskClient

from portal import create_app
from portal.config import TestConfig
from portal.extensions import db
from tests.factories import Factories

PG_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _pg_admin_engine():
    return sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)


def pg_available():
    try:
        with _pg_admin_engine().connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


def create_pg_database(prefix="zhifa_test"):
    """Create a fresh, uniquely named PostgreSQL database; return its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with _pg_admin_engine().connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    return sa.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(url):
    name = sa.make_url(url).database
    with _pg_admin_engine().connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def require_pg():
    """Skip (or, under REQUIRE_POSTGRES=1, fail) when PostgreSQL is unreachable."""
    if not pg_available():
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but not reachable at {PG_URL}")
        pytest.skip("PostgreSQL not reachable")


@pytest.fixture(scope="session")
def pg_url():
    """A dedicated PostgreSQL database for the test session (schema built once)."""
    require_pg()
    url = create_pg_database()
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    yield url
    drop_pg_database(url)


class RequestIsolatedClient(FlaskClient):
    """A test client whose requests do not share ``g`` with each other.

    The ``app`` fixture keeps one application context pushed for the whole test, so
    requests reuse it (and its ``g``, where Flask-Login caches the loaded user). In
    production every request gets a fresh context; clear ``g`` to behave the same.
    """

    def open(self, *args, **kwargs):
        g.__dict__.clear()
        try:
            return super().open(*args, **kwargs)
        finally:
            g.__dict__.clear()


def _truncate_all():
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    db.session.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.session.commit()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request):
    """The database URL of one backend; tests using it run once per backend."""
    if request.param == "sqlite":
        return "sqlite://"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def app(db_url, tmp_path):
    """An application bound to an empty database of one backend."""
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=db_url,
        UPLOAD_DIR=str(tmp_path / "uploads"),
    )
    app.test_client_class = RequestIsolatedClient
    with app.app_context():
        if db_url.startswith("sqlite"):
            db.create_all()
        yield app
        db.session.rollback()
        if db_url.startswith("sqlite"):
            db.drop_all()
        else:
            _truncate_all()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def factories(app):
    """Callables that create organisations and users (Indico ``create_user`` style)."""
    return Factories()


@pytest.fixture
def world(factories):
    """A small org tree and one committed user per role (password ``Passw0rd!``)."""
    return factories.world()


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, username, password="Passw0rd!", follow=False):
        return self._client.post(
            "/login",
            data={"login": username, "password": password},
            follow_redirects=follow,
        )

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)
