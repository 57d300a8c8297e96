"""Fixtures for real-browser tests: a live portal server and Debian Chromium.

``playwright install`` needs the internet, so the browser is the distribution's
``/usr/bin/chromium`` (``make chromium`` installs it); without it the tests skip.
"""

import os
import threading

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from portal import create_app
from portal.config import TestConfig
from portal.extensions import db
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


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The portal on a migrated SQLite file (tests may add data to it).

    The schema comes from the migrations (as in production), not ``create_all``.
    """
    _require_chromium()
    folder = tmp_path_factory.mktemp("browser")
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'browser.db'}",
        UPLOAD_DIR=str(folder / "uploads"),
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
    return app


@pytest.fixture(scope="session")
def live_server(live_app):
    """Base URL of :func:`live_app`, served by a real HTTP server."""
    app = live_app
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
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


@pytest.fixture
def screenshot():
    """Save a full-page screenshot of ``page`` as ``test-artifacts/<name>``."""

    def save(page, name):
        os.makedirs(ARTIFACTS, exist_ok=True)
        path = os.path.join(ARTIFACTS, name)
        page.screenshot(path=path, full_page=True)
        return path

    return save
