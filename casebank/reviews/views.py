"""Review screens on a case: the scoring sheet and the finding labels."""

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from casebank.cases.models import CaseFinding
from casebank.cases.page import render_case_page
from casebank.reviews import bp, scoring, services
from casebank.reviews.access import SHEET_ROLES, reviewable_case_for
from casebank.reviews.forms import LabelForm, ReviewSheetForm
from casebank.reviews.models import CaseReview, ReviewStatus, ScoreTemplate
from casebank.reviews.queries import (
    case_panel,
    review_for,
    submitted_reviews,
)
from portal.actor import Actor
from portal.auth.decorators import roles_required
from portal.auth.roles import SUPERVISION_MANAGERS
from portal.exceptions import DomainError
from portal.extensions import db
from portal.masking import mask_pii


def _case_or_404(case_id):
    case = reviewable_case_for(current_user, case_id)
    if case is None:
        abort(404)
    return case


def _has_submitted_review(case_id) -> bool:
    """True when the signed-in user has submitted a review of the case."""
    return (
        db.session.scalar(
            sa.select(CaseReview.id).where(
                CaseReview.case_id == case_id,
                CaseReview.reviewer_id == current_user.id,
                CaseReview.status == ReviewStatus.SUBMITTED,
            )
        )
        is not None
    )


def _raw_entries(template):
    raw = {}
    for item in template.items:
        raw[item.id] = {
            "points": request.form.get(f"points-{item.id}", ""),
            "vetoed": request.form.get(f"veto-{item.id}") == "y",
            "note": request.form.get(f"note-{item.id}", ""),
        }
    return raw


def _stored_entries(review):
    if review is None:
        return {}
    return {
        d.item_id: {"points": d.points, "vetoed": d.vetoed, "note": d.note}
        for d in review.deductions
    }


def _render_sheet(
    case,
    template,
    review,
    form,
    values,
    errors=None,
    status=200,
    saved=False,
    prefilled=None,
):
    from casebank.cases.highlight import KINDS, highlight, spans_from_review
    from casebank.reviews import prefill

    entries, _ = services.parse_entries(template, values)
    panel = case_panel(case, current_user)
    anchors = {
        f.spans[0][0]: f"evidence-{f.id}" for f in reversed(case.findings) if f.spans
    }
    spans = spans_from_review(case.text or "", case.review, case.findings)
    can_issue = current_user.has_role(*SUPERVISION_MANAGERS)
    return (
        render_template(
            "reviews/review_edit.html",
            case=case,
            template=template,
            review=review,
            form=form,
            values=values,
            errors=errors or {},
            saved=review if saved else None,
            prefilled=prefilled or {},
            marked_text=highlight(mask_pii(case.text or ""), spans, anchors),
            kinds=KINDS,
            labels=panel["labels"] if panel else {},
            finding_items=prefill.item_by_finding(template, case.findings),
            preview=scoring.compute(template, entries),
            # Staff see every submitted sheet and issue 监督意见书 from one; invited
            # supervisors review independently and see only their own.
            can_issue=can_issue,
            others=[
                r
                for r in submitted_reviews(case)
                if can_issue and r.id != getattr(review, "id", None)
            ],
        ),
        status,
    )


def _set_version(form, review):
    # The widget renders raw_data (what was posted) before data: set both.
    version = review.version if review else 0
    form.version.data = version
    form.version.raw_data = [str(version)]


@bp.get("/cases/<int:case_id>/review")
@roles_required(*SHEET_ROLES)
def edit_review(case_id):
    """The signed-in reviewer's sheet of the case (read-only once submitted)."""
    case = _case_or_404(case_id)
    review = review_for(case, current_user)
    if review is not None:
        template = review.template
    else:
        template = services.ensure_template(Actor.from_request())
        db.session.commit()
    form = ReviewSheetForm(
        formdata=None,
        version=review.version if review else 0,
        template_id=template.id,
        opinion=review.opinion if review else "",
    )
    values, prefilled = _stored_entries(review), {}
    if review is None:
        # A new sheet starts from the findings this reviewer confirmed.
        from casebank.reviews import prefill

        values, prefilled = prefill.confirmed_entries(template, case, current_user)
    return _render_sheet(case, template, review, form, values, prefilled=prefilled)


