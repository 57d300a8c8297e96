"""Replay of the issue #16 probe list against a live gunicorn (reliability).

Gunicorn (2 gthread workers) runs against a fresh PostgreSQL database WITHOUT a
``SECRET_KEY`` in its environment, so the key is generated into the instance folder
(``PORTAL_INSTANCE_PATH``, a temporary directory). A small world is seeded (a city
administrator, a 区 training administrator, an officer with an exam in progress on a
city-wide bank, a public suggestion); then every probe of ``PROBES`` is sent over
real HTTP with ``requests``. All probes run; the test fails at the end listing the
names of the ones that regressed.

PostgreSQL only; skipped when PostgreSQL is unreachable (failed under
``REQUIRE_POSTGRES=1``). Select it with ``-m reliability``.
"""

import io
import json
import os
import re
import stat
import subprocess
import time
import traceback
import zlib
from datetime import timedelta
from decimal import Decimal

import pytest
import requests
import sqlalchemy as sa
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from exams.attempts.services import start_attempt
from exams.banks.models import QuestionVersion
from exams.papers.services import (
    create_arrangement,
    create_blueprint_paper,
    enrol_candidates,
)
from portal import create_app
from portal.audit.models import AuditLog
from portal.auth.models import User
from portal.config import TestConfig
from portal.extensions import db
from portal.timeutil import utcnow
from tests import live_gunicorn
from tests.conftest import create_pg_database, drop_pg_database, require_pg
from tests.exams.practice_helpers import four_types, make_questions, open_bank
from tests.exams.training_support import make_course
from tests.factories import PASSWORD, Factories
from tests.suggestions.handling_support import make_suggestion
from tests.suggestions.support import pdf_bytes

pytestmark = pytest.mark.reliability

# One or more probes per problem of issue #16: what is sent, what must come back.
# ``run`` names the function below that sends the request and checks the outcome.
PROBES = [
    {
        "name": "secret-key-file-0600",
        "request": "start gunicorn without SECRET_KEY",
        "expect": "instance/secret_key exists, mode 0600, >= 32 characters",
        "run": "probe_key_file",
    },
    {
        "name": "workers-share-the-key",
        "request": "GET /dashboard with one session cookie on new connections",
        "expect": "200 from both worker processes",
        "run": "probe_workers_share_key",
    },
    {
        "name": "forged-cookie-old-default-key",
        "request": "GET /dashboard, admin session signed with dev-only-change-me",
        "expect": "redirect to /login (the same cookie signed with the key file: 200)",
        "run": "probe_forged_cookie",
    },
    {
        "name": "copied-cookie-after-logout",
        "request": "POST /logout, then GET /dashboard with the copied cookie",
        "expect": "redirect to /login",
        "run": "probe_cookie_after_logout",
    },
    {
        "name": "login-message-uniform",
        "request": "POST /login wrong password for an existing and an unknown user",
        "expect": "same status and same form text, no remaining-attempts hint",
        "run": "probe_login_uniform",
    },
    {
        "name": "common-password-refused",
        "request": "POST /password new_password=Password1",
        "expect": "400 常见密码, password unchanged",
        "run": "probe_common_password",
    },
    {
        "name": "district-admin-import-city-bank",
        "request": "POST /admin/exams/banks/<city bank>/import as the 区 admin",
        "expect": "403",
        "run": "probe_bank_scope",
    },
    {
        "name": "pdf-js-behind-indirect-filter",
        "request": "POST training material upload, /Filter 5 0 R -> /FlateDecode JS",
        "expect": "400 安全风险",
        "run": "probe_pdf_indirect_filter",
    },
    {
        "name": "csrf-failure-audited",
        "request": "POST /login without csrf_token",
        "expect": "400; audit csrf_failed, outcome refused",
        "run": "probe_csrf_audited",
    },
    {
        "name": "forbidden-access-audited",
        "request": "GET /admin/users as the officer",
        "expect": "403; audit access_refused, outcome refused",
        "run": "probe_403_audited",
    },
    {
        "name": "autosave-number-body",
        "request": "POST /exams/attempts/<id>/answers body 42",
        "expect": "400 with a Chinese error",
        "run": "probe_autosave_number_body",
    },
    {
        "name": "autosave-seq-1e20",
        "request": "POST answers seq 1e20",
        "expect": "400 with a Chinese error",
        "run": "probe_autosave_big_seq",
    },
    {
        "name": "autosave-number-for-single",
        "request": "POST answers response 3 for a 单选",
        "expect": "400 with a Chinese error; the exam page still 200",
        "run": "probe_autosave_number_response",
    },
    {
        "name": "autosave-oversize-answer",
        "request": "POST answers fill-blank answer over EXAM_ANSWER_MAX_CHARS",
        "expect": "400 过长",
        "run": "probe_autosave_oversize",
    },
    {
        "name": "security-headers-on-page",
        "request": "GET /dashboard",
        "expect": "CSP with nonce + frame-ancestors, nosniff, Referrer-Policy, XFO",
        "run": "probe_headers",
    },
    {
        "name": "stem-remote-image-stripped",
        "request": "POST question edit, stem with <img src=http://…>",
        "expect": "saved; stored stem without the remote image",
        "run": "probe_remote_image",
    },
    {
        "name": "track-wrong-code",
        "request": "POST /suggestions/track, real number + wrong code",
        "expect": "the same failure message, no suggestion text",
        "run": "probe_track_wrong_code",
    },
    {
        "name": "public-submit-rate-limited",
        "request": "POST /suggestions/ repeatedly",
        "expect": "429; audit rate_limited, outcome refused",
        "run": "probe_rate_limit",
    },
]

