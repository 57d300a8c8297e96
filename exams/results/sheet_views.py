"""Answer sheets (答卷) for administrators, grade revision, 成绩复核 handling, and
the candidate's appeal request.

Administrator routes are on ``exam_results`` (/admin/exams) and scoped like the
arrangement routes (an attempt of an arrangement outside the administrator's
units is a 404). The candidate's request is on ``exam_appeals`` (/exams).
"""

from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from exams.attempts.models import Answer, Attempt
from exams.common import ADMINS
from exams.papers.queries import arrangement_or_404
from exams.results import appeals, appeals_bp, bp, marking
from exams.results.definition import counted_attempts
from exams.results.models import ResultAppeal
from exams.results.services import review_items
from portal.actor import Actor
from portal.auth.decorators import roles_required
from portal.auth.models import User
from portal.auth.roles import LEARNERS
from portal.exceptions import DomainError
from portal.extensions import db
from portal.timeutil import utcnow


def _attempt_or_404(attempt_id):
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None:
        abort(404)
    arrangement_or_404(attempt.arrangement_id)  # scope
    return attempt


def _to_sheet(attempt):
    return redirect(url_for("exam_results.show_sheet", attempt_id=attempt.id))


def _score():
    try:
        return Decimal(request.form.get("score", "").strip())
    except InvalidOperation:
        return None


@bp.get("/arrangements/<int:arrangement_id>/sheets")
@roles_required(*ADMINS)
def list_sheets(arrangement_id):
    """答卷与复核: every closed attempt with its candidate, and the appeals."""
    arrangement = arrangement_or_404(arrangement_id)
    rows = db.session.execute(
        sa.select(Attempt, User)
        .join(User, Attempt.user_id == User.id)
        .where(
            Attempt.arrangement_id == arrangement.id,
            Attempt.status != "in_progress",
        )
        .order_by(User.name, User.id, Attempt.number)
    ).all()
    counted = {a.id for a in counted_attempts(arrangement).values()}
    return render_template(
        "exams/admin/sheet_list.html",
        arrangement=arrangement,
        rows=rows,
        counted=counted,
        appeals=appeals.appeals_of(arrangement.id),
    )


@bp.get("/attempts/<int:attempt_id>/sheet")
@roles_required(*ADMINS)
def show_sheet(attempt_id):
    """The answer sheet: every item, the response, the key, points and graders."""
    attempt = _attempt_or_404(attempt_id)
    if attempt.status == "in_progress":
        flash("考生尚未交卷。", "warning")
        return redirect(
            url_for("exam_results.list_sheets", arrangement_id=attempt.arrangement_id)
        )
    answers = {a.position: a for a in attempt.answers}
    marks = marking.marks_of([a.id for a in answers.values()])
    appeal = appeals.appeal_of(attempt.id)
    to_remark = (
        {a.id for a in appeals.remaining(appeal)}
        if appeal is not None and appeal.status == "accepted"
        else set()
    )
    return render_template(
        "exams/admin/answer_sheet.html",
        attempt=attempt,
        candidate=db.session.get(User, attempt.user_id),
        items=review_items(attempt),
        answers=answers,
        marks=marks,
        subjective=marking.SUBJECTIVE,
        appeal=appeal,
        to_remark=to_remark,
    )


@bp.post("/attempts/<int:attempt_id>/sheet/<int:position>/revise")
@roles_required(*ADMINS)
def revise_grade(attempt_id, position):
    """改分 with a reason (audited; the candidate is told of a changed score)."""
    attempt = _attempt_or_404(attempt_id)
    answer = db.session.scalar(
        sa.select(Answer).where(
            Answer.attempt_id == attempt.id, Answer.position == position
        )
    )
    if answer is None:
        abort(404)
    if not FlaskForm().validate_on_submit():
        flash("表单已过期，请重试。", "warning")
        return _to_sheet(attempt)
    try:
        marking.revise_grade(
            answer,
            _score(),
            Actor.from_request(),
            request.form.get("reason", "")[:200],
            utcnow(),
        )
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash("已改分并记录理由。", "success")
    return _to_sheet(attempt)


def _appeal_or_404(appeal_id):
    appeal = db.session.get(ResultAppeal, appeal_id)
    if appeal is None:
        abort(404)
    arrangement_or_404(appeal.arrangement_id)
    return appeal


@bp.post("/appeals/<int:appeal_id>/decide")
@roles_required(*ADMINS)
def decide_appeal(appeal_id):
    """受理 (re-mark by another marker) or 不予复核 (with a reason)."""
    appeal = _appeal_or_404(appeal_id)
    if not FlaskForm().validate_on_submit():
        flash("表单已过期，请重试。", "warning")
        return _to_sheet(appeal.attempt)
    accept = request.form.get("decision") == "accept"
    try:
        appeals.decide_appeal(
            appeal,
            accept,
            request.form.get("reason", "")[:500],
            Actor.from_request(),
            utcnow(),
        )
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(
            "已受理，请另一位阅卷人复核评分。" if accept else "已不予复核。", "success"
        )
    return _to_sheet(appeal.attempt)


@bp.post("/appeals/<int:appeal_id>/remark/<int:answer_id>")
@roles_required(*ADMINS)
def remark_appeal(appeal_id, answer_id):
    """复核评分 of one answer by a marker who has not marked it."""
    appeal = _appeal_or_404(appeal_id)
    answer = db.session.get(Answer, answer_id)
    if answer is None or answer.attempt_id != appeal.attempt_id:
        abort(404)
    if not FlaskForm().validate_on_submit():
        flash("表单已过期，请重试。", "warning")
        return _to_sheet(appeal.attempt)
    try:
        appeals.remark(
            appeal,
            answer,
            _score(),
            Actor.from_request(),
            request.form.get("comment", "")[:200],
            utcnow(),
        )
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(
            "复核完成，已通知考生。" if appeal.status == "resolved" else "已复核评分。",
            "success",
        )
    return _to_sheet(appeal.attempt)


@appeals_bp.post("/attempts/<int:attempt_id>/appeal")
@roles_required(*LEARNERS)
def file_appeal(attempt_id):
    """The candidate's 成绩复核 request (one per attempt, within the period)."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    back = redirect(url_for("exams.show_result", attempt_id=attempt.id) + "#appeal")
    if not FlaskForm().validate_on_submit():
        flash("表单已过期，请重试。", "warning")
        return back
    try:
        appeals.file_appeal(
            attempt,
            current_user,
            request.form.get("reason", ""),
            Actor.from_request(),
            utcnow(),
        )
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash("已提交成绩复核申请，处理结果将通知您。", "success")
    return back
