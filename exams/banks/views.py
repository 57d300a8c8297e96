"""Bank screens for training administrators (``exam_banks`` blueprint, /admin/exams):
banks, question imports and exports, question edits, the 法条变更待复核 review list
and knowledge points."""

import io
import os
import re
import secrets

import sqlalchemy as sa
from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from exams.banks import bp, services
from exams.banks.forms import BankForm, ConfirmForm, UploadForm
from exams.banks.models import (
    TYPE_LABELS,
    Question,
    QuestionBank,
    QuestionVersion,
)
from exams.banks.queries import (
    bank_or_404,
    may_write_bank,
    visible_banks,
    writable_bank_or_403,
)
from exams.common import ADMINS, XLSX_MIME
from portal import audit, storage
from portal.actor import Actor
from portal.auth.decorators import roles_required
from portal.auth.models import Role
from portal.extensions import db

IMPORT_SUFFIXES = (".xlsx", ".docx", ".gift", ".txt", ".aiken")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@bp.route("/banks", methods=["GET", "POST"])
@roles_required(*ADMINS)
def list_banks():
    """Question banks with their sizes; a form to create one."""
    form = BankForm()
    if form.validate_on_submit():
        if db.session.scalar(
            sa.select(QuestionBank.id).where(QuestionBank.code == form.code.data)
        ):
            form.code.errors.append("该题库编码已存在")
        else:
            # A training admin's bank belongs to the subtree they administer;
            # a system admin's bank is shared city-wide.
            scopes = current_user.scopes_for(Role.TRAINING_ADMIN)
            org = (
                None
                if current_user.has_role(Role.SYS_ADMIN) or not scopes
                else scopes[0]
            )
            bank = services.ensure_bank(form.code.data, form.name.data, org)
            audit.record(
                "bank_created",
                Actor.from_request(),
                bank,
                label=f"{bank.name}（{bank.code}）",
            )
            db.session.commit()
            flash(f"已新建题库 {bank.name}", "success")
            return redirect(url_for("exam_banks.show_bank", bank_id=bank.id))
    banks = db.session.scalars(visible_banks()).all()
    counts = dict(
        db.session.execute(
            sa.select(Question.bank_id, sa.func.count(Question.id))
            .where(Question.is_active)
            .group_by(Question.bank_id)
        ).all()
    )
    status = 400 if form.errors else 200
    return render_template(
        "exams/admin/bank_list.html", banks=banks, counts=counts, form=form
    ), status


@bp.get("/banks/<int:bank_id>")
@roles_required(*ADMINS)
def show_bank(bank_id):
    """The questions of a bank (current versions), filterable by type and by
    state (在用 / 已停用)."""
    bank = bank_or_404(bank_id)
    qtype = request.args.get("type", "")
    state = request.args.get("state", "")
    stmt = (
        sa.select(Question)
        .join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
        .where(Question.bank_id == bank.id, Question.is_active == (state != "retired"))
        .order_by(Question.id)
    )
    if qtype in TYPE_LABELS:
        stmt = stmt.where(QuestionVersion.type == qtype)
    page = db.paginate(stmt, per_page=50, error_out=False)
    from exams.results.queries import latest_item_stats

    stats, analysed = latest_item_stats(bank)
    return render_template(
        "exams/admin/bank_show.html",
        can_write=may_write_bank(current_user, bank),
        stats=stats,
        analysed=analysed,
        bank=bank,
        page=page,
        qtype=qtype,
        state=state,
        type_labels=TYPE_LABELS,
    )


@bp.get("/import/template.xlsx")
@roles_required(*ADMINS)
def download_question_template():
    """The blank .xlsx import template with instructions."""
    from exams.formats.xlsx import build_template

    return send_file(
        io.BytesIO(build_template()),
        mimetype=XLSX_MIME,
        as_attachment=True,
        download_name="试题导入模板.xlsx",
    )


def _staging_key(bank, token, filename):
    """A previewed file waits in the shared storage (any node may receive the
    commit); purged by ``portal.jobs.purge_import_uploads``."""
    suffix = os.path.splitext(filename)[1].lower()
    if suffix not in IMPORT_SUFFIXES:
        abort(400)
    return storage.join(
        "question-imports", f"bank{bank.id}-u{current_user.id}-{token}{suffix}"
    )


def _read(filename, content):
    from exams.formats import read_file

    return read_file(filename, content)