OLD_KEY = "dev-only-change-me"
REMOTE_IMG = '<img src="http://tracker.example/p.png">'
MAX_CHARS = 1000
SUBMIT_LIMIT = 3
TRACK_FAILED = "受理编号或查询码不正确，请核对后重试。"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_DATA_CSRF = re.compile(r'data-csrf="([^"]+)"')
_FORM = re.compile(r"<form.*?</form>", re.S)


def _free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _has_chinese(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _seed(url):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url, SECRET_KEY="s" * 40)
    with app.app_context():
        world = Factories().world()
        officer = world.users["officer"]
        bank = open_bank("PROBE", None, is_open=False)  # city-wide
        questions = make_questions(bank, four_types("探测"))
        paper = create_blueprint_paper(
            "探测试卷",
            [
                {"bank_id": bank.id, "type": t, "count": 1, "score_each": Decimal(25)}
                for t in ("single", "multiple", "true_false", "fill_blank")
            ],
            pool_factor=Decimal(1),
        )
        now = utcnow()
        arrangement = create_arrangement(
            paper,
            name="探测考试",
            kind="training",
            window_start=now - timedelta(minutes=5),
            window_end=now + timedelta(hours=3),
            duration_minutes=120,
        )
        enrol_candidates(arrangement, users=[officer])
        attempt = start_attempt(arrangement, officer, now)
        course = make_course(world)
        suggestion, _ = make_suggestion(world.agency)
        db.session.commit()
        positions = {
            db.session.get(QuestionVersion, item["version_id"]).type: n
            for n, item in enumerate(attempt.candidate_paper.items)
        }
        seeded = {
            "admin_id": world.users["sys_admin"].id,
            "bank_id": bank.id,
            "question_id": questions[0].id,
            "attempt_id": attempt.id,
            "positions": positions,
            "course_id": course.id,
            "suggestion_number": suggestion.number,
            "suggestion_text": suggestion.description[:12],
        }
        db.session.remove()
        db.engine.dispose()
    return seeded


