"""Locust users for the exam load benchmark (``bench/exams_load.py`` runs this file
headless, once per scenario; it can also be pointed at a staging server by hand).

Every user is one candidate who is already signed in: the orchestrator logs the
candidates in before the measured phase and passes their session cookies, device
cookies (``exam_device``, once they have started), CSRF tokens and attempt ids in
``BENCH_SESSIONS`` (a JSON file). At the end every user's cookies as they are
then (the session cookie is re-issued once a minute: the idle timeout's clock)
are written as ``cookies`` samples, and the orchestrator carries them into the
next phase, as a browser keeps its cookies.

Behind nginx (``BENCH_KEEPALIVE=1``, the default of the benchmark) a user keeps
its connection to nginx as a browser does (nginx closes an idle one after 75 s;
a user sends at least every 30 s). Directly against gunicorn every request is
sent with ``Connection: close``: reusing one idle connection per user there is
what gave the status-0 connection errors with gthread workers: gunicorn closes a
keep-alive connection after ``--keep-alive`` of silence, and a save sent on it
at that moment fails before any reply (docs/benchmarks.md). The schedule is
open-loop: each user sends its requests at wall-clock times computed from
``BENCH_T0`` (a shared start time), so the offered rate does not drop when the
server slows down. Every request is written raw to ``BENCH_SAMPLES`` (JSON lines)
and the orchestrator computes the percentiles itself.

Modes (``BENCH_MODE``):

``start``
    the start spike: user *i* clicks 开始考试 at ``T0 + i × BENCH_SPREAD / N`` (POST
    ``/exams/<id>/start``) and loads the exam page it is redirected to. A click
    that nginx's start rate turns away (503 + Retry-After, portal/nginx.py) is
    sent again as the notice page's ``start.js`` does (Retry-After, doubled up to
    twice, ±50 % jitter; ``start_shed``). A user sent to the 排队中 queue asks
    again as the page does (JSON: at the announced turn, or after 30 s if it is
    further) and enters when admitted (POST ``/exams/<id>/enter``); the wait from
    the first click (``click_wait``: turned away by nginx; ``queue_wait``: in the
    gate's queue) is recorded apart from the admitted request (``start_total``).
``autosave``
    every user saves one answer every ``BENCH_PERIOD`` s (± ``BENCH_JITTER``), the
    first save at a random offset within the first period; with ``BENCH_HEARTBEAT=1``
    it also sends the exam page's 30-second heartbeat (only after 30 s without a
    reply, as the page does: a save is a heartbeat). A 503/429 reply is not the
    end: the user keeps the answer and retries after ``Retry-After`` (doubling,
    ±50 % jitter), as ``attempt.js`` does, until it is stored or ``BENCH_END``
    + ``BENCH_GRACE`` s; every try is recorded (``save`` / ``save_shed``).
"""

import itertools
import json
import os
import random
import re
import time
from http.cookiejar import Cookie

import gevent
from locust import FastHttpUser, events, task
from locust.exception import StopUser

MODE = os.environ.get("BENCH_MODE", "autosave")
T0 = float(os.environ.get("BENCH_T0") or 0)
PERIOD = float(os.environ.get("BENCH_PERIOD") or 30)
JITTER = float(os.environ.get("BENCH_JITTER") or 0)
SPREAD = float(os.environ.get("BENCH_SPREAD") or 30)
END = float(os.environ.get("BENCH_END") or 0)  # absolute; stop sending after it
HEARTBEAT = os.environ.get("BENCH_HEARTBEAT") == "1"
ARRANGEMENT = os.environ.get("BENCH_ARRANGEMENT", "")
SAMPLES_PATH = os.environ.get("BENCH_SAMPLES", "samples.jsonl")
POSITIONS = int(os.environ.get("BENCH_POSITIONS") or 50)
GRACE = float(os.environ.get("BENCH_GRACE") or 120)
SHARD = os.environ.get("BENCH_SHARD", "0")

with open(os.environ.get("BENCH_SESSIONS", "sessions.json"), encoding="utf-8") as fh:
    SESSIONS = json.load(fh)

_next_index = itertools.count()
_samples = []
_done = {"n": 0}
_RESPONSES = (["A"], ["B"], ["A", "C"], ["对"], ["行政复议"], ["B", "D"])
# Valid responses per item type (the session's ``types``; the server answers 400
# to a response that does not fit the item, e.g. "A" for a 判断 item).
_BY_TYPE = {
    "single": (["A"], ["B"], ["C"], ["D"]),
    "multiple": (["A", "C"], ["B", "D"], ["A", "B", "C"]),
    "true_false": (["对"], ["错"]),
    "fill_blank": (["行政复议"], ["复议"]),
}
_ATTEMPT_URL = re.compile(r"/exams/attempts/(\d+)")
_DATA_CSRF = re.compile(r'data-csrf="([^"]+)"')


_users = []
CLOSE = {} if os.environ.get("BENCH_KEEPALIVE") == "1" else {"Connection": "close"}


