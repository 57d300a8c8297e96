"""Shared fixtures (flaskr/Indico style).

Database tests run on SQLite and, when PostgreSQL is reachable, on PostgreSQL too:
the ``app`` fixture is parametrised over both. ``REQUIRE_POSTGRES=1`` (set by CI)
turns an unreachable PostgreSQL into a failure instead of a skip.

Speed: each test process builds ONE application per backend (schema created once);
every test then runs inside a transaction that is rolled back at teardown. The
session is bound to that connection with ``join_transaction_mode="create_savepoint"``,
so ``db.session.commit()`` in application code only releases a savepoint and
``db.session.rollback()`` returns to the last one. Settings a test changes in
``app.config`` are restored afterwards and the rate-limiter storage is emptied.
Tests that use ``world`` get a second application per backend whose database
already holds the committed world (built once), so it is not rebuilt per test.

Tests whose data must be committed for other connections (threads racing on
PostgreSQL) carry ``@pytest.mark.committed_db``: they run without the outer
transaction and the tables are emptied afterwards. Tests that change the
application itself (add a route) carry ``@pytest.mark.own_app`` and get a new one.
Tests that need an application on another database (a worker subprocess, the
browser's live server) build it with ``create_app`` and are not affected.
"""

import gc
import itertools
import json
import os
import tempfile
import uuid
from pathlib import Path

import freezegun
import pytest
import sqlalchemy as sa
from flask import current_app, g
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSession

from exams.attempts.fastpath import CONNECTION_EXTENSION
from portal import create_app
from portal.config import TestConfig
from portal.extensions import db, limiter
from tests.factories import Factories, login

PG_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


# --- scheduling: the longest test files first ---------------------------------
#
# ``make test`` runs two xdist workers with ``--dist loadfile`` (a file stays on
# one worker; a worker takes the next file from the queue when it is down to two
# tests). xdist's default queue order is "most tests first", which puts the
# browser and gunicorn files (one to five tests, but tens of seconds each) last:
# one worker then finishes them alone while the other idles. The files are queued
# by their cost instead, longest first (LPT scheduling), so the tail is made of
# short files. The cost of a file is its measured time in ``tests/file_costs.json``
# (refreshed with ``--store-file-costs``); a file not measured yet gets an estimate
# from its tests' kinds, scaled to the measured ones. The order only orders the
# queue; it selects, skips or changes nothing.

FILE_COSTS = Path(__file__).with_name("file_costs.json")

#: Rough seconds per test on the idle 2-core machine (measured with --durations).
COST_RELIABILITY = 40.0  # gunicorn (and nginx) started, killed, restarted
COST_BROWSER = 8.0  # a real Chromium flow with axe-core on every page state
COST_SUBPROCESS_HEAVY = 3.0  # a model or a worker in a subprocess
COST_DEFAULT = 0.12

_HEAVY_FIXTURES = {"tiny_model_dir"}


def _estimated_cost(item):
    if item.get_closest_marker("reliability") is not None:
        return COST_RELIABILITY
    names = set(getattr(item, "fixturenames", ()))
    if item.get_closest_marker("browser") is not None or names & {
        "browser",
        "chromium",
        "live_server",
    }:
        return COST_BROWSER
    if names & _HEAVY_FIXTURES:
        return COST_SUBPROCESS_HEAVY
    return COST_DEFAULT