class Server:
    def __init__(self, url, instance, port):
        self.port, self.proc = port, None
        self.base = f"http://127.0.0.1:{port}"
        self.log = os.path.join(instance, "gunicorn.log")
        self.access = os.path.join(instance, "access.log")
        with open(os.path.join(instance, "config.py"), "w", encoding="utf-8") as fh:
            fh.write(
                "ARGON2_TIME_COST = 1\nARGON2_MEMORY_COST = 8192\n"
                "ARGON2_PARALLELISM = 1\nLOGIN_RATE_LIMIT = '10000 per minute'\n"
                "RATELIMIT_STORAGE_URI = 'memory://'\n"
                f"EXAM_ANSWER_MAX_CHARS = {MAX_CHARS}\n"
                f"SUGGESTION_SUBMIT_RATE_LIMIT = '{SUBMIT_LIMIT} per minute'\n"
            )
        self.env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("REDIS_URL", "FLASK_APP", "SECRET_KEY")
        } | {
            "DATABASE_URL": url,
            "PORTAL_INSTANCE_PATH": instance,
            "LOG_LEVEL": "WARNING",
        }

    def start(self):
        with open(self.log, "ab") as log:
            self.proc = live_gunicorn.spawn(
                self.port,
                self.env,
                log,
                workers=2,
                threads=2,
                extra=(
                    "--access-logfile",
                    self.access,
                    "--access-logformat",
                    "%(p)s %(s)s %(U)s %(q)s",
                ),
            )
        if not live_gunicorn.wait_until_serving(
            self.proc,
            self.base,
            60,
            lambda: open(self.log, encoding="utf-8").read(),
        ):
            pytest.fail("gunicorn did not start within 60 s")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, 15)
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait(timeout=10)
            except ProcessLookupError:
                pass


class Context:
    """What the probes share: the server, the seeded ids, a database handle."""

    def __init__(self, server, url, instance, seeded):
        self.server, self.base, self.instance = server, server.base, instance
        self.seeded = seeded
        self.engine = sa.create_engine(url)

    def browser(self, username=None):
        """A new requests session, signed in as ``username`` when given."""
        client = requests.Session()
        if username is not None:
            token = self.token(client, "/login")
            resp = client.post(
                self.base + "/login",
                data={"login": username, "password": PASSWORD, "csrf_token": token},
                allow_redirects=False,
                timeout=30,
            )
            assert resp.status_code == 302, (username, resp.status_code)
        return client

    def token(self, client, path):
        page = client.get(self.base + path, timeout=30).text
        match = _CSRF.search(page) or _DATA_CSRF.search(page)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def audit(self, action):
        with self.engine.connect() as conn:
            return conn.execute(
                sa.select(AuditLog.outcome, AuditLog.target_label).where(
                    AuditLog.action == action
                )
            ).all()

    def signed_out(self, cookie):
        resp = requests.get(
            self.base + "/dashboard",
            cookies={"session": cookie},
            allow_redirects=False,
            timeout=30,
        )
        return resp.status_code == 302 and "/login" in resp.headers["Location"]


# --- probes ------------------------------------------------------------------


def probe_key_file(ctx):
    path = os.path.join(ctx.instance, "secret_key")
    assert os.path.exists(path), "no key file"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, oct(os.stat(path).st_mode)
    with open(path, encoding="ascii") as fh:
        key = fh.read().strip()
    assert len(key) >= 32
    assert key != OLD_KEY


def probe_workers_share_key(ctx):
    client = ctx.browser("sys_admin")
    cookie = client.cookies["session"]
    statuses = []
    for n in range(40):  # new connection each time; until both workers answered
        resp = requests.get(
            f"{ctx.base}/dashboard?probe=worker{n}",
            cookies={"session": cookie},
            headers={"Connection": "close"},
            allow_redirects=False,
            timeout=30,
        )
        statuses.append(resp.status_code)
        if n >= 5 and len(_workers_seen(ctx)) >= 2:
            break
    assert set(statuses) == {200}, statuses
    served = _workers_seen(ctx)
    assert len(served) >= 2, f"only worker(s) {served} answered"


