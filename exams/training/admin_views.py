"""Training administration (/admin/training): courses, materials, publishing,
yearly hour requirements and the 培训进度报表 with .xlsx export."""

import io

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
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import SelectChoice

from exams.papers.models import Paper
from exams.training import queries, services, uploads
from exams.training.export import report_workbook
from exams.training.forms import (
    CourseForm,
    RequirementForm,
    TextMaterialForm,
    UploadMaterialForm,
)
from exams.training.models import (
    TrainingCompletion,
    TrainingCourse,
    TrainingMaterial,
    TrainingRequirement,
)
from portal import audit
from portal.actor import Actor
from portal.auth.decorators import roles_required
from portal.auth.models import Role
from portal.auth.queries import organisations_visible_to
from portal.auth.roles import TRAINING_ADMINS
from portal.exceptions import DomainError
from portal.extensions import csrf, db
from portal.orgs.models import Organisation
from portal.textclean import clean_filename
from portal.timeutil import to_local, utcnow

bp = Blueprint("training_admin", __name__, template_folder="templates")

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROLE_LABELS = {"auxiliary": "执法辅助人员", "officer": "执法人员"}


def _this_year():
    return to_local(utcnow()).year


def _orgs():
    return list(db.session.scalars(organisations_visible_to(current_user)))


def _papers():
    """Papers the admin may use: shared ones and those of their subtrees."""
    stmt = sa.select(Paper).order_by(Paper.id.desc())
    if not current_user.has_role(Role.SYS_ADMIN):
        ids = [o.id for o in _orgs()]
        stmt = stmt.where(
            sa.or_(Paper.organisation_id.is_(None), Paper.organisation_id.in_(ids))
        )
    return list(db.session.scalars(stmt))


def _course_form(course=None):
    form = CourseForm(obj=course)
    form.organisation_id.choices = [SelectChoice(o.id, o.full_name) for o in _orgs()]
    form.paper_id.choices = [SelectChoice(0, "不设结业测验")] + [
        SelectChoice(p.id, f"{p.name}（及格 {p.pass_mark:g} 分）") for p in _papers()
    ]
    if course is None and request.method == "GET":
        form.year.data = _this_year()
    if course is not None and request.method == "GET":
        form.paper_id.data = course.paper_id or 0
    return form


def _course_fields(form):
    return {
        "title": form.title.data.strip(),
        "description": (form.description.data or "").strip(),
        "year": form.year.data,
        "credit_hours": form.credit_hours.data,
        "for_auxiliary": bool(form.for_auxiliary.data),
        "for_officer": bool(form.for_officer.data),
        "organisation_id": form.organisation_id.data,
        "paper_id": form.paper_id.data or None,
        "quiz_minutes": form.quiz_minutes.data,
        "quiz_attempts": form.quiz_attempts.data,
    }


def _course_or_404(course_id):
    course = db.session.scalar(
        queries.admin_courses(current_user).where(TrainingCourse.id == course_id)
    )
    if course is None:
        abort(404)
    return course


@bp.get("/")
@roles_required(*TRAINING_ADMINS)
def list_courses():
    """The courses of the admin's subtrees."""
    courses = db.session.scalars(queries.admin_courses(current_user)).all()
    return render_template("training/admin/course_list.html", courses=courses)


@bp.route("/courses/new", methods=["GET", "POST"])
@roles_required(*TRAINING_ADMINS)
def new_course():
    """Create a course (unpublished until materials are added)."""
    form = _course_form()
    if form.validate_on_submit():
        course = services.create_course(Actor.from_request(), **_course_fields(form))
        db.session.commit()
        flash("课程已创建，请添加学习材料后发布。", "success")
        return redirect(url_for("training_admin.show_course", course_id=course.id))
    return render_template("training/admin/course_form.html", form=form, course=None), (
        400 if form.errors else 200
    )