def _set_cookie(jar, name, value):
    jar.set_cookie(
        Cookie(
            0, name, value, None, False, "127.0.0.1", False, False, "/",
            True, False, None, False, None, None, {},
        )
    )  # fmt: skip


def _cookies(jar):
    return {cookie.name: cookie.value for cookie in jar}


def _record(name, started, elapsed_ms, ok, status, **extra):
    _samples.append(
        {"name": name, "t": started, "ms": elapsed_ms, "ok": ok, "status": status}
        | extra
    )


def _sleep_until(when):
    delay = when - time.time()
    if delay > 0:
        gevent.sleep(delay)


class Candidate(FastHttpUser):
    """One signed-in candidate."""

    # Latency is what we measure; a slow server must not make the user give up early.
    network_timeout = 60.0
    connection_timeout = 60.0

    def on_start(self):
        self.index = next(_next_index)
        if self.index >= len(SESSIONS):
            raise StopUser()
        self.me = SESSIONS[self.index]
        _set_cookie(self.client.cookiejar, "session", self.me["cookie"])
        if self.me.get("device"):
            _set_cookie(self.client.cookiejar, "exam_device", self.me["device"])
        _users.append(self)
        self.seq = int(time.time() * 1000)
        # Each process of the phase holds its own share of the sessions.
        self.rng = random.Random(f"{SHARD}-{self.index}")

    def _post(self, name, url, **kwargs):
        started = time.time()
        kwargs["headers"] = CLOSE | kwargs.get("headers", {})
        with self.client.post(url, name=name, catch_response=True, **kwargs) as resp:
            elapsed = (time.time() - started) * 1000.0
            return resp, started, elapsed

    @task
    def scenario(self):
        if MODE == "start":
            self._start_once()
        else:
            self._autosave_loop()
        raise StopUser()

    def _start_once(self):
        _sleep_until(T0 + self.index * SPREAD / len(SESSIONS))
        clicked, tries = time.time(), 0
        while True:
            resp, started, post_ms = self._post(
                "start",
                f"/exams/{ARRANGEMENT}/start",
                data={"csrf_token": self.me["csrf"]},
                allow_redirects=False,
            )
            if resp.status_code not in (503, 429) or time.time() > clicked + 600:
                break
            # Turned away by nginx's start rate: as start.js, try again later.
            resp.success()
            _record("start_shed", started, post_ms, True, resp.status_code)
            tries += 1
            after = float(resp.headers.get("Retry-After") or 3)
            wait = min(30.0, after * 2 ** min(tries - 1, 2))
            gevent.sleep(wait * self.rng.uniform(0.5, 1.5))
        _record("click_wait", clicked, (started - clicked) * 1000.0, True, 0)
        location = resp.headers.get("Location", "") if resp.headers else ""
        if resp.status_code == 302 and (location or "").endswith("/queue"):
            resp.success()
            _record("start_queued", started, post_ms, True, resp.status_code)
            admitted = self._wait_in_queue(started)
            if admitted is None:
                _finish()
                return
            resp, started, post_ms = admitted
            location = resp.headers.get("Location", "") if resp.headers else ""
        match = _ATTEMPT_URL.search(location or "")
        ok = resp.status_code == 302 and match is not None
        if ok:
            resp.success()
        else:
            resp.failure(f"start: {resp.status_code} {location!r}")
        _record("start_post", started, post_ms, ok, resp.status_code)
        if not ok:
            _finish()
            return
        page_started = time.time()
        with self.client.get(
            f"/exams/attempts/{match.group(1)}",
            name="exam_page",
            headers=CLOSE,
            catch_response=True,
        ) as page:
            page_ms = (time.time() - page_started) * 1000.0
            csrf = (
                _DATA_CSRF.search(page.text or "") if page.status_code == 200 else None
            )
            page_ok = csrf is not None
            if page_ok:
                page.success()
            else:
                page.failure(f"exam page: {page.status_code}")
        _record("exam_page", page_started, page_ms, page_ok, page.status_code)
        _record(
            "start_total",
            started,
            post_ms + page_ms,
            page_ok,
            page.status_code,
            user=self.me["username"],
            attempt=int(match.group(1)),
            csrf=csrf.group(1) if csrf else None,
            device=_cookies(self.client.cookiejar).get("exam_device"),
        )
        _finish()

    def _wait_in_queue(self, clicked):
        """Poll the queue until admitted, then click 开始考试 again; returns the
        admitted POST (response, start, ms) or None (gave up)."""
        deadline = clicked + 600
        wait = 0.0  # the first request is the queue page the redirect leads to
        while time.time() < deadline:
            if wait > 0:
                # As exams/attempts/static/exams/queue.js: at the turn (0.3–1.5 s
                # after), or in 30 s if the turn is further away.
                gevent.sleep(min(wait, 30.0) + self.rng.uniform(0.3, 1.5))
            with self.client.get(
                f"/exams/{ARRANGEMENT}/queue",
                name="queue_poll",
                headers=CLOSE | {"Accept": "application/json"},
                catch_response=True,
            ) as poll:
                poll.success()
                try:
                    data = poll.json() if poll.status_code == 200 else {}
                except ValueError:
                    data = {}
            if not data.get("ready"):
                wait = float(data.get("wait") or 2)
                continue
            _record("queue_wait", clicked, (time.time() - clicked) * 1000.0, True, 200)
            resp, started, ms = self._post(
                "enter",
                f"/exams/{ARRANGEMENT}/enter",
                data={"csrf_token": self.me["csrf"]},
                allow_redirects=False,
            )
            location = resp.headers.get("Location", "") if resp.headers else ""
            if resp.status_code == 302 and location.endswith("/queue"):
                resp.success()
                continue
            return resp, started, ms
        _record("queue_wait", clicked, (time.time() - clicked) * 1000.0, False, 0)
        return None

    def _autosave_loop(self):
        first = T0 + self.rng.uniform(0, PERIOD)
        next_save = first
        next_beat = T0 + self.rng.uniform(0, 30.0) if HEARTBEAT else float("inf")
        self.last_reply = first
        while True:
            when = min(next_save, next_beat)
            if when >= END:
                break
            _sleep_until(when)
            if next_save <= next_beat:
                self._save()
                next_save += PERIOD + self.rng.uniform(-JITTER, JITTER)
            elif time.time() - self.last_reply >= 30.0:
                self._heartbeat()
                next_beat += 30.0
            else:  # a save was answered within 30 s: it was the heartbeat
                next_beat = self.last_reply + 30.0
        _finish()

    def _save(self):
        self.seq += 1
        types = self.me.get("types")
        position = self.rng.randrange(len(types) if types else POSITIONS)
        choices = _BY_TYPE.get(types[position], _RESPONSES) if types else _RESPONSES
        response = self.rng.choice(choices)
        backoff = 0.0
        first_try = time.time()
        while True:
            resp, started, ms = self._post_save(position, response)
            if resp.status_code not in (503, 429):
                break
            after = float(resp.headers.get("Retry-After") or 3)
            backoff = min(60.0, max(after, backoff * 2))
            if time.time() + backoff > END + GRACE:
                break
            gevent.sleep(backoff * self.rng.uniform(0.5, 1.5))
        if resp.status_code == 200:
            self.last_reply = time.time()
        _record(
            "save_done",
            first_try,
            (time.time() - first_try) * 1000.0,
            resp.status_code == 200,
            resp.status_code,
            user=self.me["username"],
        )

    def _post_save(self, position, response):
        resp, started, ms = self._post(
            "save",
            f"/exams/attempts/{self.me['attempt']}/answers",
            json={"position": position, "response": response, "seq": self.seq},
            headers={"X-CSRFToken": self.me["csrf"]},
        )
        ok = False
        if resp.status_code == 200:
            try:
                ok = bool(resp.json().get("ok"))
            except ValueError:
                ok = False
        shed = resp.status_code in (503, 429)
        if ok or shed:
            resp.success()
        else:
            resp.failure(f"save: {resp.status_code}")
        _record(
            "save_shed" if shed else "save",
            started,
            ms,
            ok,
            resp.status_code,
            attempt=self.me["attempt"],
            position=position,
            seq=self.seq,
        )
        return resp, started, ms

    def _heartbeat(self):
        resp, started, ms = self._post(
            "heartbeat",
            f"/exams/attempts/{self.me['attempt']}/events",
            json={"kind": "heartbeat"},
            headers={"X-CSRFToken": self.me["csrf"]},
        )
        ok = resp.status_code == 200
        shed = resp.status_code in (503, 429)
        if ok or shed:
            resp.success()
        else:
            resp.failure(f"heartbeat: {resp.status_code}")
        if ok:
            self.last_reply = time.time()
        _record(
            "heartbeat_shed" if shed else "heartbeat", started, ms, ok, resp.status_code
        )


def _finish():
    _done["n"] += 1


@events.test_stop.add_listener
def _dump(**_kwargs):
    for user in _users:
        jar = _cookies(user.client.cookiejar)
        _record(
            "cookies",
            time.time(),
            0.0,
            True,
            0,
            user=user.me["username"],
            cookie=jar.get("session"),
            device=jar.get("exam_device"),
        )
    with open(SAMPLES_PATH, "w", encoding="utf-8") as fh:
        for sample in _samples:
            fh.write(json.dumps(sample, ensure_ascii=False) + "\n")


@events.init.add_listener
def _quit_when_done(environment, **_kwargs):
    """Stop the run as soon as every user has finished its schedule."""

    def watch():
        while _done["n"] < len(SESSIONS):
            gevent.sleep(0.5)
        gevent.sleep(0.5)
        if environment.runner is not None:
            environment.runner.quit()

    gevent.spawn(watch)
