"""监督统计: the supervision dashboard and the labelled-data download."""

import json
from datetime import date

from flask import Response, flash, render_template, request, url_for
from flask_login import current_user

from casebank.cases.queries import agencies_for
from casebank.reviews import bp, stats
from casebank.reviews.queries import label_record, labels_visible_to
from nlp.codes import finding_label
from portal import audit
from portal.actor import Actor
from portal.auth.decorators import roles_required
from portal.auth.roles import SUPERVISION_MANAGERS
from portal.extensions import db
from portal.orgs.models import Domain

GRADE_COLOURS = {"优秀": "#198754", "合格": "#0d6efd", "不合格": "#dc3545"}


def _date(name):
    raw = (request.args.get(name) or "").strip()
    try:
        return (date.fromisoformat(raw), raw) if raw else (None, "")
    except ValueError:
        flash(f"日期“{raw[:20]}”格式不正确，应为 YYYY-MM-DD。", "warning")
        return None, ""


def chart_data(figures: dict) -> dict:
    """The ECharts inputs (plain lists) built from the dashboard figures."""
    codes = figures["codes"]
    return {
        "agencies": {
            "names": [a["name"] for a in figures["agencies"]],
            "cases": [a["cases"] for a in figures["agencies"]],
            "checked": [a["checked"] for a in figures["agencies"]],
            "flagged": [a["flagged"] for a in figures["agencies"]],
        },
        "codes": {
            "names": [finding_label(c["code"]) for c in codes],
            "findings": [c["findings"] for c in codes],
            "dismissal": [c["dismissal_rate"] for c in codes],
        },
        "positions": {
            "names": list(figures["positions"]),
            "values": list(figures["positions"].values()),
        },
        "grades": [
            {"name": k, "value": v, "itemStyle": {"color": GRADE_COLOURS[k]}}
            for k, v in figures["grades"].items()
        ],
    }


def overdue_opinions_for(user, filters):
    """The overdue 监督意见书 in ``user``'s scope (of the filtered agency), most
    overdue first; the agency and domain filters apply, the decision-date period
    does not (an opinion is overdue now, whatever the case's date)."""
    from casebank.opinions.queries import opinions_visible_to
    from portal.orgs.models import Organisation

    stmt = opinions_visible_to(user, agency_id=filters.agency_id, flag="overdue")
    if filters.domain:
        # In SQL before the LIMIT (the list joins the agency as Organisation);
        # the list eager-loads agency and case, so no query per row.
        stmt = stmt.where(Organisation.domains.any(Domain.code == filters.domain))
    result = []
    for opinion in db.session.scalars(stmt.limit(50)):
        result.append(
            {
                "title": f"{opinion.number}（案卷 {opinion.case.title}）",
                "agency": opinion.agency.name,
                "due": opinion.due_on.isoformat(),
                "url": url_for("opinions.show_opinion", opinion_id=opinion.id),
            }
        )
    return result


@bp.get("/dashboard")
@roles_required(*SUPERVISION_MANAGERS)
def show_dashboard():
    """Cases, findings, dismissal rates, fine positions and grades, filtered."""
    agencies = agencies_for(current_user)
    agency_id = request.args.get("agency_id", type=int)
    if agency_id not in {a.id for a in agencies}:
        agency_id = None
    domains = list(db.session.scalars(db.select(Domain).order_by(Domain.id)))
    domain = request.args.get("domain") or None
    if domain not in {d.code for d in domains}:
        domain = None
    date_from, from_text = _date("from")
    date_to, to_text = _date("to")
    filters = stats.Filters(agency_id, domain, date_from, date_to)
    figures = stats.dashboard(current_user, filters)
    return render_template(
        "reviews/dashboard.html",
        figures=figures,
        charts=chart_data(figures),
        agencies=agencies,
        domains=domains,
        filters={
            "agency_id": agency_id,
            "domain": domain or "",
            "from": from_text,
            "to": to_text,
        },
        overdue_opinions=overdue_opinions_for(current_user, filters),
    )


@bp.get("/labels.jsonl")
@roles_required(*SUPERVISION_MANAGERS)
def export_labels():
    """The finding labels of the cases in scope, one JSON object per line (audited)."""
    labels = list(db.session.scalars(labels_visible_to(current_user)))
    body = "".join(
        json.dumps(label_record(label), ensure_ascii=False) + "\n" for label in labels
    )
    audit.record(
        "finding_labels_exported",
        Actor.from_request(),
        label=f"检查发现标注数据（{len(labels)} 条）",
    )
    db.session.commit()
    return Response(
        body,
        mimetype="application/x-ndjson",
        headers={"Content-Disposition": "attachment; filename=finding-labels.jsonl"},
    )
