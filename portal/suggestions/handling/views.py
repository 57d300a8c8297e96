"""Supervision staff: inbox, triage, merge, assignment, extension, approval,
publication; and the attachment download shared with the assigned handler."""

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from wtforms import SelectChoice

from portal import audit, storage
from portal.actor import Actor
from portal.auth.decorators import roles_required
from portal.auth.models import User
from portal.auth.roles import CASE_WORKERS, SUPERVISION_MANAGERS
from portal.exceptions import DomainError, ValidationFailed
from portal.extensions import db
from portal.locking import StaleForm
from portal.orgs.models import Organisation
from portal.suggestions import uploads
from portal.suggestions.handling import (
    access,
    bp,
    deadlines,
    publication,
    queries,
    services,
)
from portal.suggestions.handling.bp_helpers import deadline_context, no_store
from portal.suggestions.handling.forms import (
    AcceptForm,
    ApproveForm,
    AssignForm,
    ExtendForm,
    MergeForm,
    PublishForm,
    RefuseExtensionForm,
    RejectForm,
    ReturnForm,
)
from portal.suggestions.models import (
    CATEGORY_LABELS,
    STATUS_LABELS,
    Status,
    SuggestionAttachment,
)


def _managed(suggestion_id):
    suggestion = access.managed_or_404(current_user, suggestion_id)
    if suggestion is None:
        abort(404)
    return suggestion


def _filters():
    args = request.args
    return {
        "status": args.get("status") if args.get("status") in STATUS_LABELS else "",
        "category": args.get("category")
        if args.get("category") in CATEGORY_LABELS
        else "",
        "agency_id": args.get("agency_id", type=int) or None,
        "flag": args.get("flag") if args.get("flag") in queries.FLAG_FILTERS else "",
        "q": (args.get("q") or "").strip()[:32],
    }


@bp.get("/")
@roles_required(*SUPERVISION_MANAGERS)
def list_inbox():
    """The items of the staff member's region, with filters and deadline flags."""
    filters = _filters()
    calendar, today, warn = deadline_context()
    page = db.paginate(
        queries.inbox(current_user, filters, calendar, today, warn),
        per_page=50,
        error_out=False,
    )
    return no_store(
        render_template(
            "suggestions/handling/inbox.html",
            rows=queries.with_flags(page.items, calendar, today, warn),
            page=page,
            filters=filters,
            agencies=queries.agencies_for(current_user),
            statuses=STATUS_LABELS,
            categories=CATEGORY_LABELS,
            flags=queries.FLAG_FILTERS,
        )
    )


def _assign_choices(form):
    agencies = queries.agencies_for(current_user)
    form.agency_id.choices = [SelectChoice(0, "请选择")] + [
        SelectChoice(a.id, a.full_name) for a in agencies
    ]
    labels = {}
    for user, agency in queries.handlers_for(agencies):
        labels.setdefault(user.id, [user.name, []])[1].append(agency.name)
    form.handler_id.choices = [SelectChoice(0, "不指定（由部门内分配）")] + [
        SelectChoice(uid, f"{name}（{'、'.join(names)}）")
        for uid, (name, names) in labels.items()
    ]
    return form


def _render_item(suggestion, status=200, **forms):
    version = suggestion.version
    defaults = {
        "accept_form": AcceptForm,
        "reject_form": RejectForm,
        "merge_form": MergeForm,
        "assign_form": AssignForm,
        "extend_form": ExtendForm,
        "refuse_form": RefuseExtensionForm,
        "approve_form": ApproveForm,
        "return_form": ReturnForm,
    }
    extension_request = deadlines.open_request(suggestion)
    for name, form_class in defaults.items():
        if name not in forms:
            forms[name] = form_class(formdata=None, version=version)
            if name == "extend_form" and extension_request is not None:
                forms[name].reason.data = extension_request.reason
        forms[name].version.data = version
    _assign_choices(forms["assign_form"])
    assign_form = forms["assign_form"]
    if assign_form.deadline_workdays.data is None:
        assign_form.deadline_workdays.data = services.deadline_limits()[1]
    if not assign_form.agency_id.data and suggestion.assigned_org_id:
        assign_form.agency_id.data = suggestion.assigned_org_id
        assign_form.handler_id.data = suggestion.handler_id or 0
    similar = []
    if suggestion.status in (Status.PENDING, Status.ACCEPTED):
        similar = queries.similar_suggestions(suggestion, current_user)
    calendar, today, warn = deadline_context()
    return no_store(
        (
            render_template(
                "suggestions/handling/item.html",
                suggestion=suggestion,
                open_reply=services.open_reply(suggestion),
                extension_request=extension_request,
                similar=similar,
                flag=queries.deadline_flag(suggestion, calendar, today, warn),
                full_contact=False,
                deadline_limits=services.deadline_limits(),
                **forms,
            ),
            status,
        )
    )


