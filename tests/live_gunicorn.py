"""One way to start the portal under a real gunicorn for the reliability tests
(kill-restart, two nodes behind nginx, the probe replay): gthread workers on
127.0.0.1, in their own process group so a test can SIGKILL master and workers."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def spawn(port, env, log, workers=2, threads=4, extra=()):
    """Start ``gunicorn wsgi:app`` on ``127.0.0.1:port``; output goes to ``log``
    (an open binary file). :return: the :class:`subprocess.Popen`."""
    return subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            os.path.join(os.path.dirname(sys.executable), "gunicorn"),
            "-w",
            str(workers),
            "-k",
            "gthread",
            "--threads",
            str(threads),
            "-b",
            f"127.0.0.1:{port}",
            *extra,
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,  # its own process group: master + workers
    )


def migrate(url):
    """Bring the database at ``url`` to the migrations' head, in this process.

    The same Alembic upgrade as ``flask db upgrade`` (the schema comes from the
    migrations, as in production), without a new interpreter importing the
    whole application once more before gunicorn does it again.
    """
    from flask_migrate import upgrade

    from portal import create_app
    from portal.config import TestConfig
    from portal.extensions import db

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()


def wait_until_serving(proc, base, seconds, log_tail):
    """Poll ``base + "/login"`` until it answers; fail when ``proc`` exits or after
    ``seconds``. :return: True when serving, False on time-out."""
    import time

    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, log_tail()
        try:
            requests.get(base + "/login", timeout=2)
            return True
        except requests.RequestException:
            time.sleep(0.05)
    return False
