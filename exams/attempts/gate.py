"""Start admission (issue #17): when hundreds of candidates press 开始考试 within a
minute, they are let in at the rate the server sustains and the rest wait in a
visible queue (排队中, with their position) that enters by itself.

A generic cell-rate algorithm: each arrangement keeps a *theoretical arrival
time* (TAT); a candidate's first click gets a ticket whose admission time is
``max(now, TAT - (burst - 1) / rate)`` and moves the TAT on by ``1 / rate``. So the
first ``EXAM_START_BURST`` candidates enter at once, then one every ``1 / rate``
seconds, in the order they clicked; a refresh or a second click keeps the ticket.
The deadline is fixed when the candidate enters (``start_attempt`` runs then),
so waiting in the queue costs no exam time.

Tickets live in Redis when ``REDIS_URL`` is set (one atomic Lua script; every
worker and node shares them) and in the ``exam_start_tickets`` table otherwise
(serialised by a row lock on the arrangement on PostgreSQL).
"""

import math
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from exams.attempts.models import StartTicket
from exams.papers.models import ExamArrangement
from portal.extensions import db

TICKET_TTL_S = 2 * 24 * 3600

_LUA = """
local existing = redis.call('GET', KEYS[2])
if existing then return existing end
local now = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local admit = tat - tonumber(ARGV[3])
if admit < now then admit = now end
redis.call('SET', KEYS[1], string.format('%.6f', tat + tonumber(ARGV[2])), 'EX', ARGV[4])
redis.call('SET', KEYS[2], string.format('%.6f', admit), 'EX', ARGV[4])
return string.format('%.6f', admit)
"""


def settings():
    """(rate per second, burst); a rate of 0 turns the gate off."""
    config = current_app.config
    return float(config.get("EXAM_START_RATE") or 0), max(
        1, int(config.get("EXAM_START_BURST") or 1)
    )


def enabled():
    return settings()[0] > 0


def _epoch(now):
    return now.replace(tzinfo=UTC).timestamp()


def _from_epoch(seconds):
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)


def _redis():
    from redis import Redis

    app = current_app._get_current_object()
    client = app.extensions.get("exam_gate_redis")
    if client is None:
        client = Redis.from_url(app.config["REDIS_URL"])
        app.extensions["exam_gate_redis"] = client
    return client


def _key(arrangement_id):
    """Redis key prefix of an arrangement's gate, inside the deployment's Redis
    namespace (``RATELIMIT_KEY_PREFIX``), so that two portals (or a test and a
    benchmark database) sharing one Redis never read each other's tickets."""
    namespace = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
    return f"{namespace}:exam-gate:{arrangement_id}"


def ticket(arrangement_id, user_id, now):
    """The candidate's admission time (naive UTC), issuing a ticket on the first
    call; later calls return the same time."""
    rate, burst = settings()
    interval, window = 1.0 / rate, (burst - 1) / rate
    if current_app.config.get("REDIS_URL"):
        prefix = _key(arrangement_id)
        admit = _redis().eval(
            _LUA,
            2,
            f"{prefix}:tat",
            f"{prefix}:user:{user_id}",
            repr(_epoch(now)),
            repr(interval),
            repr(window),
            TICKET_TTL_S,
        )
        return _from_epoch(float(admit))
    return _db_ticket(arrangement_id, user_id, now, interval, window)


def _db_ticket(arrangement_id, user_id, now, interval, window):
    existing = _stored(arrangement_id, user_id)
    if existing is not None:
        return existing
    # One ticket at a time per arrangement (PostgreSQL; SQLite has one writer).
    db.session.execute(
        sa.select(ExamArrangement.id)
        .where(ExamArrangement.id == arrangement_id)
        .with_for_update()
    )
    existing = _stored(arrangement_id, user_id)
    if existing is not None:
        return existing
    tat = db.session.scalar(
        sa.select(sa.func.max(StartTicket.tat_after)).where(
            StartTicket.arrangement_id == arrangement_id
        )
    )
    tat = max(tat or now, now)
    admit = max(now, tat - timedelta(seconds=window))
    db.session.add(
        StartTicket(
            arrangement_id=arrangement_id,
            user_id=user_id,
            admit_at=admit,
            tat_after=tat + timedelta(seconds=interval),
        )
    )
    db.session.flush()
    return admit


def _stored(arrangement_id, user_id):
    return db.session.scalar(
        sa.select(StartTicket.admit_at).where(
            StartTicket.arrangement_id == arrangement_id,
            StartTicket.user_id == user_id,
        )
    )


def peek(arrangement_id, user_id):
    """The candidate's admission time, or None without a ticket."""
    if current_app.config.get("REDIS_URL"):
        raw = _redis().get(f"{_key(arrangement_id)}:user:{user_id}")
        return _from_epoch(float(raw)) if raw is not None else None
    return _stored(arrangement_id, user_id)


def position(admit_at, now):
    """Candidates ahead in the queue (0: may enter now) and the expected wait in
    seconds."""
    wait = (admit_at - now).total_seconds()
    if wait <= 0:
        return 0, 0
    rate, _burst = settings()
    return max(1, math.ceil(wait * rate)), math.ceil(wait)
