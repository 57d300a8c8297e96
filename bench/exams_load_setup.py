"""Setup of the exam load benchmark: the seeded database and the candidates' sessions
(log in, start an attempt) over HTTP, outside the measured phases."""

import re
import time
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

PASSWORD = "Bench-Passw0rd!"  # noqa: S105 - benchmark users on a throwaway database
# The bench users' argon2id cost (the server uses the same, so logins do not rehash).
BENCH_ARGON2 = {"time_cost": 1, "memory_cost": 8 * 1024, "parallelism": 1}

_CSRF_INPUT = re.compile(
    r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"'
    r'|<input[^>]*value="([^"]+)"[^>]*name="csrf_token"'
)
_DATA_CSRF = re.compile(r'data-csrf="([^"]+)"')
_ATTEMPT_URL = re.compile(r"/exams/attempts/(\d+)")


def server_settings():
    """What the load-test server changes from production: every candidate logs in
    from 127.0.0.1 (login rate limit), and the bench users' low argon2 cost (so
    that logins do not rehash at the production cost)."""
    return {
        "LOGIN_RATE_LIMIT": "1000000 per minute",
        "ARGON2_TIME_COST": BENCH_ARGON2["time_cost"],
        "ARGON2_MEMORY_COST": BENCH_ARGON2["memory_cost"],
        "ARGON2_PARALLELISM": BENCH_ARGON2["parallelism"],
    }


def seed(url, candidates, progress):
    """N candidates, 600 questions, a blueprint paper of 50 questions and one
    open arrangement with every personal paper pre-generated."""
    from argon2 import PasswordHasher

    from bench.exams import _questions
    from exams.banks.services import commit_import, ensure_bank, plan_import
    from exams.formats.model import ImportResult
    from exams.papers.services import (
        create_arrangement,
        create_blueprint_paper,
        enrol_candidates,
        pregenerate,
    )
    from portal import create_app
    from portal.actor import Actor
    from portal.auth.models import User, UserRole
    from portal.config import TestConfig
    from portal.extensions import db
    from portal.orgs.models import Organisation
    from portal.timeutil import utcnow

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    password_hash = PasswordHasher(**BENCH_ARGON2).hash(PASSWORD)
    with app.app_context():
        city = Organisation(code="BENCH", name="基准市", kind="city", path="")
        db.session.add(city)
        db.session.flush()
        city.path = f"/{city.id}/"
        db.session.execute(
            sa.insert(User),
            [
                {
                    "username": f"cand{n:05d}",
                    "name": f"考生{n}",
                    "organisation_id": city.id,
                    "password_hash": password_hash,
                    "must_change_password": False,
                }
                for n in range(candidates)
            ],
        )
        users = db.session.scalars(
            sa.select(User).where(User.username.like("cand%")).order_by(User.id)
        ).all()
        db.session.execute(
            sa.insert(UserRole), [{"user_id": u.id, "role": "officer"} for u in users]
        )
        bank = ensure_bank("BENCH")
        plan = plan_import(ImportResult(questions=_questions(600), format="xlsx"), bank)
        commit_import(plan, bank, Actor.system())
        paper = create_blueprint_paper(
            "基准考试卷",
            [
                {"bank_id": bank.id, "type": t, "count": c, "score_each": Decimal(2)}
                for t, c in (
                    ("single", 20),
                    ("multiple", 10),
                    ("true_false", 10),
                    ("fill_blank", 10),
                )
            ],
        )
        now = utcnow()
        arrangement = create_arrangement(
            paper,
            name="基准负载考试",
            kind="training",
            window_start=now - timedelta(minutes=10),
            window_end=now + timedelta(hours=6),
            duration_minutes=180,
            tab_switch_limit=0,
        )
        enrol_candidates(arrangement, users=users)
        db.session.commit()
        start = time.perf_counter()
        made = pregenerate(arrangement, Actor.system())
        db.session.commit()
        progress(f"  {made} personal papers in {time.perf_counter() - start:.1f} s")
        arrangement_id = arrangement.id
        usernames = [u.username for u in users]
        db.session.remove()
        db.engine.dispose()
    return arrangement_id, usernames


