"""Candidate pages (``exams`` blueprint, /exams): my exams, start, the exam page with
autosave and events, submit, result. Every time rule is enforced in
``exams.attempts.services``; the page only mirrors the server deadline."""

import secrets

import sqlalchemy as sa
from flask import (
    abort,
    after_this_request,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer

from exams.attempts import bp, gate
from exams.attempts import services as service
from exams.attempts.admission import limited
from exams.attempts.answer_check import is_int, response_error
from exams.attempts.devices import Device, DeviceRefused, check_device
from exams.attempts.eligibility import check_start
from exams.attempts.models import Attempt
from exams.attempts.services import is_released
from exams.banks.models import QuestionVersion
from exams.papers.models import (
    ArrangementCandidate,
    CandidatePaper,
    ExamArrangement,
)
from exams.papers.services import sections as paper_sections
from exams.practice.services import sync_exam_mistakes
from exams.results.services import result_page
from portal.actor import Actor
from portal.auth.decorators import roles_required
from portal.auth.roles import LEARNERS as CANDIDATES
from portal.exceptions import DomainError
from portal.extensions import db
from portal.timeutil import utcnow

# Largest save counter accepted (answers.seq is a BIGINT; JavaScript integers).
MAX_SEQ = 2**53

# The browser's device token (see exams.attempts.devices): random, signed, kept a year.
DEVICE_COOKIE = "exam_device"
DEVICE_COOKIE_MAX_AGE = 365 * 24 * 3600


def _device_signer():
    return URLSafeSerializer(current_app.secret_key, salt="exam-device")


def _device():
    """This browser's :class:`Device`; a browser without a (valid) device cookie
    gets a new token, set on the response."""
    if "exam_device" in g:
        return g.exam_device
    token = None
    raw = request.cookies.get(DEVICE_COOKIE)
    if raw:
        try:
            token = _device_signer().loads(raw)
        except BadSignature:
            token = None
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        signed = _device_signer().dumps(token)

        @after_this_request
        def set_cookie(response):
            response.set_cookie(
                DEVICE_COOKIE,
                signed,
                max_age=DEVICE_COOKIE_MAX_AGE,
                httponly=True,
                samesite="Lax",
                secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
            )
            return response

    agent = request.user_agent.string or ""
    g.exam_device = Device(token, f"{request.remote_addr or ''} {agent}"[:200])
    return g.exam_device


def _refused_page():
    """The Chinese refusal page for another device (the event is committed)."""
    db.session.commit()
    return render_template("exams/device_refused.html"), 403


def _refused_json(exc):
    db.session.commit()
    return jsonify({"ok": False, "error": exc.message, "device": "refused"}), 403


def _own_attempt(attempt_id):
    attempt = db.get_or_404(Attempt, attempt_id)
    if attempt.user_id != current_user.id:
        abort(404)
    return attempt


@bp.get("/")
@roles_required(*CANDIDATES)
def list_exams():
    """The candidate's exams with the start rule's answer for each: 开始考试 only
    where a start would succeed, otherwise the reason."""
    now = utcnow()
    rows = db.session.execute(
        sa.select(ExamArrangement, ArrangementCandidate)
        .join(
            ArrangementCandidate,
            ArrangementCandidate.arrangement_id == ExamArrangement.id,
        )
        .where(
            ArrangementCandidate.user_id == current_user.id,
            ExamArrangement.status != "draft",
        )
        .order_by(ExamArrangement.window_start, ExamArrangement.id)
    ).all()
    mine = db.session.scalars(
        sa.select(Attempt)
        .where(Attempt.user_id == current_user.id)
        .order_by(Attempt.number, Attempt.id)
    ).all()
    by_arrangement = {}
    for attempt in mine:
        by_arrangement.setdefault(attempt.arrangement_id, []).append(attempt)
    passed = service.passed_arrangement_ids(current_user.id)
    checks = {
        arrangement.id: check_start(
            arrangement,
            current_user.id,
            now,
            entry=entry,
            attempts=by_arrangement.get(arrangement.id, []),
            passed=passed,
        )
        for arrangement, entry in rows
    }
    return render_template(
        "exams/exam_list.html",
        rows=rows,
        attempts=by_arrangement,
        checks=checks,
        now=now,
    )


@bp.get("/<int:arrangement_id>/notice")
@roles_required(*CANDIDATES)
def exam_notice(arrangement_id):
    """考试须知: what the candidate agrees to before the clock starts; the start
    button is here (the clock starts only when it is pressed)."""
    arrangement = db.get_or_404(ExamArrangement, arrangement_id)
    now = utcnow()
    check = check_start(arrangement, current_user.id, now)
    if check.code == "not_enrolled":
        abort(404)
    if check.resume is not None:
        return redirect(url_for("exams.take_attempt", attempt_id=check.resume.id))
    entry = db.session.scalar(
        sa.select(ArrangementCandidate).where(
            ArrangementCandidate.arrangement_id == arrangement.id,
            ArrangementCandidate.user_id == current_user.id,
        )
    )
    paper = arrangement.paper
    if paper.kind == "fixed":
        count = len(paper.items)
    else:
        count = sum(rule.count for rule in paper.rules)
    return render_template(
        "exams/exam_notice.html",
        arrangement=arrangement,
        paper=paper,
        entry=entry,
        check=check,
        question_count=count,
        minutes=arrangement.duration_minutes + entry.extra_minutes,
    )


@bp.post("/<int:arrangement_id>/start")
@roles_required(*CANDIDATES)
def start_exam(arrangement_id):
    """开始答题 on the notice page: start or resume (idempotent: a double click
    gives the same attempt), or a place in the start queue. On exam day nginx
    lets these clicks through at a fixed rate and answers the rest 503 itself
    (portal/nginx.py, ``START_LOCATION``); the notice page retries them."""
    return _start(arrangement_id)


@bp.post("/<int:arrangement_id>/enter")
@roles_required(*CANDIDATES)
def enter_exam(arrangement_id):
    """The same as :func:`start_exam` for a candidate whose turn has come (the
    排队中 page) or who resumes (继续答题): the start gate still applies, but
    nginx does not limit this URL, so an admitted candidate never waits
    behind the wave of first clicks."""
    return _start(arrangement_id)


def _start(arrangement_id):
    arrangement = db.get_or_404(ExamArrangement, arrangement_id)
    if _must_queue(arrangement, utcnow()):
        db.session.commit()  # the ticket (database gate)
        return _next(url_for("exams.start_queue", arrangement_id=arrangement.id))
    try:
        attempt = service.start_attempt(
            arrangement,
            current_user,
            utcnow(),
            device=_device(),
            actor=Actor.from_request(),
        )
    except DeviceRefused:
        return _refused_page()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return _next(url_for("exams.list_exams"))
    db.session.commit()
    return _next(url_for("exams.take_attempt", attempt_id=attempt.id))


def _next(url):
    """Where the candidate goes next: a redirect, or ``{"next": url}`` for the
    notice page's script (it asks JSON so that a busy reply can be retried
    without leaving the page)."""
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"next": url})
    return redirect(url)


