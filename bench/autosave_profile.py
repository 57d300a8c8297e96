"""Where the CPU of one autosave goes (issue #17): N in-process autosaves through
Flask's test client against PostgreSQL, with the production request pipeline
(CSRF on, cookie session, Flask-Login, the candidate role check).

``python -m bench autosave-profile`` (``--quick``: fewer saves). Reported:

- CPU per save (``time.process_time`` of this process: client + Flask + ORM +
  driver) and CPU of the PostgreSQL backend serving it (``/proc``), per save;
- SQL statements per save (a SQLAlchemy ``before_cursor_execute`` listener, plus
  the statements of the fast path in front of Flask, ``exams/attempts/fastpath.py``,
  which uses the DBAPI connection directly) and the share of saves it answered;
- a breakdown of this process's CPU by layer (cProfile with a CPU-time clock,
  own time of each function grouped by the package it lives in);
- the machine's speed in the same run: a fixed 10-million-step Python loop and a
  fixed PostgreSQL query, so figures from different (or loaded) machines can be
  compared as ratios.

The load generator here is the Werkzeug test client, in the same process; its
share is reported as its own layer.
"""

import cProfile
import os
import pstats
import re
import time

import sqlalchemy as sa

SAVES = {"full": 2000, "quick": 300}
PG_CALIBRATION_SQL = (
    "SELECT sum(i % 7) FROM generate_series(1, 2000000) AS s(i)"  # fixed work
)

# (layer, path fragments) — first match wins; the rest is "其他 (Python 标准库等)".
LAYERS = [
    ("load_generator_test_client", ("werkzeug/test.py", "flask/testing.py")),
    ("postgresql_driver_psycopg", ("/psycopg/", "/psycopg_pool/", "psycopg")),
    ("sqlalchemy_orm", ("/sqlalchemy/orm/",)),
    ("sqlalchemy_core_engine", ("/sqlalchemy/",)),
    ("session_cookie_and_login", ("/flask_login/", "/itsdangerous/", "sessions.py")),
    ("csrf_forms", ("/flask_wtf/", "/wtforms/")),
    ("json", ("/json/", "flask/json")),
    (
        "flask_werkzeug_dispatch",
        ("/flask/", "/werkzeug/", "/flask_limiter/", "/limits/"),
    ),
    ("application_code", ("/exams/", "/portal/")),
]


def machine_speed(url):
    """A fixed 10M-step Python loop and a fixed PostgreSQL query, timed now."""
    start = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    loop_s = time.perf_counter() - start
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.connect() as conn:
        conn.execute(sa.text(PG_CALIBRATION_SQL))  # warm
        start = time.perf_counter()
        conn.execute(sa.text(PG_CALIBRATION_SQL))
        pg_s = time.perf_counter() - start
    engine.dispose()
    with open("/proc/loadavg", encoding="utf-8") as handle:
        load = handle.read().split()[:3]
    return {
        "python_loop_10m_s": round(loop_s, 3),
        "postgres_query_s": round(pg_s, 3),
        "postgres_query": PG_CALIBRATION_SQL,
        "loadavg": load,
    }


def _proc_cpu_s(pid):
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _layer(filename):
    path = filename.replace("\\", "/")
    for name, fragments in LAYERS:
        if any(fragment in path for fragment in fragments):
            return name
    return "other_stdlib"


def _breakdown(profile):
    """Own CPU time by layer; a C built-in (``~``: a dict lookup, a socket call)
    is charged to the layers of its callers, in proportion to their calls."""
    stats = pstats.Stats(profile)
    totals = {}
    for (filename, _line, _name), (
        _cc,
        _nc,
        tottime,
        _ct,
        callers,
    ) in stats.stats.items():
        if filename != "~" or not callers:
            layer = _layer(filename)
            totals[layer] = totals.get(layer, 0.0) + tottime
            continue
        calls = sum(entry[1] for entry in callers.values()) or 1
        for (caller_file, _l, _n), entry in callers.items():
            layer = _layer(caller_file) if caller_file != "~" else "other_stdlib"
            totals[layer] = totals.get(layer, 0.0) + tottime * entry[1] / calls
    return totals


# A valid response per position of the measured attempt (the response check
# refuses e.g. "A" for a 判断 item).
RESPONSES = []
_BY_TYPE = {
    "single": ["A"],
    "multiple": ["A", "B"],
    "true_false": ["对"],
    "fill_blank": ["行政复议"],
}


def _valid_responses(attempt_id):
    from exams.attempts.models import Attempt
    from exams.banks.models import QuestionVersion
    from portal.extensions import db

    attempt = db.session.get(Attempt, attempt_id)
    out = []
    for item in attempt.candidate_paper.items:
        version = db.session.get(QuestionVersion, item["version_id"])
        out.append(_BY_TYPE.get(version.type, "作答"))
    return out


def _setup(url, progress):
    from bench.exams_load_setup import PASSWORD, seed
    from exams.attempts.models import Attempt
    from portal import create_app
    from portal.config import TestConfig
    from portal.extensions import db

    arrangement_id, usernames = seed(url, 2, progress)
    # Logged in and started with CSRF off (setup only); the measured requests
    # run with CSRF on, as in production, using the exam page's token.
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    client = app.test_client()
    with app.app_context():
        resp = client.post("/login", data={"login": usernames[0], "password": PASSWORD})
        assert resp.status_code == 302, resp.status_code
        resp = client.post(f"/exams/{arrangement_id}/start")
        assert resp.status_code == 302, resp.status_code
        attempt_id = db.session.scalar(sa.select(Attempt.id))
        RESPONSES[:] = _valid_responses(attempt_id)
        page = client.get(f"/exams/attempts/{attempt_id}")
        csrf = re.search(r'data-csrf="([^"]+)"', page.text).group(1)
        db.session.remove()
    app.config.update(WTF_CSRF_ENABLED=True, TESTING=False)
    return app, client, attempt_id, csrf


