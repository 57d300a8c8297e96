"""Marking screen (``exam_grading`` blueprint, /admin/exams/grading): blind manual
marking of subjective answers with the rubric, by question (all answers to one
question together), filtered by arrangement and question, with 双评 and 仲裁 when
the arrangement asks for them, and the list of marked answers (已评).

The grading rules themselves are the pure registry of :mod:`exams.grading`; marks
are recorded by :func:`exams.results.marking.mark_answer`. The blueprint lives
here, not in ``exams/grading/__init__.py``, so the registry stays free of Flask.
"""

from decimal import Decimal, InvalidOperation

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from exams.banks.queries import visible_banks
from exams.common import ADMINS
from portal.actor import Actor
from portal.auth.decorators import roles_required
from portal.exceptions import DomainError
from portal.extensions import db
from portal.timeutil import utcnow

bp = Blueprint("exam_grading", __name__, template_folder="templates")

STAGE_LABELS = {"first": "初评", "second": "二评", "arbitration": "仲裁"}


def _filters():
    return {
        "arrangement_id": request.values.get("arrangement_id", type=int) or None,
        "question_id": request.values.get("question_id", type=int) or None,
    }


def _back(filters, tab=None):
    args = {k: v for k, v in filters.items() if v}
    if tab:
        args["tab"] = tab
    return redirect(url_for("exam_grading.grading_queue", **args))


@bp.route("/grading", methods=["GET", "POST"])
@roles_required(*ADMINS)
def grading_queue():
    """按题阅卷 (no candidate names), with the rubric; ``?tab=graded`` lists 已评."""
    from exams.attempts.models import Answer
    from exams.papers.queries import visible_arrangements
    from exams.results import marking

    bank_ids = [b.id for b in db.session.scalars(visible_banks())]
    filters = _filters()
    if request.method == "POST":
        form = FlaskForm()
        answer_id = request.form.get("answer_id", type=int) or 0
        answer = db.session.scalar(
            marking.subjective_answers(bank_ids).where(Answer.id == answer_id)
        )
        if not form.validate_on_submit() or answer is None:
            flash("该答案不存在或已评分。", "warning")
            return _back(filters)
        try:
            score = Decimal(request.form.get("score", "").strip())
            state = marking.mark_answer(
                answer,
                score,
                Actor.from_request(),
                request.form.get("comment", "")[:200],
                utcnow(),
            )
        except (InvalidOperation, DomainError) as exc:
            db.session.rollback()
            flash(getattr(exc, "message", "请填写有效的分数"), "danger")
        else:
            db.session.commit()
            if state.stage == "second":
                flash("已评分（初评），待另一位阅卷人二评。", "success")
            elif state.stage == "arbitration":
                flash("两评分差超过允许误差，已转仲裁。", "warning")
            else:
                flash("已评分。", "success")
        return _back(filters)
    arrangements = db.session.scalars(visible_arrangements().limit(200)).all()
    visible_ids = {a.id for a in arrangements}
    if filters["arrangement_id"] not in visible_ids:
        filters["arrangement_id"] = None
    tab = "graded" if request.args.get("tab") == "graded" else "pending"
    questions = marking.pending_questions(bank_ids, filters["arrangement_id"])
    entries, graded = [], []
    if tab == "pending":
        entries = marking.markable(current_user.id, bank_ids, **filters)
    else:
        graded = marking.graded_marks(bank_ids, **filters)
    return render_template(
        "exams/admin/grading_queue.html",
        entries=entries,
        graded=graded,
        tab=tab,
        filters=filters,
        arrangements=arrangements,
        questions=questions,
        stage_labels=STAGE_LABELS,
    )