def _workers_seen(ctx):
    time.sleep(0.05)  # the access log line is written after the response
    with open(ctx.server.access, encoding="utf-8") as fh:
        lines = [line.split() for line in fh if "probe=worker" in line]
    return {parts[0] for parts in lines if parts[1] == "200"}


def probe_forged_cookie(ctx):
    with ctx.engine.connect() as conn:
        version = conn.scalar(
            sa.select(User.session_version).where(User.id == ctx.seeded["admin_id"])
        )
    now = int(time.time())
    payload = {
        "_user_id": f"{ctx.seeded['admin_id']}:{version}",
        "_fresh": True,
        "auth_at": now,
        "seen_at": now,
    }
    with open(os.path.join(ctx.instance, "secret_key"), encoding="ascii") as fh:
        real_key = fh.read().strip()

    def sign(key):
        forger = Flask("forger")
        forger.secret_key = key
        return (
            SecureCookieSessionInterface().get_signing_serializer(forger).dumps(payload)
        )

    # The control proves the forged payload is a valid session in form.
    assert not ctx.signed_out(sign(real_key)), "control cookie refused"
    assert ctx.signed_out(sign(OLD_KEY)), "old default key accepted"


def probe_cookie_after_logout(ctx):
    client = ctx.browser("training_admin")
    cookie = client.cookies["session"]
    assert not ctx.signed_out(cookie), "copy does not work while signed in"
    token = ctx.token(client, "/dashboard")
    resp = client.post(
        ctx.base + "/logout",
        data={"csrf_token": token},
        headers={"X-CSRFToken": token},
        allow_redirects=False,
        timeout=30,
    )
    assert resp.status_code in (302, 303), resp.status_code
    assert ctx.signed_out(cookie), "copied cookie still works after logout"


def probe_login_uniform(ctx):
    answers = []
    for login in ("officer", "nobody_here"):
        client = ctx.browser()
        token = ctx.token(client, "/login")
        resp = client.post(
            ctx.base + "/login",
            data={"login": login, "password": "wrong-Passw0rd", "csrf_token": token},
            allow_redirects=False,
            timeout=30,
        )
        form = _FORM.search(resp.text).group(0)
        form = _CSRF.sub("", form).replace(f'value="{login}"', "")
        assert "再失败" not in form
        answers.append((resp.status_code, form))
    assert answers[0] == answers[1], "answers differ"
    assert "用户名/身份证号或密码错误" in answers[0][1]


def probe_common_password(ctx):
    client = ctx.browser("training_admin")
    token = ctx.token(client, "/password")
    resp = client.post(
        ctx.base + "/password",
        data={
            "old_password": PASSWORD,
            "new_password": "Password1",
            "confirm": "Password1",
            "csrf_token": token,
        },
        allow_redirects=False,
        timeout=30,
    )
    assert resp.status_code == 400, resp.status_code
    assert "常见密码" in resp.text
    ctx.browser("training_admin")  # the old password still signs in


def probe_bank_scope(ctx):
    client = ctx.browser("training_admin")
    token = ctx.token(client, "/password")
    resp = client.post(
        f"{ctx.base}/admin/exams/banks/{ctx.seeded['bank_id']}/import",
        data={"csrf_token": token},
        files={"file": ("bank.xlsx", io.BytesIO(b"not a workbook"))},
        allow_redirects=False,
        timeout=30,
    )
    assert resp.status_code == 403, resp.status_code