def _must_queue(arrangement, now):
    """Whether a start must wait in the admission queue: the gate is on, the
    start rule lets the candidate in (a refusal should not take a place; a
    resume never waits), and their ticket's time has not come."""
    if not gate.enabled():
        return False
    check = check_start(arrangement, current_user.id, now)
    if not check.ok or check.resume is not None:
        return False
    return gate.ticket(arrangement.id, current_user.id, now) > now


@bp.get("/<int:arrangement_id>/queue")
@roles_required(*CANDIDATES)
def start_queue(arrangement_id):
    """排队中: the candidate's place in the start queue; the page polls (JSON with
    ``Accept: application/json``) and enters by itself when its time comes."""
    arrangement = db.get_or_404(ExamArrangement, arrangement_id)
    now = utcnow()
    admit_at = gate.peek(arrangement.id, current_user.id) if gate.enabled() else None
    ahead, wait = gate.position(admit_at, now) if admit_at else (0, 0)
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"ready": ahead == 0, "position": ahead, "wait": wait})
    return render_template(
        "exams/start_queue.html", arrangement=arrangement, position=ahead, wait=wait
    )


@bp.get("/attempts/<int:attempt_id>")
@roles_required(*CANDIDATES)
def take_attempt(attempt_id):
    """The exam page; after the deadline or submission, the result."""
    attempt = _own_attempt(attempt_id)
    try:
        check_device(attempt, _device(), utcnow(), claim=True)
    except DeviceRefused:
        return _refused_page()
    if service.close_if_expired(attempt, utcnow()):
        db.session.commit()
    if attempt.status != "in_progress":
        return redirect(url_for("exams.show_result", attempt_id=attempt.id))
    db.session.commit()  # a permitted change of device is kept
    items = attempt.candidate_paper.items
    versions = {
        v.id: v
        for v in db.session.scalars(
            sa.select(QuestionVersion).where(
                QuestionVersion.id.in_([i["version_id"] for i in items])
            )
        )
    }
    answers = {a.position: a for a in attempt.answers}
    questions = [
        (position, versions[item["version_id"]], item, answers.get(position))
        for position, item in enumerate(items)
    ]
    return render_template(
        "exams/attempt_take.html",
        attempt=attempt,
        questions=questions,
        sections=paper_sections(
            [(version.type, item["score"]) for _p, version, item, _a in questions]
        ),
        remaining=service.remaining_seconds(attempt, utcnow()),
    )


