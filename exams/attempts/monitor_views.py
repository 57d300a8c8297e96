"""Attempt monitoring for the administrators of an arrangement (issue #5): the
attempts of an arrangement, one attempt's event timeline, and releasing an
attempt's device binding. Scoped like the other arrangement screens: a training
administrator sees only arrangements of their subtree (others are 404). Routes are
on the ``exam_monitor`` blueprint (/admin/exams)."""

from flask import abort, flash, redirect, render_template, url_for

from exams.attempts import monitor_bp as bp
from exams.attempts.devices import release_device
from exams.attempts.models import Attempt
from exams.attempts.monitoring import (
    EVENT_LABELS,
    STATUS_LABELS,
    SUBMIT_REASONS,
    arrangement_attempts,
    attempt_timeline,
    candidates_without_attempt,
)
from exams.common import ADMINS
from exams.papers.queries import arrangement_or_404
from portal.actor import Actor
from portal.auth.decorators import roles_required
from portal.auth.models import User
from portal.exceptions import DomainError
from portal.extensions import db
from portal.timeutil import utcnow


def _attempt_or_404(attempt_id):
    """An attempt of an arrangement the current administrator may see."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None:
        abort(404)
    arrangement_or_404(attempt.arrangement_id)
    return attempt


@bp.get("/arrangements/<int:arrangement_id>/attempts")
@roles_required(*ADMINS)
def list_attempts(arrangement_id):
    """The attempts of an arrangement: who, status, times, score, focus losses."""
    arrangement = arrangement_or_404(arrangement_id)
    rows = db.session.execute(arrangement_attempts(arrangement.id)).all()
    return render_template(
        "exams/admin/attempt_list.html",
        arrangement=arrangement,
        rows=rows,
        not_started=candidates_without_attempt(arrangement.id),
        statuses=STATUS_LABELS,
        reasons=SUBMIT_REASONS,
    )


@bp.get("/attempts/<int:attempt_id>")
@roles_required(*ADMINS)
def show_attempt(attempt_id):
    """One attempt and its event timeline (local China time)."""
    attempt = _attempt_or_404(attempt_id)
    return render_template(
        "exams/admin/attempt_show.html",
        attempt=attempt,
        arrangement=attempt.arrangement,
        candidate=db.session.get(User, attempt.user_id),
        timeline=attempt_timeline(attempt),
        statuses=STATUS_LABELS,
        reasons=SUBMIT_REASONS,
        labels=EVENT_LABELS,
    )


@bp.post("/attempts/<int:attempt_id>/release-device")
@roles_required(*ADMINS)
def release_attempt_device(attempt_id):
    """允许更换设备: the candidate may continue this attempt on another device."""
    attempt = _attempt_or_404(attempt_id)
    try:
        release_device(attempt, Actor.from_request(), utcnow())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash("已允许更换设备：考生下次打开考试的设备将成为作答设备。", "success")
    return redirect(url_for("exam_monitor.show_attempt", attempt_id=attempt.id))
