"""Admission control on exam day (issue #17): overload degrades, never collapses.

Autosaves and heartbeats pass a per-process concurrency limit: when
``EXAM_SAVE_CONCURRENCY`` requests of this worker process are already inside the
handler, the next one is answered at once with 503 and ``Retry-After`` instead
of waiting for a database connection behind them (the exam page keeps the answer
in the browser and retries with jitter, see ``static/exams/attempt.js``).
"""

import threading
from functools import wraps

from flask import current_app, jsonify

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


def limited(view):
    """Run ``view`` only if a save slot of this process is free; else 503 now."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        app = current_app._get_current_object()
        slots = save_slots(app)
        if not slots.acquire(blocking=False):
            return busy_reply(int(app.config.get("EXAM_SAVE_RETRY_AFTER", 3)))
        try:
            return view(*args, **kwargs)
        finally:
            slots.release()

    return wrapped
