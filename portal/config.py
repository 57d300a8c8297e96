"""Configuration classes (STYLE R2).

Every setting is read from the environment when the class is defined; a deployment may
override any of them in ``instance/config.py``. ``TestConfig`` lives in code.
"""

import os
from datetime import timedelta

BASE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
# The instance folder (PORTAL_INSTANCE_PATH, as in portal._instance_path): the
# default home of the SQLite file, UPLOAD_DIR and NLP_MODEL_DIR. Several app nodes
# must not rely on these defaults for what they share (docs/deployment.md).
INSTANCE_DIR = os.environ.get("PORTAL_INSTANCE_PATH") or os.path.join(
    BASE_DIR, "instance"
)


def _int(name, default):
    return int(os.environ.get(name) or default)


def _database_url():
    url = os.environ.get("DATABASE_URL")
    if url and url.startswith("postgresql://"):
        # psycopg 3 is the only PostgreSQL driver we ship.
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url or "sqlite:///" + os.path.join(INSTANCE_DIR, "portal.db")


class Config:
    # Unset: generated once into instance/secret_key (portal/secret_key.py).
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL") or None
    RQ_QUEUE = os.environ.get("RQ_QUEUE") or "zhifa"

    # Uploads: 10 MB per request unless configured otherwise.
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 10 * 1024 * 1024)
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR") or os.path.join(INSTANCE_DIR, "uploads")
    # Where uploads and generated files go (portal/storage.py, docs/deployment.md):
    # "local" = UPLOAD_DIR (one shared NFS directory when there are several app
    # nodes), "s3" = an S3-compatible bucket (needs boto3).
    STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND") or "local"
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL") or None
    S3_BUCKET = os.environ.get("S3_BUCKET") or None
    S3_ACCESS_KEY_ID = os.environ.get("S3_ACCESS_KEY_ID") or None
    S3_SECRET_ACCESS_KEY = os.environ.get("S3_SECRET_ACCESS_KEY") or None
    S3_REGION = os.environ.get("S3_REGION") or None
    S3_PREFIX = os.environ.get("S3_PREFIX") or ""
    # Training materials (issue #5): per-type limits; the upload route alone raises
    # its request limit to fit them. Yearly hours default (执法辅助人员 / 执法人员).
    TRAINING_PDF_MAX_MB = _int("TRAINING_PDF_MAX_MB", 20)
    TRAINING_VIDEO_MAX_MB = _int("TRAINING_VIDEO_MAX_MB", 200)
    TRAINING_REQUIRED_HOURS = _int("TRAINING_REQUIRED_HOURS", 40)
    TRAINING_REQUIRED_HOURS_OFFICER = _int("TRAINING_REQUIRED_HOURS_OFFICER", 0)
    # Longest autosaved answer to one exam item, in characters (larger: 400).
    EXAM_ANSWER_MAX_CHARS = _int("EXAM_ANSWER_MAX_CHARS", 20_000)
    # Item analysis: 过难/过易/区分度低 flags only from this many answers per item.
    EXAM_ANALYSIS_MIN_N = _int("EXAM_ANALYSIS_MIN_N", 30)

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
    # After LOGIN_MAX_FAILURES failed logins for one login name within
    # LOGIN_LOCKOUT, the login form asks for a captcha (no account is locked).
    LOGIN_LOCKOUT = timedelta(minutes=_int("LOGIN_LOCKOUT_MINUTES", 15))
    # 等保 password expiry: days after which a password must be changed at the next
    # login (audited); 0 = off.
    PASSWORD_MAX_AGE_DAYS = _int("PASSWORD_MAX_AGE_DAYS", 0)
    # argon2id cost; None means argon2-cffi's defaults (t=3, m=64 MiB, p=4).
    ARGON2_TIME_COST = None
    ARGON2_MEMORY_COST = None
    ARGON2_PARALLELISM = None

    # Rate limits on anonymous endpoints (per client IP). Unset = REDIS_URL when
    # Redis is configured (also in instance/config.py), else memory (one process
    # only: with several workers or nodes the limits must live in Redis).
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or None
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT") or "30 per minute"

    # Strict-Transport-Security max-age (seconds) on HTTPS responses (portal/headers.py).
    HSTS_MAX_AGE = _int("HSTS_MAX_AGE", 365 * 24 * 3600)
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME") or "http"

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
    # The CJK TrueType font of every PDF (certificates, 监督意见书); CERT_PDF_FONT
    # is the older name of the variable.
    PDF_FONT = os.environ.get("PDF_FONT") or os.environ.get("CERT_PDF_FONT") or None

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
    # Archive comparison (同案不同罚): peer groups are the same catalogue item and
    # tier within the same city | region (district) | agency; no verdict below
    # CONSISTENCY_MIN_GROUP cases in the group.
    CONSISTENCY_SCOPE = os.environ.get("CONSISTENCY_SCOPE") or "city"
    CONSISTENCY_MIN_GROUP = int(os.environ.get("CONSISTENCY_MIN_GROUP") or 5)
    # Default 评查期限 offered when assigning a case (calendar days from today).
    CASE_REVIEW_DUE_DAYS = _int("CASE_REVIEW_DUE_DAYS", 10)
    # Load the checker (segmenter, embedding model) in a background thread on the
    # first request, so the first upload does not wait for it.
    CASE_CHECK_WARMUP = os.environ.get("CASE_CHECK_WARMUP", "1") == "1"
    # The checker's running score (docs/nlp.md, "Learning from supervisors"): a
    # finding code whose precision measured by supervisors' labels in an agency or
    # catalogue is below the floor after the minimum number of labels is shown there
    # as 提示 instead of 问题. 0 disables it (reversible: nothing is deleted).
    CHECKER_PRECISION_FLOOR = float(os.environ.get("CHECKER_PRECISION_FLOOR") or 0.5)
    CHECKER_MIN_LABELS = int(os.environ.get("CHECKER_MIN_LABELS") or 10)
    # 监督意见书 (issue #6, docs/case-opinions.md). The deadline is counted in working
    # days of the shared calendar from the issue date (staff may set 1 to
    # OPINION_DEADLINE_MAX_WORKDAYS per opinion); the flag turns yellow
    # OPINION_WARN_WORKDAYS working days before it. Numbers read
    # "{OPINION_NUMBER_PREFIX}〔2026〕第3号", counted per year without gaps.
    OPINION_DEADLINE_WORKDAYS = _int("OPINION_DEADLINE_WORKDAYS", 15)
    OPINION_DEADLINE_MAX_WORKDAYS = _int("OPINION_DEADLINE_MAX_WORKDAYS", 60)
    OPINION_WARN_WORKDAYS = _int("OPINION_WARN_WORKDAYS", 3)
    OPINION_NUMBER_PREFIX = os.environ.get("OPINION_NUMBER_PREFIX") or "执法监督"
    # The 发文机关 and 签发人 printed on 监督意见书 (GB/T 9704), per organisation code,
    # looked up from the agency upwards; set in instance/config.py, e.g.
    # OPINION_ISSUERS = {"C": {"authority": "江城市司法局", "signer": "王某某"}}.
    # Unconfigured: OPINION_AUTHORITY, else "<city>司法局", and no 签发人.
    OPINION_ISSUERS: dict = {}
    OPINION_AUTHORITY = os.environ.get("OPINION_AUTHORITY") or None
    OPINION_MAX_FILES = _int("OPINION_MAX_FILES", 5)
    OPINION_FILE_MAX_MB = _int("OPINION_FILE_MAX_MB", 10)
    # Handling (docs/suggestions-handling.md): working days from assignment to the
    # deadline, the one extension, the yellow flag before the deadline; answered
    # items not rated within SUGGESTION_AUTO_CLOSE_DAYS of publication are closed.
    SUGGESTION_DEADLINE_WORKDAYS = _int("SUGGESTION_DEADLINE_WORKDAYS", 15)
    SUGGESTION_EXTENSION_WORKDAYS = _int("SUGGESTION_EXTENSION_WORKDAYS", 7)
    SUGGESTION_WARN_WORKDAYS = _int("SUGGESTION_WARN_WORKDAYS", 1)
    SUGGESTION_AUTO_CLOSE_DAYS = _int("SUGGESTION_AUTO_CLOSE_DAYS", 15)
    # 受理 (triage) within SUGGESTION_ACCEPT_WORKDAYS working days of submission; the
    # handling deadline staff set when assigning must lie within the MIN/MAX bounds.
    SUGGESTION_ACCEPT_WORKDAYS = _int("SUGGESTION_ACCEPT_WORKDAYS", 7)
    SUGGESTION_DEADLINE_MIN_WORKDAYS = _int("SUGGESTION_DEADLINE_MIN_WORKDAYS", 5)
    SUGGESTION_DEADLINE_MAX_WORKDAYS = _int("SUGGESTION_DEADLINE_MAX_WORKDAYS", 30)

    # Notifications (issue #15, docs/notifications.md). 站内信 is always on; e-mail
    # goes through this SMTP server when MAIL_SERVER is set; SMS through the sender
    # class SMS_SENDER (a dotted path; the default only logs, number masked).
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_FROM = os.environ.get("MAIL_FROM") or None
    MAIL_FROM_NAME = os.environ.get("MAIL_FROM_NAME") or "执法培训考试与监督评查平台"
    MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 10)
    SMS_SENDER = os.environ.get("SMS_SENDER") or (
        "portal.notifications.channels.LoggingSmsSender"
    )
    # Absolute links in e-mails (e.g. https://zhifa.example.cn); unset = no link.
    PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL") or None


class DevConfig(Config):
    pass


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-only-key-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    REDIS_URL = None
    RATELIMIT_STORAGE_URI = "memory://"
    WTF_CSRF_ENABLED = False
    # Still real argon2id, at the lowest cost (64 KiB, one pass): thousands of test
    # users and logins stay fast. tests/portal/test_idcard_passwords.py checks that
    # ``Config`` keeps argon2-cffi's production defaults.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 64
    ARGON2_PARALLELISM = 1
    SERVER_NAME = None
