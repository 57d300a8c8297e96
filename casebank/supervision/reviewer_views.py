"""Reviewers' screens: 我的评查任务 and declarations of interest (利益冲突申报)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from casebank.cases.forms import CsrfOnlyForm
from casebank.supervision import bp, queries, services
from casebank.supervision.forms import DeclarationForm
from casebank.supervision.models import (
    AssignmentStatus,
    InterestDeclaration,
    ReviewAssignment,
)
from portal.actor import Actor
from portal.auth.decorators import roles_required
from portal.auth.roles import REVIEWERS
from portal.exceptions import DomainError
from portal.extensions import db
from portal.orgs.models import Organisation


@bp.get("/my")
@roles_required(*REVIEWERS)
def my_assignments():
    """The signed-in reviewer's open assignments, and the last finished ones."""
    open_items = list(db.session.scalars(queries.assignments_of(current_user)))
    done = list(
        db.session.scalars(
            queries.assignments_of(current_user, AssignmentStatus.DONE).limit(20)
        )
    )
    return render_template(
        "supervision/my_assignments.html",
        open_items=open_items,
        done=done,
        button=CsrfOnlyForm(),
    )


@bp.post("/assignments/<int:assignment_id>/complete")
@roles_required(*REVIEWERS)
def complete_assignment(assignment_id):
    """The assignee marks the review finished (a double submit is harmless)."""
    assignment = db.session.get(ReviewAssignment, assignment_id)
    if assignment is None or assignment.assignee_id != current_user.id:
        abort(404)
    if not CsrfOnlyForm().validate_on_submit():
        abort(400)
    try:
        services.complete_assignment(assignment, Actor.from_request())
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
    else:
        flash("评查任务已完成。", "success")
    return redirect(url_for("supervision.my_assignments"))


def _declaration_form(formdata=None):
    form = DeclarationForm(formdata=formdata)
    form.organisation_id.choices = [SelectChoice(0, "请选择单位")] + [
        SelectChoice(o.id, "　" * max(o.depth, 0) + o.name)
        for o in queries.declarable_organisations()
    ]
    return form


def _render_interests(form, status=200):
    return (
        render_template(
            "supervision/interests.html",
            form=form,
            declarations=queries.declarations_of(current_user),
            button=CsrfOnlyForm(),
        ),
        status,
    )


@bp.get("/interests")
@roles_required(*REVIEWERS)
def list_interests():
    """The reviewer's declarations (withdrawn ones too) and the declaration form."""
    return _render_interests(_declaration_form())


@bp.post("/interests")
@roles_required(*REVIEWERS)
def declare_interest():
    """Declare an interest; open assignments it touches are withdrawn at once."""
    form = _declaration_form(request.form)
    organisation = None
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation_id.data)
        if organisation is None:
            form.organisation_id.errors = list(form.organisation_id.errors) + [
                "请选择单位"
            ]
    if organisation is None:
        return _render_interests(form, 400)
    try:
        _, cancelled = services.declare_interest(
            current_user, organisation, form.reason.data, Actor.from_request()
        )
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return _render_interests(form, 400)
    message = f"已申报与{organisation.name}存在利益冲突。"
    if cancelled:
        message += f"相关的 {cancelled} 项评查任务已自动撤回。"
    flash(message, "success")
    return redirect(url_for("supervision.list_interests"))


@bp.post("/interests/<int:declaration_id>/withdraw")
@roles_required(*REVIEWERS)
def withdraw_interest(declaration_id):
    """Withdraw one of the reviewer's own declarations (kept in the history)."""
    declaration = db.session.get(InterestDeclaration, declaration_id)
    if declaration is None or declaration.user_id != current_user.id:
        abort(404)
    if not CsrfOnlyForm().validate_on_submit():
        abort(400)
    try:
        services.withdraw_interest(declaration, Actor.from_request())
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
    else:
        flash("申报已撤回。", "success")
    return redirect(url_for("supervision.list_interests"))
