"""The consistency report (行政执法监督: 罚款裁量一致性报告): page, .xlsx, PDF."""

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, render_template, request
from flask_login import current_user

from casebank.consistency import exports, report, services
from casebank.supervision import sampling
from portal.auth.decorators import roles_required
from portal.auth.models import Role
from portal.auth.roles import SUPERVISION_MANAGERS
from portal.extensions import db
from portal.orgs.models import Organisation

bp = Blueprint("consistency", __name__, template_folder="templates")


def report_organisations(user) -> list[Organisation]:
    """The organisations whose report ``user`` may see (their supervision scope)."""
    stmt = sa.select(Organisation).order_by(Organisation.path)
    if not user.has_role(Role.SYS_ADMIN):
        paths = [s.path for s in user.scopes_for(Role.SUPERVISION_STAFF)]
        if not paths:
            return []
        stmt = stmt.where(
            sa.or_(*(Organisation.path.startswith(p, autoescape=True) for p in paths))
        )
    return list(db.session.scalars(stmt))


def _request_report():
    """(organisations, chosen org, period, report or None) from the query."""
    orgs = report_organisations(current_user)
    org_id = request.args.get("org_id", type=int)
    org = next((o for o in orgs if o.id == org_id), None)
    if org_id is not None and org is None:
        abort(404)
    period_text = (request.args.get("period") or "").strip()[:8]
    period = None
    if period_text:
        try:
            period = sampling.parse_period(period_text)
        except sampling.PeriodError as exc:
            flash(str(exc), "warning")
    result = None
    if org is not None and period is not None:
        result = report.build_report(
            org,
            period,
            int(services.configured_rule().min_group),
            services.configured_scope(),
        )
    return orgs, org, period, result


@bp.get("/report")
@roles_required(*SUPERVISION_MANAGERS)
def show_report():
    """The report page for a period and an organisation (tables + charts)."""
    orgs, org, period, result = _request_report()
    return render_template(
        "consistency/report.html",
        orgs=orgs,
        org=org,
        period_text=period.key if period else (request.args.get("period") or ""),
        report=result,
        tables=exports.TABLES,
        parameter_lines=exports.parameter_lines(result) if result else [],
    )


@bp.get("/report.xlsx")
@roles_required(*SUPERVISION_MANAGERS)
def download_report_xlsx():
    """The report as an Excel workbook."""
    _, _, _, result = _request_report()
    if result is None:
        abort(404)
    return _download(
        exports.to_xlsx(result),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        result,
        "xlsx",
    )


@bp.get("/report.pdf")
@roles_required(*SUPERVISION_MANAGERS)
def download_report_pdf():
    """The report as a PDF."""
    _, _, _, result = _request_report()
    if result is None:
        abort(404)
    return _download(exports.to_pdf(result), "application/pdf", result, "pdf")


def _download(data, mimetype, result, ext):
    from urllib.parse import quote

    params = result["parameters"]
    name = f"罚款裁量一致性报告_{params['organisation_code']}_{params['period']}.{ext}"
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=consistency-report.{ext}; filename*=UTF-8''{quote(name)}"
    )
    return response
