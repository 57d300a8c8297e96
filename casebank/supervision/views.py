"""Supervision staff screens (/casebank/supervision …): the review queue, sample
draws and assignment. The reviewers' own screens are in :mod:`.reviewer_views`."""

from decimal import Decimal

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from wtforms import SelectChoice

from casebank.cases.forms import CsrfOnlyForm
from casebank.cases.models import CaseFile
from casebank.cases.queries import agencies_for, visible_case
from casebank.supervision import bp, progress, queries, sampling, services
from casebank.supervision.forms import AssignForm, BulkAssignForm, SampleDrawForm
from casebank.supervision.models import ReviewAssignment
from portal.actor import Actor
from portal.auth.decorators import roles_required
from portal.auth.models import User
from portal.auth.roles import SUPERVISION_MANAGERS
from portal.exceptions import DomainError
from portal.extensions import db

PER_PAGE = 30


def draw_period(text):
    """The period key of ``text`` (already validated by the service)."""
    return sampling.parse_period(text).key


def _yes_no(name):
    return {"yes": True, "no": False}.get(request.args.get(name) or "")


@bp.get("/queue")
@roles_required(*SUPERVISION_MANAGERS)
def show_queue():
    """The review queue: flagged cases by severity, then sampled clean ones."""
    agency_id = request.args.get("agency_id", type=int)
    period_text = (request.args.get("period") or "").strip()[:8]
    severity = request.args.get("severity") or ""
    date_from = date_to = None
    if period_text:
        try:
            period = sampling.parse_period(period_text)
            date_from, date_to = period.start, period.end
        except sampling.PeriodError as exc:
            flash(str(exc), "warning")
            period_text = ""
    stmt = queries.review_queue(
        current_user,
        agency_id=agency_id,
        date_from=date_from,
        date_to=date_to,
        severity=severity if severity in queries.SEVERITY_FILTERS else "",
        assigned=_yes_no("assigned"),
        sampled=_yes_no("sampled"),
    )
    state = request.args.get("state") or ""
    if state in progress.STATES:
        stmt = stmt.where(progress.state_condition(state))
    page = db.paginate(stmt, per_page=PER_PAGE, error_out=False)
    ids = [c.id for c in page.items]
    agencies = agencies_for(current_user)
    return render_template(
        "supervision/queue.html",
        page=page,
        assignments=queries.open_assignments_by_case(ids),
        sampled=queries.sampled_case_ids(ids),
        progress=progress.progress_by_case(ids),
        states=progress.STATES,
        agencies=agencies,
        bulk=_bulk_form(agencies),
        filters={
            "state": state if state in progress.STATES else "",
            "agency_id": agency_id,
            "period": period_text,
            "severity": severity,
            "assigned": request.args.get("assigned") or "",
            "sampled": request.args.get("sampled") or "",
        },
    )


def _draw_form(formdata=None):
    form = SampleDrawForm(formdata=formdata)
    form.agency_id.choices = [
        SelectChoice(a.id, a.name) for a in agencies_for(current_user)
    ]
    if formdata is None and form.rate_percent.data is None:
        rate = current_app.config.get("CASE_SAMPLE_RATE", 0.05)
        form.rate_percent.data = Decimal(str(round(rate * 100, 2)))
    return form


def _render_samples(form, status=200):
    page = db.paginate(
        queries.draws_visible_to(current_user), per_page=PER_PAGE, error_out=False
    )
    return render_template("supervision/samples.html", form=form, page=page), status


@bp.get("/samples")
@roles_required(*SUPERVISION_MANAGERS)
def list_samples():
    """The log of sample draws in scope, and the form for a new draw."""
    return _render_samples(_draw_form())


@bp.post("/samples")
@roles_required(*SUPERVISION_MANAGERS)
def draw_sample():
    """Draw a sample for an agency and period; an existing draw is shown instead."""
    form = _draw_form(request.form)
    if not form.validate_on_submit():
        return _render_samples(form, 400)
    agency = next(
        (a for a in agencies_for(current_user) if a.id == form.agency_id.data), None
    )
    if agency is None:
        form.agency_id.errors = list(form.agency_id.errors) + ["请选择执法部门"]
        return _render_samples(form, 400)
    try:
        draw = services.draw_sample(
            agency,
            form.period.data,
            Actor.from_request(),
            rate=float(form.rate_percent.data) / 100,
            seed=form.seed.data,
        )
        db.session.commit()
    except services.DrawExists as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return redirect(url_for("supervision.show_sample", draw_id=exc.draw.id))
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return _render_samples(form, 400)
    except IntegrityError:
        # A concurrent draw for the same agency and period won (unique constraint).
        db.session.rollback()
        existing = queries.draw_for(agency.id, draw_period(form.period.data))
        flash("该部门该期间刚刚已抽取过，不重复抽取。", "warning")
        if existing is None:
            return redirect(url_for("supervision.list_samples"))
        return redirect(url_for("supervision.show_sample", draw_id=existing.id))
    flash(
        f"已抽取 {len(draw.drawn_ids)} 件案卷（候选 {draw.candidate_count} 件）。",
        "success",
    )
    return redirect(url_for("supervision.show_sample", draw_id=draw.id))