@bp.route("/courses/<int:course_id>/edit", methods=["GET", "POST"])
@roles_required(*TRAINING_ADMINS)
def edit_course(course_id):
    """Edit a course (audited)."""
    course = _course_or_404(course_id)
    form = _course_form(course)
    if form.validate_on_submit():
        try:
            services.update_course(course, Actor.from_request(), **_course_fields(form))
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash("课程已保存。", "success")
            return redirect(url_for("training_admin.show_course", course_id=course.id))
    return render_template(
        "training/admin/course_form.html", form=form, course=course
    ), (400 if form.errors else 200)


def _render_course(course, text_form=None, upload_form=None, status=200):
    completions = db.session.scalar(
        sa.select(sa.func.count(TrainingCompletion.id)).where(
            TrainingCompletion.course_id == course.id
        )
    )
    return render_template(
        "training/admin/course_show.html",
        course=course,
        learners=queries.course_progress(course, current_user),
        text_form=text_form or TextMaterialForm(formdata=None),
        upload_form=upload_form or UploadMaterialForm(formdata=None),
        completions=completions,
        pdf_mb=current_app.config["TRAINING_PDF_MAX_MB"],
        video_mb=current_app.config["TRAINING_VIDEO_MAX_MB"],
    ), status


@bp.get("/courses/<int:course_id>")
@roles_required(*TRAINING_ADMINS)
def show_course(course_id):
    """A course: materials in order, quiz, publishing, forms to add materials."""
    return _render_course(_course_or_404(course_id))


@bp.post("/courses/<int:course_id>/materials/text")
@roles_required(*TRAINING_ADMINS)
def add_text_material(course_id):
    """Add a text material (sanitised like question stems)."""
    course = _course_or_404(course_id)
    form = TextMaterialForm()
    if not form.validate_on_submit():
        return _render_course(course, text_form=form, status=400)
    services.add_text_material(
        course,
        Actor.from_request(),
        title=form.title.data.strip(),
        body=form.body.data,
        required_minutes=form.required_minutes.data,
    )
    db.session.commit()
    flash("已添加图文材料。", "success")
    return redirect(url_for("training_admin.show_course", course_id=course.id))


@bp.post("/courses/<int:course_id>/materials/upload")
@csrf.exempt  # CSRF is checked below, after the request limit is raised
@roles_required(*TRAINING_ADMINS)
def upload_material(course_id):
    """Upload a PDF or video. This route alone accepts bodies above the app-wide
    ``MAX_CONTENT_LENGTH``; the type is decided by content and limited per type."""
    course = _course_or_404(course_id)
    request.max_content_length = uploads.request_limit()
    try:
        request.form  # noqa: B018 - parse now, under this route's limit
    except RequestEntityTooLarge:
        flash(
            f"文件过大：PDF 不能超过 {current_app.config['TRAINING_PDF_MAX_MB']} MB，"
            f"视频不能超过 {current_app.config['TRAINING_VIDEO_MAX_MB']} MB，未保存",
            "danger",
        )
        return _render_course(course, status=413)
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    form = UploadMaterialForm()
    if not form.validate_on_submit():
        return _render_course(course, upload_form=form, status=400)
    upload = form.file.data
    try:
        stored = uploads.store_upload(form.kind.data, upload.stream)
    except DomainError as exc:
        form.file.errors = [exc.message]
        return _render_course(course, upload_form=form, status=exc.status_code)
    try:
        services.add_file_material(
            course,
            Actor.from_request(),
            kind=form.kind.data,
            title=form.title.data.strip(),
            stored=stored,
            original_name=clean_filename(upload.filename),
            required_minutes=form.required_minutes.data,
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        uploads.remove_file(stored.stored_name)
        raise
    flash("材料已上传。", "success")
    return redirect(url_for("training_admin.show_course", course_id=course.id))


@bp.post("/materials/<int:material_id>/remove")
@roles_required(*TRAINING_ADMINS)
def remove_material(material_id):
    """Remove a material of an unpublished course and its file."""
    material = db.get_or_404(TrainingMaterial, material_id)
    course = _course_or_404(material.course_id)
    try:
        stored = services.remove_material(material, Actor.from_request())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("training_admin.show_course", course_id=course.id))
    db.session.commit()
    if stored:
        uploads.remove_file(stored)
    flash("材料已删除。", "success")
    return redirect(url_for("training_admin.show_course", course_id=course.id))


