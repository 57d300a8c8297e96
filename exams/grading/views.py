"""Marking screen (``exam_grading`` blueprint, /admin/exams/grading): blind manual
grading of subjective answers with the rubric. The grading rules themselves are
the pure registry of :mod:`exams.grading`; manual grades are recorded by
:func:`exams.attempts.services.grade_manually`.

The blueprint lives here, not in ``exams/grading/__init__.py``, so the registry
stays free of Flask.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from exams.banks.queries import visible_banks
from exams.common import ADMINS
from portal.actor import Actor
from portal.auth.decorators import roles_required
from portal.exceptions import DomainError
from portal.extensions import db

bp = Blueprint("exam_grading", __name__, template_folder="templates")


@bp.route("/grading", methods=["GET", "POST"])
@roles_required(*ADMINS)
def grading_queue():
    """Blind grading of subjective answers (no candidate names), with the rubric."""
    from decimal import Decimal, InvalidOperation

    from exams.attempts import services as exam_attempts
    from exams.attempts.models import Answer

    bank_ids = [b.id for b in db.session.scalars(visible_banks())]
    if request.method == "POST":
        form = FlaskForm()
        answer = db.session.scalar(
            exam_attempts.pending_manual_answers(bank_ids).where(
                Answer.id == (request.form.get("answer_id", type=int) or 0)
            )
        )
        if not form.validate_on_submit() or answer is None:
            flash("该答案不存在或已评分。", "warning")
            return redirect(url_for("exam_grading.grading_queue"))
        try:
            score = Decimal(request.form.get("score", "").strip())
            exam_attempts.grade_manually(
                answer, score, Actor.from_request(), request.form.get("comment", "")
            )
        except (InvalidOperation, DomainError) as exc:
            db.session.rollback()
            flash(getattr(exc, "message", "请填写有效的分数"), "danger")
        else:
            db.session.commit()
            flash("已评分。", "success")
        return redirect(url_for("exam_grading.grading_queue"))
    answers = db.session.scalars(
        exam_attempts.pending_manual_answers(bank_ids).limit(50)
    ).all()
    return render_template("exams/admin/grading_queue.html", answers=answers)
