"""Case-file screens (/casebank/cases …): list, add (files, zip, paste), batch
result, detail with highlighted text, metadata edit, re-check, original file."""

import os
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from wtforms import SelectChoice

from casebank.cases import checks, intake, queries, services
from casebank.cases.forms import CaseAddForm, CaseMetadataForm, CsrfOnlyForm
from casebank.cases.highlight import (
    KINDS,
    highlight,
    mask_personal,
    spans_from_review,
)
from casebank.cases.models import CaseBatch, CheckStatus
from casebank.cases.queries import CASE_ROLES
from casebank.views import bp
from portal.actor import Actor
from portal.auth.decorators import roles_required
from portal.auth.models import Role
from portal.exceptions import DomainError
from portal.extensions import db


def _limits() -> intake.Limits:
    config = current_app.config
    return intake.Limits(
        file_bytes=config.get("CASE_MAX_FILE_BYTES", 10 * 1024 * 1024),
        zip_entries=config.get("CASE_ZIP_MAX_ENTRIES", 2000),
        zip_total_bytes=config.get("CASE_ZIP_MAX_BYTES", 200 * 1024 * 1024),
    )


def _date(name):
    raw = (request.args.get(name) or "").strip()
    try:
        return (date.fromisoformat(raw), raw) if raw else (None, "")
    except ValueError:
        flash(f"日期“{raw}”格式不正确，应为 YYYY-MM-DD。", "warning")
        return None, ""


def _case_or_404(case_id):
    case = queries.visible_case(current_user, case_id)
    if case is None:
        abort(404)
    return case


@bp.get("/cases")
@roles_required(*CASE_ROLES)
def list_cases():
    """Cases in scope, most severe findings first; filters in the query string."""
    agency_id = request.args.get("agency_id", type=int)
    status = request.args.get("status") or ""
    flagged = request.args.get("findings") or ""
    q = (request.args.get("q") or "").strip()[:100]
    date_from, from_text = _date("from")
    date_to, to_text = _date("to")
    has_findings = {"yes": True, "no": False}.get(flagged)
    stmt = queries.cases_visible_to(
        current_user, agency_id, status, has_findings, date_from, date_to, q
    )
    page = db.paginate(stmt, per_page=30, error_out=False)
    return render_template(
        "casebank/case_list.html",
        page=page,
        agencies=queries.agencies_for(current_user),
        statuses=list(CheckStatus),
        filters={
            "agency_id": agency_id,
            "status": status,
            "findings": flagged,
            "from": from_text,
            "to": to_text,
            "q": q,
        },
    )


@bp.route("/cases/new", methods=["GET", "POST"])
@roles_required(*CASE_ROLES)
def add_cases():
    """Upload one or many decisions (or a zip), or paste a decision's text."""
    agencies = queries.agencies_for(current_user)
    form = CaseAddForm()
    form.agency_id.choices = (
        [SelectChoice(0, "按文书自动识别")] if len(agencies) > 1 else []
    ) + [SelectChoice(a.id, a.name) for a in agencies]
    if not agencies:
        flash("您的管辖范围内没有执法部门，无法添加案卷。", "warning")
    if request.method == "POST" and agencies:
        if not form.validate_on_submit():
            return render_template("casebank/case_add.html", form=form), 400
        uploads = [
            (f.filename or "", f.read())
            for f in (form.files.data or [])
            if getattr(f, "filename", "")
        ]
        pasted = form.text.data or ""
        if not uploads and not pasted.strip():
            form.files.errors = list(form.files.errors) + [
                "请选择文件，或粘贴决定书全文"
            ]
            return render_template("casebank/case_add.html", form=form), 400
        agency = next((a for a in agencies if a.id == form.agency_id.data), None)
        entries = intake.expand_uploads(uploads, _limits())
        try:
            batch = services.add_cases(
                entries,
                Actor.from_request(),
                agency=agency,
                agencies=agencies,
                upload_dir=current_app.config["UPLOAD_DIR"],
                pasted=pasted,
            )
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return render_template("casebank/case_add.html", form=form), 400
        try:
            db.session.commit()
        except sa.exc.IntegrityError:
            # The same file was being imported by a concurrent request (a double
            # submit): that one won, nothing of this one is kept.
            db.session.rollback()
            flash(
                "同一文件正在被同时导入，本次未重复导入，请在案卷列表中查看。",
                "warning",
            )
            return redirect(url_for("casebank.list_cases"))
        batch_id, results = batch.id, list(batch.results)
        imported = [r["case_id"] for r in results if r["outcome"] == "imported"]
        checks.enqueue_checks(imported)  # inline without Redis: ends the session
        if len(results) == 1 and imported:
            flash("案卷已添加。", "success")
            return redirect(url_for("casebank.show_case", case_id=imported[0]))
        return redirect(url_for("casebank.show_batch", batch_id=batch_id))
    return render_template("casebank/case_add.html", form=form)


