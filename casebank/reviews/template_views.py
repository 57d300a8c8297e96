"""Scoring template screens: the current version, history, publish a new one."""

from flask import abort, flash, redirect, render_template, url_for

from casebank.reviews import bp, services
from casebank.reviews.forms import TemplateForm
from casebank.reviews.models import ScoreTemplate
from casebank.reviews.queries import template_versions
from casebank.reviews.template_text import TemplateErrors, dump, parse
from portal.actor import Actor
from portal.auth.decorators import roles_required
from portal.auth.roles import SUPERVISION_MANAGERS
from portal.exceptions import DomainError
from portal.extensions import db


@bp.get("/review-templates")
@roles_required(*SUPERVISION_MANAGERS)
def list_templates():
    """The current template and every earlier version."""
    services.ensure_template(Actor.from_request())
    db.session.commit()
    versions = template_versions()
    return render_template(
        "reviews/template_list.html", versions=versions, template=versions[0]
    )


@bp.get("/review-templates/<int:template_id>")
@roles_required(*SUPERVISION_MANAGERS)
def show_template(template_id):
    """One template version as a table."""
    template = db.session.get(ScoreTemplate, template_id)
    if template is None:
        abort(404)
    return render_template(
        "reviews/template_list.html", versions=template_versions(), template=template
    )


@bp.route("/review-templates/new", methods=["GET", "POST"])
@roles_required(*SUPERVISION_MANAGERS)
def publish_template():
    """Edit the text of the current template and publish it as a new version."""
    actor = Actor.from_request()
    current = services.ensure_template(actor)
    db.session.commit()
    form = TemplateForm()
    errors = []
    if form.validate_on_submit():
        try:
            parsed = parse(form.text.data)
            template = services.publish_template(parsed, actor)
        except TemplateErrors as exc:
            errors = exc.errors
        except DomainError as exc:
            db.session.rollback()
            errors = [exc.message]
        else:
            db.session.commit()
            flash(f"评分模板第{template.version}版已发布。", "success")
            return redirect(url_for("reviews.show_template", template_id=template.id))
    elif not form.is_submitted():
        form.text.data = dump(current)
    status = 400 if form.is_submitted() else 200
    return (
        render_template(
            "reviews/template_edit.html", form=form, errors=errors, current=current
        ),
        status,
    )
