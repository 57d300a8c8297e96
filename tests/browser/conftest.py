"""Fixtures for real-browser tests: a live portal server and Debian Chromium.

``playwright install`` needs the internet, so the browser is the distribution's
``/usr/bin/chromium`` (``make chromium`` installs it); without it the tests skip.
"""

import fcntl
import os
import shutil
import threading
from urllib.parse import urlsplit

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from portal import create_app
from portal.config import TestConfig
from portal.extensions import db
from tests.browser import axe
from tests.browser.axe import PageGuard
from tests.factories import PASSWORD, Factories

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
ARTIFACTS = os.path.abspath(
    os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "test-artifacts")
)

# The officer who signs in for the first time (initial password ``PASSWORD``).
FIRST_LOGIN_USER = "newofficer"
FIRST_LOGIN_NAME = "李新警"
FIRST_LOGIN_CERT = "JC0099999"
INITIAL_PASSWORD = PASSWORD


def _require_chromium():
    if not os.path.exists(CHROMIUM):
        pytest.skip(
            f"{CHROMIUM} not found: install Debian chromium (`make chromium`) "
            "to run the browser tests"
        )


def _build_world_db(path, uploads):
    """Migrate an SQLite file and add the world and the first-login officer."""
    app = create_app(
        TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}", UPLOAD_DIR=uploads
    )
    with app.app_context():
        upgrade()
        factories = Factories()
        world = factories.world()
        factories.user(
            username=FIRST_LOGIN_USER,
            name=FIRST_LOGIN_NAME,
            role="officer",
            organisation=world.agency,
            password=INITIAL_PASSWORD,
            must_change_password=True,
            cert_number=FIRST_LOGIN_CERT,
        )
        db.session.remove()
        db.engine.dispose()


def _world_db_template(tmp_path_factory):
    """The migrated database with the world, built once per test run.

    pytest-xdist workers share the run's temporary folder (the parent of each
    worker's own): the first worker builds the file under a lock, every worker
    then serves its own copy.
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    template = root / "browser-world.db"
    with open(root / "browser-world.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not template.exists():
            building = root / f"browser-world-{os.getpid()}.db"
            _build_world_db(building, str(root / "browser-world-uploads"))
            building.rename(template)
    return template


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The portal on a migrated SQLite file (tests may add data to it).

    The schema comes from the migrations (as in production), not ``create_all``.
    """
    _require_chromium()
    folder = tmp_path_factory.mktemp("browser")
    shutil.copyfile(_world_db_template(tmp_path_factory), folder / "browser.db")
    return create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'browser.db'}",
        UPLOAD_DIR=str(folder / "uploads"),
    )


#: base URL -> the application it serves (for :func:`sign_in`).
_LIVE_APPS = {}


@pytest.fixture(scope="session")
def live_server(live_app):
    """Base URL of :func:`live_app`, served by a real HTTP server."""
    app = live_app
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    _LIVE_APPS[base] = app
    try:
        yield base
    finally:
        _LIVE_APPS.pop(base, None)
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()


def sign_in(page, live_server, username, password=PASSWORD):
    """Sign ``page``'s browser context in as ``username`` and open the dashboard,
    where the login form leads.

    For tests whose subject comes after the login: the form itself is driven in
    Chromium by ``test_first_login.py`` (and tested through the test client in
    tests/portal/test_auth.py, test_login_policy.py and tests/security). Here the
    same ``POST /login`` goes to the live application through its test client,
    from the browser's address and with its User-Agent (Flask-Login's session
    identifier, which the exam fast path checks, is the one the browser's own
    login would get), and the session cookie is handed to the browser.
    """
    client = _LIVE_APPS[live_server].test_client()
    user_agent = page.evaluate("() => navigator.userAgent")
    response = client.post(
        "/login",
        data={"login": username, "password": password},
        headers={"User-Agent": user_agent},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    assert response.status_code == 302, f"{username} could not sign in"
    assert urlsplit(response.headers["Location"]).path == "/dashboard", username
    page.context.add_cookies(
        [
            {
                "name": "session",
                "value": client.get_cookie("session").value,
                "url": live_server,
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )
    page.goto(f"{live_server}/dashboard")


@pytest.fixture(scope="session")
def chromium():
    """A headless Debian Chromium driven by Playwright."""
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


AUDIT_TIMEOUT_MS = 30_000
_AUDIT_TOTALS = {"audited": 0, "interrupted": 0}


def pytest_terminal_summary(terminalreporter):
    if _AUDIT_TOTALS["audited"] or _AUDIT_TOTALS["interrupted"]:
        terminalreporter.write_line(
            f"axe-core: {_AUDIT_TOTALS['audited']} page states audited, "
            f"{_AUDIT_TOTALS['interrupted']} audits interrupted by a navigation; "
            f"axe ran {axe.STATS['run']} times ({axe.STATS['seconds']:.1f} s), "
            f"{axe.STATS['reused']} identical states took the first audit's result"
        )


class _GuardedContext:
    """A browser context whose pages are audited (axe, CSP) on each load."""

    def __init__(self, context, guard):
        self._context = context
        self._guard = guard
        guard.watch_context(context)

    def __getattr__(self, name):
        return getattr(self._context, name)

    def set_default_timeout(self, timeout):
        # Each page load now also runs axe-core in the page (seconds on a busy
        # machine): the waits get room for it.
        return self._context.set_default_timeout(max(timeout, AUDIT_TIMEOUT_MS))

    def close(self, *args, **kwargs):
        # The last state of each page is audited too, before it goes away.
        for page in self._context.pages:
            if not page.is_closed():
                self._guard._audit(page)
        return self._context.close(*args, **kwargs)


class _GuardedBrowser:
    def __init__(self, browser, guard):
        self._browser = browser
        self._guard = guard
        self.contexts = []

    def __getattr__(self, name):
        return getattr(self._browser, name)

    def new_context(self, *args, **kwargs):
        # No colour transitions: axe must measure the final colours of a button
        # that was just clicked or hovered, not a frame of its animation.
        kwargs.setdefault("reduced_motion", "reduce")
        context = _GuardedContext(
            self._browser.new_context(*args, **kwargs), self._guard
        )
        self.contexts.append(context)
        return context


@pytest.fixture
def browser(chromium):
    """Chromium for one test: every page it loads must pass axe-core (WCAG 2.1
    A/AA, no critical or serious violation) and raise no CSP violation."""
    from playwright.sync_api import expect

    expect.set_options(timeout=AUDIT_TIMEOUT_MS // 2)
    guard = PageGuard()
    guarded = _GuardedBrowser(chromium, guard)
    yield guarded
    pages = [p for c in guarded.contexts for p in c.pages]
    for context in guarded.contexts:
        context.close()
    _AUDIT_TOTALS["audited"] += len(guard.audited)
    _AUDIT_TOTALS["interrupted"] += guard.interrupted
    guard.check(pages)
    assert guard.audited or not guarded.contexts, "no page state was audited"


@pytest.fixture
def screenshot():
    """Save a full-page screenshot of ``page`` as ``test-artifacts/<name>``."""

    def save(page, name):
        os.makedirs(ARTIFACTS, exist_ok=True)
        path = os.path.join(ARTIFACTS, name)
        page.screenshot(path=path, full_page=True)
        return path

    return save
