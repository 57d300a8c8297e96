"""The autosave and heartbeat fast path (issue #17, docs/benchmarks.md).

A WSGI middleware in front of Flask that answers the common case of
``POST /exams/attempts/<id>/answers`` (an answer saved, the item's first save
included) and ``POST /exams/attempts/<id>/events`` with ``{"kind": "heartbeat"}`` without
Flask's request machinery, the ORM or SQLAlchemy's execution layer: one SQL
statement on PostgreSQL (an UPDATE and an upsert in a CTE, autocommit), on a DBAPI connection
of the application's own pool (``engine.raw_connection()``).

Every rule of the full path is checked, with the same code or the same data:

- the signed Flask session cookie (Flask's own serializer and secret keys) and
  Flask-Login's session protection (the identifier must match or the session
  already be marked not fresh); the idle and absolute timeouts
  (:func:`portal.auth.session.expiry_reason`); ``seen_at`` is refreshed and the
  cookie re-sent exactly as :func:`portal.auth.session.enforce_session_policy`
  does;
- in the statement: the user exists, its ``session_version`` is the session's,
  the account is active, no password change is pending and the user holds a
  candidate role (:data:`portal.auth.roles.LEARNERS`);
- the CSRF token (Flask-WTF's ``validate_csrf``: same serializer, salt, time
  limit, session field, headers; the referrer check on HTTPS);
- the attempt is the user's, in progress, before its deadline, and the request
  comes from its device (the signed ``exam_device`` cookie) or the arrangement
  allows changing device; the position is one of the personal paper's items
  and a stored answer's seq is not newer (stale-seq rule): all in the
  statement's WHERE and conflict clauses (a first save inserts the row with the
  item's question version, as ``services._answer_row`` does);
- the response check (:func:`exams.attempts.answer_check.response_error`) against
  the item's type: the attempt's items are cached per process (personal papers
  never change once drawn; question versions for ``VERSION_TTL_S``);
- the admission limiter (:func:`exams.attempts.admission.save_slots`, the same
  semaphore; ``X-Request-Start`` wait limit): 503 + ``Retry-After`` as
  :func:`exams.attempts.admission.busy_reply`.

Anything else — a flag-only request, a stale seq, a
closed or foreign attempt, another device, an expired or altered session, a bad
token, malformed JSON, a response the check refuses, an error — is handed to the
Flask view unchanged (the body is replayed), so the replies, errors and the audit
and integrity events (``device_refused``, ``session_expired``, closing an
expired attempt) are exactly those of the full path. The fast path itself only
ever answers a successful save or heartbeat (which record no event) or the 503.

One difference: while the limiter is full, a user who must change their password
gets the 503 (the full path answers it with the redirect to the password page
after loading the user); the retry then gets the redirect.
"""

# The SQL below is assembled from constants (the role names of LEARNERS among
# them); every value travels as a bound parameter.
# ruff: noqa: S608

import hmac
import io
import json
import logging
import re
import secrets
import threading
import time
from array import array
from datetime import datetime
from hashlib import sha512

from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_wtf.csrf import same_origin
from itsdangerous import BadData, URLSafeSerializer, URLSafeTimedSerializer
from werkzeug.http import parse_cookie
from werkzeug.wsgi import get_host

from exams.attempts.admission import BUSY_MESSAGE, save_slots, waited_from_header
from exams.attempts.answer_check import is_int, response_error
from exams.attempts.devices import hash_token
from portal.auth.roles import LEARNERS
from portal.auth.session import expiry_reason, seen_at_due
from portal.extensions import db, login_manager
from portal.headers import default_headers
from portal.security_headers import policy
from portal.textclean import clean_value
from portal.timeutil import utcnow

logger = logging.getLogger(__name__)

#: ``app.extensions`` key of a callable returning the transaction to use (tests
#: join their own transaction); unset: a connection of the application's pool.
CONNECTION_EXTENSION = "exam_fast_path_connection"
#: The only URLs taken (canonical ids only; anything else goes to Flask).
ROUTE = re.compile(r"/exams/attempts/([1-9][0-9]{0,17})/(answers|events)\Z")
MAX_BODY = 256 * 1024
DEVICE_COOKIE = "exam_device"  # exams.attempts.views.DEVICE_COOKIE
MAX_SEQ = 2**53  # exams.attempts.views.MAX_SEQ
VERSION_TTL_S = 300
DEFAULT_CACHE_ATTEMPTS = 20_000