def _measured_file_costs():
    try:
        return json.loads(FILE_COSTS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def file_costs(files, measured):
    """Cost per file path of ``files`` (path -> its collected items): the measured
    seconds, or for a file not in ``measured`` the estimate of its tests scaled by
    measured / estimated over the files that have both."""
    estimated = {
        path: sum(_estimated_cost(item) for item in group)
        for path, group in files.items()
    }
    both = [path for path in files if path in measured]
    scale = 1.0
    if both and sum(estimated[p] for p in both) > 0:
        scale = sum(measured[p] for p in both) / sum(estimated[p] for p in both)
    return {
        path: measured[path] if path in measured else estimated[path] * scale
        for path in files
    }


def pytest_addoption(parser):
    parser.addoption(
        "--store-file-costs",
        action="store_true",
        help="write each test file's time of this run to tests/file_costs.json "
        "(the order of the xdist queue); files not run keep their entry",
    )


#: A memory file system for the run's temporary files, where there is one.
MEMORY_TMP = Path("/dev/shm")


def pytest_configure(config):
    # Keep the file order chosen below (xdist would sort by test count).
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False
    config._file_times = {}
    # ``tmp_path`` and the tests' temporary files in memory: the SQLite files of
    # the migration, backup and browser tests commit after every statement, and
    # each commit waited for the disk (fsync), which is wall time, not CPU (an
    # SQLite migration from empty: 7.5-15 s on /tmp, 4 s on /dev/shm). Under
    # xdist the controller sets the base folder of its workers. An explicit
    # ``--basetemp`` or ``TMPDIR`` is kept.
    if (
        not config.option.basetemp
        and "TMPDIR" not in os.environ
        and MEMORY_TMP.is_dir()
        and os.access(MEMORY_TMP, os.W_OK)
    ):
        tempfile.tempdir = str(MEMORY_TMP)


def pytest_collection_modifyitems(session, config, items):
    """Order the collected tests file by file, the most expensive file first
    (tests keep their order inside a file)."""
    files = {}
    for item in items:
        files.setdefault(item.nodeid.split("::", 1)[0], []).append(item)
    costs = file_costs(files, _measured_file_costs())
    ordered = sorted(files, key=lambda path: -costs[path])  # stable for ties
    items[:] = [item for path in ordered for item in files[path]]


_CONFIG = None  # the run's config, for the report hook below


def pytest_runtest_logreport(report):
    # Under xdist the controller receives every worker's reports.
    times = getattr(_CONFIG, "_file_times", None)
    if times is not None:
        path = report.nodeid.split("::", 1)[0]
        times[path] = times.get(path, 0.0) + report.duration


def pytest_sessionstart(session):
    global _CONFIG
    _CONFIG = session.config


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    if not config.getoption("--store-file-costs") or hasattr(config, "workerinput"):
        return
    if exitstatus != 0:
        return  # an interrupted or failing run does not measure the files
    stored = _measured_file_costs()
    stored.update(
        {path: round(seconds, 1) for path, seconds in config._file_times.items()}
    )
    FILE_COSTS.write_text(
        json.dumps(dict(sorted(stored.items())), indent=1) + "\n", encoding="utf-8"
    )


# --- garbage collection: what outlives a test file is not rescanned ---------
#
# A full collection walks every object the process holds: once a worker has
# loaded the embedding stack (torch, transformers, scikit-learn) and built its
# session applications, that is about 900,000 objects and 0.3 CPU-s each time,
# for objects that live until the end of the run (modules, the applications, the
# model caches). At each new test file the survivors of the young generations are
# collected and everything still alive is moved to the permanent generation
# (``gc.freeze``), which collections skip. Cycles that became garbage before a
# freeze are not reclaimed until the process ends (a bounded amount: the worker's
# peak memory was unchanged on tests/nlp/test_embedding.py and two casebank
# files, and the collector's time there went from 4.4 to 1.6 CPU-s).

_LAST_FILE = [None]


def pytest_runtest_setup(item):
    path = item.nodeid.split("::", 1)[0]
    if path != _LAST_FILE[0]:
        _LAST_FILE[0] = path
        gc.collect(1)
        gc.freeze()


# --- freezegun: leave the numerical libraries alone ---------------------------
#
# ``freeze_time`` patches the clock functions held by every loaded module: at each
# start it reads the attributes of every module in ``sys.modules``. Once a worker
# has loaded the embedding stack (tests/nlp: torch, transformers,
# sentence-transformers, scikit-learn, scipy, sympy …: about 6,500 modules), the
# first freeze imports the rest of transformers' lazy modules (~20 CPU-seconds)
# and every later one costs about a second, for nothing: the portal's clock is
# read through ``portal.timeutil``/``datetime`` in the portal's own modules, which
# are still patched. These libraries keep the real clock.
FREEZEGUN_IGNORED = (
    "huggingface_hub",
    "jieba",
    "joblib",
    "mpmath",
    "narwhals",
    "networkx",
    "numpy",
    "pandas",
    "safetensors",
    "scipy",
    "sentence_transformers",
    "sklearn",
    "sympy",
    "tokenizers",
    "torch",
    "transformers",
)
freezegun.configure(extend_ignore_list=list(FREEZEGUN_IGNORED))


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


class _JoinedFastPathTransaction:
    """The exam autosave fast path (exams/attempts/fastpath.py) inside the test's
    transaction: a savepoint on the test's connection, like the ORM session's.
    The ORM session's own savepoint is ended first (pending changes flushed):
    in production the fast path never runs inside an open ORM transaction, so a
    later request's rollback must not undo its writes. Loaded objects are
    expired after (the full path's commit does that)."""

    def __init__(self, connection):
        db.session.commit()
        self.dialect = connection.dialect.name
        self.raw = connection.connection.dbapi_connection
        self._run("SAVEPOINT exam_fast_path")
        self.open = True

    def _run(self, sql):
        cursor = self.raw.cursor()
        cursor.execute(sql)
        cursor.close()

    def execute(self, sql, params):
        cursor = self.raw.cursor()
        try:
            cursor.execute(sql, params)
            return cursor.fetchall()
        finally:
            cursor.close()

    def finish(self, ok):
        if not ok:
            self._run("ROLLBACK TO SAVEPOINT exam_fast_path")
        self._run("RELEASE SAVEPOINT exam_fast_path")
        self.open = False

    def close(self, failed=False):
        if self.open:
            self.finish(False)
        db.session.expire_all()


class _ConnectionBoundSession(FlaskSession):
    """Flask-SQLAlchemy's session, but always on the test's connection.

    Flask-SQLAlchemy's ``get_bind`` picks the engine by bind key and would ignore
    the ``bind`` given to the session.
    """

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind if bind is not None else self.bind


def _sqlite_savepoints(engine):
    """Let pysqlite do SAVEPOINT/ROLLBACK TO (SQLAlchemy's documented recipe):
    the driver must not issue its own BEGIN/COMMIT; SQLAlchemy emits BEGIN."""

    @sa.event.listens_for(engine, "connect")
    def do_connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None

    @sa.event.listens_for(engine, "begin")
    def do_begin(conn):
        conn.exec_driver_sql("BEGIN")


def _build_app(url, **overrides):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url, **overrides)
    app.test_client_class = RequestIsolatedClient
    return app


