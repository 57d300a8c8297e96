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