_ROLES = ", ".join(f"'{role.value}'" for role in LEARNERS)
# The user, checked inside the attempt's WHERE clause (Flask-Login's loader and
# ``roles_required``, the password-change redirect of the session policy).
_USER_OK = (
    "EXISTS (SELECT 1 FROM users AS u WHERE u.id = a.user_id AND u.id = :uid"
    " AND u.session_version = :ver AND u.is_active_account"
    " AND NOT u.must_change_password AND EXISTS (SELECT 1 FROM user_roles AS r"
    f" WHERE r.user_id = u.id AND r.role IN ({_ROLES})))"
)
_ATTEMPT_OK = (
    "a.id = :aid AND a.status = 'in_progress' AND a.deadline_at > :now"
    " AND (a.device_hash = :digest OR (SELECT x.allow_device_change"
    " FROM exam_arrangements AS x WHERE x.id = a.arrangement_id))"
    f" AND {_USER_OK}"
)
# The cached item table is the attempt's (a stale entry matches no row).
_PAPER_OK = " AND a.candidate_paper_id = :paper"

# A save writes the answer's row, creating it on the item's first save (an
# upsert on the (attempt_id, position) key; two racing first saves meet in the
# conflict clause), unless the stored seq is newer (the stale-seq rule).
_UPSERT = (
    "INSERT INTO answers AS s (attempt_id, position, version_id, response, seq,"
    " flagged, saved_at) {source} ON CONFLICT (attempt_id, position) DO UPDATE SET"
    " response = excluded.response, seq = excluded.seq, saved_at = excluded.saved_at,"
    " flagged = COALESCE({flag}, s.flagged) WHERE s.seq <= excluded.seq"
    " RETURNING seq, flagged"
)
SQLITE_SAVE = (
    "UPDATE attempts AS a SET last_seen_at = :now WHERE "
    + _ATTEMPT_OK
    + _PAPER_OK
    + " RETURNING deadline_at",
    _UPSERT.format(
        source="VALUES (:aid, :pos, :vid, :response, :seq, COALESCE(:flagged, 0), :now)",
        flag=":flagged",
    ),
)
# One round trip: the attempt moves only if every rule holds (its row is locked
# first, as in services.quick_save, so a concurrent submit grades after this
# save), and the answer is written only if the attempt moved.
POSTGRES_SAVE = (
    "WITH att AS (UPDATE attempts AS a SET last_seen_at = :now WHERE "
    + _ATTEMPT_OK
    + _PAPER_OK
    + " RETURNING deadline_at), ans AS ("
    + _UPSERT.format(
        source="SELECT :aid, :pos, :vid, CAST(:response AS JSON), :seq,"
        " COALESCE(CAST(:flagged AS BOOLEAN), FALSE), :now WHERE EXISTS"
        " (SELECT 1 FROM att)",
        flag="CAST(:flagged AS BOOLEAN)",
    )
    + ") SELECT (SELECT deadline_at FROM att), (SELECT seq FROM ans),"
    " (SELECT flagged FROM ans),"
    " (SELECT candidate_paper_id FROM attempts WHERE id = :aid)"
)
HEARTBEAT = (
    "UPDATE attempts AS a SET last_seen_at = :now WHERE "
    + _ATTEMPT_OK
    # SQLite's RETURNING does not know the alias: unqualified names.
    + " RETURNING deadline_at, tab_switches, (SELECT x.tab_switch_limit"
    " FROM exam_arrangements AS x WHERE x.id = arrangement_id)"
)
ITEMS = (
    "SELECT a.user_id, p.id, p.items FROM attempts AS a JOIN candidate_papers AS p"
    " ON p.id = a.candidate_paper_id WHERE a.id = :aid"
)


def _pyformat(sql):
    """``:name`` placeholders as psycopg's ``%(name)s``."""
    return re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", sql)


_POSTGRES = {
    "save": _pyformat(POSTGRES_SAVE),
    "heartbeat": _pyformat(HEARTBEAT),
    "items": _pyformat(ITEMS),
}


