"""Tools for load benchmarks against a real server on this machine: a throwaway
PostgreSQL database, gunicorn in its own process group, locust runs, CPU accounting
per process group, latency percentiles. Used by ``bench/exams_load.py``."""

import json
import os
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

    def stop(self, server_pgid, locust_pgid, pg_pids):
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
        machine = busy_after - self.busy_before
        return {
            "wall_s": round(wall, 1),
            "gunicorn_cpu_s": round(server, 1),
            "locust_cpu_s": round(load, 1),
            "postgres_backends_cpu_s": round(postgres, 1),
            "other_processes_cpu_s": round(
                max(0.0, machine - server - load - postgres), 1
            ),
            "machine_busy_cores": round(machine / wall, 2) if wall else None,
            "loadavg": open("/proc/loadavg", encoding="utf-8").read().split()[:3],
        }


class Server:
    """gunicorn in its own process group (so that one killpg stops it all)."""

    def __init__(self, url, workdir, config, port, settings):
        """:param config: worker_class, workers, threads.
        :param settings: extra Flask settings written to the instance config.py."""
        self.url, self.workdir, self.config, self.port = url, workdir, config, port
        self.settings = settings
        self.proc = None

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

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
                if requests.get(self.base + "/login", timeout=2).status_code == 200:
                    # Let every worker finish importing the app.
                    time.sleep(2)
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def stop(self):
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None


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


def run_locust(server, workdir, sessions, env_extra, runtime_s, tag):
    """Run bench/locust_exams.py headless with one user per session; return the
    raw samples and the locust process group id (for CPU accounting)."""
    sessions_path = os.path.join(workdir, f"sessions-{tag}.json")
    samples_path = os.path.join(workdir, f"samples-{tag}.jsonl")
    with open(sessions_path, "w", encoding="utf-8") as fh:
        json.dump(sessions, fh)
    env = os.environ | {
        "BENCH_SESSIONS": sessions_path,
        "BENCH_SAMPLES": samples_path,
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
        str(len(sessions)),
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
    log = open(os.path.join(workdir, f"locust-{tag}.log"), "ab")  # noqa: SIM115
    proc = subprocess.Popen(
        cmd, cwd=REPO_ROOT, env=env, stdout=log, stderr=log, start_new_session=True
    )
    log.close()
    return proc, samples_path


def finish_locust(proc, samples_path, timeout):
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    samples = []
    if os.path.exists(samples_path):
        with open(samples_path, encoding="utf-8") as fh:
            samples = [json.loads(line) for line in fh if line.strip()]
    if not samples:
        log = samples_path.replace("samples-", "locust-").replace(".jsonl", ".log")
        with open(log, encoding="utf-8", errors="replace") as fh:
            tail = fh.read()[-2000:]
        raise RuntimeError(f"locust recorded nothing (exit {proc.returncode}):\n{tail}")
    return samples