@bp.route("/banks/<int:bank_id>/import", methods=["GET", "POST"])
@roles_required(*ADMINS)
def import_questions(bank_id):
    """Upload a file and preview every question and every error; saves nothing."""
    from exams.formats import FormatError

    bank = writable_bank_or_403(bank_id)
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        filename = os.path.basename(upload.filename or "")
        if not filename.lower().endswith(IMPORT_SUFFIXES):
            form.file.errors.append(
                "只接受 .xlsx、.docx、GIFT（.gift/.txt）或 Aiken（.txt）文件"
            )
        else:
            content = upload.read()
            try:
                result = _read(filename, content)
            except FormatError as exc:
                form.file.errors.append(str(exc))
            else:
                plan = services.plan_import(result, bank)
                confirm = None
                if any(row.ok for row in plan.rows):
                    token = secrets.token_urlsafe(24)
                    storage.get_storage().save(
                        _staging_key(bank, token, filename), content, overwrite=True
                    )
                    confirm = ConfirmForm(token=token, filename=filename)
                db.session.rollback()  # the preview saves nothing
                return render_template(
                    "exams/admin/import_preview.html",
                    bank=bank,
                    plan=plan,
                    confirm=confirm,
                    filename=filename,
                    type_labels=TYPE_LABELS,
                )
    status = 400 if form.is_submitted() else 200
    return render_template(
        "exams/admin/import_upload.html", bank=bank, form=form
    ), status


@bp.post("/banks/<int:bank_id>/import/commit")
@roles_required(*ADMINS)
def commit_question_import(bank_id):
    """Save a previewed file in one transaction (a second submit saves nothing)."""
    bank = writable_bank_or_403(bank_id)
    form = ConfirmForm()
    token, filename = form.token.data or "", os.path.basename(form.filename.data or "")
    if not form.validate_on_submit() or not _TOKEN.match(token):
        flash("导入请求无效，请重新上传文件。", "danger")
        return redirect(url_for("exam_banks.import_questions", bank_id=bank.id))
    key = _staging_key(bank, token, filename)
    backend = storage.get_storage()
    if not backend.exists(key):
        flash(
            "该导入已完成或已过期（重复提交不会重复导入），请在题库中核对。", "warning"
        )
        return redirect(url_for("exam_banks.show_bank", bank_id=bank.id))
    content = backend.read(key)
    plan = services.plan_import(_read(filename, content), bank)
    exclude = set(request.form.getlist("exclude"))
    blocking = plan.blocking(exclude)
    if blocking or not any(row.ok and row.where not in exclude for row in plan.rows):
        db.session.rollback()
        flash(
            f"有错误的行未排除（{'、'.join(sorted({w for w, _ in blocking}))}），"
            "未导入任何试题。请勾选“不导入”后再确认，或修改文件后重新上传。"
            if blocking
            else "没有要导入的试题（所有行都已排除）。",
            "danger",
        )
        return redirect(url_for("exam_banks.import_questions", bank_id=bank.id))
    created = services.commit_import(plan, bank, Actor.from_request(), exclude)
    db.session.commit()
    backend.delete(key)
    flash(f"已导入 {len(created)} 道试题。", "success")
    return redirect(url_for("exam_banks.show_bank", bank_id=bank.id))


@bp.get("/banks/<int:bank_id>/export.<fmt>")
@roles_required(*ADMINS)
def export_bank(bank_id, fmt):
    """Export the bank's current questions as .xlsx or GIFT."""
    from exams.formats.gift import write_gift
    from exams.formats.xlsx import write_xlsx

    bank = bank_or_404(bank_id)
    questions = services.export_questions(bank)
    if fmt == "xlsx":
        return send_file(
            io.BytesIO(write_xlsx(questions)),
            mimetype=XLSX_MIME,
            as_attachment=True,
            download_name=f"{bank.code}.xlsx",
        )
    if fmt == "gift":
        data = write_gift(questions).encode("utf-8")
        return send_file(
            io.BytesIO(data),
            mimetype="text/plain; charset=utf-8",
            as_attachment=True,
            download_name=f"{bank.code}.gift.txt",
        )
    abort(404)


@bp.get("/review")
@roles_required(*ADMINS)
def list_review():
    """法条变更待复核: questions whose cited law was repealed or changed."""
    bank_ids = [b.id for b in db.session.scalars(visible_banks())]
    rows = db.session.execute(
        sa.select(Question, QuestionVersion)
        .join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
        .where(Question.review_reason != "", Question.bank_id.in_(bank_ids))
        .order_by(Question.id)
    ).all()
    return render_template("exams/admin/review_list.html", rows=rows)


@bp.post("/questions/<int:question_id>/reviewed")
@roles_required(*ADMINS)
def mark_reviewed(question_id):
    """Clear a question from the review list after checking it."""
    question = db.get_or_404(Question, question_id)
    writable_bank_or_403(question.bank_id)
    services.mark_reviewed(question, Actor.from_request())
    db.session.commit()
    flash(f"试题 {question.id} 已复核。", "success")
    return redirect(url_for("exam_banks.list_review"))