@bp.post("/cases/<int:case_id>/review")
@roles_required(*SHEET_ROLES)
def save_review(case_id):
    """Save the sheet as a draft or submit it; a stale form is refused, input kept.

    A second click on 提交评查 by an invited supervisor (whose task, and so access,
    ended with the first) lands on 我的评查任务 instead of a 404."""
    case = reviewable_case_for(current_user, case_id)
    if case is None:
        if _has_submitted_review(case_id):
            flash("评查表已提交。", "info")
            return redirect(url_for("supervision.my_assignments"))
        abort(404)
    form = ReviewSheetForm()
    review = review_for(case, current_user)
    template = (
        review.template
        if review
        else db.session.get(ScoreTemplate, form.template_id.data or 0)
    )
    if template is None:
        abort(400)
    values = _raw_entries(template)
    if not form.validate_on_submit():
        # E.g. an expired CSRF token: keep what was typed, ask to save again.
        flash("页面已过期或表单不完整，本次未保存。请核对后重新保存。", "danger")
        _set_version(form, review)
        return _render_sheet(case, template, review, form, values, None, 400)
    submit = request.form.get("action") == "submit"
    entries, errors = services.parse_entries(template, values)
    if errors:
        flash("评查表有错误，请按提示修改后再保存。", "danger")
        return _render_sheet(case, template, review, form, values, errors, 400)
    try:
        services.save_review(
            case,
            current_user,
            template,
            entries,
            form.opinion.data,
            form.version.data,
            Actor.from_request(),
            submit=submit,
        )
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        review = review_for(case, current_user)
        # The user's input is shown back on the newest version: saving it again
        # is a deliberate overwrite after seeing the saved state (shown too).
        _set_version(form, review)
        return _render_sheet(
            case, template, review, form, values, None, exc.status_code, saved=True
        )
    db.session.commit()
    flash("评查表已提交。" if submit else "草稿已保存。", "success")
    if reviewable_case_for(current_user, case_id) is None:
        # An invited supervisor's task ends with the submitted sheet.
        return redirect(url_for("supervision.my_assignments"))
    return redirect(url_for("reviews.edit_review", case_id=case_id))


@bp.post("/cases/<int:case_id>/findings/<int:finding_id>/label")
@roles_required(*SHEET_ROLES)
def label_finding(case_id, finding_id):
    """Confirm or dismiss (with a reason) one current finding of the case."""
    case = _case_or_404(case_id)
    finding = db.session.scalar(
        sa.select(CaseFinding).where(
            CaseFinding.id == finding_id, CaseFinding.case_id == case.id
        )
    )
    back = url_for("casebank.show_case", case_id=case_id) + "#findings"
    if finding is None:
        flash(
            "检查结果已更新（案卷被重新检查），请在最新的检查发现上重新标注。",
            "warning",
        )
        return redirect(back)
    form = LabelForm()
    message = None
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            message = "页面已过期，请刷新后重新标注。"
        else:
            message = "；".join(e for errs in form.errors.values() for e in errs)
    else:
        try:
            services.label_finding(
                case,
                finding,
                current_user,
                form.decision.data,
                form.reason.data,
                Actor.from_request(),
            )
        except DomainError as exc:
            db.session.rollback()
            message = exc.message
    if message:
        # The case page again, with the message and the input under the finding.
        g.label_error = {
            "finding_id": finding.id,
            "message": message,
            "decision": request.form.get("decision", ""),
            "reason": request.form.get("reason", ""),
        }
        return render_case_page(case, 400)
    db.session.commit()
    flash(
        "已标注：" + ("确认" if form.decision.data == "confirmed" else "驳回"),
        "success",
    )
    return redirect(back)
