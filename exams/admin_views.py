"""Authoring screens for training administrators: banks, imports, exports, review."""

import io
import os
import re
import secrets

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DecimalField,
    HiddenField,
    IntegerField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Regexp

from exams import services
from exams.models import KnowledgePoint, Question, QuestionBank, QuestionVersion
from portal import audit
from portal.actor import Actor
from portal.auth.decorators import roles_required
from portal.auth.models import Role
from portal.auth.queries import admin_org_filter
from portal.exceptions import DomainError
from portal.extensions import db
from portal.orgs.models import Organisation

bp = Blueprint("exams_admin", __name__, template_folder="templates")

ADMINS = (Role.SYS_ADMIN, Role.TRAINING_ADMIN)
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_SUFFIXES = (".xlsx", ".docx", ".gift", ".txt", ".aiken")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
TYPE_LABELS = {
    "single": "单选题",
    "multiple": "多选题",
    "true_false": "判断题",
    "fill_blank": "填空题",
    "essay": "简答题",
    "case": "案例分析题",
}


class BankForm(FlaskForm):
    code = StringField(
        "题库编码",
        validators=[
            DataRequired("请填写题库编码"),
            Length(max=64),
            Regexp(
                r"^[A-Za-z0-9_-]+$", message="编码只能包含字母、数字、下划线和短横线"
            ),
        ],
    )
    name = StringField(
        "题库名称", validators=[DataRequired("请填写题库名称"), Length(max=200)]
    )
    submit = SubmitField("新建题库")


class UploadForm(FlaskForm):
    file = FileField("试题文件", validators=[FileRequired("请选择要上传的文件")])
    submit = SubmitField("上传并预览")


class ConfirmForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
    filename = HiddenField()
    submit = SubmitField("确认导入")


def visible_banks():
    """Banks the current admin may manage: system admins all, training admins
    those of their subtree and the shared (city-wide, no organisation) banks."""
    stmt = sa.select(QuestionBank).outerjoin(Organisation)
    if not current_user.has_role(Role.SYS_ADMIN):
        stmt = stmt.where(
            sa.or_(
                QuestionBank.organisation_id.is_(None), admin_org_filter(current_user)
            )
        )
    return stmt.order_by(QuestionBank.code)


def _bank_or_404(bank_id):
    bank = db.session.scalar(visible_banks().where(QuestionBank.id == bank_id))
    if bank is None:
        abort(404)
    return bank


def may_write_bank(user, bank):
    """Who may change a bank (import, edit, review, practice switch): a system
    administrator any bank; a training administrator the banks of their subtree,
    and a city-wide bank only when they administer the whole city (a 区 admin
    reads city-wide banks but does not change them for everyone)."""
    if user.has_role(Role.SYS_ADMIN):
        return True
    scopes = user.scopes_for(Role.TRAINING_ADMIN)
    if bank.organisation is None:
        return any(scope.parent_id is None for scope in scopes)
    return any(bank.organisation.is_within(scope) for scope in scopes)


