import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import SelectChoice

from portal.actor import Actor
from portal.auth.decorators import roles_required
from portal.auth.models import Role
from portal.auth.queries import can_manage_org, organisations_visible_to
from portal.auth.roles import TRAINING_ADMINS
from portal.exceptions import DomainError
from portal.extensions import db
from portal.orgs import bp, services
from portal.orgs.forms import OrgEditForm, OrgForm
from portal.orgs.models import Domain, Organisation


def _domain_choices():
    return [
        SelectChoice(d.id, d.name)
        for d in db.session.scalars(sa.select(Domain).order_by(Domain.id))
    ]


def _selected_domains(ids):
    if not ids:
        return []
    return list(db.session.scalars(sa.select(Domain).where(Domain.id.in_(ids))))


@bp.get("/")
@roles_required(*TRAINING_ADMINS)
def list_orgs():
    """The organisation tree within the admin's scope."""
    orgs = db.session.scalars(organisations_visible_to(current_user)).all()
    return render_template("orgs/org_list.html", orgs=orgs)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.SYS_ADMIN)
def create_org():
    """Add a region or an enforcement agency."""
    form = OrgForm()
    orgs = db.session.scalars(organisations_visible_to(current_user)).all()
    form.parent_id.choices = [SelectChoice(0, "（无，作为市级根节点）")] + [
        SelectChoice(o.id, "　" * o.depth + o.name) for o in orgs
    ]
    form.domain_ids.choices = _domain_choices()
    if form.validate_on_submit():
        parent = (
            db.session.get(Organisation, form.parent_id.data)
            if form.parent_id.data
            else None
        )
        try:
            org = services.create_org(
                form.code.data.strip(),
                form.name.data.strip(),
                form.kind.data,
                parent,
                Actor.from_request(),
                domains=_selected_domains(form.domain_ids.data),
            )
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return render_template(
                "orgs/org_form.html", form=form, title="新增组织"
            ), 400
        db.session.commit()
        flash(f"已创建 {org.name}。", "success")
        return redirect(url_for("orgs.list_orgs"))
    status = 400 if form.is_submitted() else 200
    return render_template("orgs/org_form.html", form=form, title="新增组织"), status


@bp.route("/<int:org_id>/edit", methods=["GET", "POST"])
@roles_required(*TRAINING_ADMINS)
def edit_org(org_id):
    """Rename an organisation or change its enforcement domains."""
    org = db.get_or_404(Organisation, org_id)
    if not can_manage_org(current_user, org):
        abort(403)
    form = OrgEditForm(obj=org)
    form.domain_ids.choices = _domain_choices()
    if not form.is_submitted():
        form.domain_ids.data = [d.id for d in org.domains]
    if form.validate_on_submit():
        services.update_org(
            org,
            form.name.data.strip(),
            _selected_domains(form.domain_ids.data),
            Actor.from_request(),
        )
        db.session.commit()
        flash("已保存。", "success")
        return redirect(url_for("orgs.list_orgs"))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "orgs/org_form.html", form=form, title=f"编辑 {org.name}", org=org
    ), status
