"""Zero lost answers (issue #5, reliability): a simulated exam against gunicorn and
PostgreSQL; the whole server (master and workers) is SIGKILLed mid-exam and started
again. Every save the server acknowledged must be in the database, with the latest
acknowledged seq per item (or a newer one), and no deadline may move.

Runs on PostgreSQL only (it is the production database); skipped when PostgreSQL is
unreachable, failed under ``REQUIRE_POSTGRES=1``. Select it with ``-m reliability``.
"""

import os
import random
import re
import signal
import socket
import subprocess
import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
import requests
import sqlalchemy as sa
from argon2 import PasswordHasher

from exams.attempts.models import Answer, Attempt
from exams.attempts.services import start_attempt
from exams.banks.services import commit_import, ensure_bank, plan_import
from exams.formats.model import ImportedQuestion, ImportResult
from exams.papers.services import (
    create_arrangement,
    create_blueprint_paper,
    enrol_candidates,
)
from portal import create_app
from portal.actor import Actor
from portal.auth.models import User, UserRole
from portal.config import TestConfig
from portal.extensions import db
from portal.orgs.models import Organisation
from portal.timeutil import utcnow
from tests import live_gunicorn
from tests.conftest import create_pg_database, drop_pg_database, require_pg

pytestmark = pytest.mark.reliability

PASSWORD = "Kill-Passw0rd!"
CANDIDATES = 4
ACKS_BEFORE_KILL = 80
ACKS_AFTER_RESTART = 80
_CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_DATA_CSRF = re.compile(r'data-csrf="([^"]+)"')


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _seed(url):
    """Candidates with started attempts; returns {username: attempt id} and the
    attempts' (started_at, deadline_at)."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        city = Organisation(code="KILL", name="测试市", kind="city", path="")
        db.session.add(city)
        db.session.flush()
        city.path = f"/{city.id}/"
        hashed = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(
            PASSWORD
        )
        users = [
            User(
                username=f"kill{n}",
                name=f"考生{n}",
                organisation=city,
                password_hash=hashed,
                must_change_password=False,
                roles=[UserRole(role="officer")],
            )
            for n in range(CANDIDATES)
        ]
        db.session.add_all(users)
        bank = ensure_bank("KILL")
        rows = [
            ImportedQuestion(
                type="single",
                stem=f"第{n}题：下列哪一项是第{n}种情形的正确处理？",
                options={"A": f"甲{n}", "B": f"乙{n}", "C": f"丙{n}"},
                key=["A"],
                source=f"k{n}",
            )
            for n in range(12)
        ]
        commit_import(
            plan_import(ImportResult(questions=rows, format="xlsx"), bank),
            bank,
            Actor.system(),
        )
        paper = create_blueprint_paper(
            "断电测试卷",
            [
                {
                    "bank_id": bank.id,
                    "type": "single",
                    "count": 10,
                    "score_each": Decimal(10),
                }
            ],
        )
        now = utcnow()
        arrangement = create_arrangement(
            paper,
            name="断电恢复考试",
            kind="training",
            window_start=now - timedelta(minutes=5),
            window_end=now + timedelta(hours=3),
            duration_minutes=90,
        )
        enrol_candidates(arrangement, users=users)
        attempts = {u.username: start_attempt(arrangement, u, now) for u in users}
        db.session.commit()
        ids = {name: a.id for name, a in attempts.items()}
        times = {a.id: (a.started_at, a.deadline_at) for a in attempts.values()}
        db.session.remove()
        db.engine.dispose()
    return ids, times


class Gunicorn:
    def __init__(self, url, instance, port):
        self.port, self.proc = port, None
        self.log = os.path.join(instance, "gunicorn.log")
        with open(os.path.join(instance, "config.py"), "w", encoding="utf-8") as fh:
            fh.write(
                "ARGON2_TIME_COST = 1\nARGON2_MEMORY_COST = 8192\n"
                "ARGON2_PARALLELISM = 1\nLOGIN_RATE_LIMIT = '10000 per minute'\n"
                "RATELIMIT_STORAGE_URI = 'memory://'\n"
            )
        self.env = {
            k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "FLASK_APP")
        } | {
            "DATABASE_URL": url,
            "SECRET_KEY": "kill-restart-test-secret-0123456789abcdef",
            "PORTAL_INSTANCE_PATH": instance,
            "LOG_LEVEL": "WARNING",
        }

    def start(self):
        with open(self.log, "ab") as log:
            self.proc = live_gunicorn.spawn(
                self.port, self.env, log, workers=2, threads=4
            )
        if not live_gunicorn.wait_until_serving(
            self.proc,
            f"http://127.0.0.1:{self.port}",
            60,
            lambda: open(self.log, encoding="utf-8").read(),
        ):
            pytest.fail("gunicorn did not start within 60 s")

    def group_members(self):
        pgid = self.proc.pid
        members = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat", encoding="utf-8") as fh:
                        fields = fh.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[2]) == pgid and fields[0] != "Z":
                    members.append(int(entry))
        return members

    def kill(self):
        """SIGKILL the master and every worker at once."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        deadline = time.time() + 10
        while self.group_members() and time.time() < deadline:
            time.sleep(0.05)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
            except ProcessLookupError:
                pass