def _indirect_filter_pdf():
    js = zlib.compress(b"<< /S /JavaScript /JS (app.alert(1)) >>")
    parts = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        b"<< /Length "
        + str(len(js)).encode()
        + b" /Filter 5 0 R >>\nstream\n"
        + js
        + b"\nendstream",
        b"/FlateDecode",
    ]
    body = b"%PDF-1.4\n"
    offsets = []
    for number, obj in enumerate(parts, start=1):
        offsets.append(len(body))
        body += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(body)
    body += f"xref\n0 {len(parts) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        body += f"{offset:010d} 00000 n \n".encode()
    body += (
        f"trailer\n<< /Size {len(parts) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return body


def probe_pdf_indirect_filter(ctx):
    client = ctx.browser("training_admin")
    token = ctx.token(client, "/password")
    url = f"{ctx.base}/admin/training/courses/{ctx.seeded['course_id']}"
    data = {"kind": "pdf", "title": "材料", "required_minutes": "10"}

    def upload(content):
        return client.post(
            url + "/materials/upload",
            data=data | {"csrf_token": token},
            files={"file": ("讲义.pdf", io.BytesIO(content), "application/pdf")},
            allow_redirects=False,
            timeout=30,
        )

    resp = upload(_indirect_filter_pdf())
    assert resp.status_code == 400, resp.status_code
    assert "安全风险" in resp.text
    # Control: a plain PDF is accepted by the same route and form.
    assert upload(pdf_bytes()).status_code == 302, "plain PDF refused"


def probe_csrf_audited(ctx):
    before = len(ctx.audit("csrf_failed"))
    resp = requests.post(
        ctx.base + "/login",
        data={"login": "officer", "password": "x"},
        allow_redirects=False,
        timeout=30,
    )
    assert resp.status_code == 400, resp.status_code
    rows = ctx.audit("csrf_failed")
    assert len(rows) == before + 1, rows
    assert rows[-1] == ("refused", "POST /login"), rows[-1]


def probe_403_audited(ctx):
    client = ctx.browser("officer")
    before = len(ctx.audit("access_refused"))
    resp = client.get(ctx.base + "/admin/users", allow_redirects=False, timeout=30)
    assert resp.status_code == 403, resp.status_code
    rows = ctx.audit("access_refused")
    assert len(rows) == before + 1, rows
    assert rows[-1][0] == "refused", rows[-1]
    assert "/admin/users" in rows[-1][1], rows[-1]


def _exam(ctx):
    client = ctx.browser("officer")
    attempt = ctx.seeded["attempt_id"]
    page = client.get(f"{ctx.base}/exams/attempts/{attempt}", timeout=30)
    assert page.status_code == 200, page.status_code
    return client, _DATA_CSRF.search(page.text).group(1)


def _save(ctx, body, expect_status=400, needle=None):
    client, csrf = _exam(ctx)
    attempt = ctx.seeded["attempt_id"]
    raw = body if isinstance(body, str) else json.dumps(body)
    resp = client.post(
        f"{ctx.base}/exams/attempts/{attempt}/answers",
        data=raw.encode("utf-8"),
        headers={"X-CSRFToken": csrf, "Content-Type": "application/json"},
        timeout=30,
    )
    assert resp.status_code == expect_status, resp.status_code
    error = resp.json()["error"]
    assert _has_chinese(error), error
    if needle:
        assert needle in error, error
    page = client.get(f"{ctx.base}/exams/attempts/{attempt}", timeout=30)
    assert page.status_code == 200, f"exam page {page.status_code} afterwards"


def probe_autosave_number_body(ctx):
    _save(ctx, "42")


def probe_autosave_big_seq(ctx):
    _save(ctx, '{"position": 0, "response": ["A"], "seq": 1e20}')


def probe_autosave_number_response(ctx):
    _save(ctx, {"position": ctx.seeded["positions"]["single"], "response": 3, "seq": 1})


def probe_autosave_oversize(ctx):
    position = ctx.seeded["positions"]["fill_blank"]
    big = {"position": position, "response": ["字" * (MAX_CHARS + 1)], "seq": 2}
    _save(ctx, big, needle="过长")


def probe_headers(ctx):
    client = ctx.browser("officer")
    resp = client.get(ctx.base + "/dashboard", timeout=30)
    assert resp.status_code == 200
    h = resp.headers
    csp = h.get("Content-Security-Policy", "")
    nonce = re.search(r"'nonce-([^']+)'", csp)
    assert nonce, csp
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    used = set(re.findall(r'nonce="([^"]+)"', resp.text))
    assert used <= {nonce.group(1)}, f"page nonces {used} not the header's"
    assert "frame-ancestors 'none'" in csp, csp
    assert h.get("X-Content-Type-Options") == "nosniff"
    assert h.get("Referrer-Policy") == "strict-origin-when-cross-origin"
    assert h.get("X-Frame-Options") == "DENY"
    again = client.get(ctx.base + "/dashboard", timeout=30)
    assert nonce.group(0) not in again.headers["Content-Security-Policy"]


def probe_remote_image(ctx):
    client = ctx.browser("sys_admin")
    url = f"{ctx.base}/admin/exams/questions/{ctx.seeded['question_id']}/edit"
    token = ctx.token(client, url.removeprefix(ctx.base))
    resp = client.post(
        url,
        data={
            "stem": f"<p>远程图片题干</p>{REMOTE_IMG}",
            "difficulty": "2",
            "score": "2",
            "csrf_token": token,
        },
        allow_redirects=False,
        timeout=30,
    )
    assert resp.status_code == 302, resp.status_code
    with ctx.engine.connect() as conn:
        stems = conn.scalars(
            sa.select(QuestionVersion.stem).where(
                QuestionVersion.question_id == ctx.seeded["question_id"]
            )
        ).all()
    edited = [s for s in stems if "远程图片题干" in s]
    assert edited, stems
    assert all("tracker.example" not in s for s in edited), edited


def probe_track_wrong_code(ctx):
    client = ctx.browser()
    token = ctx.token(client, "/suggestions/track")
    resp = client.post(
        ctx.base + "/suggestions/track",
        data={
            "number": ctx.seeded["suggestion_number"],
            "code": "WRONGCODE1",
            "csrf_token": token,
        },
        timeout=30,
    )
    assert resp.status_code == 200, resp.status_code
    assert TRACK_FAILED in resp.text
    assert ctx.seeded["suggestion_text"] not in resp.text


def probe_rate_limit(ctx):
    client = ctx.browser()
    token = ctx.token(client, "/suggestions/")
    before = len(ctx.audit("rate_limited"))
    statuses = []
    # Memory storage is per worker: 2 workers x the limit, plus margin.
    for _ in range(2 * SUBMIT_LIMIT + 6):
        resp = requests.post(
            ctx.base + "/suggestions/",
            data={"csrf_token": token, "description": "探测"},
            cookies=client.cookies,
            headers={"Connection": "close"},
            allow_redirects=False,
            timeout=30,
        )
        statuses.append(resp.status_code)
        if resp.status_code == 429:
            break
    assert statuses[-1] == 429, statuses
    assert _has_chinese(resp.text), resp.text[:200]
    rows = ctx.audit("rate_limited")
    assert len(rows) > before, rows
    assert rows[-1][0] == "refused", rows[-1]


# --- the test ----------------------------------------------------------------


def test_probe_list_replays_clean_against_gunicorn(tmp_path):
    require_pg()
    url = create_pg_database("zhifa_probe")
    instance = str(tmp_path / "instance")
    os.makedirs(instance)
    server = Server(url, instance, _free_port())
    ctx = None
    try:
        live_gunicorn.migrate(url)
        seeded = _seed(url)
        server.start()
        ctx = Context(server, url, instance, seeded)
        failures = []
        for probe in PROBES:
            try:
                globals()[probe["run"]](ctx)
            except Exception as exc:  # noqa: BLE001 - every probe is reported
                detail = "".join(traceback.format_exception_only(exc)).strip()
                failures.append(
                    f"{probe['name']} (expected {probe['expect']}): {detail}"
                )
        assert server.proc.poll() is None, "gunicorn died during the replay"
        assert not failures, "probes regressed:\n" + "\n".join(failures)
    finally:
        server.stop()
        if ctx is not None:
            ctx.engine.dispose()
        drop_pg_database(url)
