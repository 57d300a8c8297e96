"""Tools for load benchmarks against a real server on this machine: a throwaway
PostgreSQL database, gunicorn in its own process group, locust runs, CPU accounting
per process group, latency percentiles. Used by ``bench/exams_load.py``."""

import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid

import sqlalchemy as sa

from bench import REPO_ROOT

PG_ADMIN_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")

# --- database ---------------------------------------------------------------------


def _admin_engine():
    return sa.create_engine(
        PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool
    )


def create_database():
    name = f"zhifa_bench_{uuid.uuid4().hex[:10]}"
    with _admin_engine().connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    return sa.make_url(PG_ADMIN_URL).set(database=name).render_as_string(False)


def drop_database(url):
    name = sa.make_url(url).database
    with _admin_engine().connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def analyze(url):
    """``VACUUM (ANALYZE)`` of the bench database after its set-up, and the
    server's autovacuum setting. This machine's PostgreSQL runs with autovacuum
    off; in production autovacuum would analyze the freshly filled tables within
    a minute or so, so the measured phases start from what it would leave."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with engine.connect() as conn:
        autovacuum = conn.scalar(sa.text("SHOW autovacuum"))
        started = time.perf_counter()
        conn.execute(sa.text("VACUUM (ANALYZE)"))
        took = time.perf_counter() - started
    engine.dispose()
    return {"autovacuum": autovacuum, "vacuum_analyze_s": round(took, 2)}


def backend_pids(url):
    """PostgreSQL backend processes connected to the bench database."""
    name = sa.make_url(url).database
    with _admin_engine().connect() as conn:
        return set(
            conn.execute(
                sa.text("SELECT pid FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            ).scalars()
        )


def migrate(url, env):
    subprocess.run(
        [sys.executable, "-m", "flask", "db", "upgrade"],
        cwd=REPO_ROOT,
        env=env | {"DATABASE_URL": url, "FLASK_APP": "wsgi.py"},
        check=True,
        capture_output=True,
        timeout=300,
    )


# --- processes and CPU ----------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cpu_snapshot():
    """{pid: (pgrp, utime + stime in seconds)} for every process, and the machine's
    busy CPU seconds (all cores)."""
    tick = os.sysconf("SC_CLK_TCK")
    procs = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        procs[int(entry)] = (int(fields[2]), (int(fields[11]) + int(fields[12])) / tick)
    with open("/proc/stat", encoding="utf-8") as fh:
        cpu = [int(v) for v in fh.readline().split()[1:]]
    busy = (sum(cpu) - cpu[3] - cpu[4]) / tick  # minus idle and iowait
    return procs, busy


class CpuMeter:
    """CPU seconds used during a phase by the server, the load generator, the
    PostgreSQL backends of the bench database, and the rest of the machine."""

    def __init__(self):
        self.before, self.busy_before = _cpu_snapshot()
        self.started = time.time()

    def stop(self, server_pgid, locust_pgid, pg_pids, proxy_pgid=None):
        after, busy_after = _cpu_snapshot()
        wall = time.time() - self.started

        def used(select):
            total = 0.0
            for pid, (pgrp, cpu) in after.items():
                if select(pid, pgrp):
                    total += cpu - self.before.get(pid, (pgrp, 0.0))[1]
            return total

        server = used(lambda pid, pgrp: pgrp == server_pgid)
        load = used(lambda pid, pgrp: pgrp == locust_pgid)
        postgres = used(lambda pid, pgrp: pid in pg_pids)
        proxy = used(lambda pid, pgrp: pgrp == proxy_pgid) if proxy_pgid else 0.0
        machine = busy_after - self.busy_before
        return {
            "nginx_cpu_s": round(proxy, 1),
            "wall_s": round(wall, 1),
            "gunicorn_cpu_s": round(server, 1),
            "locust_cpu_s": round(load, 1),
            "postgres_backends_cpu_s": round(postgres, 1),
            "other_processes_cpu_s": round(
                max(0.0, machine - server - load - postgres - proxy), 1
            ),
            "machine_busy_cores": round(machine / wall, 2) if wall else None,
            "loadavg": open("/proc/loadavg", encoding="utf-8").read().split()[:3],
        }


def stop_group(proc):
    """SIGTERM the process group led by ``proc``, SIGKILL it after 15 s."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def nginx_binary():
    """Debian's nginx (``make nginx``), or None."""
    import shutil

    found = shutil.which("nginx")
    if found is None and os.path.exists("/usr/sbin/nginx"):
        found = "/usr/sbin/nginx"
    return found