@bp.get("/cases/batches/<int:batch_id>")
@roles_required(*CASE_ROLES)
def show_batch(batch_id):
    """The per-file outcome of one submission (its author, or a system admin)."""
    batch = db.session.get(CaseBatch, batch_id)
    if batch is None or (
        batch.created_by_id != current_user.id
        and not current_user.has_role("sys_admin")
    ):
        abort(404)
    cases = {}
    ids = [r["case_id"] for r in batch.results if r.get("case_id")]
    if ids:
        from casebank.cases.models import CaseFile

        for case in db.session.scalars(sa.select(CaseFile).where(CaseFile.id.in_(ids))):
            cases[case.id] = case
    return render_template("casebank/case_batch.html", batch=batch, cases=cases)


def _metadata_form(case, agencies, formdata=None):
    form = CaseMetadataForm(
        formdata=formdata, obj=None if formdata is not None else case
    )
    form.agency_id.choices = [SelectChoice(a.id, a.name) for a in agencies]
    if case.agency_id not in {a.id for a in agencies}:
        form.agency_id.choices.insert(0, SelectChoice(case.agency_id, case.agency.name))
    if formdata is None:
        form.party_type.data = case.party_type or ""
        form.fine_yuan.data = (
            Decimal(str(case.fine_yuan)) if case.fine_yuan is not None else None
        )
    return form


def _review_panel(case):
    # Local import: the review package builds on the case screens, not the reverse.
    from casebank.reviews.views import case_panel

    return case_panel(case)


def _demoted(case):
    from casebank.reviews.precision import demoted_codes

    return demoted_codes(case)


def _render_case(case, form, status=200, read_only=False):
    from casebank.supervision.similar import similar_cases

    spans = spans_from_review(case.text, case.review, case.findings)
    similar = similar_cases(current_user, case)
    return (
        render_template(
            "casebank/case_show.html",
            case=case,
            form=form,
            button=CsrfOnlyForm(),
            marked_text=highlight(mask_personal(case.text), spans),
            kinds=KINDS,
            position=queries.fine_position(case),
            read_only=read_only,
            similar=similar,
            similar_positions={
                s.case.id: queries.fine_position(s.case) for s in similar
            },
            review_panel=_review_panel(case),
            demoted=_demoted(case),
        ),
        status,
    )


@bp.get("/cases/<int:case_id>")
@roles_required(*CASE_ROLES, Role.INVITED_SUPERVISOR)
def show_case(case_id):
    """The case: metadata form, highlighted text, findings, matched tier table,
    similar cases. An invited supervisor sees a case assigned to them, read-only."""
    case = queries.visible_case(current_user, case_id)
    read_only = case is None
    if case is None:
        from casebank.supervision.queries import reviewable_case

        case = reviewable_case(current_user, case_id)
        if case is None:
            abort(404)
    agencies = queries.agencies_for(current_user)
    return _render_case(case, _metadata_form(case, agencies), read_only=read_only)


def render_case_page(case, status=200):
    """The case page as ``show_case`` renders it (for other packages' errors)."""
    agencies = queries.agencies_for(current_user)
    read_only = queries.visible_case(current_user, case.id) is None
    return _render_case(
        case, _metadata_form(case, agencies), status, read_only=read_only
    )


@bp.post("/cases/<int:case_id>")
@roles_required(*CASE_ROLES)
def edit_case(case_id):
    """Save the metadata (audited); a new date, agency or party type re-checks."""
    case = _case_or_404(case_id)
    agencies = queries.agencies_for(current_user)
    form = _metadata_form(case, agencies, request.form)
    valid = form.validate_on_submit()
    if valid and form.agency_id.data not in {a.id for a in agencies}:
        form.agency_id.errors = list(form.agency_id.errors) + ["请选择执法部门"]
        valid = False
    if not valid:
        return _render_case(case, form, 400)
    changes = {
        "doc_number": (form.doc_number.data or "").strip() or None,
        "agency_id": form.agency_id.data,
        "decision_date": form.decision_date.data,
        "party_type": form.party_type.data or None,
        "fine_yuan": float(form.fine_yuan.data)
        if form.fine_yuan.data is not None
        else None,
    }
    try:
        recheck = services.update_metadata(
            case, Actor.from_request(), changes, agencies
        )
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("casebank.show_case", case_id=case_id))
    db.session.commit()
    if recheck:
        checks.enqueue_checks([case_id])
        flash("案卷信息已保存，已重新提交自动检查。", "success")
    else:
        flash("案卷信息已保存。", "success")
    return redirect(url_for("casebank.show_case", case_id=case_id))


@bp.post("/cases/<int:case_id>/recheck")
@roles_required(*CASE_ROLES)
def recheck_case(case_id):
    """Run the automatic check again (e.g. after 检查失败)."""
    case = _case_or_404(case_id)
    if not CsrfOnlyForm().validate_on_submit():
        abort(400)
    services.request_recheck(case, Actor.from_request())
    db.session.commit()
    checks.enqueue_checks([case_id])
    flash("已重新提交自动检查。", "success")
    return redirect(url_for("casebank.show_case", case_id=case_id))


@bp.get("/cases/<int:case_id>/original")
@roles_required(*CASE_ROLES)
def download_case_original(case_id):
    """The original uploaded file, as it was received."""
    case = _case_or_404(case_id)
    path = services.original_path(current_app.config["UPLOAD_DIR"], case)
    if path is None:
        abort(404)
    if not os.path.isfile(path):
        abort(404)
    return send_file(
        path,
        as_attachment=True,
        download_name=case.original_filename or "decision",
        mimetype="application/octet-stream",
    )
