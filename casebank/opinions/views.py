"""监督意见书 screens: staff list, handler to-do list, issue, opinion page with the
reply / accept / return / deadline forms, attachment downloads and exports."""

import io
import secrets

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
from werkzeug.exceptions import RequestEntityTooLarge

from casebank.cases import queries as case_queries
from casebank.opinions import bp, export_docx, export_pdf, queries, services, uploads
from casebank.opinions.document import issuer_of
from casebank.opinions.forms import (
    AcceptForm,
    DeadlineForm,
    IssueForm,
    ReplyForm,
    ReturnForm,
)
from casebank.opinions.models import OPEN_FOR_REPLY, OpinionStatus
from casebank.supervision.queries import conflict_reason
from portal.actor import Actor
from portal.auth.decorators import roles_required
from portal.auth.models import Role
from portal.auth.roles import CASE_WORKERS, SUPERVISION_MANAGERS
from portal.exceptions import DomainError
from portal.extensions import csrf, db
from portal.workdays.calendar import DeadlineFlag
from portal.workdays.queries import calendar, missing_years

PREFILL_MAX = 10_000
INT_MAX = 2**31 - 1  # review ids are 32-bit integers in the database


def _review(value, case):
    """The submitted 评查表 of ``case`` named by a query string or hidden field
    (a positive 32-bit id), else None."""
    from casebank.reviews.models import CaseReview, ReviewStatus

    try:
        number = int(value or 0)
    except (TypeError, ValueError):
        return None
    if not 0 < number <= INT_MAX:
        return None
    review = db.session.get(CaseReview, number)
    if review is None or review.case_id != case.id:
        return None
    return review if review.status == ReviewStatus.SUBMITTED else None


def _problems_of(review):
    """The deductions of a 评查表 as the 发现的问题 of the opinion."""
    lines = []
    for deduction in review.deductions:
        if not deduction.points and not deduction.vetoed:
            continue
        # A formal document states the problem, not the score it cost.
        item = deduction.item
        note = f"：{deduction.note}" if deduction.note else ""
        lines.append(f"{len(lines) + 1}. 【{item.section.name}】{item.text}{note}")
    return "\n".join(lines)


def _opinion_or_404(opinion_id):
    opinion = queries.visible_opinion(current_user, opinion_id)
    if opinion is None:
        abort(404)
    return opinion


def _flags(opinions):
    cal, today = calendar(), queries.china_today()
    return {o.id: queries.flag_of(o, today, cal) for o in opinions}


@bp.get("/opinions")
@roles_required(*SUPERVISION_MANAGERS)
def list_opinions():
    """Opinions in scope (most urgent first); filters: agency, status, flag, number."""
    agency_id = request.args.get("agency_id", type=int)
    status = request.args.get("status") or ""
    flag = request.args.get("flag") or ""
    q = (request.args.get("q") or "").strip()[:60]
    stmt = queries.opinions_visible_to(current_user, agency_id, status, flag, q=q)
    page = db.paginate(stmt, per_page=30, error_out=False)
    return render_template(
        "opinions/list.html",
        page=page,
        flags=_flags(page.items),
        agencies=case_queries.agencies_for(current_user),
        statuses=list(OpinionStatus),
        flag_choices=list(DeadlineFlag),
        counts=queries.flag_counts(current_user),
        filters={"agency_id": agency_id, "status": status, "flag": flag, "q": q},
    )


@bp.get("/opinions/todo")
@roles_required(Role.AGENCY_HANDLER)
def todo():
    """待整改的监督意见书 of the handler's agencies."""
    page = db.paginate(
        queries.todo_for_handler(current_user), per_page=30, error_out=False
    )
    return render_template("opinions/todo.html", page=page, flags=_flags(page.items))


def _issue_form(formdata=None):
    form = IssueForm(formdata=formdata)
    form.set_bounds(*services.deadline_bounds())
    return form