@bp.get("/samples/<int:draw_id>")
@roles_required(*SUPERVISION_MANAGERS)
def show_sample(draw_id):
    """One draw: its parameters, seed, candidate digest and the drawn cases."""
    draw = queries.visible_draw(current_user, draw_id)
    if draw is None:
        abort(404)
    cases = list(
        db.session.scalars(
            db.select(CaseFile)
            .where(CaseFile.id.in_(draw.drawn_ids or [0]))
            .order_by(CaseFile.id)
        )
    )
    return render_template(
        "supervision/sample_show.html",
        draw=draw,
        cases=cases,
        assignments=queries.open_assignments_by_case([c.id for c in cases]),
    )


def _default_due(form):
    from datetime import timedelta

    from casebank.queries import china_today

    if form.due_on.data is None and not form.is_submitted():
        days = current_app.config.get("CASE_REVIEW_DUE_DAYS", 10)
        form.due_on.data = china_today() + timedelta(days=days)


def _assign_form(case, formdata=None):
    form = AssignForm(formdata=formdata)
    reviewers = progress.reviewers_covering(case.agency)
    eligible = [u for u, _, reason in reviewers if reason is None]
    form.assignee_id.choices = [
        SelectChoice(u.id, f"{u.name}（{'、'.join(u.role_labels)}，在办 {n} 件）")
        for u, n, reason in reviewers
        if reason is None
    ]
    _default_due(form)
    form.reviewers = reviewers
    return form, eligible


def _bulk_form(agencies, formdata=None):
    """Reviewers covering any agency in scope; each case is checked on assignment."""
    form = BulkAssignForm(formdata=formdata)
    form.assignee_id.choices = [
        SelectChoice(u.id, f"{u.name}（在办 {n} 件）")
        for u, n in progress.reviewers_for_agencies(agencies)
    ]
    if formdata is not None:
        form.case_ids.choices = [
            SelectChoice(int(v), v) for v in formdata.getlist("case_ids") if v.isdigit()
        ]
    _default_due(form)
    return form


@bp.post("/queue/assign")
@roles_required(*SUPERVISION_MANAGERS)
def bulk_assign():
    """Assign several cases of the queue to one reviewer with one due date."""
    form = _bulk_form(agencies_for(current_user), request.form)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "danger")
        return redirect(request.referrer or url_for("supervision.show_queue"))
    assignee = db.session.get(User, form.assignee_id.data)
    done, refused = [], []
    for case_id in form.case_ids.data:
        case = visible_case(current_user, case_id)
        if case is None:
            refused.append(f"案卷 #{case_id}（不在您的范围内）")
            continue
        try:
            with db.session.begin_nested():
                services.assign_case(
                    case, assignee, Actor.from_request(), due_on=form.due_on.data
                )
            done.append(case.title)
        except DomainError as exc:
            refused.append(f"{case.title}（{exc.message}）")
        except IntegrityError:
            refused.append(f"{case.title}（刚刚已被分配）")
    db.session.commit()
    if done:
        flash(f"已将 {len(done)} 件案卷分配给{assignee.name}。", "success")
    if refused:
        flash("未分配：" + "；".join(refused), "warning")
    return redirect(url_for("supervision.show_queue"))


def _render_assign(case, form, eligible, status=200):
    return (
        render_template(
            "supervision/assign.html",
            case=case,
            form=form,
            eligible=eligible,
            current=queries.open_assignments_by_case([case.id]).get(case.id),
            history=queries.assignment_history(case.id),
            button=CsrfOnlyForm(),
        ),
        status,
    )


@bp.get("/cases/<int:case_id>/assign")
@roles_required(*SUPERVISION_MANAGERS)
def assign_case(case_id):
    """Choose a reviewer for the case (only those without a conflict are listed)."""
    case = visible_case(current_user, case_id)
    if case is None:
        abort(404)
    form, eligible = _assign_form(case)
    return _render_assign(case, form, eligible)


@bp.post("/cases/<int:case_id>/assign")
@roles_required(*SUPERVISION_MANAGERS)
def save_assignment(case_id):
    """Assign the case; the service checks the conflict-of-interest rule again."""
    case = visible_case(current_user, case_id)
    if case is None:
        abort(404)
    form, eligible = _assign_form(case, request.form)
    if not form.validate_on_submit():
        return _render_assign(case, form, eligible, 400)
    assignee = db.session.get(User, form.assignee_id.data)
    try:
        services.assign_case(
            case, assignee, Actor.from_request(), due_on=form.due_on.data
        )
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("supervision.assign_case", case_id=case_id))
    except IntegrityError:
        # A concurrent assignment of the same case won (partial unique index).
        db.session.rollback()
        flash("该案卷刚刚已被分配，请查看当前分配情况。", "warning")
        return redirect(url_for("supervision.assign_case", case_id=case_id))
    flash(f"已分配给{assignee.name}。", "success")
    return redirect(url_for("supervision.show_queue"))


@bp.post("/assignments/<int:assignment_id>/cancel")
@roles_required(*SUPERVISION_MANAGERS)
def cancel_assignment(assignment_id):
    """Withdraw an open assignment of a case in scope."""
    assignment = db.session.get(ReviewAssignment, assignment_id)
    if assignment is None or visible_case(current_user, assignment.case_id) is None:
        abort(404)
    if not CsrfOnlyForm().validate_on_submit():
        abort(400)
    try:
        services.cancel_assignment(assignment, Actor.from_request())
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
    else:
        flash("已撤回该评查任务。", "success")
    return redirect(url_for("supervision.assign_case", case_id=assignment.case_id))
