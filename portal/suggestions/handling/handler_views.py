"""Agency handlers (部门经办人): 待办理 list, the item with full contact data (each
view audited), and the reply submitted for approval."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import audit
from portal.actor import Actor
from portal.auth.decorators import roles_required
from portal.auth.roles import HANDLERS
from portal.exceptions import DomainError, ValidationFailed
from portal.extensions import db
from portal.locking import StaleForm
from portal.suggestions import uploads
from portal.suggestions.handling import access, bp, deadlines, queries, services
from portal.suggestions.handling.bp_helpers import deadline_context, no_store
from portal.suggestions.handling.forms import (
    AgencyReturnForm,
    ExtensionRequestForm,
    ReplyForm,
)
from portal.suggestions.models import Suggestion


def _handled(suggestion_id):
    suggestion = db.session.get(Suggestion, suggestion_id)
    if suggestion is None or not access.can_handle(current_user, suggestion):
        abort(404)
    return suggestion


@bp.get("/tasks")
@roles_required(*HANDLERS)
def list_tasks():
    """待办理: items assigned to the handler's agencies (open ones, or all)."""
    include_done = request.args.get("all") == "1"
    calendar, today, warn = deadline_context()
    rows = queries.tasks(current_user, calendar, today, warn, include_done)
    return no_store(
        render_template(
            "suggestions/handling/tasks.html", rows=rows, include_done=include_done
        )
    )


def _render_task(
    suggestion, form=None, status=200, extension_form=None, return_form=None
):
    calendar, today, warn = deadline_context()
    if return_form is None:
        return_form = AgencyReturnForm(formdata=None)
    return_form.version.data = suggestion.version
    if form is None:
        form = ReplyForm(formdata=None, version=suggestion.version)
    form.version.data = suggestion.version
    if extension_form is None:
        extension_form = ExtensionRequestForm(formdata=None)
    extension_form.version.data = suggestion.version
    if not suggestion.is_anonymous:
        # The handler sees the full phone and name to call back: log every view.
        audit.record(
            "suggestion_contact_viewed",
            Actor.from_request(),
            suggestion,
            after={"page": "待办理详情"},
        )
        db.session.commit()
    return no_store(
        (
            render_template(
                "suggestions/handling/task.html",
                suggestion=suggestion,
                open_reply=services.open_reply(suggestion),
                flag=queries.deadline_flag(suggestion, calendar, today, warn),
                form=form,
                extension_form=extension_form,
                return_form=return_form,
                extension_request=deadlines.open_request(suggestion),
                full_contact=True,
                max_files=uploads.max_files(),
                max_mb=current_app.config["SUGGESTION_FILE_MAX_MB"],
            ),
            status,
        )
    )


@bp.get("/tasks/<int:suggestion_id>")
@roles_required(*HANDLERS)
def show_task(suggestion_id):
    """One assigned item with the submitter's full contact data (audited)."""
    return _render_task(_handled(suggestion_id))


@bp.post("/tasks/<int:suggestion_id>/reply")
@roles_required(*HANDLERS)
def submit_reply(suggestion_id):
    """Submit the reply (text and checked attachments) for staff approval."""
    suggestion = _handled(suggestion_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        return _render_task(suggestion, form, 400)
    try:
        prepared = uploads.prepare(request.files.getlist(form.attachments.name))
    except ValidationFailed as exc:
        form.attachments.errors = [exc.message + "。请重新选择附件。"]
        return _render_task(suggestion, form, 400)
    stored = uploads.store(prepared)
    try:
        services.submit_reply(
            suggestion, form.version.data, form.text.data, stored, Actor.from_request()
        )
        db.session.commit()
    except StaleForm as exc:
        db.session.rollback()
        uploads.remove([f.stored_name for f in stored])
        flash(exc.message, "warning")
        return redirect(url_for(".show_task", suggestion_id=suggestion_id))
    except DomainError as exc:
        db.session.rollback()
        uploads.remove([f.stored_name for f in stored])
        flash(exc.message, "danger")
        return _render_task(_handled(suggestion_id), form, exc.status_code)
    except BaseException:
        db.session.rollback()
        uploads.remove([f.stored_name for f in stored])
        raise
    flash("答复已提交，等待执法监督部门审核。", "success")
    return redirect(url_for(".show_task", suggestion_id=suggestion_id))


def _reason_action(suggestion_id, form, form_name, change, done, next_endpoint):
    """A handler's versioned form with a reason (延期申请, 退单): ``change`` runs
    the service; a stale form or a refusal is shown on the task page."""
    suggestion = _handled(suggestion_id)
    if not form.validate_on_submit():
        return _render_task(suggestion, status=400, **{form_name: form})
    try:
        change(suggestion, form.version.data, form.reason.data, Actor.from_request())
    except StaleForm as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return redirect(url_for(".show_task", suggestion_id=suggestion_id))
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return _render_task(
            _handled(suggestion_id), status=exc.status_code, **{form_name: form}
        )
    db.session.commit()
    flash(done, "success")
    if next_endpoint == ".show_task":
        return redirect(url_for(next_endpoint, suggestion_id=suggestion_id))
    return redirect(url_for(next_endpoint))


@bp.post("/tasks/<int:suggestion_id>/extension")
@roles_required(*HANDLERS)
def request_extension(suggestion_id):
    """Ask staff for the one extension, with a reason."""
    return _reason_action(
        suggestion_id,
        ExtensionRequestForm(),
        "extension_form",
        deadlines.request_extension,
        "延期申请已提交，等待执法监督部门批准。",
        ".show_task",
    )


@bp.post("/tasks/<int:suggestion_id>/return")
@roles_required(*HANDLERS)
def return_to_staff(suggestion_id):
    """退单: return a mis-assigned item to the supervision staff, with a reason."""
    return _reason_action(
        suggestion_id,
        AgencyReturnForm(),
        "return_form",
        services.return_to_staff,
        "已退单，本件退回执法监督部门重新转交。",
        ".list_tasks",
    )