def _backend_pid(app):
    from portal.extensions import db

    with app.app_context():
        pid = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
        db.session.remove()
    return pid


def measure(app, client, attempt_id, csrf, saves, seq0):
    """``saves`` autosaves (cycling over 50 items); CPU, SQL count, profile."""
    from portal.extensions import db

    url = f"/exams/attempts/{attempt_id}/answers"
    headers = {"X-CSRFToken": csrf, "Accept": "application/json"}
    statements = []
    with app.app_context():
        engine = db.engine
    fast = app.extensions["exam_fast_path"]

    def count(*_args):
        statements.append(1)

    def one(n):
        response = client.post(
            url,
            json={
                "position": n % len(RESPONSES),
                "response": RESPONSES[n % len(RESPONSES)],
                "seq": seq0 + n,
            },
            headers=headers,
        )
        if response.status_code != 200:
            raise RuntimeError(f"autosave {response.status_code}: {response.text}")

    for n in range(50):  # warm-up: every row exists, caches are filled
        one(n)
    pid = _backend_pid(app)  # the pool (size 1 in use) keeps this connection
    sa.event.listen(engine, "before_cursor_execute", count)
    fast.trace = count
    served_before = fast.served
    pg_before = _proc_cpu_s(pid)
    cpu_before, wall_before = time.process_time(), time.perf_counter()
    for n in range(50, 50 + saves):
        one(n)
    cpu = time.process_time() - cpu_before
    wall = time.perf_counter() - wall_before
    pg_cpu = _proc_cpu_s(pid) - pg_before
    sa.event.remove(engine, "before_cursor_execute", count)
    fast.trace = None
    n_statements = len(statements)
    served = fast.served - served_before
    profile = cProfile.Profile(time.process_time)
    profile.enable()
    for n in range(50 + saves, 50 + 2 * saves):
        one(n)
    profile.disable()
    layers = _breakdown(profile)
    profiled = sum(layers.values())
    return {
        "saves": saves,
        "cpu_ms_per_save_client_and_server": round(cpu / saves * 1000, 3),
        "postgres_backend_cpu_ms_per_save": round(pg_cpu / saves * 1000, 3),
        "wall_ms_per_save": round(wall / saves * 1000, 3),
        "sql_statements_per_save": round(n_statements / saves, 2),
        "fast_path_share": round(served / saves, 3),
        "profile_cpu_share_percent": {
            name: round(100 * value / profiled, 1)
            for name, value in sorted(layers.items(), key=lambda kv: -kv[1])
        },
        "profile_cpu_ms_per_save_by_layer": {
            name: round(value / saves * 1000, 3)
            for name, value in sorted(layers.items(), key=lambda kv: -kv[1])
        },
        "profile_note": "cProfile with a CPU clock adds overhead; shares, not "
        "absolute times, are the figure to read",
    }


def measure_statements(app, client, attempt_id, csrf, seq0):
    """The SQL text of one autosave (existing row) and one heartbeat."""
    from portal.extensions import db

    with app.app_context():
        engine = db.engine
    seen = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split())[:1200])

    headers = {"X-CSRFToken": csrf, "Accept": "application/json"}
    sa.event.listen(engine, "before_cursor_execute", record)
    fast = app.extensions["exam_fast_path"]
    fast.trace = lambda statement: record(None, None, statement)
    client.post(
        f"/exams/attempts/{attempt_id}/answers",
        json={"position": 3, "response": RESPONSES[3], "seq": seq0},
        headers=headers,
    )
    save = list(seen)
    seen.clear()
    client.post(
        f"/exams/attempts/{attempt_id}/events",
        json={"kind": "heartbeat"},
        headers=headers,
    )
    heartbeat = list(seen)
    sa.event.remove(engine, "before_cursor_execute", record)
    fast.trace = None
    return {"autosave": save, "heartbeat": heartbeat}


def run(plan, progress):
    from bench.loadkit import create_database, drop_database, migrate

    saves = SAVES[plan]
    url = create_database()
    try:
        progress(f"autosave profile: database {sa.make_url(url).database}")
        migrate(url, dict(os.environ))
        app, client, attempt_id, csrf = _setup(url, progress)
        speed_before = machine_speed(url)
        seq0 = int(time.time() * 1000)
        result = measure(app, client, attempt_id, csrf, saves, seq0)
        statements = measure_statements(
            app, client, attempt_id, csrf, seq0 + 10 * saves
        )
        speed_after = machine_speed(url)
        with app.app_context():
            from portal.extensions import db

            db.session.remove()
            db.engine.dispose()
    finally:
        drop_database(url)
    record = {
        "name": "autosave_in_process_postgresql",
        "machine_speed_before": speed_before,
        "machine_speed_after": speed_after,
        **result,
        "statements": statements,
    }
    progress(
        f"  {result['cpu_ms_per_save_client_and_server']} ms CPU/save, "
        f"{result['sql_statements_per_save']} SQL/save, "
        f"fast path {result['fast_path_share']:.0%}, "
        f"loop {speed_before['python_loop_10m_s']} s"
    )
    return [record], {"saves": saves, "database": "postgresql"}