@bp.get("/<int:suggestion_id>")
@roles_required(*SUPERVISION_MANAGERS)
def show_suggestion(suggestion_id):
    """One item: details (contact masked), full timeline, duplicates, actions."""
    return _render_item(_managed(suggestion_id))


def _act(suggestion_id, form_name, form, action, success):
    """Validate ``form``, run ``action(suggestion, form)``, commit, redirect."""
    suggestion = _managed(suggestion_id)
    if form_name == "assign_form":
        _assign_choices(form)
    if not form.validate_on_submit():
        return _render_item(suggestion, 400, **{form_name: form})
    try:
        action(suggestion, form)
    except StaleForm as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return redirect(url_for(".show_suggestion", suggestion_id=suggestion_id))
    except DomainError as exc:
        db.session.rollback()
        suggestion = _managed(suggestion_id)
        flash(exc.message, "danger")
        return _render_item(suggestion, exc.status_code, **{form_name: form})
    db.session.commit()
    flash(success, "success")
    return redirect(url_for(".show_suggestion", suggestion_id=suggestion_id))


@bp.post("/<int:suggestion_id>/accept")
@roles_required(*SUPERVISION_MANAGERS)
def accept_suggestion(suggestion_id):
    """受理."""
    return _act(
        suggestion_id,
        "accept_form",
        AcceptForm(),
        lambda s, f: services.accept_suggestion(
            s, f.version.data, Actor.from_request()
        ),
        "已受理。",
    )


@bp.post("/<int:suggestion_id>/reject")
@roles_required(*SUPERVISION_MANAGERS)
def reject_suggestion(suggestion_id):
    """不予受理 (the reason is shown to the submitter)."""
    return _act(
        suggestion_id,
        "reject_form",
        RejectForm(),
        lambda s, f: services.reject_suggestion(
            s, f.version.data, f.reason.data, Actor.from_request()
        ),
        "已作不予受理处理，理由将向反映人公开。",
    )


def _merge(suggestion, form):
    target = queries.suggestion_by_number(form.target_number.data)
    if target is not None and not access.can_manage(current_user, target):
        target = None  # outside the region: as if unknown
    if target is None:
        raise ValidationFailed("找不到该受理编号，或不在您的管辖范围内。")
    services.merge_suggestion(
        suggestion, target, form.version.data, form.note.data, Actor.from_request()
    )


@bp.post("/<int:suggestion_id>/merge")
@roles_required(*SUPERVISION_MANAGERS)
def merge_suggestion(suggestion_id):
    """Merge this item, a duplicate, into another (the main item)."""
    return _act(suggestion_id, "merge_form", MergeForm(), _merge, "已合并到主件。")


def _assign(suggestion, form):
    agency = db.session.get(Organisation, form.agency_id.data)
    handler = (
        db.session.get(User, form.handler_id.data) if form.handler_id.data else None
    )
    services.assign_suggestion(
        suggestion,
        form.version.data,
        agency,
        handler,
        Actor.from_request(),
        deadline_context()[0],
        deadline_workdays=form.deadline_workdays.data,
    )


@bp.post("/<int:suggestion_id>/assign")
@roles_required(*SUPERVISION_MANAGERS)
def assign_suggestion(suggestion_id):
    """Assign to an agency (and optionally a handler); sets the deadline."""
    return _act(suggestion_id, "assign_form", AssignForm(), _assign, "已转交办理。")


@bp.post("/<int:suggestion_id>/extend")
@roles_required(*SUPERVISION_MANAGERS)
def extend_deadline(suggestion_id):
    """Grant the one extension."""
    return _act(
        suggestion_id,
        "extend_form",
        ExtendForm(),
        lambda s, f: deadlines.extend_deadline(
            s,
            f.version.data,
            f.reason.data,
            Actor.from_request(),
            deadline_context()[0],
        ),
        "已批准延期。",
    )


@bp.post("/<int:suggestion_id>/extension/refuse")
@roles_required(*SUPERVISION_MANAGERS)
def refuse_extension(suggestion_id):
    """Refuse the handler's extension request (the deadline stays)."""
    return _act(
        suggestion_id,
        "refuse_form",
        RefuseExtensionForm(),
        lambda s, f: deadlines.refuse_extension(
            s, f.version.data, f.note.data, Actor.from_request()
        ),
        "已不予延期，经办人将看到理由。",
    )


