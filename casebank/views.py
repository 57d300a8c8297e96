"""Benchmark catalogue screens: browse, search, import (preview → commit), export,
publish and withdraw (/casebank/catalogues …)."""

import io
import json
import os
import re
import secrets
from datetime import date

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from casebank import documents, queries, services
from casebank.cases.checks import enqueue_pending
from casebank.forms import CatalogueConfirmForm, CatalogueUploadForm, WithdrawForm
from casebank.models import BenchmarkCatalogue, CatalogueVersion, VersionStatus
from casebank.queries import can_manage
from portal import storage
from portal.actor import Actor
from portal.auth.decorators import roles_required
from portal.auth.models import Role
from portal.auth.roles import SUPERVISION_MANAGERS
from portal.exceptions import DomainError
from portal.extensions import db
from portal.orgs.models import Domain, Organisation

bp = Blueprint("casebank", __name__, template_folder="templates")

READERS = tuple(Role)  # every signed-in staff role; anonymous visitors never
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_SUFFIXES = (".json", ".xlsx")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _date_arg(name):
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None, ""
    try:
        return date.fromisoformat(raw), raw
    except ValueError:
        flash(f"日期“{raw}”格式不正确，应为 YYYY-MM-DD。", "warning")
        return None, ""


@bp.get("/catalogues")
@roles_required(*READERS)
def list_catalogues():
    """Search catalogues by text, domain, issuer and the date in force."""
    q = (request.args.get("q") or "").strip()[:100]
    issuer = (request.args.get("issuer") or "").strip()[:100]
    domain_id = request.args.get("domain_id", type=int)
    on, on_text = _date_arg("on")
    stmt = queries.search_catalogues(q, domain_id, issuer, on)
    page = db.paginate(stmt, per_page=30, error_out=False)
    today = queries.china_today()
    in_force = {c.id: queries.version_in_force(c, on or today) for c in page.items}
    domains = db.session.scalars(sa.select(Domain).order_by(Domain.id)).all()
    return render_template(
        "casebank/catalogue_list.html",
        page=page,
        in_force=in_force,
        domains=domains,
        q=q,
        issuer=issuer,
        domain_id=domain_id,
        on=on_text,
        may_import=current_user.has_role(*SUPERVISION_MANAGERS),
    )


def _catalogue_or_404(catalogue_id):
    return db.get_or_404(BenchmarkCatalogue, catalogue_id)


def _version_or_404(version_id):
    """A version the current user may see (drafts only for its managers)."""
    version = db.get_or_404(CatalogueVersion, version_id)
    if version.status == VersionStatus.DRAFT and not can_manage(
        current_user, version.catalogue
    ):
        abort(404)
    return version


@bp.get("/catalogues/<int:catalogue_id>")
@roles_required(*READERS)
def show_catalogue(catalogue_id):
    """A catalogue and its version history."""
    catalogue = _catalogue_or_404(catalogue_id)
    versions = db.session.scalars(queries.visible_versions(catalogue, current_user))
    return render_template(
        "casebank/catalogue_show.html",
        catalogue=catalogue,
        versions=list(versions),
        current=queries.version_in_force(catalogue, queries.china_today()),
        manage=can_manage(current_user, catalogue),
    )


@bp.get("/versions/<int:version_id>")
@roles_required(*READERS)
def show_version(version_id):
    """One version: general rules and each item's tiers as tables."""
    version = _version_or_404(version_id)
    q = (request.args.get("q") or "").strip()[:100]
    items = db.session.scalars(queries.search_items(version, q)).all()
    return render_template(
        "casebank/version_show.html",
        version=version,
        catalogue=version.catalogue,
        items=items,
        q=q,
        manage=can_manage(current_user, version.catalogue),
        withdraw_form=WithdrawForm(),
    )


@bp.get("/versions/<int:version_id>/export.<fmt>")
@roles_required(*READERS)
def export_version(version_id, fmt):
    """Download a version as zhifa.benchmarks/1 JSON or as the .xlsx template."""
    from casebank.xlsx import write_xlsx

    version = _version_or_404(version_id)
    document = queries.export_document(version)
    stem = f"{version.catalogue.code}-{version.effective_from.isoformat()}"
    if fmt == "json":
        data = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
        return send_file(
            io.BytesIO(data),
            mimetype="application/json",
            as_attachment=True,
            download_name=f"{stem}.json",
        )
    if fmt == "xlsx":
        return send_file(
            io.BytesIO(write_xlsx(document)),
            mimetype=XLSX_MIME,
            as_attachment=True,
            download_name=f"{stem}.xlsx",
        )
    abort(404)