class Proxy:
    """nginx in front of the bench's gunicorn, with the production site
    (portal/nginx.py): the load goes through the same admission control as on
    exam day (autosaves beyond ``save_concurrency`` in flight, first clicks on
    开始答题 beyond ``start_click_rate`` per second: 503 from nginx)."""

    def __init__(self, workdir, upstream_port, save_concurrency, start_click_rate=0):
        from exams.attempts.admission import BUSY_MESSAGE
        from portal.nginx import TEMP_DIRS, render_site, render_standalone

        self.prefix = os.path.join(workdir, f"nginx-{uuid.uuid4().hex[:6]}")
        for name in TEMP_DIRS:
            os.makedirs(os.path.join(self.prefix, name))
        self.port = free_port()
        self.save_concurrency = save_concurrency
        site = render_site(
            [f"127.0.0.1:{upstream_port}"],
            busy_message=BUSY_MESSAGE,
            listen=f"127.0.0.1:{self.port}",
            save_concurrency=save_concurrency,
            start_click_rate=start_click_rate,
        )
        self.conf = os.path.join(self.prefix, "nginx.conf")
        with open(self.conf, "w", encoding="utf-8") as fh:
            fh.write(
                render_standalone(
                    self.prefix, site, worker_connections=16384, rlimit_nofile=40000
                )
            )
        self.proc = None

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def edge_latency(self, window, uri_pattern):
        """Server-side latency of the requests whose URI matches ``uri_pattern``
        and that *started* in ``window``, from nginx's access log: how long nginx
        held each request (``$request_time``: from reading it to sending the
        reply) and how long the node took (``$upstream_response_time``). Unlike
        the load generator's figures, these do not include the time a request
        waits inside a busy load generator on the same machine."""
        pattern = re.compile(uri_pattern)
        admitted, upstream, shed, failed = [], [], 0, 0
        path = os.path.join(self.prefix, "logs", "access.log")
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) < 7 or not pattern.search(parts[4]):
                    continue
                ended, held = float(parts[0]), float(parts[1])
                if not window[0] <= ended - held < window[1]:
                    continue
                status = int(parts[5])
                if parts[-1] == "-" and status == 503:
                    shed += 1
                    continue
                if status >= 500:
                    failed += 1
                admitted.append(held * 1000.0)
                times = [t for t in parts[2].split(",") if t.strip() not in ("", "-")]
                if times:
                    upstream.append(float(times[-1].strip()) * 1000.0)
        if not admitted:
            return {"requests": 0, "shed_by_nginx": shed}
        admitted.sort()
        upstream.sort()
        return {
            "requests": len(admitted),
            "errors_5xx": failed,
            "shed_by_nginx": shed,
            "p50_ms": round(_pct(admitted, 50), 1),
            "p95_ms": round(_pct(admitted, 95), 1),
            "p99_ms": round(_pct(admitted, 99), 1),
            "max_ms": round(admitted[-1], 1),
            "upstream_p95_ms": round(_pct(upstream, 95), 1) if upstream else None,
        }

    def start(self):
        binary = nginx_binary()
        subprocess.run(
            [binary, "-t", "-p", self.prefix, "-c", self.conf],
            check=True,
            capture_output=True,
        )
        self.proc = subprocess.Popen(
            [binary, "-p", self.prefix, "-c", self.conf],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def stop(self):
        if self.proc is None:
            return
        stop_group(self.proc)
        self.proc = None


class Server:
    """gunicorn in its own process group (so that one killpg stops it all), with
    nginx in front when ``proxy_saves`` is set (the in-flight limit of autosaves,
    0: gunicorn directly; ``start_click_rate``: nginx's rate of first clicks)."""

    def __init__(  # noqa: PLR0913 - the server's parts
        self, url, workdir, config, port, settings, proxy_saves=0, start_click_rate=0
    ):
        """:param config: worker_class, workers, threads.
        :param settings: extra Flask settings written to the instance config.py."""
        self.url, self.workdir, self.config, self.port = url, workdir, config, port
        self.settings = settings
        self.proc = None
        self.proxy = (
            Proxy(workdir, port, proxy_saves, start_click_rate) if proxy_saves else None
        )

    @property
    def base(self):
        if self.proxy is not None:
            return self.proxy.base
        return f"http://127.0.0.1:{self.port}"

    @property
    def direct(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def proxy_pgid(self):
        return self.proxy.proc.pid if self.proxy and self.proxy.proc else None

    def env(self):
        return os.environ | {
            "DATABASE_URL": self.url,
            "REDIS_URL": REDIS_URL,
            "SECRET_KEY": self.secret,
            "PORTAL_INSTANCE_PATH": self.workdir,
            "LOG_LEVEL": "WARNING",
        }

    def start(self, secret):
        self.secret = secret
        cfg = self.config
        pool = cfg["threads"] + 2
        with open(os.path.join(self.workdir, "config.py"), "w", encoding="utf-8") as fh:
            fh.write(
                "# Written by bench/loadkit.py for the load-test server.\n"
                f"SQLALCHEMY_ENGINE_OPTIONS = {{'pool_pre_ping': True, "
                f"'pool_size': {pool}, 'max_overflow': 2}}\n"
                f"RATELIMIT_KEY_PREFIX = 'bench-{uuid.uuid4().hex[:8]}'\n"
            )
            for key, value in self.settings.items():
                fh.write(f"{key} = {value!r}\n")
        cmd = [
            os.path.join(os.path.dirname(sys.executable), "gunicorn"),
            "-w",
            str(cfg["workers"]),
            "-k",
            cfg["worker_class"],
            "--threads",
            str(cfg["threads"]),
            "-b",
            f"127.0.0.1:{self.port}",
            "--backlog",
            "4096",
            "--timeout",
            "60",
            # Longer than nginx's upstream keepalive_timeout (60 s): nginx, not
            # gunicorn, closes an idle upstream connection (docs/deployment.md).
            "--keep-alive",
            "75",
            "wsgi:app",
        ]
        log = open(os.path.join(self.workdir, "gunicorn.log"), "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            cmd,
            cwd=REPO_ROOT,
            env=self.env(),
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        log.close()
        import requests

        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("gunicorn exited at start; see gunicorn.log")
            try:
                if requests.get(self.direct + "/login", timeout=2).status_code == 200:
                    if self.proxy is not None:
                        self.proxy.start()
                        _wait_for(self.proxy.base + "/login")
                    # Let every worker finish importing the app.
                    time.sleep(2)
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def stop(self):
        if self.proxy is not None:
            self.proxy.stop()
        if self.proc is None:
            return
        stop_group(self.proc)
        self.proc = None


def _wait_for(url, seconds=30):
    import requests

    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


# --- statistics -------------------------------------------------------------------


def _pct(ordered, q):
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=1000, method="inclusive")[int(q * 10) - 1]


def latency_summary(samples, window=None):
    """p50/p95/p99/max (ms) and errors of the requests sent in ``window`` (start,
    end; all samples when None), with two rates over the window: ``sent_rps`` (what
    the open-loop users offered) and ``achieved_rps`` (successful responses that
    completed inside the window: what the server actually served)."""
    everything = samples
    if window:
        samples = [s for s in samples if window[0] <= s["t"] < window[1]]
    if not samples:
        return {"requests": 0}
    ordered = sorted(s["ms"] for s in samples)
    errors = [s for s in samples if not s["ok"]]
    out = {
        "requests": len(samples),
        "errors": len(errors),
        "error_statuses": sorted({s["status"] for s in errors}),
        "p50_ms": round(_pct(ordered, 50), 1),
        "p95_ms": round(_pct(ordered, 95), 1),
        "p99_ms": round(_pct(ordered, 99), 1),
        "max_ms": round(ordered[-1], 1),
        "mean_ms": round(statistics.fmean(ordered), 1),
    }
    if window:
        span = window[1] - window[0]
        done = sum(
            1
            for s in everything
            if s["ok"] and window[0] <= s["t"] + s["ms"] / 1000.0 < window[1]
        )
        out["sent_rps"] = round(len(samples) / span, 1)
        out["achieved_rps"] = round(done / span, 1)
    return out


# --- the load generator -----------------------------------------------------------


# Load-generator processes: one locust process holding 10,000 users was seen at
# 100 % of a core right after spawning them, which inflates the latencies it
# measures; the users are split over several processes (one process group).
LOCUST_PROCESSES = int(os.environ.get("BENCH_LOCUST_PROCESSES", "2"))


class LocustGroup:
    """The locust processes of one phase, in one process group (``pid`` is its
    id, as for a single process)."""

    def __init__(self, procs):
        self.procs = procs

    @property
    def pid(self):
        return self.procs[0].pid

    @property
    def returncode(self):
        return [proc.returncode for proc in self.procs]

    def wait(self, timeout):
        deadline = time.time() + timeout
        for proc in self.procs:
            proc.wait(timeout=max(0.1, deadline - time.time()))


def run_locust(server, workdir, sessions, env_extra, runtime_s, tag):
    """Run bench/locust_exams.py headless with one user per session, the sessions
    dealt over ``LOCUST_PROCESSES`` processes; return the :class:`LocustGroup` and
    the paths of the raw samples."""
    shards = max(1, min(LOCUST_PROCESSES, len(sessions)))
    procs, paths = [], []
    for shard in range(shards):
        mine = sessions[shard::shards]
        sessions_path = os.path.join(workdir, f"sessions-{tag}-{shard}.json")
        samples_path = os.path.join(workdir, f"samples-{tag}-{shard}.jsonl")
        with open(sessions_path, "w", encoding="utf-8") as fh:
            json.dump(mine, fh)
        env = os.environ | {
            "BENCH_SESSIONS": sessions_path,
            "BENCH_SAMPLES": samples_path,
            "BENCH_SHARD": str(shard),
            # A browser keeps its connection to nginx; directly against
            # gunicorn each request has its own (see bench/locust_exams.py).
            "BENCH_KEEPALIVE": "1" if getattr(server, "proxy", None) else "0",
            "PYTHONUNBUFFERED": "1",
        }
        env |= {k: str(v) for k, v in env_extra.items()}
        cmd = [
            os.path.join(os.path.dirname(sys.executable), "locust"),
            "-f",
            os.path.join(REPO_ROOT, "bench", "locust_exams.py"),
            "--headless",
            "--only-summary",
            "-u",
            str(len(mine)),
            "-r",
            "1000",
            "-t",
            f"{int(runtime_s)}s",
            "--stop-timeout",
            "10",
            "--host",
            server.base,
            "--loglevel",
            "WARNING",
        ]
        log = open(os.path.join(workdir, f"locust-{tag}-{shard}.log"), "ab")  # noqa: SIM115
        # One process group (in this session, so the others may join it): one
        # killpg stops them all, and the CPU meter counts the group.
        procs.append(
            subprocess.Popen(
                cmd,
                cwd=REPO_ROOT,
                env=env,
                stdout=log,
                stderr=log,
                process_group=procs[0].pid if procs else 0,
            )
        )
        log.close()
        paths.append(samples_path)
    return LocustGroup(procs), paths


def finish_locust(group, samples_paths, timeout):
    try:
        group.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(group.pid, signal.SIGKILL)
        group.wait(timeout=10)
    samples = []
    for samples_path in samples_paths:
        if os.path.exists(samples_path):
            with open(samples_path, encoding="utf-8") as fh:
                samples.extend(json.loads(line) for line in fh if line.strip())
    if not samples:
        log = samples_paths[0].replace("samples-", "locust-").replace(".jsonl", ".log")
        with open(log, encoding="utf-8", errors="replace") as fh:
            tail = fh.read()[-2000:]
        raise RuntimeError(
            f"locust recorded nothing (exit {group.returncode}):\n{tail}"
        )
    return samples
