"""Certificate pages: the holder's list and PDF, the admin list, detail, export and
status changes, and the public verification page ``/verify/<code>``."""

import io

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf, DataRequired, Length

from exams.attempts.services import is_released
from exams.certs import bp, queries, services
from exams.certs.export import MAX_ROWS, certificates_workbook
from exams.certs.models import Certificate
from exams.certs.pdf import render_certificate
from portal import audit
from portal.actor import Actor
from portal.auth import photos
from portal.auth.decorators import public, roles_required
from portal.auth.roles import LEARNERS, TRAINING_ADMINS
from portal.errors import render_error
from portal.exceptions import DomainError
from portal.extensions import db, limiter
from portal.timeutil import to_local, utcnow

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class StatusForm(FlaskForm):
    action = HiddenField(
        validators=[AnyOf(list(services.ADMIN_ACTIONS), message="未知的操作")]
    )
    reason = StringField(
        "原因",
        validators=[DataRequired("请填写原因"), Length(max=200, message="原因过长")],
    )


def _base_url():
    return current_app.config.get("CERT_VERIFY_BASE_URL") or request.host_url


def _visible_to_holder(certificate, now):
    """A holder sees a certificate once the result that earned it is released."""
    return certificate.holder_id == current_user.id and is_released(
        certificate.attempt, now
    )


@bp.get("/certificates/")
@roles_required(*LEARNERS)
def my_certificates():
    """我的证书: the signed-in holder's certificates with download links."""
    now = utcnow()
    mine = db.session.scalars(queries.certificates_of(current_user.id)).all()
    shown = [c for c in mine if _visible_to_holder(c, now)]
    return render_template("certs/my_certificates.html", certificates=shown, now=now)