def _due_dates():
    """Working days → due date (ISO) for every allowed deadline, counted from
    today, so the form shows the due date before issuing."""
    from casebank.queries import china_today

    low, high = services.deadline_bounds()
    today, cal = china_today(), calendar()
    return {n: cal.add_workdays(today, n).isoformat() for n in range(low, high + 1)}


def _render_issue(case, form, status=200):
    return (
        render_template(
            "opinions/issue.html",
            case=case,
            form=form,
            bounds=services.deadline_bounds(),
            due_dates=_due_dates(),
            authority=issuer_of(case.agency)[0],
        ),
        status,
    )


def _warn_missing_holidays(opinion):
    """Warn (not block) when the issue or due year has no holidays entered: the
    deadline was then counted on Monday–Friday only."""
    years = sorted({opinion.issued_on.year, opinion.due_on.year})
    missing = missing_years(*years)
    if missing:
        names = "、".join(str(y) for y in missing)
        flash(
            f"{names} 年的节假日安排尚未录入，期限暂按周一至周五计算，请核对。",
            "warning",
        )


def _issue_conflict(case) -> str | None:
    """Why the signed-in staff member may not issue for ``case`` (conflict of
    interest with its agency), or None; system administrators are never refused."""
    if current_user.has_role(Role.SYS_ADMIN):
        return None
    return conflict_reason(current_user, case.agency)


@bp.route("/cases/<int:case_id>/opinions/new", methods=["GET", "POST"])
@roles_required(*SUPERVISION_MANAGERS)
def issue_opinion(case_id):
    """Issue a 监督意见书 for a case; ``?review_id=`` and ``?problems=`` /
    ``?opinion=`` prefill the form (links from the review sheet)."""
    case = case_queries.visible_case(current_user, case_id)
    if case is None:
        abort(404)
    reason = _issue_conflict(case)
    if reason is not None:
        flash(f"{reason}，不能签发该案卷的监督意见书。", "danger")
        return redirect(url_for("casebank.show_case", case_id=case.id))
    if request.method == "GET":
        form = _issue_form()
        form.form_token.data = secrets.token_urlsafe(24)
        review = _review(request.args.get("review_id"), case)
        form.review_id.data = str(review.id) if review else ""
        problems = request.args.get("problems") or (
            _problems_of(review) if review else ""
        )
        opinion = request.args.get("opinion") or (review.opinion if review else "")
        form.problems.data = problems[:PREFILL_MAX]
        form.opinion.data = opinion[:PREFILL_MAX]
        form.deadline_workdays.data = current_app.config["OPINION_DEADLINE_WORKDAYS"]
        return _render_issue(case, form)
    form = _issue_form(request.form)
    existing = queries.opinion_by_form_token(form.form_token.data)
    if existing is not None:  # a double submit: show what the first one made
        flash(f"该监督意见书已签发（{existing.number}），请勿重复提交。", "info")
        return redirect(url_for("opinions.show_opinion", opinion_id=existing.id))
    if not form.validate_on_submit():
        return _render_issue(case, form, 400)
    draft = services.Draft(
        form_token=form.form_token.data,
        problems=form.problems.data,
        opinion=form.opinion.data,
        legal_basis=form.legal_basis.data,
        deadline_workdays=form.deadline_workdays.data,
        review_id=getattr(_review(form.review_id.data, case), "id", None),
    )
    try:
        opinion = services.issue_opinion(case, draft, Actor.from_request())
        db.session.commit()
    except services.AlreadyIssued as exc:
        db.session.rollback()
        flash(exc.message, "info")
        return redirect(url_for("opinions.show_opinion", opinion_id=exc.opinion.id))
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return _render_issue(case, form, 400)
    flash(
        f"监督意见书 {opinion.number} 已签发，已送达{opinion.agency.name}。", "success"
    )
    _warn_missing_holidays(opinion)
    return redirect(url_for("opinions.show_opinion", opinion_id=opinion.id))