def _login(base, username, attempt_id):
    client = requests.Session()
    token = _CSRF_INPUT.search(client.get(base + "/login", timeout=30).text).group(1)
    resp = client.post(
        base + "/login",
        data={"login": username, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=30,
    )
    assert resp.status_code == 302, resp.text[:500]
    page = client.get(f"{base}/exams/attempts/{attempt_id}", timeout=30)
    assert page.status_code == 200
    return client, _DATA_CSRF.search(page.text).group(1)


class Candidate(threading.Thread):
    """Autosaves as the exam page does: increasing seq from Date.now(), retries
    after network errors; records every acknowledged save."""

    def __init__(self, base, client, csrf, attempt_id, stop):
        super().__init__(daemon=True)
        self.base, self.client, self.csrf = base, client, csrf
        self.attempt_id, self.stop = attempt_id, stop
        self.acked = []  # (attempt, position, seq, response, monotonic time)
        self.failures = 0
        self.rng = random.Random(attempt_id)
        self.seq = int(time.time() * 1000)
        self.error = None

    def run(self):
        try:
            while not self.stop.is_set():
                self.seq += 1
                position = self.rng.randrange(10)
                response = [self.rng.choice("ABC")]
                try:
                    resp = self.client.post(
                        f"{self.base}/exams/attempts/{self.attempt_id}/answers",
                        json={
                            "position": position,
                            "response": response,
                            "seq": self.seq,
                        },
                        headers={"X-CSRFToken": self.csrf},
                        timeout=5,
                    )
                except requests.RequestException:
                    self.failures += 1
                    time.sleep(0.05)
                    continue
                if resp.status_code == 200 and resp.json().get("ok"):
                    self.acked.append(
                        (
                            self.attempt_id,
                            position,
                            self.seq,
                            response,
                            time.monotonic(),
                        )
                    )
                else:
                    self.failures += 1
                time.sleep(0.01)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            self.error = exc


def _acked_count(threads):
    return sum(len(t.acked) for t in threads)


def _wait_for(threads, target, seconds):
    deadline = time.time() + seconds
    while _acked_count(threads) < target and time.time() < deadline:
        time.sleep(0.05)
    return _acked_count(threads)


def test_sigkill_of_gunicorn_loses_no_acknowledged_save(tmp_path):
    require_pg()
    url = create_pg_database("zhifa_kill")
    instance = str(tmp_path)
    server = Gunicorn(url, instance, _free_port())
    stop = threading.Event()
    threads = []
    try:
        live_gunicorn.migrate(url)
        attempts, times_before = _seed(url)
        server.start()
        base = f"http://127.0.0.1:{server.port}"
        for username, attempt_id in attempts.items():
            client, csrf = _login(base, username, attempt_id)
            threads.append(Candidate(base, client, csrf, attempt_id, stop))
        for thread in threads:
            thread.start()

        before_kill = _wait_for(threads, ACKS_BEFORE_KILL, 60)
        assert before_kill >= ACKS_BEFORE_KILL, open(server.log).read()[-3000:]
        assert len(server.group_members()) >= 3  # master + 2 workers
        server.kill()
        killed_at = time.monotonic()
        assert server.group_members() == []
        time.sleep(0.5)  # saves fail while the server is down
        server.start()
        after = _wait_for(threads, _acked_count(threads) + ACKS_AFTER_RESTART, 60)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        assert all(t.error is None for t in threads), [t.error for t in threads]
        acked_after_restart = [a for t in threads for a in t.acked if a[4] > killed_at]
        assert len(acked_after_restart) >= ACKS_AFTER_RESTART, after
        assert sum(t.failures for t in threads) > 0  # the outage was seen

        latest = {}
        for thread in threads:
            for attempt_id, position, seq, response, _ in thread.acked:
                key = (attempt_id, position)
                if key not in latest or seq > latest[key][0]:
                    latest[key] = (seq, response)
        server.stop()

        app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            stored = {
                (a.attempt_id, a.position): a
                for a in db.session.scalars(sa.select(Answer))
            }
            lost = [
                (key, seq)
                for key, (seq, response) in latest.items()
                if key not in stored
                or stored[key].seq < seq
                or (stored[key].seq == seq and stored[key].response != response)
            ]
            assert lost == []
            times_after = {
                a.id: (a.started_at, a.deadline_at)
                for a in db.session.scalars(sa.select(Attempt))
            }
            assert times_after == times_before
            assert {a.status for a in db.session.scalars(sa.select(Attempt))} == {
                "in_progress"
            }
            db.session.remove()
            db.engine.dispose()
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
        server.stop()
        drop_pg_database(url)