def _dispose(app):
    with app.app_context():
        db.engine.dispose()


def _empty_all_tables():
    """Remove committed rows (committed_db tests), resetting ids as a new
    database would have them."""
    db.session.rollback()
    if db.engine.dialect.name == "postgresql":
        tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        db.session.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.session.commit()
    else:
        db.drop_all()
        db.create_all()


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


#: The ``seed demo`` size of the shared demo database (``demo_seeded``).
DEMO_USERS = 8


@pytest.fixture(scope="session")
def _session_apps(request, tmp_path_factory):
    """The applications of this test process, built on first use: per backend one
    on an empty database, one on a database holding the committed ``world`` and
    one holding the committed ``seed demo`` (``demo_seeded``)."""
    apps = {}

    def get(backend, content=None):
        key = (backend, content)
        if key in apps:
            return apps[key]
        overrides = {}
        if content == "demo":
            # The demo's stored files (case decisions) stay with its database.
            overrides["UPLOAD_DIR"] = str(tmp_path_factory.mktemp("demo") / "uploads")
        if backend == "sqlite":
            app = _build_app("sqlite://", **overrides)  # StaticPool: one connection
            with app.app_context():
                _sqlite_savepoints(db.engine)
                db.create_all()
        elif content is not None:
            # Same database, own schema (cheaper than a second database).
            url = request.getfixturevalue("pg_url")
            with sa.create_engine(url, poolclass=sa.NullPool).begin() as conn:
                conn.execute(sa.text(f"CREATE SCHEMA {content}"))
            options = dict(TestConfig.SQLALCHEMY_ENGINE_OPTIONS)
            options["connect_args"] = {"options": f"-c search_path={content}"}
            app = _build_app(url, SQLALCHEMY_ENGINE_OPTIONS=options, **overrides)
            with app.app_context():
                db.create_all()
        else:
            app = _build_app(request.getfixturevalue("pg_url"))
        if content == "world":
            with app.app_context():
                factories = Factories()
                app.extensions["test_world"] = factories.ids(factories.world())
                db.session.remove()
        elif content == "demo":
            from portal.seed import seed_demo

            with app.app_context():
                app.extensions["test_demo_created"] = seed_demo(users=DEMO_USERS)
                db.session.commit()
                db.session.remove()
        apps[key] = app
        return app

    yield get
    for app in apps.values():
        _dispose(app)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request):
    """The database URL of one backend; tests using it run once per backend."""
    if request.param == "sqlite":
        return "sqlite://"
    return request.getfixturevalue("pg_url")