def _render_show(opinion, status=200, **forms):
    may_decide = queries.can_decide(current_user, opinion)
    may_reply = queries.can_reply(current_user, opinion)
    low, high = services.deadline_bounds()
    defaults = {
        "reply_form": ReplyForm(formdata=None, version=opinion.version),
        "accept_form": AcceptForm(formdata=None, version=opinion.version),
        "return_form": ReturnForm(formdata=None, version=opinion.version),
        "deadline_form": DeadlineForm(
            formdata=None,
            version=opinion.version,
            deadline_workdays=opinion.deadline_workdays,
        ),
    }
    defaults.update(forms)
    return (
        render_template(
            "opinions/show.html",
            opinion=opinion,
            flag=queries.flag_of(opinion),
            may_decide=may_decide,
            may_reply=may_reply and opinion.status in OPEN_FOR_REPLY,
            may_review=may_decide and opinion.status == OpinionStatus.REPLIED,
            may_change_deadline=may_decide and not opinion.is_closed,
            bounds=(low, high),
            max_files=uploads.max_files(),
            max_mb=current_app.config["OPINION_FILE_MAX_MB"],
            **defaults,
        ),
        status,
    )


@bp.get("/opinions/<int:opinion_id>")
@roles_required(*CASE_WORKERS)
def show_opinion(opinion_id):
    """The opinion, its deadline flag, replies, attachments and timeline."""
    return _render_show(_opinion_or_404(opinion_id))


def _refuse(opinion_id, exc):
    db.session.rollback()
    flash(exc.message, "danger")
    return redirect(url_for("opinions.show_opinion", opinion_id=opinion_id))


@bp.post("/opinions/<int:opinion_id>/reply")
@roles_required(Role.AGENCY_HANDLER)
@csrf.exempt  # CSRF is checked below, after the request limit is raised
def reply(opinion_id):
    """The handler's 整改情况 with attachments; nothing is kept when a file is bad."""
    opinion = _opinion_or_404(opinion_id)
    if not queries.can_reply(current_user, opinion):
        abort(403)
    request.max_content_length = uploads.request_limit()
    try:
        request.form  # noqa: B018 - parse now, under this route's limit
    except RequestEntityTooLarge:
        form = ReplyForm(formdata=None, version=opinion.version)
        form.attachments.errors = [
            f"附件总大小超过限制（最多 {uploads.max_files()} 个，每个不超过 "
            f"{current_app.config['OPINION_FILE_MAX_MB']} MB），未保存任何内容。"
            "请重新选择附件。"
        ]
        return _render_show(opinion, 413, reply_form=form)
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    form = ReplyForm()
    if not form.validate():
        return _render_show(opinion, 400, reply_form=form)
    try:
        prepared = uploads.prepare(request.files.getlist(form.attachments.name))
    except DomainError as exc:
        form.attachments.errors = [exc.message + "。请重新选择附件。"]
        return _render_show(opinion, 400, reply_form=form)
    stored = uploads.store(prepared)
    try:
        services.submit_reply(
            opinion,
            form.expected_version(),
            form.text.data,
            stored,
            Actor.from_request(),
        )
        db.session.commit()
    except DomainError as exc:
        uploads.remove([f.stored_name for f in stored])
        return _refuse(opinion_id, exc)
    except BaseException:
        db.session.rollback()
        uploads.remove([f.stored_name for f in stored])
        raise
    flash("整改情况已提交，等待监督机关审核。", "success")
    return redirect(url_for("opinions.show_opinion", opinion_id=opinion_id))


def _decidable(opinion_id):
    opinion = _opinion_or_404(opinion_id)
    if not queries.can_decide(current_user, opinion):
        abort(403)
    return opinion


