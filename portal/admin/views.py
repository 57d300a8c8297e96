import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from portal.actor import Actor
from portal.admin import bp, services
from portal.admin.forms import GrantRoleForm, UserEditForm, UserFilterForm, UserForm
from portal.auth import photos
from portal.auth import services as auth_services
from portal.auth.decorators import roles_required
from portal.auth.forms import PhotoForm
from portal.auth.models import Role, User, UserRole
from portal.auth.queries import (
    can_manage_user,
    grantable_roles,
    organisations_visible_to,
    users_visible_to,
)
from portal.auth.roles import TRAINING_ADMINS
from portal.auth.session import start_session
from portal.exceptions import DomainError
from portal.extensions import db
from portal.orgs.models import Domain, Organisation
from portal.timeutil import utcnow


def _org_choices():
    orgs = db.session.scalars(organisations_visible_to(current_user))
    return [SelectChoice(o.id, "　" * o.depth + o.name) for o in orgs]


def _domain_choices():
    return [
        SelectChoice(d.id, d.name)
        for d in db.session.scalars(sa.select(Domain).order_by(Domain.id))
    ]


def _domains(ids):
    if not ids:
        return []
    return list(db.session.scalars(sa.select(Domain).where(Domain.id.in_(ids))))


def _managed_user_or_404(user_id):
    user = db.get_or_404(User, user_id)
    if not can_manage_user(current_user, user):
        abort(403)
    return user


@bp.get("/")
@roles_required(*TRAINING_ADMINS)
def index():
    """Administration home."""
    return redirect(url_for("admin.list_users"))


@bp.get("/users")
@roles_required(*TRAINING_ADMINS)
def list_users():
    """Accounts within the admin's scope, filterable by keyword, unit and role."""
    form = UserFilterForm(request.args)
    form.organisation_id.choices = [SelectChoice(0, "全部单位")] + _org_choices()
    form.role.choices = [SelectChoice("", "全部角色")] + [
        SelectChoice(r.value, r.label) for r in Role
    ]
    query = users_visible_to(current_user)
    if form.q.data:
        like = f"%{form.q.data.strip()}%"
        query = query.where(
            sa.or_(
                User.username.ilike(like),
                User.name.ilike(like),
                User.cert_number.ilike(like),
            )
        )
    if form.organisation_id.data:
        org = db.session.get(Organisation, form.organisation_id.data)
        if org is not None:
            query = query.where(Organisation.path.startswith(org.path, autoescape=True))
    if form.role.data in {r.value for r in Role}:
        query = query.where(User.roles.any(UserRole.role == form.role.data))
    page = db.paginate(query, per_page=30, error_out=False)
    return render_template("admin/user_list.html", page=page, form=form, now=utcnow())


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(*TRAINING_ADMINS)
def create_user():
    """Create one account; its initial password is shown once."""
    form = UserForm()
    form.organisation_id.choices = _org_choices()
    form.domain_ids.choices = _domain_choices()
    if form.validate_on_submit():
        try:
            user, password = services.create_user(
                Actor.from_request(),
                username=form.username.data.strip(),
                name=form.name.data.strip(),
                organisation=db.session.get(Organisation, form.organisation_id.data),
                id_number=form.id_number.data,
                phone=form.phone.data,
                cert_number=form.cert_number.data,
                contact_point=form.contact_point.data,
                domains=_domains(form.domain_ids.data),
            )
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return render_template(
                "admin/user_form.html", form=form, title="新增用户"
            ), 400
        db.session.commit()
        flash(
            f"已创建用户 {user.username}，初始密码：{password}（仅显示一次，首次登录须修改）",
            "success",
        )
        return redirect(url_for("admin.edit_user", user_id=user.id))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/user_form.html", form=form, title="新增用户"), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(*TRAINING_ADMINS)