def _managed_version(version_id):
    version = _version_or_404(version_id)
    if not can_manage(current_user, version.catalogue):
        abort(403)
    return version


@bp.post("/versions/<int:version_id>/publish")
@roles_required(*SUPERVISION_MANAGERS)
def publish_version(version_id):
    """Publish a draft (closing the open-ended edition it supersedes)."""
    version = _managed_version(version_id)
    form = WithdrawForm()  # only its CSRF token is used
    if not form.validate_on_submit():
        abort(400)
    try:
        closed = services.publish_version(version, Actor.from_request())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        message = f"已发布：{version.period_label}。"
        if closed:
            message += "已将被取代版本的失效日期设为 " + "、".join(
                v.effective_to.isoformat() for v in closed
            )
        flash(message, "success")
        version_id = version.id
        enqueue_pending()  # cases the new version may change (marked by the service)
    return redirect(url_for("casebank.show_version", version_id=version_id))


@bp.post("/versions/<int:version_id>/withdraw")
@roles_required(*SUPERVISION_MANAGERS)
def withdraw_version(version_id):
    """Withdraw a version; it stays in the history, never in force."""
    version = _managed_version(version_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.withdraw_version(version, Actor.from_request(), form.reason.data or "")
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash("该版本已撤回。", "success")
        version_id = version.id
        enqueue_pending()
    return redirect(url_for("casebank.show_version", version_id=version_id))


@bp.get("/import/template.xlsx")
@roles_required(*SUPERVISION_MANAGERS)
def download_catalogue_template():
    """The blank .xlsx template with its instructions sheet."""
    from casebank.xlsx import build_template

    return send_file(
        io.BytesIO(build_template()),
        mimetype=XLSX_MIME,
        as_attachment=True,
        download_name="裁量基准导入模板.xlsx",
    )


# Import -------------------------------------------------------------------------


def _fill_choices(form):
    regions = db.session.scalars(queries.jurisdiction_choices(current_user)).all()
    form.jurisdiction_id.choices = [(0, "请选择")] + [
        (o.id, o.full_name) for o in regions
    ]
    catalogues = db.session.scalars(
        sa.select(BenchmarkCatalogue)
        .join(Organisation, BenchmarkCatalogue.jurisdiction_id == Organisation.id)
        .where(queries.managed_jurisdiction_filter(current_user))
        .order_by(BenchmarkCatalogue.code)
    ).all()
    form.catalogue_id.choices = [(0, "自动（按辖区和名称匹配或新建）")] + [
        (c.id, f"{c.code} {c.name}") for c in catalogues
    ]
    form.domain_ids.choices = [
        (d.id, d.name)
        for d in db.session.scalars(sa.select(Domain).order_by(Domain.id))
    ]


def _staging_key(token, suffix):
    if suffix not in IMPORT_SUFFIXES or not _TOKEN.match(token):
        abort(400)
    # In the shared storage (any node may receive the commit); imports/ is
    # purged by portal.jobs.purge_import_uploads.
    return storage.join("imports", f"catalogue-u{current_user.id}-{token}{suffix}")


def _choices_from(form):
    jurisdiction = db.session.get(Organisation, int(form.jurisdiction_id.data or 0))
    if jurisdiction is None or not can_manage(current_user, jurisdiction):
        abort(403)
    catalogue = None
    if form.catalogue_id.data and int(form.catalogue_id.data):
        catalogue = db.session.get(BenchmarkCatalogue, int(form.catalogue_id.data))
        if catalogue is None or not can_manage(current_user, catalogue):
            abort(403)
    ids = form.domain_ids.data
    if isinstance(ids, str):
        ids = [int(x) for x in ids.split(",") if x.strip().isdigit()]
    domains = None
    if ids:
        domains = db.session.scalars(
            sa.select(Domain).where(Domain.id.in_(ids)).order_by(Domain.id)
        ).all()
    return jurisdiction, catalogue, (form.code.data or "").strip() or None, domains


@bp.route("/import", methods=["GET", "POST"])
@roles_required(*SUPERVISION_MANAGERS)
def import_catalogue():
    """Upload a catalogue and preview it with every error; saves nothing."""
    form = CatalogueUploadForm()
    _fill_choices(form)
    if form.validate_on_submit():
        upload = form.file.data
        filename = os.path.basename(upload.filename or "")
        suffix = os.path.splitext(filename)[1].lower()
        if suffix not in IMPORT_SUFFIXES:
            form.file.errors.append("只接受 .json 或 .xlsx 文件")
        else:
            content = upload.read()
            jurisdiction, catalogue, code, domains = _choices_from(form)
            plan, errors, target = None, [], None
            try:
                plan = documents.read_document(filename, content)
            except documents.CatalogueImportError as exc:
                errors = exc.errors
            confirm = None
            if plan is not None:
                try:
                    target = services.check_import(
                        plan,
                        Actor.from_request(),
                        jurisdiction=jurisdiction,
                        catalogue=catalogue,
                        code=code,
                        publish=form.publish.data,
                    )
                except DomainError as exc:
                    errors = [exc.message]
            if plan is not None and not errors:
                if domains is None:
                    domains = services.detect_domains(plan.catalogue)
                token = secrets.token_urlsafe(24)
                storage.get_storage().save(
                    _staging_key(token, suffix), content, overwrite=True
                )
                # formdata=None: the values are ours, not the upload's fields.
                confirm = CatalogueConfirmForm(
                    formdata=None,
                    token=token,
                    filename=filename,
                    jurisdiction_id=str(jurisdiction.id),
                    catalogue_id=str(catalogue.id if catalogue else 0),
                    code=code or "",
                    domain_ids=",".join(str(d.id) for d in domains),
                    publish="1" if form.publish.data else "",
                )
            db.session.rollback()  # the preview saves nothing
            return render_template(
                "casebank/import_preview.html",
                plan=plan,
                errors=errors,
                confirm=confirm,
                filename=filename,
                jurisdiction=jurisdiction,
                target=target,
                domains=domains or [],
                publish=form.publish.data,
            ), (400 if errors else 200)
    status = 400 if form.is_submitted() else 200
    return render_template("casebank/import_upload.html", form=form), status


@bp.post("/import/commit")
@roles_required(*SUPERVISION_MANAGERS)
def commit_catalogue_import():
    """Save a previewed file in one transaction (a second submit saves nothing)."""
    form = CatalogueConfirmForm()
    token, filename = form.token.data or "", os.path.basename(form.filename.data or "")
    suffix = os.path.splitext(filename)[1].lower()
    if (
        not form.validate_on_submit()
        or not _TOKEN.match(token)
        or suffix not in IMPORT_SUFFIXES
    ):
        flash("导入请求无效，请重新上传文件。", "danger")
        return redirect(url_for("casebank.import_catalogue"))
    key = _staging_key(token, suffix)
    backend = storage.get_storage()
    if not backend.exists(key):
        flash(
            "该导入已完成或已过期（重复提交不会重复导入），请在目录中核对。", "warning"
        )
        return redirect(url_for("casebank.list_catalogues"))
    content = backend.read(key)
    jurisdiction, catalogue, code, domains = _choices_from(form)
    try:
        plan = documents.read_document(filename, content)
        version = services.import_catalogue(
            plan,
            Actor.from_request(),
            jurisdiction=jurisdiction,
            catalogue=catalogue,
            code=code,
            domains=domains,
            source_format=suffix.lstrip("."),
            filename=filename,
            publish=form.publish.data == "1",
        )
    except DomainError as exc:
        db.session.rollback()
        flash(f"未导入：{exc.message}", "danger")
        return redirect(url_for("casebank.import_catalogue"))
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        # A concurrent submit of the same file won the race; nothing more is saved.
        db.session.rollback()
        flash("该文件已被同时导入，本次未重复导入。", "warning")
        return redirect(url_for("casebank.list_catalogues"))
    backend.delete(key)
    flash(f"已导入 {len(version.items)} 个事项（{version.status_label}）。", "success")
    version_id = version.id
    if version.status == VersionStatus.PUBLISHED:
        enqueue_pending()
    return redirect(url_for("casebank.show_version", version_id=version_id))