class PoolTransaction:
    """One request's use of a DBAPI connection of the application's pool.

    PostgreSQL: autocommit (the save is one statement). SQLite: BEGIN … COMMIT.
    A failing connection is invalidated (the pool opens a new one)."""

    def __init__(self, engine):
        self.dialect = engine.dialect.name
        self.fairy = engine.raw_connection()
        self.raw = self.fairy.driver_connection
        try:
            if self.dialect == "postgresql":
                self.raw.autocommit = True
            elif not self.raw.in_transaction:
                self.raw.execute("BEGIN")
        except Exception:
            self.close(failed=True)
            raise

    def execute(self, sql, params):
        cursor = self.raw.cursor()
        try:
            cursor.execute(sql, params)
            return cursor.fetchall()
        finally:
            cursor.close()

    def finish(self, ok):
        if self.dialect == "sqlite":
            if ok:
                self.raw.commit()
            else:
                self.raw.rollback()

    def close(self, failed=False):
        try:
            if failed:
                self.fairy.invalidate()
            elif self.dialect == "postgresql":
                self.raw.autocommit = False
        finally:
            self.fairy.close()


def _sqlite_time(value):
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's SQLite format


def _as_datetime(value):
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _as_json(value):
    return json.loads(value) if isinstance(value, str) else value


def flask_login_identifier(environ):
    """Flask-Login's session identifier (``utils._create_identifier``)."""
    address = environ.get("HTTP_X_FORWARDED_FOR", environ.get("REMOTE_ADDR"))
    if address is not None:
        address = address.encode("utf-8").split(b",")[0].strip()
    agent = environ.get("HTTP_USER_AGENT")
    if agent is not None:
        agent = agent.encode("utf-8")
    return sha512(f"{address}|{agent}".encode("utf8")).hexdigest()


class _Request:
    """What the checks found: the session data, user, device, payload."""

    __slots__ = (
        "attempt_id",
        "kind",
        "session",
        "user_id",
        "version",
        "digest",
        "payload",
        "set_cookie",
        "seen_due",
    )