def item_types(url, attempt_ids):
    """{attempt id: [question type per position]}: the locust users send a
    response valid for the item's type (the server refuses, e.g., "A" for a 判断
    item with 400, as it should)."""
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.connect() as conn:
        types = dict(
            conn.execute(sa.text("SELECT id, type FROM question_versions")).all()
        )
        rows = conn.execute(
            sa.text(
                "SELECT a.id, p.items FROM attempts AS a JOIN candidate_papers AS p"
                " ON p.id = a.candidate_paper_id WHERE a.id = ANY(:ids)"
            ),
            {"ids": list(attempt_ids)},
        ).all()
    engine.dispose()
    return {
        attempt: [types[item["version_id"]] for item in items]
        for attempt, items in rows
    }


def with_item_types(url, sessions):
    """``sessions`` with each attempt's item types (``types``)."""
    types = item_types(url, [s["attempt"] for s in sessions])
    return [s | {"types": types.get(s["attempt"])} for s in sessions]


def acknowledged_missing(url, acked):
    """Of the acknowledged saves {(attempt, position): seq}, those whose stored
    seq is older (or which are absent)."""
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.connect() as conn:
        stored = {
            (a, p): s
            for a, p, s in conn.execute(
                sa.text("SELECT attempt_id, position, seq FROM answers")
            )
        }
    engine.dispose()
    return [key for key, seq in acked.items() if stored.get(key, -1) < seq]


# --- setup over HTTP --------------------------------------------------------------


def login(base, username):
    import requests

    client = requests.Session()
    # One connection per request: a kept-alive connection idle for gunicorn's
    # --keep-alive (2 s) is closed by gunicorn, and a POST sent on it at that
    # moment fails (ConnectionResetError; requests does not resend a POST).
    client.headers["Connection"] = "close"
    page = client.get(base + "/login", timeout=60)
    token = _first_csrf(page.text)
    started = time.perf_counter()
    resp = client.post(
        base + "/login",
        data={"login": username, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=60,
    )
    login_ms = (time.perf_counter() - started) * 1000.0
    if resp.status_code != 302:
        raise RuntimeError(f"login of {username} failed: {resp.status_code}")
    listing = client.get(base + "/exams/", timeout=60)
    return {
        "username": username,
        "cookie": client.cookies.get("session"),
        "csrf": _first_csrf(listing.text),
        "login_ms": login_ms,
        "client": client,
    }


def _first_csrf(html):
    match = _CSRF_INPUT.search(html)
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1) or match.group(2)


def start_unmeasured(base, arrangement_id, session):
    client = session.pop("client")
    while True:  # through the start gate: wait in the queue as the page does
        resp = client.post(
            f"{base}/exams/{arrangement_id}/start",
            data={"csrf_token": session["csrf"]},
            allow_redirects=False,
            timeout=60,
        )
        if not resp.headers["Location"].endswith("/queue"):
            break
        status = client.get(
            f"{base}/exams/{arrangement_id}/queue",
            headers={"Accept": "application/json"},
            timeout=60,
        ).json()
        time.sleep(min(10.0, max(0.5, float(status.get("wait") or 1))))
    attempt = int(_ATTEMPT_URL.search(resp.headers["Location"]).group(1))
    page = client.get(f"{base}/exams/attempts/{attempt}", timeout=60)
    session["attempt"] = attempt
    session["csrf"] = _DATA_CSRF.search(page.text).group(1)
    session["cookie"] = client.cookies.get("session")
    session["device"] = client.cookies.get("exam_device")  # bound to the attempt
    return session


def click_unmeasured(base, arrangement_id, session):
    """One click on 开始考试 while the gate is closed, as the page does: the start
    POST (a ticket, redirected to 排队中), the queue page and one JSON poll. The
    session keeps its client (it is started later)."""
    client = session["client"]
    resp = client.post(
        f"{base}/exams/{arrangement_id}/start",
        data={"csrf_token": session["csrf"]},
        allow_redirects=False,
        timeout=60,
    )
    if resp.status_code != 302:
        raise RuntimeError(f"click of {session['username']}: {resp.status_code}")
    if resp.headers["Location"].endswith("/queue"):
        client.get(f"{base}/exams/{arrangement_id}/queue", timeout=60)
        client.get(
            f"{base}/exams/{arrangement_id}/queue",
            headers={"Accept": "application/json"},
            timeout=60,
        )
    return session


def public_session(session):
    keys = ("username", "cookie", "csrf", "attempt", "device", "types")
    return {k: session.get(k) for k in keys}