@pytest.fixture(scope="session")
def _upload_dirs(tmp_path_factory):
    """A fresh UPLOAD_DIR path per test, created only when the test stores a file
    (the storage creates its folders). Cheaper than a ``tmp_path`` per test: no
    folder made for the thousands of tests that store nothing, and none left for
    pytest to delete in a later run."""
    root = tmp_path_factory.mktemp("uploads")
    numbers = itertools.count(1)
    return lambda: str(root / str(next(numbers)))


@pytest.fixture
def app(request, db_url, _upload_dirs, _session_apps):
    """The backend's application, in a transaction rolled back after the test."""
    committed = request.node.get_closest_marker("committed_db") is not None
    own_app = request.node.get_closest_marker("own_app") is not None
    if own_app:
        app = _build_app(db_url)
        if db_url.startswith("sqlite"):
            with app.app_context():
                _sqlite_savepoints(db.engine)
                db.create_all()
    else:
        content = None
        if "demo_seeded" in request.fixturenames:
            content = "demo"
        elif "world" in request.fixturenames and not committed:
            content = "world"
        app = _session_apps(
            "sqlite" if db_url.startswith("sqlite") else "postgresql", content
        )
    saved_config = app.config.copy()
    if "test_demo_created" not in app.extensions:
        app.config["UPLOAD_DIR"] = _upload_dirs()
    limiter.reset()
    app.extensions["exam_fast_path"].clear_caches()
    with app.app_context():
        registry = db.session.registry
        default_session = registry.createfunc
        if committed:
            try:
                yield app
            finally:
                db.session.remove()
                _empty_all_tables()
                db.session.remove()
        else:
            connection = db.engine.connect()
            outer = connection.begin()
            options = dict(db.session.session_factory.kw)
            options.update(bind=connection, join_transaction_mode="create_savepoint")
            bound = sa.orm.sessionmaker(class_=_ConnectionBoundSession, **options)

            def create_session_for_context():
                # Only this application's sessions join the test transaction (a
                # test may build another application, e.g. for a worker).
                if current_app._get_current_object() is app:
                    return bound()
                return default_session()

            registry.createfunc = create_session_for_context
            app.extensions[CONNECTION_EXTENSION] = lambda: _JoinedFastPathTransaction(
                connection
            )
            try:
                yield app
            finally:
                app.extensions.pop(CONNECTION_EXTENSION, None)
                db.session.remove()
                registry.createfunc = default_session
                if outer.is_active:
                    outer.rollback()
                connection.close()
    app.config.clear()
    app.config.update(saved_config)
    if own_app:
        _dispose(app)


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
def world(app, factories):
    """A small org tree and one committed user per role (password ``Passw0rd!``).

    Built once per application: tests asking for it get an application whose
    database already holds it (their own changes are rolled back as usual).
    """
    ids = app.extensions.get("test_world")
    if ids is None:  # committed_db tests, or a world asked for late
        return factories.world()
    return factories.load_world(ids)


@pytest.fixture
def demo_seeded(app):
    """What the first ``seed_demo(users=DEMO_USERS)`` created (its counts) on the
    application's database, which holds that committed demo: seeded once per
    backend and test process, shared like ``world`` (each test's own changes,
    a second ``seed_demo`` included, are rolled back). Its stored files live in
    the demo's own UPLOAD_DIR."""
    created = app.extensions.get("test_demo_created")
    assert created is not None, "demo_seeded needs the app fixture's demo database"
    return dict(created)


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, username, password="Passw0rd!", follow=False):
        return login(self._client, username, password, follow=follow)

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)
