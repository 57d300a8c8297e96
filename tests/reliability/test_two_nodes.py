"""Two app nodes behind nginx survive losing one (issue #17, multi-node deployment).

Two gunicorn nodes with separate instance folders share one PostgreSQL database,
Redis (rate limits, jobs), the storage directory and the SECRET_KEY; nginx (the
Debian package, run in the foreground from a temporary prefix) balances them
round-robin with failover. A training admin uploads a PDF through node A; it is
read back directly from node B. Candidates then autosave through nginx while node A
(master and workers) is SIGKILLed: every acknowledged save must be in the database,
no candidate may be logged out (their next requests succeed on node B), and the
file written by the dead node is still served by node B.

PostgreSQL only; skipped when PostgreSQL, Redis or nginx is missing (failed under
``REQUIRE_POSTGRES=1`` / ``REQUIRE_REDIS=1`` / ``CI=true``; ``make nginx`` installs it).
Select it with ``-m reliability``.
"""

import os
import shutil
import signal
import subprocess
import threading
import time
import uuid

import pytest
import requests
import sqlalchemy as sa

from exams.attempts.admission import BUSY_MESSAGE
from portal import create_app
from portal.auth.models import User, UserRole
from portal.config import TestConfig
from portal.extensions import db
from portal.nginx import TEMP_DIRS, render_site, render_standalone
from portal.orgs.models import Organisation
from tests import live_gunicorn
from tests.conftest import REDIS_URL, create_pg_database, drop_pg_database, require_pg
from tests.exams.test_kill_restart import (
    _CSRF_INPUT,
    PASSWORD,
    Candidate,
    _free_port,
    _login,
    _seed,
)
from tests.suggestions.support import pdf_bytes

pytestmark = pytest.mark.reliability

SECRET = "two-nodes-shared-secret-key-0123456789abcdef"  # >= 32 characters
ACKS_BEFORE_KILL = 60
ACKS_AFTER_KILL = 80
# Requests already inside node A when it dies fail once (nginx does not replay a
# POST that reached a node); every later one must succeed on node B.
GRACE_SECONDS = 3.0
# Well-formed: every PDF upload goes through the one PDF check.
PDF = pdf_bytes()


def _nginx_binary():
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None
    )
    if found is None:
        if os.environ.get("CI") == "true" or os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("nginx is required (make nginx)")
        pytest.skip("nginx not installed (make nginx)")
    return found


def _redis_or_skip():
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    try:
        Redis.from_url(REDIS_URL).ping()
    except RedisConnectionError:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is required but not reachable at {REDIS_URL}")
        pytest.skip("Redis not reachable")


