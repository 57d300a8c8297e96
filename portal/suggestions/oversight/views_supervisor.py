"""Invited supervisors (特邀行政执法监督员): items of their region, read only, with
their observations (监督员意见) and escalations (转案卷评查)."""

import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.actor import Actor
from portal.auth.decorators import roles_required
from portal.auth.models import Role
from portal.exceptions import DomainError
from portal.extensions import db
from portal.suggestions.models import Category, Status
from portal.suggestions.oversight import bp, queries, services
from portal.suggestions.oversight.forms import EscalationForm, ObservationForm
from portal.suggestions.oversight.scope import item_in_scope

SUPERVISOR = Role.INVITED_SUPERVISOR


def _item_or_404(suggestion_id):
    suggestion = item_in_scope(current_user, SUPERVISOR, suggestion_id)
    if suggestion is None:
        abort(404)
    return suggestion


@bp.get("/supervise/")
@roles_required(SUPERVISOR)
def list_supervised():
    """Items whose agency lies in the supervisor's region."""
    status = request.args.get("status") or ""
    category = request.args.get("category") or ""
    page = db.paginate(
        queries.supervisor_items(current_user, status, category),
        per_page=30,
        error_out=False,
    )
    return render_template(
        "oversight/supervise_list.html",
        page=page,
        filters={"status": status, "category": category},
        statuses=list(Status),
        categories=list(Category),
        scopes=current_user.scopes_for(SUPERVISOR),
    )


def _render_item(suggestion, observation_form=None, escalation_form=None, status=200):
    observation_form = observation_form or ObservationForm(
        form_token=secrets.token_urlsafe(24)
    )
    escalation_form = escalation_form or EscalationForm(
        form_token=secrets.token_urlsafe(24)
    )
    return (
        render_template(
            "oversight/supervise_show.html",
            suggestion=suggestion,
            observations=queries.observations_of(suggestion),
            escalations=queries.escalations_of(suggestion),
            observation_form=observation_form,
            escalation_form=escalation_form,
        ),
        status,
    )


@bp.get("/supervise/<int:suggestion_id>")
@roles_required(SUPERVISOR)
def show_supervised(suggestion_id):
    """One item, read only (phone masked, no attachments)."""
    return _render_item(_item_or_404(suggestion_id))


@bp.post("/supervise/<int:suggestion_id>/observations")
@roles_required(SUPERVISOR)
def add_observation(suggestion_id):
    """Add a 监督员意见 (double submits add one)."""
    suggestion = _item_or_404(suggestion_id)
    form = ObservationForm()
    if not form.validate_on_submit():
        return _render_item(suggestion, observation_form=form, status=400)
    try:
        services.add_observation(
            suggestion, Actor.from_request(), form.text.data, form.form_token.data
        )
    except DomainError as exc:
        db.session.rollback()
        form.text.errors = [exc.message]
        return _render_item(suggestion, observation_form=form, status=400)
    db.session.commit()
    flash("监督员意见已提交。", "success")
    return redirect(url_for("oversight.show_supervised", suggestion_id=suggestion.id))


@bp.post("/supervise/<int:suggestion_id>/escalations")
@roles_required(SUPERVISOR)
def escalate(suggestion_id):
    """Refer the item to a case review (转案卷评查)."""
    suggestion = _item_or_404(suggestion_id)
    form = EscalationForm()
    if not form.validate_on_submit():
        return _render_item(suggestion, escalation_form=form, status=400)
    try:
        services.escalate(
            suggestion,
            Actor.from_request(),
            form.reason.data,
            form.doc_number.data,
            form.form_token.data,
        )
    except DomainError as exc:
        db.session.rollback()
        form.reason.errors = [exc.message]
        return _render_item(suggestion, escalation_form=form, status=400)
    db.session.commit()
    # Whether a case file with that 文号 exists is not told to the supervisor
    # (they have no access to the agency's case files); staff see the link.
    flash("已转执法监督机构案卷评查。", "success")
    return redirect(url_for("oversight.show_supervised", suggestion_id=suggestion.id))