def _json_error(exc):
    closed = isinstance(exc, service.AttemptClosed)
    status = 409 if closed else exc.status_code
    return jsonify({"ok": False, "error": exc.message, "closed": closed}), status


def _response_problem(attempt_id, position, response):
    """Why ``response`` does not fit the item's type or size (a Chinese message),
    or None. Reads the item of the candidate's own attempt only (one query); an
    attempt of someone else or a position off the paper is left to the save path,
    which answers 404 / 409 as before."""
    items = db.session.scalar(
        sa.select(CandidatePaper.items)
        .join(Attempt, Attempt.candidate_paper_id == CandidatePaper.id)
        .where(Attempt.id == attempt_id, Attempt.user_id == current_user.id)
    )
    if not items or not 0 <= position < len(items):
        return None
    version = db.session.get(QuestionVersion, items[position]["version_id"])
    return response_error(
        version.type,
        version.spec,
        response,
        current_app.config["EXAM_ANSWER_MAX_CHARS"],
    )


@bp.post("/attempts/<int:attempt_id>/answers")
@limited
@roles_required(*CANDIDATES)
def save_answer(attempt_id):
    """Autosave one answer (JSON: position, response, seq, flagged). Without
    ``response`` only the 标记 flag is set (an unanswered item can be flagged)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        _own_attempt(attempt_id)  # another's attempt: 404 before anything else
        return jsonify({"ok": False, "error": "请求格式错误"}), 400
    position, seq = data.get("position"), data.get("seq", 0)
    flagged = data.get("flagged")
    if not (is_int(position) and is_int(seq) and 0 <= seq <= MAX_SEQ) or (
        flagged is not None and not isinstance(flagged, bool)
    ):
        _own_attempt(attempt_id)
        return jsonify({"ok": False, "error": "请求格式错误"}), 400
    if "response" in data:
        problem = _response_problem(attempt_id, position, data["response"])
        if problem:
            return jsonify({"ok": False, "error": problem}), 400
    flag_only = "response" not in data and isinstance(data.get("flagged"), bool)
    if not flag_only:
        # The common case in two UPDATEs; None: a rule fails, a first save of
        # the item or an older seq — the full path below decides and explains.
        reply = service.quick_save(
            attempt_id,
            current_user.id,
            _device(),
            position,
            data.get("response"),
            seq,
            utcnow(),
            data.get("flagged"),
        )
        if reply is not None:
            db.session.commit()
            return jsonify(reply)
    attempt = _own_attempt(attempt_id)
    try:
        check_device(attempt, _device(), utcnow())
        if flag_only:
            answer = service.set_flag(attempt, position, data["flagged"], utcnow())
        else:
            answer = service.save_answer(
                attempt,
                position,
                data.get("response"),
                seq,
                utcnow(),
                data.get("flagged"),
            )
    except DeviceRefused as exc:
        return _refused_json(exc)
    except DomainError as exc:
        db.session.commit()  # an expired attempt was closed: keep that
        return _json_error(exc)
    # Built before the commit, which expires the objects (two reloads per save
    # otherwise); sent only after the commit succeeded.
    reply = {
        "ok": True,
        "seq": answer.seq,
        "flagged": answer.flagged,
        "remaining": service.remaining_seconds(attempt, utcnow()),
    }
    db.session.commit()
    return jsonify(reply)


@bp.post("/attempts/<int:attempt_id>/events")
@limited
@roles_required(*CANDIDATES)
def report_event(attempt_id):
    """Page events: focus lost (blur/hidden), back (visible), a blocked paste and
    heartbeats;
    returns the remaining time (the page re-syncs its countdown) and the number
    of focus losses (the page warns the candidate)."""
    data = request.get_json(silent=True) or {}
    kind = str(data.get("kind", ""))[:20]
    if kind not in ("blur", "hidden", "leave", "visible", "heartbeat", "paste"):
        _own_attempt(attempt_id)  # another's attempt: 404 before anything else
        return jsonify({"ok": False, "error": "未知事件"}), 400
    now = utcnow()
    if kind == "heartbeat":
        reply = service.quick_heartbeat(attempt_id, current_user.id, _device(), now)
        if reply is not None:
            db.session.commit()
            return jsonify(reply)
    attempt = _own_attempt(attempt_id)
    try:
        check_device(attempt, _device(), now)
        if service.close_if_expired(attempt, now):
            raise service.AttemptClosed("考试时间已到，答卷已自动提交")
        switches = service.record_event(attempt, kind, now, actor=Actor.from_request())
    except DeviceRefused as exc:
        return _refused_json(exc)
    except DomainError as exc:
        db.session.commit()
        return _json_error(exc)
    reply = {
        "ok": True,
        "status": attempt.status,
        "switches": switches,
        "limit": attempt.arrangement.tab_switch_limit,
        "remaining": service.remaining_seconds(attempt, now),
    }
    db.session.commit()
    return jsonify(reply)


@bp.post("/attempts/<int:attempt_id>/submit")
@roles_required(*CANDIDATES)
def submit_exam(attempt_id):
    """Submit (idempotent: two tabs or a double click give one result)."""
    attempt = _own_attempt(attempt_id)
    try:
        check_device(attempt, _device(), utcnow())
    except DeviceRefused:
        return _refused_page()
    service.submit_attempt(attempt, utcnow(), actor=Actor.from_request())
    db.session.commit()
    return redirect(url_for("exams.show_result", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>/result")
@roles_required(*CANDIDATES)
def show_result(attempt_id):
    """The result as far as the release policy allows (keys only when
    ``exams.results.services.answers_visible``)."""
    attempt = _own_attempt(attempt_id)
    if attempt.status == "in_progress":
        return redirect(url_for("exams.take_attempt", attempt_id=attempt.id))
    now = utcnow()
    page = result_page(attempt, now)
    if is_released(attempt, now):
        sync_exam_mistakes(current_user, now)  # wrong answers reach the 错题本
        db.session.commit()
    return render_template("exams/attempt_result.html", **page)