class Node:
    """One app node: gunicorn (own process group) with its own instance folder."""

    def __init__(self, name, url, instance, storage, queue):
        self.name, self.port, self.proc = name, _free_port(), None
        os.makedirs(instance)
        self.log = os.path.join(instance, "gunicorn.log")
        with open(os.path.join(instance, "config.py"), "w", encoding="utf-8") as fh:
            # Cheap password hashing for the test; everything shared comes from
            # the environment, as docs/deployment.md prescribes.
            fh.write(
                "ARGON2_TIME_COST = 1\nARGON2_MEMORY_COST = 8192\n"
                "ARGON2_PARALLELISM = 1\nLOGIN_RATE_LIMIT = '10000 per minute'\n"
            )
        self.env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("FLASK_APP", "RATELIMIT_STORAGE_URI", "STORAGE_BACKEND")
        } | {
            "DATABASE_URL": url,
            "SECRET_KEY": SECRET,
            "REDIS_URL": REDIS_URL,
            "RQ_QUEUE": queue,
            "UPLOAD_DIR": storage,
            "PORTAL_INSTANCE_PATH": instance,
            "PROXY_FIX_X_FOR": "1",
            "LOG_LEVEL": "WARNING",
        }

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        with open(self.log, "ab") as log:
            self.proc = live_gunicorn.spawn(
                self.port, self.env, log, workers=1, threads=4
            )
        if not live_gunicorn.wait_until_serving(self.proc, self.base, 90, self.tail):
            pytest.fail(f"gunicorn {self.name} did not start within 90 s")

    def tail(self):
        with open(self.log, encoding="utf-8", errors="replace") as fh:
            return fh.read()[-3000:]

    def kill(self):
        """SIGKILL the master and every worker at once (a node lost)."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        except ProcessLookupError:
            pass


class Nginx:
    """nginx in the foreground, config and temp files under its own prefix; the
    site is the production one (``flask deploy nginx-conf``, portal/nginx.py)."""

    def __init__(
        self, binary, prefix, upstreams, save_concurrency=24, start_click_rate=0
    ):
        self.binary, self.prefix, self.port, self.proc = binary, prefix, None, None
        self.port = _free_port()
        for name in TEMP_DIRS:
            os.makedirs(os.path.join(prefix, name))
        self.access_log = os.path.join(prefix, "logs", "access.log")
        self.conf = os.path.join(prefix, "nginx.conf")
        site = render_site(
            [f"127.0.0.1:{port}" for port in upstreams],
            busy_message=BUSY_MESSAGE,
            listen=f"127.0.0.1:{self.port}",
            save_concurrency=save_concurrency,
            keepalive=16,
            start_click_rate=start_click_rate,
            start_click_burst=0,
        )
        with open(self.conf, "w", encoding="utf-8") as fh:
            fh.write(render_standalone(prefix, site, worker_connections=512))

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        check = subprocess.run(
            [self.binary, "-t", "-p", self.prefix, "-c", self.conf],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert check.returncode == 0, check.stderr
        self.proc = subprocess.Popen(
            [self.binary, "-p", self.prefix, "-c", self.conf],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            assert self.proc.poll() is None, "nginx exited"
            try:
                requests.get(self.base + "/login", timeout=2)
                return
            except requests.RequestException:
                time.sleep(0.1)
        pytest.fail("nginx did not start within 30 s")

    def served_by(self):
        """Upstream address of every logged request, in order."""
        with open(self.access_log, encoding="utf-8") as fh:
            return [line.split()[-1] for line in fh if line.strip()]

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGQUIT)  # graceful shutdown
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        except ProcessLookupError:
            pass


def _add_training_admin(url, username):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        city = db.session.scalar(
            sa.select(Organisation).where(Organisation.code == "KILL")
        )
        from argon2 import PasswordHasher

        db.session.add(
            User(
                username=username,
                name="培训管理员",
                organisation=city,
                password_hash=PasswordHasher(
                    time_cost=1, memory_cost=8 * 1024, parallelism=1
                ).hash(PASSWORD),
                must_change_password=False,
                roles=[UserRole(role="training_admin", scope=city)],
            )
        )
        db.session.commit()
        city_id = city.id
        db.session.remove()
        db.engine.dispose()
    return city_id


def _attempt_times(url):
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT id, started_at, deadline_at, status FROM attempts")
        ).all()
    engine.dispose()
    return {row.id: tuple(row[1:]) for row in rows}


def _form_token(client, url):
    page = client.get(url, timeout=30)
    assert page.status_code == 200, page.text[:500]
    return _CSRF_INPUT.search(page.text).group(1)


def _upload_material(base, username, city_id):
    """Log in on one node, create a course and upload a PDF there."""
    client = requests.Session()
    token = _form_token(client, base + "/login")
    resp = client.post(
        base + "/login",
        data={"login": username, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=30,
    )
    assert resp.status_code == 302, resp.text[:500]
    token = _form_token(client, base + "/admin/training/courses/new")
    resp = client.post(
        base + "/admin/training/courses/new",
        data={
            "csrf_token": token,
            "title": "多节点存储测试课程",
            "description": "",
            "year": "2026",
            "credit_hours": "1",
            "for_officer": "y",
            "organisation_id": str(city_id),
            "paper_id": "0",
            "quiz_minutes": "30",
            "quiz_attempts": "3",
        },
        allow_redirects=False,
        timeout=30,
    )
    assert resp.status_code == 302, resp.text[:2000]
    course_url = resp.headers["Location"]
    if course_url.startswith("/"):
        course_url = base + course_url
    token = _form_token(client, course_url)
    course_id = int(course_url.rstrip("/").rsplit("/", 1)[1])
    resp = client.post(
        f"{base}/admin/training/courses/{course_id}/materials/upload",
        data={
            "csrf_token": token,
            "kind": "pdf",
            "title": "执法规范（共享存储）",
            "required_minutes": "5",
        },
        files={"file": ("规范.pdf", PDF, "application/pdf")},
        allow_redirects=False,
        timeout=30,
    )
    assert resp.status_code == 302, resp.text[:2000]
    return client


def test_two_nodes_behind_nginx_survive_losing_one(tmp_path):
    require_pg()
    _redis_or_skip()
    binary = _nginx_binary()
    url = create_pg_database("zhifa_nodes")
    storage = str(tmp_path / "shared-storage")
    queue = f"zhifa-nodes-{uuid.uuid4().hex[:8]}"
    node_a = Node("A", url, str(tmp_path / "instance-a"), storage, queue)
    node_b = Node("B", url, str(tmp_path / "instance-b"), storage, queue)
    proxy = None
    stop = threading.Event()
    threads = []
    try:
        live_gunicorn.migrate(url)
        attempts, _ = _seed(url)
        times_before = _attempt_times(url)
        city_id = _add_training_admin(url, "nodeadmin")
        node_a.start()
        node_b.start()
        proxy = Nginx(binary, str(tmp_path / "nginx"), [node_a.port, node_b.port])
        proxy.start()

        # A file written through node A is served by node B (same session cookie:
        # sessions are signed cookies, no per-node state), whole and by range.
        admin = _upload_material(node_a.base, "nodeadmin", city_id)
        engine = sa.create_engine(url, poolclass=sa.NullPool)
        with engine.connect() as conn:
            material_id, stored_name = conn.execute(
                sa.text("SELECT id, stored_name FROM training_materials")
            ).one()
        engine.dispose()
        assert os.path.isfile(os.path.join(storage, "training", stored_name))
        file_path = f"/training/materials/{material_id}/file"
        resp = admin.get(node_b.base + file_path, timeout=30)
        assert resp.status_code == 200
        assert resp.content == PDF
        resp = admin.get(
            node_b.base + file_path, headers={"Range": "bytes=9-108"}, timeout=30
        )
        assert resp.status_code == 206
        assert resp.content == PDF[9:109]

        # Candidates log in and autosave through nginx (round robin: every
        # candidate's requests land on both nodes).
        for username, attempt_id in attempts.items():
            client, csrf = _login(proxy.base, username, attempt_id)
            threads.append(Candidate(proxy.base, client, csrf, attempt_id, stop))
        for thread in threads:
            thread.start()
        deadline = time.time() + 90
        while (
            sum(len(t.acked) for t in threads) < ACKS_BEFORE_KILL
            and time.time() < deadline
        ):
            time.sleep(0.05)
        acked_before = sum(len(t.acked) for t in threads)
        assert acked_before >= ACKS_BEFORE_KILL, node_a.tail() + node_b.tail()
        upstream_a = f"127.0.0.1:{node_a.port}"
        upstream_b = f"127.0.0.1:{node_b.port}"
        before = proxy.served_by()
        assert upstream_a in before
        assert upstream_b in before

        node_a.kill()
        killed_at = time.monotonic()
        failures_at_kill = sum(t.failures for t in threads)
        deadline = time.time() + 90
        while (
            sum(1 for t in threads for a in t.acked if a[4] > killed_at)
            < ACKS_AFTER_KILL
            and time.time() < deadline
        ):
            time.sleep(0.05)
        time.sleep(GRACE_SECONDS)
        failures_settled = sum(t.failures for t in threads)
        time.sleep(2)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        assert all(t.error is None for t in threads), [t.error for t in threads]
        acked_after = [a for t in threads for a in t.acked if a[4] > killed_at]
        assert len(acked_after) >= ACKS_AFTER_KILL, node_b.tail()
        # At most the requests in flight inside node A failed; after the grace
        # period not one save failed.
        assert failures_settled - failures_at_kill <= len(threads) * 2
        assert sum(t.failures for t in threads) == failures_settled
        print(
            f"two nodes: {acked_before} saves acknowledged before the kill, "
            f"{len(acked_after)} after; {failures_settled - failures_at_kill} "
            f"failed at the kill, {failures_at_kill} before it"
        )
        served_after = proxy.served_by()[len(before) :]
        assert served_after
        assert set(served_after[-20:]) == {upstream_b}

        # No candidate was logged out: their exam page still opens through nginx.
        for thread in threads:
            page = thread.client.get(
                f"{proxy.base}/exams/attempts/{thread.attempt_id}",
                allow_redirects=False,
                timeout=30,
            )
            assert page.status_code == 200, page.status_code
            assert 'data-csrf="' in page.text
        # The file written by the dead node is still served (node B, nginx).
        assert admin.get(node_b.base + file_path, timeout=30).content == PDF
        assert admin.get(proxy.base + file_path, timeout=30).content == PDF

        latest = {}
        for thread in threads:
            for attempt_id, position, seq, response, _ in thread.acked:
                key = (attempt_id, position)
                if key not in latest or seq > latest[key][0]:
                    latest[key] = (seq, response)
        node_b.stop()
        engine = sa.create_engine(url, poolclass=sa.NullPool)
        with engine.connect() as conn:
            stored = {
                (row.attempt_id, row.position): row
                for row in conn.execute(
                    sa.text("SELECT attempt_id, position, seq, response FROM answers")
                )
            }
            lost = [
                (key, seq)
                for key, (seq, response) in latest.items()
                if key not in stored
                or stored[key].seq < seq
                or (stored[key].seq == seq and stored[key].response != response)
            ]
            assert lost == []
        engine.dispose()
        assert _attempt_times(url) == times_before  # no clock moved
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
        if proxy is not None:
            proxy.stop()
        node_a.stop()
        node_b.stop()
        drop_pg_database(url)
        try:
            from redis import Redis

            redis = Redis.from_url(REDIS_URL)
            for key in redis.scan_iter(f"rq:*{queue}*"):
                redis.delete(key)
        except Exception:  # noqa: BLE001 - best-effort clean-up of the test queue
            pass


def _save(client, base, attempt_id, csrf, seq, response=("A",)):
    return client.post(
        f"{base}/exams/attempts/{attempt_id}/answers",
        json={"position": 0, "response": list(response), "seq": seq},
        headers={"X-CSRFToken": csrf},
        timeout=30,
    )


def test_nginx_sheds_saves_and_start_clicks_before_python(tmp_path):
    """The production nginx site answers an autosave beyond its in-flight limit
    itself — 503, Retry-After and the application's busy body, without passing it
    to gunicorn — while other pages pass; the shed answer is stored when retried.
    A first click on 开始答题 beyond the start rate gets nginx's 排队中 page the
    same way, while the admitted entry (/enter) passes (issue #17: overload is
    shed before Python)."""
    require_pg()
    _redis_or_skip()
    binary = _nginx_binary()
    url = create_pg_database("zhifa_shed")
    storage = str(tmp_path / "storage")
    queue = f"zhifa-shed-{uuid.uuid4().hex[:8]}"
    node = Node("A", url, str(tmp_path / "instance"), storage, queue)
    proxy, holder, engine = None, None, sa.create_engine(url, poolclass=sa.NullPool)
    try:
        live_gunicorn.migrate(url)
        attempts, _ = _seed(url)
        node.start()
        proxy = Nginx(
            binary,
            str(tmp_path / "nginx"),
            [node.port],
            save_concurrency=1,
            start_click_rate=1 / 60,
        )
        proxy.start()
        (first, first_attempt), (second, second_attempt) = list(attempts.items())[:2]
        client_a, csrf_a = _login(proxy.base, first, first_attempt)
        client_b, csrf_b = _login(proxy.base, second, second_attempt)
        seq = int(time.time() * 1000)

        # Hold one save in flight: its attempt row is locked, so the save waits
        # inside PostgreSQL (the fast path locks the attempt first).
        holder = engine.connect()
        lock = holder.begin()
        holder.execute(
            sa.text("SELECT id FROM attempts WHERE id = :id FOR UPDATE"),
            {"id": first_attempt},
        )
        held = {}
        thread = threading.Thread(
            target=lambda: held.setdefault(
                "resp", _save(client_a, proxy.base, first_attempt, csrf_a, seq)
            ),
            daemon=True,
        )
        thread.start()
        deadline = time.time() + 30
        with engine.connect() as conn:
            while time.time() < deadline:
                waiting = conn.scalar(
                    sa.text(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                    )
                )
                if waiting:
                    break
                time.sleep(0.05)
        assert waiting == 1, node.tail()

        served_before = len(proxy.served_by())
        shed = _save(client_b, proxy.base, second_attempt, csrf_b, seq)
        assert shed.status_code == 503
        assert shed.headers["Retry-After"] == "3"
        assert shed.headers["Cache-Control"] == "no-store"
        assert shed.headers["Content-Type"].startswith("application/json")
        assert shed.json() == {"ok": False, "error": BUSY_MESSAGE, "busy": True}
        # nginx answered it: no upstream was asked (logged after the reply).
        for _ in range(50):
            if proxy.served_by()[served_before:]:
                break
            time.sleep(0.05)
        assert proxy.served_by()[served_before:] == ["-"]
        # Pages other than autosave and heartbeat are not limited.
        page = client_b.get(f"{proxy.base}/exams/attempts/{second_attempt}", timeout=30)
        assert page.status_code == 200

        lock.commit()  # the held save goes through
        thread.join(timeout=30)
        assert held["resp"].status_code == 200, held["resp"].text[:500]
        retried = _save(client_b, proxy.base, second_attempt, csrf_b, seq)
        assert retried.status_code == 200, retried.text[:500]
        with engine.connect() as conn:
            stored = conn.execute(
                sa.text(
                    "SELECT attempt_id, seq FROM answers WHERE position = 0"
                    " AND attempt_id IN (:a, :b) ORDER BY attempt_id"
                ),
                {"a": first_attempt, "b": second_attempt},
            ).all()
        assert sorted(stored) == sorted([(first_attempt, seq), (second_attempt, seq)])

        # The start wave: one first click a minute passes, the next is nginx's.
        with engine.connect() as conn:
            arrangement = conn.scalar(
                sa.text("SELECT arrangement_id FROM attempts WHERE id = :id"),
                {"id": second_attempt},
            )
        click = f"{proxy.base}/exams/{arrangement}/start"
        logged = len(proxy.served_by())
        passed = client_b.post(
            click, headers={"X-CSRFToken": csrf_b}, allow_redirects=False, timeout=30
        )
        assert passed.status_code == 302, passed.text[:500]
        assert passed.headers["Location"].endswith(f"/exams/attempts/{second_attempt}")
        # nginx logs a request after its reply: wait for the passed click's line.
        for _ in range(50):
            if len(proxy.served_by()) > logged:
                break
            time.sleep(0.05)
        assert proxy.served_by()[logged:] == [f"127.0.0.1:{node.port}"]
        served_before = len(proxy.served_by())
        busy = client_b.post(
            click, headers={"X-CSRFToken": csrf_b}, allow_redirects=False, timeout=30
        )
        assert busy.status_code == 503
        assert busy.headers["Retry-After"] == "3"
        assert busy.headers["Content-Type"].startswith("text/html")
        assert "排队中" in busy.text
        assert f"url=/exams/{arrangement}/notice" in busy.text
        for _ in range(50):
            if proxy.served_by()[served_before:]:
                break
            time.sleep(0.05)
        assert proxy.served_by()[served_before:] == ["-"]
        entered = client_b.post(
            f"{proxy.base}/exams/{arrangement}/enter",
            headers={"X-CSRFToken": csrf_b},
            allow_redirects=False,
            timeout=30,
        )
        assert entered.status_code == 302, entered.text[:500]
        assert entered.headers["Location"].endswith(f"/exams/attempts/{second_attempt}")
    finally:
        if holder is not None:
            holder.close()
        engine.dispose()
        if proxy is not None:
            proxy.stop()
        node.stop()
        drop_pg_database(url)
