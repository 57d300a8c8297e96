"""Administrators: release results by hand, 考试统计 and its Excel exports, and the
item analysis (试题分析) of an arrangement.

Routes are on the ``exam_results`` blueprint (/admin/exams) and are scoped like the
arrangement routes: an arrangement outside the administrator's units is a 404, and
within a report a training administrator sees only candidates of their units.
"""

import io

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from exams.common import ADMINS, XLSX_MIME
from exams.papers.queries import arrangement_or_404
from exams.results import bp, report_xlsx, reports
from exams.results import services as results
from portal import audit
from portal.actor import Actor
from portal.auth.decorators import roles_required
from portal.auth.models import Role
from portal.auth.queries import scope_paths
from portal.exceptions import DomainError
from portal.extensions import db
from portal.timeutil import utcnow


def _back(arrangement):
    return redirect(
        url_for("exam_papers.show_arrangement", arrangement_id=arrangement.id)
    )


def _viewer_paths():
    """Organisation paths the signed-in administrator may see (None: all)."""
    if current_user.has_role(Role.SYS_ADMIN):
        return None
    return scope_paths(current_user, Role.TRAINING_ADMIN)


@bp.post("/arrangements/<int:arrangement_id>/results/release")
@roles_required(*ADMINS)
def release_results(arrangement_id):
    """公布成绩 (manual release); a second click changes nothing."""
    arrangement = arrangement_or_404(arrangement_id)
    try:
        changed = results.release_results(arrangement, Actor.from_request(), utcnow())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return _back(arrangement)
    db.session.commit()
    flash(
        "成绩已公布，考生现在可以查看。" if changed else "成绩此前已公布。", "success"
    )
    return _back(arrangement)


@bp.post("/arrangements/<int:arrangement_id>/results/withdraw")
@roles_required(*ADMINS)
def withdraw_results(arrangement_id):
    """撤回公布 (manual release made by mistake), with a reason."""
    arrangement = arrangement_or_404(arrangement_id)
    if not FlaskForm().validate_on_submit():
        flash("表单已过期，请重试。", "warning")
        return _back(arrangement)
    try:
        changed = results.withdraw_results(
            arrangement, Actor.from_request(), request.form.get("reason", "")[:200]
        )
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return _back(arrangement)
    db.session.commit()
    flash("已撤回成绩公布。" if changed else "成绩尚未公布。", "success")
    return _back(arrangement)


@bp.post("/arrangements/<int:arrangement_id>/results/settings")
@roles_required(*ADMINS)
def update_settings(arrangement_id):
    """成绩与阅卷设置: result rule, 双评 and tolerance, appeal period."""
    from decimal import Decimal, InvalidOperation

    arrangement = arrangement_or_404(arrangement_id)
    if not FlaskForm().validate_on_submit():
        flash("表单已过期，请重试。", "warning")
        return _back(arrangement)
    try:
        tolerance = Decimal(request.form.get("marking_tolerance", "").strip())
    except InvalidOperation:
        tolerance = None
    try:
        results.update_result_settings(
            arrangement,
            Actor.from_request(),
            result_policy=request.form.get("result_policy", ""),
            double_marking=request.form.get("double_marking") == "1",
            marking_tolerance=tolerance,
            appeal_days=request.form.get("appeal_days", type=int),
        )
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return _back(arrangement)
    db.session.commit()
    flash("成绩与阅卷设置已保存。", "success")
    return _back(arrangement)


@bp.get("/arrangements/<int:arrangement_id>/report")
@roles_required(*ADMINS)
def show_report(arrangement_id):
    """考试统计: participation, pass rates by unit and domain, who has not sat."""
    arrangement = arrangement_or_404(arrangement_id)
    now = utcnow()
    return render_template(
        "exams/admin/arrangement_report.html",
        arrangement=arrangement,
        report=reports.arrangement_report(arrangement, now, _viewer_paths()),
        release=results.release_status(arrangement, now),
    )


def _export(arrangement, kind, writer, filename):
    report = reports.arrangement_report(arrangement, utcnow(), _viewer_paths())
    content = writer(arrangement, report)
    audit.record(
        "exam_report_exported",
        Actor.from_request(),
        arrangement,
        after={"kind": kind, "rows": len(report.candidates)},
    )
    db.session.commit()
    return send_file(
        io.BytesIO(content),
        mimetype=XLSX_MIME,
        as_attachment=True,
        download_name=filename,
    )


@bp.get("/arrangements/<int:arrangement_id>/report.xlsx")
@roles_required(*ADMINS)
def export_report(arrangement_id):
    """考试统计 as .xlsx (audited: it lists people and masked phones)."""
    arrangement = arrangement_or_404(arrangement_id)
    return _export(
        arrangement,
        "report",
        report_xlsx.report_workbook,
        f"考试统计-{arrangement.id}.xlsx",
    )


@bp.get("/arrangements/<int:arrangement_id>/results.xlsx")
@roles_required(*ADMINS)
def export_results(arrangement_id):
    """Per-candidate results (成绩单) as .xlsx (audited)."""
    arrangement = arrangement_or_404(arrangement_id)
    return _export(
        arrangement,
        "results",
        report_xlsx.results_workbook,
        f"成绩单-{arrangement.id}.xlsx",
    )


@bp.get("/arrangements/<int:arrangement_id>/analysis")
@roles_required(*ADMINS)
def show_analysis(arrangement_id):
    """Item analysis of an arrangement (graded attempts); ``?format=xlsx`` exports."""
    from flask import request, send_file

    from exams.banks.models import Question
    from exams.results.analysis import export_xlsx, paper_summary, screen_statistics
    from exams.results.queries import analysis_min_n, arrangement_results

    arrangement = arrangement_or_404(arrangement_id)
    results, options = arrangement_results(arrangement)
    min_n = analysis_min_n()
    stats = screen_statistics(results, options, min_n) if results else {}
    summary = (
        paper_summary(results, pass_mark=float(arrangement.paper.pass_mark))
        if results
        else {}
    )
    labels = {}
    if stats:
        questions = db.session.scalars(
            sa.select(Question).where(Question.id.in_([int(k) for k in stats]))
        )
        labels = {str(q.id): (q.current.stem if q.current else "") for q in questions}
    if request.args.get("format") == "xlsx" and stats:
        import io

        return send_file(
            io.BytesIO(export_xlsx(stats, summary, labels)),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            as_attachment=True,
            download_name=f"试题分析-{arrangement.id}.xlsx",
        )
    return render_template(
        "exams/admin/analysis.html",
        arrangement=arrangement,
        stats=stats,
        summary=summary,
        labels=labels,
        min_n=min_n,
        passed=sum(1 for r in results if r.total >= arrangement.paper.pass_mark),
    )
