"""gunicorn CPU per autosave with N concurrent candidates (issue #17): a small,
controlled check of the fast path under a real gunicorn (gthread 2 × 4, the
production configuration), without locust's scheduling.

``python -m bench.gunicorn_saves [--view] [--candidates 20] [--saves 30]``:
a fresh PostgreSQL database, N candidates who log in and start their attempt,
then each sends ``saves`` autosaves of existing answers (one every 50 ms, each on
its own connection, ``Connection: close``) concurrently; prints the CPU seconds of
gunicorn's process group per save and the rate achieved. ``--view`` turns the fast
path off (``EXAM_FAST_PATH = False``: every save through the Flask view).
"""

import argparse
import os
import secrets
import shutil
import tempfile
import time


def main():  # noqa: PLR0915
    parser = argparse.ArgumentParser()
    parser.add_argument("--view", action="store_true")
    parser.add_argument("--candidates", type=int, default=20)
    parser.add_argument("--saves", type=int, default=30)
    args = parser.parse_args()

    import gevent.monkey

    gevent.monkey.patch_all()
    import gevent
    from locust.contrib.fasthttp import FastHttpSession
    from locust.env import Environment

    from bench.exams_load_setup import (
        login,
        seed,
        server_settings,
        start_unmeasured,
    )
    from bench.loadkit import (
        Server,
        _cpu_snapshot,
        create_database,
        drop_database,
        free_port,
        migrate,
    )

    url = create_database()
    work = tempfile.mkdtemp(prefix="zhifa-saves-")
    server = None
    try:
        migrate(url, dict(os.environ) | {"PORTAL_INSTANCE_PATH": work})
        arrangement, users = seed(url, args.candidates, print)
        settings = server_settings() | {
            "EXAM_START_RATE": 0,
            "EXAM_FAST_PATH": not args.view,
        }
        config = {"worker_class": "gthread", "workers": 2, "threads": 4}
        server = Server(url, work, config, free_port(), settings)
        server.start(secrets.token_hex(32))
        clients = []
        for username in users:
            session = start_unmeasured(
                server.base, arrangement, login(server.base, username)
            )
            client = FastHttpSession(server.base, Environment().events.request, None)
            for name in ("session", "exam_device"):
                value = session["cookie"] if name == "session" else session["device"]
                client.cookiejar.set_cookie(_cookie(name, value))
            headers = {"X-CSRFToken": session["csrf"], "Connection": "close"}
            answers = f"/exams/attempts/{session['attempt']}/answers"
            for position in range(3):  # the rows exist; the session settles
                client.post(
                    answers,
                    json={"position": position, "response": None, "seq": 1},
                    headers=headers,
                )
            clients.append((client, answers, headers))

        def cpu():
            procs, _ = _cpu_snapshot()
            return sum(v for _pid, (pg, v) in procs.items() if pg == server.proc.pid)

        codes = {}

        def run(client, answers, headers):
            for n in range(args.saves):
                reply = client.post(
                    answers,
                    json={"position": n % 3, "response": None, "seq": 2 + n},
                    headers=headers,
                )
                codes[reply.status_code] = codes.get(reply.status_code, 0) + 1
                gevent.sleep(0.05)

        before, started = cpu(), time.time()
        gevent.joinall([gevent.spawn(run, *c) for c in clients])
        done = sum(codes.values())
        print(
            f"{'view' if args.view else 'fast path'}: {args.candidates} candidates, "
            f"replies {codes}, gunicorn CPU {(cpu() - before) / done * 1000:.2f} "
            f"ms/save, {done / (time.time() - started):.1f} saves/s, load average "
            f"{open('/proc/loadavg', encoding='utf-8').read().split()[:3]}"
        )
    finally:
        if server is not None:
            server.stop()
        drop_database(url)
        shutil.rmtree(work, ignore_errors=True)


def _cookie(name, value):
    from http.cookiejar import Cookie

    return Cookie(
        0, name, value, None, False, "127.0.0.1", False, False, "/",
        True, False, None, False, None, None, {},
    )  # fmt: skip


if __name__ == "__main__":
    main()