@bp.post("/<int:suggestion_id>/approve")
@roles_required(*SUPERVISION_MANAGERS)
def approve_reply(suggestion_id):
    """Approve the handler's reply."""
    return _act(
        suggestion_id,
        "approve_form",
        ApproveForm(),
        lambda s, f: services.approve_reply(s, f.version.data, Actor.from_request()),
        "答复已审核通过，请公开答复。",
    )


@bp.post("/<int:suggestion_id>/return")
@roles_required(*SUPERVISION_MANAGERS)
def return_reply(suggestion_id):
    """Send the reply back to the handler."""
    return _act(
        suggestion_id,
        "return_form",
        ReturnForm(),
        lambda s, f: services.return_reply(
            s, f.version.data, f.reason.data, Actor.from_request()
        ),
        "已退回经办人修改。",
    )


def _render_publish(suggestion, form, status=200, chosen=None):
    reply = services.latest_approved_reply(suggestion)
    photos = [a for a in reply.attachments if a.is_image] if reply else []
    if chosen is None:
        chosen = {a.id for a in photos if a.published_at is not None}
    return no_store(
        (
            render_template(
                "suggestions/handling/publish.html",
                suggestion=suggestion,
                reply=reply,
                photos=photos,
                chosen=chosen,
                form=form,
                to_review=publication.personal_data(
                    (form.description.data or "") + "\n" + (form.text.data or ""),
                    suggestion,
                ),
            ),
            status,
        )
    )


@bp.route("/<int:suggestion_id>/publish", methods=["GET", "POST"])
@roles_required(*SUPERVISION_MANAGERS)
def publish_reply(suggestion_id):
    """Publish the approved reply, de-personalised (phone and ID numbers masked,
    then edited by staff)."""
    suggestion = _managed(suggestion_id)
    reply = services.latest_approved_reply(suggestion)
    if request.method == "GET":
        if reply is None or suggestion.status != Status.REPLIED:
            flash("只有审核通过的答复可以公开。", "warning")
            return redirect(url_for(".show_suggestion", suggestion_id=suggestion_id))
        published = suggestion.reply_published_at is not None
        form = PublishForm(
            formdata=None,
            version=suggestion.version,
            text=(
                suggestion.published_reply
                if published
                else publication.depersonalise(reply.text, suggestion)
            ),
            description=(
                suggestion.published_description
                if published and suggestion.published_description
                else publication.depersonalise(suggestion.description, suggestion)
            ),
        )
        return _render_publish(suggestion, form)
    form = PublishForm()
    chosen = {int(v) for v in request.form.getlist("photo") if v.isdigit()}
    if not form.validate_on_submit():
        return _render_publish(suggestion, form, 400, chosen)
    try:
        services.publish_reply(
            suggestion,
            form.version.data,
            form.text.data,
            Actor.from_request(),
            description=form.description.data,
            photo_ids=chosen,
        )
    except StaleForm as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return redirect(url_for(".show_suggestion", suggestion_id=suggestion_id))
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for(".show_suggestion", suggestion_id=suggestion_id))
    db.session.commit()
    flash("答复已公开，反映人可在查询页面看到。", "success")
    return redirect(url_for(".show_suggestion", suggestion_id=suggestion_id))


@bp.get("/<int:suggestion_id>/files/<int:attachment_id>")
@roles_required(*CASE_WORKERS)
def download_attachment(suggestion_id, attachment_id):
    """A submission or reply attachment, for staff managing the item and the
    assigned agency's handlers; every download is audited. Others: 404."""
    attachment = db.session.get(SuggestionAttachment, attachment_id)
    if attachment is None or attachment.suggestion_id != suggestion_id:
        abort(404)
    suggestion = attachment.suggestion
    if not (
        (
            current_user.has_role(*SUPERVISION_MANAGERS)
            and access.can_manage(current_user, suggestion)
        )
        or access.can_handle(current_user, suggestion)
    ):
        abort(404)
    if not storage.get_storage().exists(uploads.key(attachment.stored_name)):
        abort(404)
    audit.record(
        "suggestion_attachment_downloaded",
        Actor.from_request(),
        suggestion,
        after={"attachment": attachment.id, "name": attachment.original_name},
    )
    db.session.commit()
    response = uploads.send(
        attachment.stored_name,
        as_attachment=True,
        download_name=attachment.original_name or attachment.stored_name,
        mimetype=attachment.mime,
        max_age=0,
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
