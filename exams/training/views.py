"""Learner pages (我的培训): courses, material pages with heartbeats, files, the
结业测验 (through the exam engine)."""

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

from exams.attempts.models import Attempt
from exams.training import queries, services, uploads
from exams.training.models import TrainingCourse, TrainingMaterial
from portal import storage
from portal.auth.decorators import roles_required
from portal.auth.roles import LEARNERS, TRAINING_ADMINS
from portal.exceptions import DomainError
from portal.extensions import db
from portal.timeutil import to_local, utcnow

bp = Blueprint(
    "training",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


def _year_arg():
    year = request.args.get("year", type=int)
    if year is None or not 2000 <= year <= 2100:
        year = to_local(utcnow()).year
    return year


def _course_or_404(course_id):
    course = db.session.scalar(
        queries.learner_courses(current_user).where(TrainingCourse.id == course_id)
    )
    if course is None:
        abort(404)
    return course


def _material_or_404(material_id):
    material = queries.learner_material(current_user, material_id)
    if material is None:
        abort(404)
    return material


@bp.get("/")
@roles_required(*LEARNERS)
def my_training():
    """我的培训: this year's courses with progress, hours earned against required."""
    year = _year_arg()
    courses = db.session.scalars(queries.learner_courses(current_user, year)).all()
    rows = []
    for course in courses:
        completion = services.sync_completion(course, current_user.id)
        progress = queries.progress_by_material(current_user.id, course)
        done = sum(1 for p in progress.values() if p.completed_at is not None)
        rows.append((course, completion, done))
    db.session.commit()
    completions = db.session.scalars(
        queries.completions_of(current_user.id, year)
    ).all()
    earned = sum((c.hours for c in completions), start=0)
    required = queries.Requirements(year).for_user(current_user)
    return render_template(
        "training/my_training.html",
        year=year,
        rows=rows,
        completions=completions,
        earned=earned,
        required=required,
    )


@bp.get("/courses/<int:course_id>")
@roles_required(*LEARNERS)
def show_course(course_id):
    """One course: its materials with time spent, the quiz and its attempts."""
    course = _course_or_404(course_id)
    completion = services.sync_completion(course, current_user.id)
    db.session.commit()
    progress = queries.progress_by_material(current_user.id, course)
    attempts = []
    if course.arrangement_id:
        attempts = db.session.scalars(
            sa.select(Attempt)
            .where(
                Attempt.arrangement_id == course.arrangement_id,
                Attempt.user_id == current_user.id,
            )
            .order_by(Attempt.number)
        ).all()
    return render_template(
        "training/course_show.html",
        course=course,
        progress=progress,
        completion=completion,
        materials_done=services.materials_done(course, current_user.id),
        attempts=attempts,
    )


@bp.post("/courses/<int:course_id>/quiz")
@roles_required(*LEARNERS)
def start_quiz(course_id):
    """Open the 结业测验 (only once every material is done) in the exam engine."""
    course = _course_or_404(course_id)
    try:
        attempt = services.open_quiz(course, current_user, utcnow())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("training.show_course", course_id=course.id))
    db.session.commit()
    return redirect(url_for("exams.take_attempt", attempt_id=attempt.id))


@bp.get("/materials/<int:material_id>")
@roles_required(*LEARNERS)
def show_material(material_id):
    """The material page; its script reports heartbeats while it is visible."""
    material = _material_or_404(material_id)
    progress = queries.progress_by_material(current_user.id, material.course).get(
        material.id
    )
    return render_template(
        "training/material_show.html",
        material=material,
        course=material.course,
        seconds=progress.seconds if progress else 0,
        done=bool(progress and progress.completed_at),
        interval=services.HEARTBEAT_SECONDS,
    )


@bp.post("/materials/<int:material_id>/heartbeat")
@roles_required(*LEARNERS)
def heartbeat(material_id):
    """JSON ``{"state": "start" | "beat" | "hidden", "client": page id,
    "position": video seconds}``: time is counted here, on the server (see
    :func:`exams.training.services.record_heartbeat`)."""
    material = _material_or_404(material_id)
    data = request.get_json(silent=True) or {}
    state = data.get("state")
    if state not in ("start", "beat", "hidden"):
        return jsonify({"ok": False, "error": "请求格式错误"}), 400
    client = data.get("client")
    client = client[:32] if isinstance(client, str) and client else None
    position = data.get("position")
    if isinstance(position, bool) or not isinstance(position, int | float):
        position = None
    elif not 0 <= position < 86400:
        position = None
    progress = services.record_heartbeat(
        material,
        current_user,
        utcnow(),
        visible=state != "hidden",
        start=state == "start",
        client=client,
        position=float(position) if position is not None else None,
    )
    db.session.commit()
    return jsonify(
        {
            "ok": True,
            "seconds": progress.seconds,
            "required": material.required_minutes * 60,
            "done": progress.completed_at is not None,
            "blocked": bool(getattr(progress, "blocked", False)),
        }
    )


def _may_see_file(material):
    if current_user.has_role(*TRAINING_ADMINS):
        managed = db.session.scalar(
            queries.admin_courses(current_user)
            .where(TrainingCourse.id == material.course_id)
            .with_only_columns(TrainingCourse.id)
        )
        if managed:
            return True
    if current_user.has_role(*LEARNERS):
        return queries.learner_material(current_user, material.id) is not None
    return False


@bp.get("/materials/<int:material_id>/file")
@roles_required(*LEARNERS, *TRAINING_ADMINS)
def material_file(material_id):
    """The PDF or video of a material, to learners of its course and its admins;
    range requests work so that video seeking does."""
    material = db.session.get(TrainingMaterial, material_id)
    if material is None or material.stored_name is None or not _may_see_file(material):
        abort(404)
    response = storage.send(
        uploads.key(material.stored_name),
        mimetype=material.mime,
        conditional=True,
        download_name=material.original_name or material.stored_name,
        as_attachment=False,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    # Shown inside the material page (<object>), never framed by another site.
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Content-Security-Policy"] = "frame-ancestors 'self'"
    return response