def _writable_bank_or_403(bank_id):
    bank = _bank_or_404(bank_id)
    if not may_write_bank(current_user, bank):
        abort(403)
    return bank


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
            return redirect(url_for("exams_admin.show_bank", bank_id=bank.id))
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
    """The questions of a bank (current versions), filterable by type."""
    bank = _bank_or_404(bank_id)
    qtype = request.args.get("type", "")
    stmt = (
        sa.select(Question)
        .join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
        .where(Question.bank_id == bank.id, Question.is_active)
        .order_by(Question.id)
    )
    if qtype in TYPE_LABELS:
        stmt = stmt.where(QuestionVersion.type == qtype)
    page = db.paginate(stmt, per_page=50, error_out=False)
    from exams.queries import latest_item_stats

    stats, analysed = latest_item_stats(bank)
    return render_template(
        "exams/admin/bank_show.html",
        can_write=may_write_bank(current_user, bank),
        stats=stats,
        analysed=analysed,
        bank=bank,
        page=page,
        qtype=qtype,
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


def _staging_path(bank, token, filename):
    folder = os.path.join(current_app.config["UPLOAD_DIR"], "question-imports")
    os.makedirs(folder, exist_ok=True)
    suffix = os.path.splitext(filename)[1].lower()
    if suffix not in IMPORT_SUFFIXES:
        abort(400)
    return os.path.join(folder, f"bank{bank.id}-u{current_user.id}-{token}{suffix}")


def _read(filename, content):
    from exams.formats import read_file

    return read_file(filename, content)


@bp.route("/banks/<int:bank_id>/import", methods=["GET", "POST"])
@roles_required(*ADMINS)
def import_questions(bank_id):
    """Upload a file and preview every question and every error; saves nothing."""
    from exams.formats import FormatError

    bank = _writable_bank_or_403(bank_id)
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
                if plan.questions and not plan.errors:
                    token = secrets.token_urlsafe(24)
                    with open(_staging_path(bank, token, filename), "wb") as staged:
                        staged.write(content)
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
    bank = _writable_bank_or_403(bank_id)
    form = ConfirmForm()
    token, filename = form.token.data or "", os.path.basename(form.filename.data or "")
    if not form.validate_on_submit() or not _TOKEN.match(token):
        flash("导入请求无效，请重新上传文件。", "danger")
        return redirect(url_for("exams_admin.import_questions", bank_id=bank.id))
    path = _staging_path(bank, token, filename)
    if not os.path.exists(path):
        flash(
            "该导入已完成或已过期（重复提交不会重复导入），请在题库中核对。", "warning"
        )
        return redirect(url_for("exams_admin.show_bank", bank_id=bank.id))
    with open(path, "rb") as staged:
        content = staged.read()
    plan = services.plan_import(_read(filename, content), bank)
    if plan.errors:
        db.session.rollback()
        flash(
            "数据在预览后发生了变化，文件现在有错误，未导入任何试题。请重新上传预览。",
            "danger",
        )
        return redirect(url_for("exams_admin.import_questions", bank_id=bank.id))
    created = services.commit_import(plan, bank, Actor.from_request())
    db.session.commit()
    os.remove(path)
    flash(f"已导入 {len(created)} 道试题。", "success")
    return redirect(url_for("exams_admin.show_bank", bank_id=bank.id))


@bp.get("/banks/<int:bank_id>/export.<fmt>")
@roles_required(*ADMINS)
def export_bank(bank_id, fmt):
    """Export the bank's current questions as .xlsx or GIFT."""
    from exams.formats.gift import write_gift
    from exams.formats.xlsx import write_xlsx

    bank = _bank_or_404(bank_id)
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
    _writable_bank_or_403(question.bank_id)
    services.mark_reviewed(question, Actor.from_request())
    db.session.commit()
    flash(f"试题 {question.id} 已复核。", "success")
    return redirect(url_for("exams_admin.list_review"))


@bp.get("/knowledge-points")
@roles_required(*ADMINS)
def list_knowledge_points():
    """The knowledge-point tree (paths as imports name them)."""
    services.ensure_default_knowledge_points()
    db.session.commit()
    points = db.session.scalars(
        sa.select(KnowledgePoint).order_by(KnowledgePoint.path)
    ).all()
    return render_template("exams/admin/knowledge_points.html", points=points)


class QuestionEditForm(FlaskForm):
    stem = TextAreaField("题干", validators=[DataRequired("题干不能为空")])
    explanation = TextAreaField("解析")
    difficulty = IntegerField("难度（1–5）", validators=[NumberRange(min=1, max=5)])
    score = DecimalField("分值", places=2, validators=[NumberRange(min=0.5, max=100)])
    legal_basis = StringField(
        "法律依据",
        validators=[Length(max=300)],
        description="如：《行政处罚法》第三十二条（须在法律法规库中存在）",
    )
    submit = SubmitField("保存")


@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"])
@roles_required(*ADMINS)
def edit_question(question_id):
    """Edit a question; a version already used in a paper is kept and a new one made."""
    question = db.get_or_404(Question, question_id)
    bank = _writable_bank_or_403(question.bank_id)
    current = question.current
    form = QuestionEditForm(obj=current)
    if form.validate_on_submit():
        changes = {
            "stem": form.stem.data,
            "explanation": form.explanation.data or "",
            "difficulty": form.difficulty.data,
            "score": form.score.data,
        }
        basis = (form.legal_basis.data or "").strip()
        if basis != current.legal_basis:
            article, message = (
                services.resolve_legal_basis(basis) if basis else (None, None)
            )
            if message:
                form.legal_basis.errors.append(message)
            changes.update(
                legal_basis=basis, law_article_id=article.id if article else None
            )
        if not form.errors:
            version = services.edit_question(question, changes, Actor.from_request())
            db.session.commit()
            flash(f"试题 {question.id} 已保存（第 {version.version} 版）。", "success")
            return redirect(url_for("exams_admin.show_bank", bank_id=bank.id))
    status = 400 if form.errors else 200
    return render_template(
        "exams/admin/question_edit.html",
        form=form,
        question=question,
        bank=bank,
        version=current,
        type_labels=TYPE_LABELS,
    ), status


@bp.route("/grading", methods=["GET", "POST"])
@roles_required(*ADMINS)
def grading_queue():
    """Blind grading of subjective answers (no candidate names), with the rubric."""
    from decimal import Decimal, InvalidOperation

    from exams import attempts as exam_attempts
    from exams.models import Answer

    bank_ids = [b.id for b in db.session.scalars(visible_banks())]
    if request.method == "POST":
        form = FlaskForm()
        answer = db.session.scalar(
            exam_attempts.pending_manual_answers(bank_ids).where(
                Answer.id == (request.form.get("answer_id", type=int) or 0)
            )
        )
        if not form.validate_on_submit() or answer is None:
            flash("该答案不存在或已评分。", "warning")
            return redirect(url_for("exams_admin.grading_queue"))
        try:
            score = Decimal(request.form.get("score", "").strip())
            exam_attempts.grade_manually(
                answer, score, Actor.from_request(), request.form.get("comment", "")
            )
        except (InvalidOperation, DomainError) as exc:
            db.session.rollback()
            flash(getattr(exc, "message", "请填写有效的分数"), "danger")
        else:
            db.session.commit()
            flash("已评分。", "success")
        return redirect(url_for("exams_admin.grading_queue"))
    answers = db.session.scalars(
        exam_attempts.pending_manual_answers(bank_ids).limit(50)
    ).all()
    return render_template("exams/admin/grading_queue.html", answers=answers)