@bp.post("/opinions/<int:opinion_id>/accept")
@roles_required(*SUPERVISION_MANAGERS)
def accept(opinion_id):
    """采纳: close the opinion (已办结)."""
    opinion = _decidable(opinion_id)
    form = AcceptForm()
    if not form.validate_on_submit():
        return _render_show(opinion, 400, accept_form=form)
    try:
        services.accept_reply(
            opinion, form.expected_version(), Actor.from_request(), form.note.data
        )
        db.session.commit()
    except DomainError as exc:
        return _refuse(opinion_id, exc)
    flash("已采纳整改情况，监督意见书已办结。", "success")
    return redirect(url_for("opinions.show_opinion", opinion_id=opinion_id))


@bp.post("/opinions/<int:opinion_id>/return")
@roles_required(*SUPERVISION_MANAGERS)
def return_reply(opinion_id):
    """退回: the agency rectifies and replies again (reason required)."""
    opinion = _decidable(opinion_id)
    form = ReturnForm()
    if not form.validate_on_submit():
        return _render_show(opinion, 400, return_form=form)
    try:
        services.return_reply(
            opinion, form.expected_version(), form.reason.data, Actor.from_request()
        )
        db.session.commit()
    except DomainError as exc:
        return _refuse(opinion_id, exc)
    flash("已退回整改情况，等待执法部门重新整改。", "success")
    return redirect(url_for("opinions.show_opinion", opinion_id=opinion_id))


@bp.post("/opinions/<int:opinion_id>/deadline")
@roles_required(*SUPERVISION_MANAGERS)
def change_deadline(opinion_id):
    """Change the number of working days (with a reason)."""
    opinion = _decidable(opinion_id)
    form = DeadlineForm()
    form.set_bounds(*services.deadline_bounds())
    if not form.validate_on_submit():
        return _render_show(opinion, 400, deadline_form=form)
    try:
        services.change_deadline(
            opinion,
            form.expected_version(),
            form.deadline_workdays.data,
            form.reason.data,
            Actor.from_request(),
        )
        db.session.commit()
    except DomainError as exc:
        return _refuse(opinion_id, exc)
    flash("整改期限已变更。", "success")
    _warn_missing_holidays(opinion)
    return redirect(url_for("opinions.show_opinion", opinion_id=opinion_id))


@bp.get("/opinions/<int:opinion_id>/attachments/<int:attachment_id>")
@roles_required(*CASE_WORKERS)
def download_attachment(opinion_id, attachment_id):
    """An attachment of a reply, for those who may see the opinion."""
    opinion = _opinion_or_404(opinion_id)
    attachment = queries.attachment_of(opinion, attachment_id)
    if attachment is None:
        abort(404)
    return uploads.send(
        attachment.stored_name,
        mimetype=attachment.mime,
        as_attachment=True,
        download_name=attachment.original_name,
    )


def _export(opinion_id, render, suffix, mimetype):
    opinion = _opinion_or_404(opinion_id)
    data = render(opinion)
    response = send_file(
        io.BytesIO(data),
        mimetype=mimetype,
        as_attachment=True,
        download_name=f"监督意见书-{opinion.year}-{opinion.seq}{suffix}",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/opinions/<int:opinion_id>/export.docx")
@roles_required(*CASE_WORKERS)
def export_opinion_docx(opinion_id):
    return _export(
        opinion_id,
        export_docx.render,
        ".docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


@bp.get("/opinions/<int:opinion_id>/export.pdf")
@roles_required(*CASE_WORKERS)
def export_opinion_pdf(opinion_id):
    return _export(opinion_id, export_pdf.render, ".pdf", "application/pdf")


@bp.app_template_global()
def case_opinion_panel(case):
    """The opinions of ``case`` the current user may see, for the case page."""
    opinions = queries.opinions_for_case(current_user, case.id)
    return {
        "opinions": opinions,
        "flags": _flags(opinions),
        "may_issue": current_user.has_role(*SUPERVISION_MANAGERS),
    }