class FastPath:
    """The WSGI middleware (installed by ``exams.attempts.init_app``)."""

    def __init__(self, app, wsgi_app):
        self.flask_app = app
        self.wsgi_app = wsgi_app
        self._lock = threading.Lock()
        self._engine = None
        self._serializers = {}
        self._attempts = {}  # attempt id -> (user id, version ids)
        self._versions = {}  # version id -> (type, spec, loaded at)
        #: Called with each SQL statement (bench/autosave_profile.py counts them).
        self.trace = None
        #: Requests answered here (not exact under threads; for tests and benches).
        self.served = 0

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST":
            match = ROUTE.match(environ.get("PATH_INFO", ""))
            if match is not None:
                try:
                    reply = self._try(environ, match)
                except Exception:  # noqa: BLE001 - the full path decides
                    logger.warning("Autosave fast path: handed over", exc_info=True)
                    reply = None
                if reply is not None:
                    self.served += 1
                    return reply(start_response)
        return self.wsgi_app(environ, start_response)

    def clear_caches(self):
        """Forget the cached item tables and question versions."""
        with self._lock:
            self._attempts.clear()
            self._versions.clear()

    # The checks before the database ---------------------------------------
    def _try(self, environ, match):
        app = self.flask_app
        config = app.config
        if not config.get("EXAM_FAST_PATH", True) or config.get("LOGIN_DISABLED"):
            return None
        if config.get("RATELIMIT_DEFAULT") or config.get("RATELIMIT_APPLICATION"):
            return None  # Flask-Limiter would count this request
        transaction = app.extensions.get(CONNECTION_EXTENSION) or self._pool()
        if transaction is None:
            return None
        body = self._body(environ)
        if body is None:
            return None
        request = self._session(environ, config)
        if request is None:
            return None
        request.attempt_id = int(match.group(1))
        request.kind = match.group(2)
        try:
            payload = json.loads(body)
        except ValueError:
            return None
        if not isinstance(payload, dict):
            return None
        if request.kind == "events":
            if payload.get("kind") != "heartbeat":
                return None
        else:
            position, seq = payload.get("position"), payload.get("seq", 0)
            flagged = payload.get("flagged")
            if not (is_int(position) and is_int(seq) and 0 <= seq <= MAX_SEQ):
                return None
            if flagged is not None and not isinstance(flagged, bool):
                return None
            if "response" not in payload:
                return None  # a 标记 alone: the full path
        request.payload = payload
        retry_after = int(config.get("EXAM_SAVE_RETRY_AFTER", 3))
        max_wait = int(config.get("EXAM_SAVE_MAX_WAIT_MS", 0) or 0)
        if max_wait:
            waited = waited_from_header(environ.get("HTTP_X_REQUEST_START", ""))
            if waited is not None and waited > max_wait:
                return self._busy(environ, request, retry_after)
        slots = save_slots(app)
        if not slots.acquire(blocking=False):
            return self._busy(environ, request, retry_after)
        try:
            reply = self._store(transaction, request, config)
        finally:
            slots.release()
        if reply is None:
            return None
        return self._respond(environ, request, "200 OK", reply, ())

    def _body(self, environ):
        ctype = environ.get("CONTENT_TYPE", "")
        if ctype.split(";", 1)[0].strip().lower() != "application/json":
            return None
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        if not 0 < length <= MAX_BODY:
            return None
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)  # the full path reads it again
        return body if len(body) == length else None

    def _serializer(self, kind, secret):
        key = (kind, secret)
        found = self._serializers.get(key)
        if found is None:
            if kind == "session":
                found = self.flask_app.session_interface.get_signing_serializer(
                    self.flask_app
                )
            elif kind == "csrf":
                found = URLSafeTimedSerializer(secret, salt="wtf-csrf-token")
            else:
                found = URLSafeSerializer(secret, salt="exam-device")
            self._serializers[key] = found
        return found

    def _session(self, environ, config):
        """The session, user and device, or None (the full path decides)."""
        app = self.flask_app
        if type(app.session_interface) is not SecureCookieSessionInterface:
            return None
        secret = app.secret_key
        if not secret:
            return None
        cookies = parse_cookie(environ)
        raw = cookies.get(config["SESSION_COOKIE_NAME"])
        if not raw:
            return None
        fallbacks = tuple(config.get("SECRET_KEY_FALLBACKS") or ())
        try:
            data = self._serializer("session", (secret, fallbacks)).loads(
                raw, max_age=int(app.permanent_session_lifetime.total_seconds())
            )
        except BadData:
            return None
        if not isinstance(data, dict) or "_remember" in data:
            return None
        if config.get("REMEMBER_COOKIE_REFRESH_EACH_REQUEST"):
            return None
        user_id, _, version = str(data.get("_user_id") or "").partition(":")
        if not user_id.isdigit() or not version.isdigit():
            return None
        mode = config.get("SESSION_PROTECTION", login_manager.session_protection)
        if mode in ("basic", "strong") and data.get("_id") != flask_login_identifier(
            environ
        ):
            # Flask-Login would mark the session not fresh (a new cookie), or
            # in strong mode end it.
            if data.get("_fresh") is not False:
                return None
            if mode == "strong" and not data.get("_permanent"):
                return None
        now = time.time()
        if expiry_reason(data, now, config):
            return None
        if config.get("WTF_CSRF_ENABLED", True) and config.get(
            "WTF_CSRF_CHECK_DEFAULT", True
        ):
            if "POST" in config.get("WTF_CSRF_METHODS", ("POST",)):
                if not self._csrf_ok(environ, data, config):
                    return None
        raw_device = cookies.get(DEVICE_COOKIE)
        if not raw_device:
            return None
        try:
            token = self._serializer("device", secret).loads(raw_device)
        except BadData:
            return None
        if not isinstance(token, str) or len(token) < 32:
            return None
        request = _Request()
        request.session = data
        request.user_id, request.version = int(user_id), int(version)
        request.digest = hash_token(token)
        request.seen_due = seen_at_due(data, now)
        request.set_cookie = request.seen_due or (
            config.get("SESSION_REFRESH_EACH_REQUEST") and bool(data.get("_permanent"))
        )
        return request

    def _csrf_ok(self, environ, data, config):
        """Flask-WTF's ``CSRFProtect.protect`` for a JSON request."""
        token = None
        for name in config.get("WTF_CSRF_HEADERS", ("X-CSRFToken", "X-CSRF-Token")):
            token = environ.get("HTTP_" + name.upper().replace("-", "_"))
            if token:
                break
        field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        secret = config.get("WTF_CSRF_SECRET_KEY", self.flask_app.secret_key)
        if not token or not secret or field not in data:
            return False
        try:
            signed = self._serializer("csrf", secret).loads(
                token, max_age=config.get("WTF_CSRF_TIME_LIMIT", 3600)
            )
        except BadData:
            return False
        stored = data[field]
        if not isinstance(stored, str) or not isinstance(signed, str):
            return False
        if not hmac.compare_digest(stored, signed):
            return False
        if _is_secure(environ) and config.get("WTF_CSRF_SSL_STRICT", True):
            referrer = environ.get("HTTP_REFERER")
            if not referrer:
                return False
            host = get_host(environ, trusted_hosts=config.get("TRUSTED_HOSTS"))
            if not same_origin(referrer, f"https://{host}/"):
                return False
        return True

    # The database ---------------------------------------------------------
    def _pool(self):
        """A transaction factory on the application's pool, or None where the
        pool is one shared connection (in-memory SQLite)."""
        if self._engine is None:
            with self.flask_app.app_context():
                engine = db.engine
            url = engine.url
            shared = url.get_backend_name() == "sqlite" and (
                url.database in (None, "", ":memory:")
                or "mode=memory" in str(url.query)
            )
            if engine.dialect.name not in ("postgresql", "sqlite"):
                shared = True
            self._engine = False if shared else engine
        if self._engine is False:
            return None
        engine = self._engine
        return lambda: PoolTransaction(engine)

    def _run(self, transaction, name, sql_sqlite, params):
        if transaction.dialect == "postgresql":
            sql = _POSTGRES.get(name) or _pyformat(sql_sqlite)
        else:
            sql = sql_sqlite
            params = {
                k: _sqlite_time(v) if isinstance(v, datetime) else v
                for k, v in params.items()
            }
        if self.trace is not None:
            self.trace(sql)
        return transaction.execute(sql, params)

    def _store(self, transaction_factory, request, config):
        """Run the statement(s); the reply, or None (nothing was changed)."""
        now = utcnow()
        params = {
            "aid": request.attempt_id,
            "uid": request.user_id,
            "ver": request.version,
            "now": now,
            "digest": request.digest,
        }
        transaction = transaction_factory()
        ok, failed = False, True
        try:
            if request.kind == "events":
                reply = self._heartbeat(transaction, params, now)
            else:
                reply = self._save(transaction, request, params, now, config)
            ok = reply is not None
            transaction.finish(ok)
            failed = False
        finally:
            transaction.close(failed=failed)
        return reply if ok else None

    def _heartbeat(self, transaction, params, now):
        rows = self._run(transaction, "heartbeat", HEARTBEAT, params)
        if not rows:
            return None
        deadline, switches, limit = rows[0]
        return {
            "ok": True,
            "status": "in_progress",
            "switches": switches,
            "limit": limit,
            "remaining": _remaining(_as_datetime(deadline), now),
        }

    def _save(self, transaction, request, params, now, config):
        payload = request.payload
        position = payload["position"]
        items = self._items(transaction, request.attempt_id)
        if items is None or items[0] != request.user_id:
            return None
        if not 0 <= position < len(items[2]):
            return None
        version = self._version(transaction, items[2][position])
        if version is None:
            return None
        response = payload["response"]
        if response_error(
            version[0], version[1], response, config["EXAM_ANSWER_MAX_CHARS"]
        ):
            return None
        flagged = payload.get("flagged")
        params.update(
            paper=items[1],
            pos=position,
            vid=items[2][position],
            seq=payload.get("seq", 0),
            response=json.dumps(clean_value(response)),
            flagged=flagged,
        )
        if transaction.dialect == "postgresql":
            rows = self._run(transaction, "save", POSTGRES_SAVE, params)
            deadline, seq, stored_flag, paper = rows[0]
            if paper != items[1]:
                self._attempts.pop(request.attempt_id, None)  # stale
        else:
            if flagged is not None:
                params["flagged"] = int(flagged)
            rows = self._run(transaction, "attempt", SQLITE_SAVE[0], params)
            deadline = rows[0][0] if rows else None
            if deadline is None:
                self._attempts.pop(request.attempt_id, None)  # perhaps stale
            rows = (
                []
                if deadline is None
                else self._run(transaction, "answer", SQLITE_SAVE[1], params)
            )
            seq, stored_flag = rows[0] if rows else (None, None)
        if deadline is None or seq is None:
            return None
        return {
            "ok": True,
            "seq": seq,
            "flagged": bool(stored_flag),
            "remaining": _remaining(_as_datetime(deadline), now),
        }

    def _items(self, transaction, attempt_id):
        """(user id, personal paper id, version id per position) of the
        attempt, cached."""
        found = self._attempts.get(attempt_id)
        if found is not None:
            return found
        rows = self._run(transaction, "items", ITEMS, {"aid": attempt_id})
        if not rows:
            return None
        user_id, paper_id, items = rows[0]
        versions = array("q", (item["version_id"] for item in _as_json(items)))
        found = (user_id, paper_id, versions)
        limit = int(
            self.flask_app.config.get("EXAM_FAST_PATH_CACHE", DEFAULT_CACHE_ATTEMPTS)
        )
        with self._lock:
            if len(self._attempts) >= limit:
                for key in list(self._attempts)[: max(1, limit // 2)]:
                    self._attempts.pop(key, None)  # the oldest half
            self._attempts[attempt_id] = found
        return found

    def _version(self, transaction, version_id):
        """(type, spec) of a question version, cached for ``VERSION_TTL_S``."""
        found = self._versions.get(version_id)
        now = time.monotonic()
        if found is not None and now - found[2] < VERSION_TTL_S:
            return found
        rows = self._run(
            transaction,
            "version",
            "SELECT v.type, v.spec FROM question_versions AS v WHERE v.id = :vid",
            {"vid": version_id},
        )
        if not rows:
            return None
        found = (rows[0][0], _as_json(rows[0][1]), now)
        with self._lock:
            if len(self._versions) > 100_000:
                self._versions.clear()
            self._versions[version_id] = found
        return found

    # Replies ----------------------------------------------------------------
    def _busy(self, environ, request, retry_after):
        if request.set_cookie:
            return None  # the session must be refreshed: the full path (a 503 too)
        body = {"ok": False, "error": BUSY_MESSAGE, "busy": True}
        extra = (("Retry-After", str(retry_after)), ("Cache-Control", "no-store"))
        return self._respond(environ, request, "503 SERVICE UNAVAILABLE", body, extra)

    def _respond(self, environ, request, status, obj, extra):
        """The reply as Flask would send it (``jsonify`` + the after-request
        headers of portal.headers, portal.security_headers and the session)."""
        app = self.flask_app
        provider = app.json
        compact = getattr(provider, "compact", None)
        if (compact is None and app.debug) or compact is False:
            text = provider.dumps(obj, indent=2)
        else:
            text = provider.dumps(obj, separators=(",", ":"))
        body = f"{text}\n".encode()
        headers = [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            *extra,
        ]
        headers.extend(default_headers(app.config, _is_secure(environ)))
        headers.append(
            ("Content-Security-Policy", policy(secrets.token_urlsafe(18), "'self'"))
        )
        if request.set_cookie:
            session = SecureCookieSession(request.session)
            if request.seen_due:
                session["seen_at"] = int(time.time())
            carrier = app.response_class()
            app.session_interface.save_session(app, session, carrier)
            headers.extend(
                (name, value)
                for name, value in carrier.headers.items()
                if name == "Set-Cookie"
            )
        headers.append(("Vary", "Cookie"))

        def reply(start_response):
            start_response(status, headers)
            return [body]

        return reply


def _is_secure(environ):
    return environ.get("wsgi.url_scheme") in ("https", "wss")


def _remaining(deadline, now):
    return max(0, int((deadline - now).total_seconds()))


def install(app):
    """Put the fast path in front of the application's WSGI callable."""
    app.wsgi_app = app.extensions["exam_fast_path"] = FastPath(app, app.wsgi_app)
    return app.wsgi_app
