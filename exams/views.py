"""Candidate pages (issue #5, first part): my exams, start, the exam page with
autosave and events, submit, result. Every time rule is enforced in
``exams.attempts``; the page only mirrors the server deadline."""

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from exams import attempts as service
from exams.models import ArrangementCandidate, Attempt, ExamArrangement, QuestionVersion
from portal.auth.decorators import roles_required
from portal.auth.models import Role
from portal.exceptions import DomainError
from portal.extensions import db
from portal.timeutil import utcnow

bp = Blueprint("exams", __name__, template_folder="templates", static_folder="static")

CANDIDATES = (Role.OFFICER, Role.AUXILIARY)


def _own_attempt(attempt_id):
    attempt = db.get_or_404(Attempt, attempt_id)
    if attempt.user_id != current_user.id:
        abort(404)
    return attempt


@bp.get("/")
@roles_required(*CANDIDATES)
def list_exams():
    """The candidate's exams: open and upcoming, with their attempts."""
    rows = db.session.execute(
        sa.select(ExamArrangement, ArrangementCandidate)
        .join(
            ArrangementCandidate,
            ArrangementCandidate.arrangement_id == ExamArrangement.id,
        )
        .where(ArrangementCandidate.user_id == current_user.id)
        .order_by(ExamArrangement.window_start)
    ).all()
    mine = db.session.scalars(
        sa.select(Attempt)
        .where(Attempt.user_id == current_user.id)
        .order_by(Attempt.id)
    ).all()
    by_arrangement = {}
    for attempt in mine:
        by_arrangement.setdefault(attempt.arrangement_id, []).append(attempt)
    return render_template(
        "exams/exam_list.html", rows=rows, attempts=by_arrangement, now=utcnow()
    )


@bp.post("/<int:arrangement_id>/start")
@roles_required(*CANDIDATES)
def start_exam(arrangement_id):
    """Start or resume (idempotent: a double click gives the same attempt)."""
    arrangement = db.get_or_404(ExamArrangement, arrangement_id)
    try:
        attempt = service.start_attempt(arrangement, current_user, utcnow())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("exams.list_exams"))
    db.session.commit()
    return redirect(url_for("exams.take_attempt", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>")
@roles_required(*CANDIDATES)
def take_attempt(attempt_id):
    """The exam page; after the deadline or submission, the result."""
    attempt = _own_attempt(attempt_id)
    if service.close_if_expired(attempt, utcnow()):
        db.session.commit()
    if attempt.status != "in_progress":
        return redirect(url_for("exams.show_result", attempt_id=attempt.id))
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
        remaining=service.remaining_seconds(attempt, utcnow()),
    )


def _json_error(exc):
    status = 409 if isinstance(exc, service.AttemptClosed) else exc.status_code
    return jsonify({"ok": False, "error": exc.message}), status


@bp.post("/attempts/<int:attempt_id>/answers")
@roles_required(*CANDIDATES)
def save_answer(attempt_id):
    """Autosave one answer (JSON: position, response, seq, flagged)."""
    attempt = _own_attempt(attempt_id)
    data = request.get_json(silent=True) or {}
    try:
        position, seq = int(data.get("position")), int(data.get("seq", 0))
    except (TypeError, ValueError):
        return jsonify({"ok": False, "error": "请求格式错误"}), 400
    try:
        answer = service.save_answer(
            attempt, position, data.get("response"), seq, utcnow(), data.get("flagged")
        )
    except DomainError as exc:
        db.session.commit()  # an expired attempt was closed: keep that
        return _json_error(exc)
    # Built before the commit, which expires the objects (two reloads per save
    # otherwise); sent only after the commit succeeded.
    reply = {
        "ok": True,
        "seq": answer.seq,
        "remaining": service.remaining_seconds(attempt, utcnow()),
    }
    db.session.commit()
    return jsonify(reply)


@bp.post("/attempts/<int:attempt_id>/events")
@roles_required(*CANDIDATES)
def report_event(attempt_id):
    """Page events: focus lost (blur/hidden) and heartbeats; returns the remaining
    time and the number of focus losses (the page warns the candidate)."""
    attempt = _own_attempt(attempt_id)
    data = request.get_json(silent=True) or {}
    kind = str(data.get("kind", ""))[:20]
    if kind not in ("blur", "hidden", "visible", "heartbeat"):
        return jsonify({"ok": False, "error": "未知事件"}), 400
    now = utcnow()
    try:
        if service.close_if_expired(attempt, now):
            raise service.AttemptClosed("考试时间已到，答卷已自动提交")
        switches = service.record_event(attempt, kind, now)
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
    service.submit_attempt(attempt, utcnow())
    db.session.commit()
    return redirect(url_for("exams.show_result", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>/result")
@roles_required(*CANDIDATES)
def show_result(attempt_id):
    """The result as far as the release policy allows."""
    attempt = _own_attempt(attempt_id)
    released = service.is_released(attempt, utcnow())
    return render_template(
        "exams/attempt_result.html", attempt=attempt, released=released
    )
