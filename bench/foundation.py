"""Foundation benchmarks: password hashing, login, dashboard, user-import validation.

The application runs with the production argon2id cost (argon2-cffi's defaults, as
``Config`` ships), CSRF protection on and a file SQLite database, so the figures
reflect what a real deployment on this machine would pay per request. Only the login
rate limit is switched off, since the benchmark logs in far more than 30 times a
minute from one address.
"""

import io
import os
import re
import tempfile
import time
from datetime import date, timedelta

from openpyxl import Workbook

from bench import summarise, timed
from portal import create_app
from portal.actor import Actor
from portal.admin.imports import COLUMNS, read_rows, validate_rows
from portal.auth import passwords
from portal.auth.idcard import make_id_number
from portal.auth.models import Role
from portal.config import TestConfig
from portal.extensions import db
from portal.seed import DEMO_PASSWORD, ENFORCEMENT_AGENCIES, seed_demo

DEMO_USERS = 60
IMPORT_ROWS = 1000
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')

# (iterations, warm-up calls) per benchmark; ``quick`` is for smoke runs.
PLANS = {
    "full": {
        "argon2": (20, 2),
        "login": (30, 2),
        "dashboard": (200, 5),
        "import": (10, 1),
    },
    "quick": {
        "argon2": (3, 1),
        "login": (3, 1),
        "dashboard": (10, 1),
        "import": (2, 1),
    },
}


def _make_app(folder):
    return create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{os.path.join(folder, 'bench.db')}",
        UPLOAD_DIR=os.path.join(folder, "uploads"),
        # Production settings where TestConfig deviates for speed or convenience.
        ARGON2_TIME_COST=None,
        ARGON2_MEMORY_COST=None,
        ARGON2_PARALLELISM=None,
        WTF_CSRF_ENABLED=True,
        RATELIMIT_ENABLED=False,
    )


def _csrf_token(client):
    response = client.get("/login")
    assert response.status_code == 200, response.status
    match = _CSRF.search(response.get_data(as_text=True))
    assert match, "no CSRF token on the login page"
    return match.group(1)


def _login(client, token, username):
    response = client.post(
        "/login",
        data={"csrf_token": token, "login": username, "password": DEMO_PASSWORD},
    )
    assert response.status_code == 302, response.status
    assert response.headers["Location"].endswith("/dashboard"), response.headers
    return response


def bench_argon2(app, iterations, warmup):
    password = "Bench@2026-pass"  # noqa: S105 - benchmark input
    with app.app_context():
        hasher = passwords._hasher()
        params = {
            "time_cost": hasher.time_cost,
            "memory_cost_kib": hasher.memory_cost,
            "parallelism": hasher.parallelism,
        }
        hashed = passwords.hash_password(password)
        assert passwords.verify_password(hashed, password)
        hash_samples = timed(
            lambda: passwords.hash_password(password), iterations, warmup
        )
        verify_samples = timed(
            lambda: passwords.verify_password(hashed, password), iterations, warmup
        )
    return [
        summarise("argon2_hash", hash_samples, warmup, params=params),
        summarise("argon2_verify", verify_samples, warmup, params=params),
    ]


def bench_login(app, iterations, warmup):
    """POST /login with a valid CSRF token: argon2 verify, audit row, new session."""

    def fresh_client():
        client = app.test_client()
        return client, _csrf_token(client)

    def post(prepared):
        client, token = prepared
        _login(client, token, "officer")

    samples = timed(post, iterations, warmup, setup=fresh_client)
    return [
        summarise(
            "login_post",
            samples,
            warmup,
            detail="Flask test client, file SQLite, CSRF on; each login writes an "
            "audit row and starts a new session",
        )
    ]


def bench_dashboard(app, iterations, warmup):
    """GET /dashboard for a city-wide training admin (counts over visible users)."""
    client = app.test_client()
    _login(client, _csrf_token(client), "train_city")
    marker = f'data-role="{Role.TRAINING_ADMIN.value}"'

    def get():
        response = client.get("/dashboard")
        assert response.status_code == 200, response.status
        assert marker in response.get_data(as_text=True)

    samples = timed(get, iterations, warmup)
    return [
        summarise(
            "dashboard_get_training_admin",
            samples,
            warmup,
            detail=f"training admin scoped to the city, {DEMO_USERS} demo users",
        )
    ]


def build_import_workbook(rows=IMPORT_ROWS):
    """An ``.xlsx`` in the import template's layout with ``rows`` valid accounts."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([header for _, header, _ in COLUMNS])
    first_birthday = date(1970, 1, 1)
    for i in range(rows):
        agency = ENFORCEMENT_AGENCIES[i % len(ENFORCEMENT_AGENCIES)]
        birthday = (first_birthday + timedelta(days=7 * i)).strftime("%Y%m%d")
        handler = i % 10 == 9
        sheet.append(
            [
                f"import{i:04d}",
                f"导入用户{i:04d}",
                make_id_number(f"110105{birthday}{i % 1000:03d}"),
                f"138{i:08d}",
                agency,
                "部门经办人" if handler else "执法人员",
                agency if handler else "",
                "" if handler else f"BJ{i:07d}",
                "" if handler else "城管、市场监管",
                "",
                "",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def bench_import(app, iterations, warmup):
    content = build_import_workbook()
    actor = Actor.system()
    read_samples, validate_samples, total_samples = [], [], []
    with app.app_context():
        for run in range(warmup + iterations):
            start = time.perf_counter()
            rows = read_rows(content)
            middle = time.perf_counter()
            result = validate_rows(rows, actor)
            end = time.perf_counter()
            if run == 0:
                assert len(result.rows) == IMPORT_ROWS, len(result.rows)
                assert result.is_valid, result.errors[:5]
            if run >= warmup:
                read_samples.append((middle - start) * 1000.0)
                validate_samples.append((end - middle) * 1000.0)
                total_samples.append((end - start) * 1000.0)
        db.session.rollback()
    detail = {"rows": IMPORT_ROWS, "workbook_bytes": len(content)}
    return [
        summarise(
            "import_read_and_validate_1000_rows", total_samples, warmup, **detail
        ),
        summarise("import_read_rows_1000_rows", read_samples, warmup, **detail),
        summarise("import_validate_rows_1000_rows", validate_samples, warmup, **detail),
    ]


def run(plan="full", progress=print):
    """Run every foundation benchmark; return ``(records, setup)``."""
    counts = PLANS[plan]
    records, setup = [], {}
    with tempfile.TemporaryDirectory(prefix="zhifa-bench-") as folder:
        app = _make_app(folder)
        progress("准备数据库：create_all + seed_demo …")
        start = time.perf_counter()
        with app.app_context():
            db.create_all()
            created = seed_demo(users=DEMO_USERS)
            db.session.commit()
        setup["seed_demo_seconds"] = round(time.perf_counter() - start, 3)
        setup["seeded"] = created
        steps = [
            ("argon2", bench_argon2),
            ("login", bench_login),
            ("dashboard", bench_dashboard),
            ("import", bench_import),
        ]
        for key, bench in steps:
            progress(f"运行 {key} …")
            iterations, warmup = counts[key]
            records += bench(app, iterations, warmup)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    return records, setup