def edit_user(user_id):
    """Edit an account's profile and see its roles."""
    user = _managed_user_or_404(user_id)
    form = UserEditForm(obj=user)
    form.organisation_id.choices = _org_choices()
    form.domain_ids.choices = _domain_choices()
    if not form.is_submitted():
        form.domain_ids.data = [d.id for d in user.domains]
        # Personal numbers are never echoed back in full: blank means "unchanged".
        form.id_number.data = form.phone.data = ""
    grant_form = _grant_form(user)
    if form.validate_on_submit():
        try:
            changes = {
                "name": form.name.data.strip(),
                "organisation": db.session.get(Organisation, form.organisation_id.data),
                "cert_number": form.cert_number.data or None,
                "contact_point": form.contact_point.data or None,
                "domains": _domains(form.domain_ids.data),
            }
            if form.id_number.data:
                changes["id_number"] = form.id_number.data
            if form.phone.data:
                changes["phone"] = form.phone.data
            services.update_user(user, Actor.from_request(), **changes)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash("已保存。", "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    status = 400 if form.is_submitted() else 200
    return _render_edit(user, form, grant_form), status


def _render_edit(user, form, grant_form, photo_form=None, photo_error=None):
    return render_template(
        "admin/user_edit.html",
        user=user,
        form=form,
        grant_form=grant_form,
        photo_form=photo_form or PhotoForm(prefix="photo"),
        photo_error=photo_error,
        grantable={r.value for r in grantable_roles(current_user)},
        now=utcnow(),
    )


def _grant_form(user):
    form = GrantRoleForm(prefix="grant")
    form.role.choices = [
        SelectChoice(r.value, r.label) for r in grantable_roles(current_user)
    ]
    form.scope_id.choices = [SelectChoice(0, "（不限定 / 不适用）")] + _org_choices()
    return form


def _keep_own_session(user):
    """A role change ends the user's sessions; an admin editing themselves stays in."""
    if user.id == current_user.id:
        start_session(user)


@bp.post("/users/<int:user_id>/roles")
@roles_required(*TRAINING_ADMINS)
def grant_role(user_id):
    """Grant a role, with its organisation scope when the role needs one."""
    user = _managed_user_or_404(user_id)
    form = _grant_form(user)
    if form.validate_on_submit():
        scope = (
            db.session.get(Organisation, form.scope_id.data)
            if form.scope_id.data
            else None
        )
        services.grant_role(
            user, Role(form.role.data), Actor.from_request(), scope=scope
        )
        db.session.commit()
        _keep_own_session(user)
        flash("已授予角色。", "success")
    else:
        flash("请选择有效的角色和范围。", "danger")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.post("/users/<int:user_id>/roles/<int:grant_id>/revoke")
@roles_required(*TRAINING_ADMINS)
def revoke_role(user_id, grant_id):
    """Remove one role grant."""
    user = _managed_user_or_404(user_id)
    grant = db.get_or_404(UserRole, grant_id)
    if grant.user_id != user.id:
        abort(404)
    services.revoke_role(user, grant, Actor.from_request())
    db.session.commit()
    _keep_own_session(user)
    flash("已撤销角色。", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.post("/users/<int:user_id>/reset-password")
@roles_required(*TRAINING_ADMINS)
def reset_password(user_id):
    """Reset to a random password that must be changed at next login."""
    user = _managed_user_or_404(user_id)
    temporary = auth_services.reset_password(user, Actor.from_request())
    db.session.commit()
    flash(
        f"已重置 {user.username} 的密码，临时密码：{temporary}（仅显示一次）", "success"
    )
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.post("/users/<int:user_id>/unlock")
@roles_required(*TRAINING_ADMINS)
def unlock_user(user_id):
    """Lift a login lockout."""
    user = _managed_user_or_404(user_id)
    auth_services.unlock_user(user, Actor.from_request())
    db.session.commit()
    flash("已解除锁定。", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.post("/users/<int:user_id>/active")
@roles_required(*TRAINING_ADMINS)
def set_user_active(user_id):
    """Enable or disable an account."""
    user = _managed_user_or_404(user_id)
    if user.id == current_user.id:
        flash("不能停用自己的账号。", "danger")
    else:
        active = request.form.get("active") == "1"
        auth_services.set_active(user, active, Actor.from_request())
        db.session.commit()
        flash("账号已启用。" if active else "账号已停用。", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.post("/users/<int:user_id>/photo")
@roles_required(*TRAINING_ADMINS)
def upload_user_photo(user_id):
    """Upload or replace the ID photo (证件照) of an account in scope (audited)."""
    user = _managed_user_or_404(user_id)
    photo_form = PhotoForm(prefix="photo")
    error = None
    if photo_form.validate_on_submit():
        try:
            stored, digest = photos.accept(photo_form.photo.data)
            replaced = auth_services.set_photo(
                user, stored, digest, Actor.from_request()
            )
        except DomainError as exc:
            db.session.rollback()
            error = exc.message
        else:
            db.session.commit()
            photos.discard(replaced)
            flash("证件照已更换。" if replaced else "证件照已上传。", "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    form = UserEditForm(obj=user, formdata=None)
    form.organisation_id.choices = _org_choices()
    form.domain_ids.choices = _domain_choices()
    form.domain_ids.data = [d.id for d in user.domains]
    form.id_number.data = form.phone.data = ""
    return _render_edit(user, form, _grant_form(user), photo_form, error), 400


@bp.post("/users/<int:user_id>/photo/delete")
@roles_required(*TRAINING_ADMINS)
def delete_user_photo(user_id):
    """Remove the ID photo of an account in scope (audited)."""
    user = _managed_user_or_404(user_id)
    try:
        removed = auth_services.remove_photo(user, Actor.from_request())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
    else:
        db.session.commit()
        photos.discard(removed)
        flash("证件照已删除。", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.get("/users/<int:user_id>/photo.jpg")
@roles_required(*TRAINING_ADMINS)
def user_photo_file(user_id):
    """The ID photo of an account in scope (never cached)."""
    return photos.response(_managed_user_or_404(user_id).photo_key)
