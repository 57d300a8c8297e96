"""Admission control on exam day (issue #17): overload degrades, never collapses.

Autosaves and heartbeats pass a per-process concurrency limit: when
``EXAM_SAVE_CONCURRENCY`` requests of this worker process are already inside the
handler, the next one is answered at once with 503 and ``Retry-After`` instead
of waiting for a database connection behind them (the exam page keeps the answer
in the browser and retries with jitter, see ``static/exams/attempt.js``). With
gunicorn's gthread workers, give each worker more threads than
``EXAM_SAVE_CONCURRENCY`` so that spare threads answer the 503s quickly.

Behind a proxy that stamps ``X-Request-Start: t=<seconds since the epoch>``
(nginx: ``proxy_set_header X-Request-Start "t=${msec}";``), a request that has
already waited longer than ``EXAM_SAVE_MAX_WAIT_MS`` in the queues before the
application (0: no limit) is answered 503 at once too: its client is about to
give up, and serving it would only delay the next ones.
"""

import threading
import time
from functools import wraps

from flask import current_app, jsonify, request

BUSY_MESSAGE = "服务器繁忙，答案已保留在本机，稍后自动重试"

_slots = {}
_slots_lock = threading.Lock()


def save_slots(app):
    """This process's semaphore for ``app`` (created on first use)."""
    key = id(app)
    slots = _slots.get(key)
    if slots is None:
        with _slots_lock:
            slots = _slots.get(key)
            if slots is None:
                slots = threading.BoundedSemaphore(
                    int(app.config.get("EXAM_SAVE_CONCURRENCY", 4))
                )
                _slots[key] = slots
    return slots


def busy_reply(retry_after):
    response = jsonify({"ok": False, "error": BUSY_MESSAGE, "busy": True})
    response.status_code = 503
    response.headers["Retry-After"] = str(retry_after)
    response.headers["Cache-Control"] = "no-store"
    return response


def waited_ms(now=None):
    """How long the request waited before reaching the application, from the
    proxy's ``X-Request-Start`` (None without the header or when unparsable)."""
    return waited_from_header(request.headers.get("X-Request-Start", ""), now)


def waited_from_header(raw, now=None):
    """:func:`waited_ms` from the header's value (also the fast path's)."""
    if raw.startswith("t="):
        raw = raw[2:]
    try:
        stamp = float(raw)
    except ValueError:
        return None
    if stamp > 1e11:  # milliseconds
        stamp /= 1000.0
    return ((now if now is not None else time.time()) - stamp) * 1000.0


def limited(view):
    """Run ``view`` only if a save slot of this process is free and the request
    has not already waited too long; else 503 now."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        app = current_app._get_current_object()
        retry_after = int(app.config.get("EXAM_SAVE_RETRY_AFTER", 3))
        max_wait = int(app.config.get("EXAM_SAVE_MAX_WAIT_MS", 0) or 0)
        if max_wait:
            waited = waited_ms()
            if waited is not None and waited > max_wait:
                return busy_reply(retry_after)
        slots = save_slots(app)
        if not slots.acquire(blocking=False):
            return busy_reply(retry_after)
        try:
            return view(*args, **kwargs)
        finally:
            slots.release()

    return wrapped
