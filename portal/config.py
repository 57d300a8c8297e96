"""Configuration classes (STYLE R2).

Every setting is read from the environment when the class is defined; a deployment may
override any of them in ``instance/config.py``. ``TestConfig`` lives in code.
"""

import os
from datetime import timedelta

BASE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
INSTANCE_DIR = os.path.join(BASE_DIR, "instance")


def _int(name, default):
    return int(os.environ.get(name) or default)


def _database_url():
    url = os.environ.get("DATABASE_URL")
    if url and url.startswith("postgresql://"):
        # psycopg 3 is the only PostgreSQL driver we ship.
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url or "sqlite:///" + os.path.join(INSTANCE_DIR, "portal.db")


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-change-me"
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL") or None
    RQ_QUEUE = os.environ.get("RQ_QUEUE") or "zhifa"

    # Uploads: 10 MB per request unless configured otherwise.
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 10 * 1024 * 1024)
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR") or os.path.join(INSTANCE_DIR, "uploads")
    # Training materials (issue #5): per-type limits; the upload route alone raises
    # its request limit to fit them. Yearly hours default (执法辅助人员 / 执法人员).
    TRAINING_PDF_MAX_MB = _int("TRAINING_PDF_MAX_MB", 20)
    TRAINING_VIDEO_MAX_MB = _int("TRAINING_VIDEO_MAX_MB", 200)
    TRAINING_REQUIRED_HOURS = _int("TRAINING_REQUIRED_HOURS", 40)
    TRAINING_REQUIRED_HOURS_OFFICER = _int("TRAINING_REQUIRED_HOURS_OFFICER", 0)

    # Sessions and login policy.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    # The cookie is re-sent only when the session changed (login, and the
    # once-a-minute ``seen_at`` of portal.auth.session), not on every request.
    SESSION_REFRESH_EACH_REQUEST = False
    # Exam day (issue #17, docs/benchmarks.md): autosaves and heartbeats inside
    # the handler at once per worker process (more get 503 + Retry-After at once).
    EXAM_SAVE_CONCURRENCY = _int("EXAM_SAVE_CONCURRENCY", 4)
    EXAM_SAVE_RETRY_AFTER = _int("EXAM_SAVE_RETRY_AFTER", 3)
    # 503 at once for a save that already waited this long before the app
    # (needs the proxy's X-Request-Start header; 0: off).
    EXAM_SAVE_MAX_WAIT_MS = _int("EXAM_SAVE_MAX_WAIT_MS", 2000)
    # Start admission (exams.attempts.gate): candidates let in per second and at
    # once; the others wait in the 排队中 queue. 0 turns the gate off. A
    # conservative default, not a measured capacity: size it from
    # docs/benchmarks.md for the machine.
    EXAM_START_RATE = float(os.environ.get("EXAM_START_RATE") or 20)
    EXAM_START_BURST = _int("EXAM_START_BURST", 40)
    SESSION_IDLE_TIMEOUT = timedelta(minutes=_int("SESSION_IDLE_MINUTES", 30))
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=_int("SESSION_ABSOLUTE_HOURS", 12))
    LOGIN_MAX_FAILURES = _int("LOGIN_MAX_FAILURES", 5)
    LOGIN_LOCKOUT = timedelta(minutes=_int("LOGIN_LOCKOUT_MINUTES", 15))
    # argon2id cost; None means argon2-cffi's defaults (t=3, m=64 MiB, p=4).
    ARGON2_TIME_COST = None
    ARGON2_MEMORY_COST = None
    ARGON2_PARALLELISM = None

    # Rate limits on anonymous endpoints (per client IP).
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or (
        os.environ.get("REDIS_URL") or "memory://"
    )
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT") or "30 per minute"

    WTF_CSRF_TIME_LIMIT = 12 * 3600
    BOOTSTRAP_SERVE_LOCAL = (
        True  # no CDN: Bootstrap 5 comes from the bootstrap-flask wheel
    )
    AUDIT_PAGE_SIZE = 50
    TESTING = False

    # NLP checker (issue #3). NLP_MODEL_DIR is where `flask nlp build-model` writes the
    # domain model; NLP_EMBEDDING_MODEL selects the model used for matching: any local
    # sentence-transformers directory, "none" for TF-IDF only, unset = NLP_MODEL_DIR
    # when it holds a model.
    NLP_MODEL_DIR = os.environ.get("NLP_MODEL_DIR") or os.path.join(
        INSTANCE_DIR, "nlp-model"
    )
    NLP_EMBEDDING_MODEL = os.environ.get("NLP_EMBEDDING_MODEL") or None

    # Certificates (issue #5, docs/certificates.md). Validity in years from issuance;
    # the number prefix defaults to the code of the holder's city (root) organisation;
    # a certificate is overdue for 年度审验 when neither issued nor reviewed within
    # CERT_REVIEW_INTERVAL_DAYS; CERT_VERIFY_BASE_URL (e.g. https://zhifa.example.cn)
    # fixes the host printed in QR codes when the portal sits behind a proxy.
    CERT_VALIDITY_YEARS = _int("CERT_VALIDITY_YEARS", 3)
    CERT_NUMBER_PREFIX = os.environ.get("CERT_NUMBER_PREFIX") or None
    CERT_REVIEW_INTERVAL_DAYS = _int("CERT_REVIEW_INTERVAL_DAYS", 365)
    CERT_EXPIRING_DAYS = _int("CERT_EXPIRING_DAYS", 90)
    CERT_VERIFY_RATE_LIMIT = os.environ.get("CERT_VERIFY_RATE_LIMIT") or "30 per minute"
    CERT_VERIFY_BASE_URL = os.environ.get("CERT_VERIFY_BASE_URL") or None
    # A TTF/TTC with CJK glyphs for the PDF; unset = the first Debian font found.
    CERT_PDF_FONT = os.environ.get("CERT_PDF_FONT") or None

    # Public suggestions and complaints (issue #7, docs/suggestions.md). Limits are
    # per client IP; contact data is removed SUGGESTION_RETENTION_DAYS after closure.
    SUGGESTION_MAX_FILES = _int("SUGGESTION_MAX_FILES", 5)
    SUGGESTION_FILE_MAX_MB = _int("SUGGESTION_FILE_MAX_MB", 10)
    SUGGESTION_SUBMIT_RATE_LIMIT = (
        os.environ.get("SUGGESTION_SUBMIT_RATE_LIMIT") or "10 per minute;200 per day"
    )
    SUGGESTION_TRACK_RATE_LIMIT = (
        os.environ.get("SUGGESTION_TRACK_RATE_LIMIT") or "10 per minute"
    )
    SUGGESTION_CAPTCHA_RATE_LIMIT = (
        os.environ.get("SUGGESTION_CAPTCHA_RATE_LIMIT") or "60 per minute"
    )
    SUGGESTION_CAPTCHA_SECONDS = _int("SUGGESTION_CAPTCHA_SECONDS", 600)
    SUGGESTION_RETENTION_DAYS = _int("SUGGESTION_RETENTION_DAYS", 180)
    # The public aggregate page and the open-data CSV (per client IP).
    SUGGESTION_OPEN_RATE_LIMIT = (
        os.environ.get("SUGGESTION_OPEN_RATE_LIMIT") or "60 per minute"
    )
    SUGGESTION_OPEN_DATA_RATE_LIMIT = (
        os.environ.get("SUGGESTION_OPEN_DATA_RATE_LIMIT") or "10 per minute"
    )

    # Case supervision (docs/case-supervision.md): default share of a random sample
    # draw of unflagged cases (0.05 = 5 %); each draw may give its own rate.
    CASE_SAMPLE_RATE = float(os.environ.get("CASE_SAMPLE_RATE") or 0.05)
    # 监督意见书 (issue #6, docs/case-opinions.md). The deadline is counted in working
    # days of the shared calendar from the issue date (staff may set 1 to
    # OPINION_DEADLINE_MAX_WORKDAYS per opinion); the flag turns yellow
    # OPINION_WARN_WORKDAYS working days before it. Numbers read
    # "{OPINION_NUMBER_PREFIX}〔2026〕第3号", counted per year without gaps.
    OPINION_DEADLINE_WORKDAYS = _int("OPINION_DEADLINE_WORKDAYS", 15)
    OPINION_DEADLINE_MAX_WORKDAYS = _int("OPINION_DEADLINE_MAX_WORKDAYS", 60)
    OPINION_WARN_WORKDAYS = _int("OPINION_WARN_WORKDAYS", 3)
    OPINION_NUMBER_PREFIX = os.environ.get("OPINION_NUMBER_PREFIX") or "执法监督"
    OPINION_MAX_FILES = _int("OPINION_MAX_FILES", 5)
    OPINION_FILE_MAX_MB = _int("OPINION_FILE_MAX_MB", 10)
    # Handling (docs/suggestions-handling.md): working days from assignment to the
    # deadline, the one extension, the yellow flag before the deadline; answered
    # items not rated within SUGGESTION_AUTO_CLOSE_DAYS of publication are closed.
    SUGGESTION_DEADLINE_WORKDAYS = _int("SUGGESTION_DEADLINE_WORKDAYS", 15)
    SUGGESTION_EXTENSION_WORKDAYS = _int("SUGGESTION_EXTENSION_WORKDAYS", 7)
    SUGGESTION_WARN_WORKDAYS = _int("SUGGESTION_WARN_WORKDAYS", 1)
    SUGGESTION_AUTO_CLOSE_DAYS = _int("SUGGESTION_AUTO_CLOSE_DAYS", 15)


class DevConfig(Config):
    pass


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"  # noqa: S105 - test-only key
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    REDIS_URL = None
    RATELIMIT_STORAGE_URI = "memory://"
    WTF_CSRF_ENABLED = False
    # Still real argon2id, at the lowest cost: hundreds of test logins stay fast.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8 * 1024
    ARGON2_PARALLELISM = 1
    SERVER_NAME = None