@bp.get("/certificates/<int:certificate_id>.pdf")
@roles_required(*LEARNERS, *TRAINING_ADMINS)
def download_certificate(certificate_id):
    """The certificate PDF: the holder's own, or any in an administrator's scope."""
    now = utcnow()
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        abort(404)
    allowed = _visible_to_holder(certificate, now)
    if not allowed and current_user.has_role(*TRAINING_ADMINS):
        allowed = queries.certificate_in_scope(current_user, certificate.id) is not None
    if not allowed:
        abort(404)
    url = services.verify_url(certificate, _base_url())
    content = render_certificate(
        certificate,
        url,
        now,
        issuer=services.issuer_name(certificate),
        photo=photos.load(certificate.holder.photo_key),
    )
    response = send_file(
        io.BytesIO(content),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"certificate-{certificate.number}.pdf",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _filters():
    """Read the list filters from the query string; bad values are reported and
    ignored."""
    args, errors = request.args, []
    status = args.get("status", "")
    if status not in queries.STATUS_FILTERS:
        errors.append("状态筛选无效，已忽略")
        status = ""
    expiring = None
    if args.get("expiring"):
        try:
            expiring = int(args["expiring"])
            if not 1 <= expiring <= 3650:
                raise ValueError
        except ValueError:
            errors.append("到期天数应为 1 至 3650 之间的整数，已忽略")
            expiring = None
    overdue = (
        current_app.config["CERT_REVIEW_INTERVAL_DAYS"]
        if args.get("overdue") == "1"
        else None
    )
    return {
        "status": status,
        "expiring_days": expiring,
        "overdue_days": overdue,
        "text": args.get("q", "")[:64],
    }, errors


@bp.get("/admin/certificates/")
@roles_required(*TRAINING_ADMINS)
def list_certificates():
    """Certificates in scope, filterable by status, expiry within N days and
    overdue 年度审验."""
    now = utcnow()
    filters, errors = _filters()
    stmt = queries.filtered_certificates(current_user, now, **filters)
    page = db.paginate(stmt, per_page=50, error_out=False)
    return render_template(
        "certs/certificate_list.html",
        page=page,
        filters=filters,
        errors=errors,
        statuses=queries.STATUS_FILTERS,
        default_days=current_app.config["CERT_EXPIRING_DAYS"],
        review_days=current_app.config["CERT_REVIEW_INTERVAL_DAYS"],
        validity_years=int(current_app.config.get("CERT_VALIDITY_YEARS", 3)),
        now=now,
    )


@bp.get("/admin/certificates/export.xlsx")
@roles_required(*TRAINING_ADMINS)
def export_certificates():
    """The filtered list as Excel (ID numbers masked); the export is audited."""
    now = utcnow()
    filters, _ = _filters()
    stmt = queries.filtered_certificates(current_user, now, **filters)
    certificates = db.session.scalars(stmt.limit(MAX_ROWS)).all()
    content = certificates_workbook(certificates, now)
    audit.record(
        "certificates_exported",
        Actor.from_request(),
        after={
            "条数": len(certificates),
            "筛选": {k: v for k, v in filters.items() if v},
        },
    )
    db.session.commit()
    stamp = to_local(now).strftime("%Y%m%d-%H%M%S")
    return send_file(
        io.BytesIO(content),
        mimetype=XLSX_MIME,
        as_attachment=True,
        download_name=f"certificates-{stamp}.xlsx",
    )


def _in_scope_or_404(certificate_id):
    certificate = queries.certificate_in_scope(current_user, certificate_id)
    if certificate is None:
        abort(404)
    return certificate


def _render_detail(certificate, form=None, error=None, status=200):
    now = utcnow()
    history = db.session.scalars(queries.certificate_history(certificate)).all()
    return render_template(
        "certs/certificate_show.html",
        certificate=certificate,
        history=history,
        form=form or StatusForm(),
        error=error,
        verify_url=services.verify_url(certificate, _base_url()),
        issuer=services.issuer_name(certificate),
        now=now,
    ), status


@bp.get("/admin/certificates/<int:certificate_id>")
@roles_required(*TRAINING_ADMINS)
def show_certificate(certificate_id):
    """One certificate: its fields, its history and the status actions."""
    return _render_detail(_in_scope_or_404(certificate_id))


@bp.get("/admin/certificates/<int:certificate_id>/photo.jpg")
@roles_required(*TRAINING_ADMINS)
def certificate_photo(certificate_id):
    """The holder's ID photo, for the certificate page of an administrator in
    whose scope the certificate is (never on a public page)."""
    return photos.response(_in_scope_or_404(certificate_id).holder.photo_key)


@bp.post("/admin/certificates/<int:certificate_id>/status")
@roles_required(*TRAINING_ADMINS)
def change_certificate_status(certificate_id):
    """Suspend (暂扣), revoke (注销) or reinstate (恢复) with a reason; audited."""
    certificate = _in_scope_or_404(certificate_id)
    form = StatusForm()
    if not form.validate_on_submit():
        return _render_detail(certificate, form, status=400)
    try:
        services.change_status(
            certificate,
            form.action.data,
            form.reason.data,
            Actor.from_request(),
            utcnow(),
        )
    except DomainError as exc:
        db.session.rollback()
        return _render_detail(certificate, form, error=exc.message, status=400)
    db.session.commit()
    labels = {"suspend": "已暂扣", "revoke": "已注销", "reinstate": "已恢复"}
    flash(f"证书 {certificate.number} {labels[form.action.data]}。", "success")
    return redirect(url_for("certs.show_certificate", certificate_id=certificate.id))


@bp.get("/verify")
@public
@limiter.limit(lambda: current_app.config["CERT_VERIFY_RATE_LIMIT"])
def lookup_certificate():
    """Public lookup by certificate number + holder name (a photocopy whose QR
    code cannot be read). Rate-limited like /verify/<code>; the result shows the
    same masked fields; a miss never says which of the two was wrong."""
    number = request.args.get("number", "")[:40]
    name = request.args.get("name", "")[:50]
    certificate = None
    searched = bool(number.strip() or name.strip())
    if searched:
        certificate = queries.certificate_by_number_and_name(number, name)
    now = utcnow()
    response = make_response(
        render_template(
            "certs/lookup.html",
            number=number,
            name=name,
            searched=searched,
            certificate=certificate,
            status=certificate.effective_status(now) if certificate else None,
            status_label=certificate.status_label(now) if certificate else None,
            issuer=services.issuer_name(certificate) if certificate else None,
            now=now,
        ),
        404 if searched and certificate is None else 200,
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/verify/<code>")
@public
@limiter.limit(lambda: current_app.config["CERT_VERIFY_RATE_LIMIT"])
def verify_certificate(code):
    """Public verification (no login): name, masked ID, number, domains, whether
    a photo is on file (never the photo), status and expiry only."""
    certificate = queries.certificate_by_code(code)
    if certificate is None:
        return render_error(404, "未找到该证书，请核对二维码或链接是否完整。")
    now = utcnow()
    response = make_response(
        render_template(
            "certs/verify.html",
            certificate=certificate,
            status=certificate.effective_status(now),
            status_label=certificate.status_label(now),
            issuer=services.issuer_name(certificate),
            now=now,
        )
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
