import io
import re
import secrets

from flask import flash, redirect, render_template, send_file, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SubmitField
from wtforms.validators import DataRequired

from portal import storage
from portal.actor import Actor
from portal.admin import bp
from portal.admin.imports import (
    COLUMNS,
    build_template,
    import_users,
    read_rows,
    validate_rows,
)
from portal.auth.decorators import roles_required
from portal.auth.roles import TRAINING_ADMINS
from portal.exceptions import DomainError
from portal.extensions import db

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(FlaskForm):
    file = FileField(
        "Excel 文件（.xlsx）", validators=[FileRequired("请选择要上传的文件")]
    )
    submit = SubmitField("上传并预览")


class ConfirmForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
    submit = SubmitField("确认导入")


def _staging_key(token):
    """Staged uploads are per admin: another account cannot commit them. They are
    kept in the shared storage (any node may receive the commit) and purged by
    :func:`portal.jobs.purge_import_uploads`."""
    return storage.join("imports", f"users-{current_user.id}-{token}.xlsx")


@bp.get("/users/import/template.xlsx")
@roles_required(*TRAINING_ADMINS)
def download_import_template():
    """The blank import template with instructions and organisation codes."""
    return send_file(
        io.BytesIO(build_template()),
        mimetype=XLSX_MIME,
        as_attachment=True,
        download_name="用户导入模板.xlsx",
    )


@bp.route("/users/import", methods=["GET", "POST"])
@roles_required(*TRAINING_ADMINS)
def import_users_view():
    """Upload a workbook and preview every row with its errors; saves nothing."""
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        content = upload.read()
        if not (upload.filename or "").lower().endswith(".xlsx"):
            form.file.errors.append("只接受 .xlsx 格式的 Excel 文件")
            return render_template(
                "admin/import_upload.html", form=form, columns=COLUMNS
            ), 400
        try:
            result = validate_rows(read_rows(content), Actor.from_request())
        except DomainError as exc:
            form.file.errors.append(exc.message)
            return render_template(
                "admin/import_upload.html", form=form, columns=COLUMNS
            ), 400
        confirm = None
        if result.is_valid:
            token = secrets.token_urlsafe(24)
            storage.get_storage().save(_staging_key(token), content, overwrite=True)
            confirm = ConfirmForm(token=token)
        return render_template(
            "admin/import_preview.html",
            result=result,
            columns=COLUMNS,
            confirm=confirm,
            filename=upload.filename,
        )
    status = 400 if form.is_submitted() else 200
    return render_template(
        "admin/import_upload.html", form=form, columns=COLUMNS
    ), status


@bp.post("/users/import/commit")
@roles_required(*TRAINING_ADMINS)
def commit_user_import():
    """Create every account of a previewed file in one transaction."""
    form = ConfirmForm()
    token = form.token.data or ""
    if not form.validate_on_submit() or not _TOKEN.match(token):
        flash("导入请求无效，请重新上传文件。", "danger")
        return redirect(url_for("admin.import_users_view"))
    key = _staging_key(token)
    backend = storage.get_storage()
    if not backend.exists(key):
        flash(
            "该导入已完成或已过期（重复提交不会重复创建用户），请到用户列表核对。",
            "warning",
        )
        return redirect(url_for("admin.list_users"))
    content = backend.read(key)
    try:
        created = import_users(
            content, Actor.from_request(), filename=key.rsplit("/", 1)[-1]
        )
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message + "。数据在预览后发生了变化，请重新上传预览。", "danger")
        return redirect(url_for("admin.import_users_view"))
    db.session.commit()
    backend.delete(key)
    return render_template("admin/import_done.html", created=created)
