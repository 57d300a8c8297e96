import io

from flask import render_template, request, send_file
from wtforms import SelectChoice

from portal import audit
from portal.actor import Actor
from portal.audit import ACTION_LABELS, bp
from portal.audit.export import MAX_ROWS, audit_workbook
from portal.audit.forms import AuditFilterForm
from portal.audit.queries import filtered_entries
from portal.auth.decorators import roles_required
from portal.auth.models import Role
from portal.extensions import db
from portal.timeutil import to_local, utcnow


def _filter_form():
    form = AuditFilterForm(request.args)
    form.action.choices = [SelectChoice("", "全部操作")] + [
        SelectChoice(action, label)
        for action, label in sorted(ACTION_LABELS.items(), key=lambda kv: kv[1])
    ]
    form.validate()  # bad dates simply show their error and are ignored
    return form


def _query(form):
    return filtered_entries(
        action=form.action.data or None,
        actor=(form.actor.data or "").strip() or None,
        target=(form.target.data or "").strip() or None,
        ip=(form.ip.data or "").strip() or None,
        date_from=form.date_from.data if not form.date_from.errors else None,
        date_to=form.date_to.data if not form.date_to.errors else None,
    )


@bp.get("/")
@roles_required(Role.SYS_ADMIN)
def list_entries():
    """Browse the audit log with filters. There is no edit or delete."""
    form = _filter_form()
    page = db.paginate(_query(form), per_page=50, error_out=False)
    return render_template("audit/audit_list.html", form=form, page=page)


@bp.get("/export.xlsx")
@roles_required(Role.SYS_ADMIN)
def export_entries():
    """Download the filtered entries as Excel (the export itself is audited)."""
    form = _filter_form()
    entries = db.session.scalars(_query(form).limit(MAX_ROWS)).all()
    content = audit_workbook(entries)
    audit.record(
        "audit_exported",
        Actor.from_request(),
        after={
            "条数": len(entries),
            "筛选": {k: v for k, v in request.args.items() if v},
        },
    )
    db.session.commit()
    stamp = to_local(utcnow()).strftime("%Y%m%d-%H%M%S")
    return send_file(
        io.BytesIO(content),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"audit-log-{stamp}.xlsx",
    )