@bp.post("/materials/<int:material_id>/move")
@roles_required(*TRAINING_ADMINS)
def move_material(material_id):
    """Move a material up or down (form field ``direction``: up / down)."""
    material = db.get_or_404(TrainingMaterial, material_id)
    course = _course_or_404(material.course_id)
    direction = -1 if request.form.get("direction") == "up" else 1
    services.move_material(material, direction, Actor.from_request())
    db.session.commit()
    return redirect(url_for("training_admin.show_course", course_id=course.id))


@bp.post("/courses/<int:course_id>/publish")
@roles_required(*TRAINING_ADMINS)
def publish_course(course_id):
    """Publish to the audience (audited)."""
    course = _course_or_404(course_id)
    try:
        services.publish_course(course, Actor.from_request(), utcnow())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash("课程已发布。", "success")
    return redirect(url_for("training_admin.show_course", course_id=course.id))


@bp.post("/courses/<int:course_id>/unpublish")
@roles_required(*TRAINING_ADMINS)
def unpublish_course(course_id):
    """Withdraw from learners (audited)."""
    course = _course_or_404(course_id)
    services.unpublish_course(course, Actor.from_request())
    db.session.commit()
    flash("课程已撤回，学员暂时看不到本课程。", "success")
    return redirect(url_for("training_admin.show_course", course_id=course.id))


@bp.route("/requirements", methods=["GET", "POST"])
@roles_required(*TRAINING_ADMINS)
def list_requirements():
    """年度学时要求 of the admin's subtrees; a form to set one."""
    orgs = _orgs()
    form = RequirementForm()
    form.organisation_id.choices = [SelectChoice(o.id, o.full_name) for o in orgs]
    if request.method == "GET":
        form.year.data = _this_year()
    if form.validate_on_submit():
        org = next(o for o in orgs if o.id == form.organisation_id.data)
        services.set_requirement(
            Actor.from_request(),
            organisation=org,
            role=form.role.data,
            year=form.year.data,
            hours=form.hours.data,
        )
        db.session.commit()
        flash("学时要求已保存。", "success")
        return redirect(url_for("training_admin.list_requirements"))
    rows = db.session.scalars(
        sa.select(TrainingRequirement)
        .join(Organisation, TrainingRequirement.organisation_id == Organisation.id)
        .where(Organisation.id.in_([o.id for o in orgs]))
        .order_by(TrainingRequirement.year.desc(), Organisation.path)
    ).all()
    return render_template(
        "training/admin/requirements.html",
        form=form,
        rows=rows,
        defaults={
            "auxiliary": queries.default_hours("auxiliary"),
            "officer": queries.default_hours("officer"),
        },
        role_labels=ROLE_LABELS,
    ), (400 if form.errors else 200)


def _report_year():
    year = request.args.get("year", type=int)
    return year if year and 2000 <= year <= 2100 else _this_year()


def _build_report(year):
    # Completions due from passed quizzes are recorded first, so that the report
    # never lags behind the exam engine.
    if services.sync_pending_completions():
        db.session.commit()
    return queries.unit_report(current_user, year, utcnow())


@bp.get("/report")
@roles_required(*TRAINING_ADMINS)
def show_report():
    """培训进度报表: per unit, on track / behind, and who is behind."""
    year = _report_year()
    units = _build_report(year)
    return render_template(
        "training/admin/report.html",
        year=year,
        units=units,
        fraction=services.elapsed_fraction(year, utcnow()),
    )


@bp.get("/report.xlsx")
@roles_required(*TRAINING_ADMINS)
def export_report():
    """The report as .xlsx (formula-safe cells; audited)."""
    year = _report_year()
    units = _build_report(year)
    content = report_workbook(year, units)
    audit.record(
        "training_report_exported",
        Actor.from_request(),
        after={"year": year, "units": len(units)},
    )
    db.session.commit()
    return send_file(
        io.BytesIO(content),
        mimetype=XLSX_MIME,
        as_attachment=True,
        download_name=f"培训进度报表-{year}.xlsx",
    )
