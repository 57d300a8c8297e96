"""Supervision staff: statistics and export, 监督员转办, an item's oversight notes."""

import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from portal import audit
from portal.actor import Actor
from portal.auth.decorators import roles_required
from portal.auth.models import Role
from portal.auth.roles import CASE_WORKERS, SUPERVISION_MANAGERS
from portal.exceptions import DomainError
from portal.extensions import db
from portal.suggestions.oversight import bp, export, queries, stats
from portal.suggestions.oversight.forms import HandleEscalationForm
from portal.suggestions.oversight.models import EscalationStatus
from portal.suggestions.oversight.period import parse_period, today
from portal.suggestions.oversight.scope import scope_condition

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _scope_label(user):
    if user.has_role(Role.SYS_ADMIN):
        return "全部地区"
    return "、".join(s.name for s in user.scopes_for(Role.SUPERVISION_STAFF)) or "无"


def _figures(period):
    return stats.load_figures(
        scope_condition(current_user, Role.SUPERVISION_STAFF),
        today(),
        period.date_from,
        period.date_to,
    )


@bp.get("/manage/stats")
@roles_required(*SUPERVISION_MANAGERS)
def show_stats():
    """Figures of the items in the staff member's region for a period."""
    period = parse_period(request.args)
    figures = None if period.error else _figures(period)
    return (
        render_template(
            "oversight/stats.html",
            period=period,
            figures=figures,
            scope_label=_scope_label(current_user),
        ),
        400 if period.error else 200,
    )


@bp.get("/manage/stats.xlsx")
@roles_required(*SUPERVISION_MANAGERS)
def export_stats():
    """The same figures as an Excel workbook (audited)."""
    period = parse_period(request.args)
    if period.error:
        flash(period.error, "danger")
        return redirect(url_for("oversight.show_stats"))
    data = export.stats_workbook(
        _figures(period), period.label, _scope_label(current_user)
    )
    audit.record(
        "suggestion_stats_exported",
        Actor.from_request(),
        after={"统计期间": period.label, "统计范围": _scope_label(current_user)},
        label="群众意见建议统计",
    )
    db.session.commit()
    return send_file(
        io.BytesIO(data),
        mimetype=XLSX,
        as_attachment=True,
        download_name="群众意见建议统计.xlsx",
    )


@bp.get("/manage/escalations")
@roles_required(*SUPERVISION_MANAGERS)
def list_escalations():
    """监督员转办: escalations of items in the region, open ones first."""
    status = request.args.get("status") or ""
    page = db.paginate(
        queries.escalations_for_staff(current_user, status or None),
        per_page=30,
        error_out=False,
    )
    return render_template(
        "oversight/escalations.html",
        page=page,
        status=status,
        statuses=list(EscalationStatus),
        form=HandleEscalationForm(),
    )


@bp.post("/manage/escalations/<int:escalation_id>/handle")
@roles_required(*SUPERVISION_MANAGERS)
def handle_escalation(escalation_id):
    """Mark one escalation handled, with a note."""
    from portal.suggestions.oversight import services

    escalation = queries.escalation_for_staff(current_user, escalation_id)
    if escalation is None:
        abort(404)
    form = HandleEscalationForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "danger")
        return redirect(url_for("oversight.list_escalations"))
    try:
        services.handle_escalation(escalation, Actor.from_request(), form.note.data)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return redirect(url_for("oversight.list_escalations"))
    db.session.commit()
    flash(f"已将 {escalation.suggestion.number} 的转办标记为已处理。", "success")
    return redirect(url_for("oversight.list_escalations"))


@bp.get("/manage/<int:suggestion_id>/oversight")
@roles_required(*CASE_WORKERS)
def show_item_oversight(suggestion_id):
    """监督员意见 and 转办 of one item, for staff and the handling agency."""
    suggestion = queries.item_for_reader(current_user, suggestion_id)
    if suggestion is None:
        abort(404)
    return render_template(
        "oversight/item_notes.html",
        suggestion=suggestion,
        observations=queries.observations_of(suggestion),
        escalations=queries.escalations_of(suggestion),
    )
