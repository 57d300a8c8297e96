"""Performance benchmarks (``make bench`` / ``python -m bench``).

Every figure is a real ``time.perf_counter`` measurement taken on this machine; the
results are written to ``bench/results/<suite>.json`` (git-ignored) together with a
description of the machine, so runs on different hardware can be told apart.
"""

import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib import metadata

RESULTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(fn, iterations, warmup=1, setup=None):
    """Call ``fn`` ``iterations`` times and return the durations in milliseconds.

    :param warmup: untimed calls made first (caches, lazy imports, JIT-free warm-up).
    :param setup: optional callable run untimed before each call; its return value is
        passed to ``fn``.
    """
    call = (lambda: fn(setup())) if setup else fn
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(iterations):
        if setup:
            arg = setup()
            start = time.perf_counter()
            fn(arg)
        else:
            start = time.perf_counter()
            fn()
        samples.append((time.perf_counter() - start) * 1000.0)
    return samples


def summarise(name, samples, warmup=1, **extra):
    """One benchmark record: count, mean, median and p95 (ms) of ``samples``."""
    ordered = sorted(samples)
    if len(ordered) >= 2:
        p95 = statistics.quantiles(ordered, n=100, method="inclusive")[94]
    else:
        p95 = ordered[0]
    record = {
        "name": name,
        "iterations": len(ordered),
        "warmup": warmup,
        "mean_ms": round(statistics.fmean(ordered), 3),
        "median_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(p95, 3),
        "min_ms": round(ordered[0], 3),
        "max_ms": round(ordered[-1], 3),
    }
    record.update(extra)
    return record


def peak_rss_mib():
    """Peak resident set size of this process (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if sys.platform == "darwin":
        peak /= 1024
    return round(peak / 1024, 1)


def _cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def _git_revision():
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return {"commit": head, "dirty": bool(dirty)}


def _version(package):
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def machine_info():
    """Where the figures were measured."""
    import sqlite3

    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "cpu_count": os.cpu_count(),
        "cpu_usable": usable,
        "cpu_model": _cpu_model(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "sqlite": sqlite3.sqlite_version,
        "packages": {
            name: _version(name)
            for name in (
                "flask",
                "sqlalchemy",
                "werkzeug",
                "argon2-cffi",
                "openpyxl",
                "gunicorn",
                "psycopg",
                "locust",
            )
        },
        "git": _git_revision(),
    }


def timestamp():
    return datetime.now(UTC).isoformat(timespec="seconds")
