"""Authoring screens: blueprint papers and exam arrangements (考试安排)."""

from decimal import Decimal

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from exams import papers
from exams.admin_views import ADMINS, TYPE_LABELS, bp, visible_banks
from exams.models import ARRANGEMENT_KINDS, ExamArrangement, KnowledgePoint, Paper
from portal.actor import Actor
from portal.auth.decorators import roles_required
from portal.auth.models import Role
from portal.auth.queries import organisations_visible_to
from portal.exceptions import DomainError
from portal.extensions import db
from portal.orgs.models import Domain
from portal.timeutil import to_utc


class PaperForm(FlaskForm):
    name = StringField(
        "试卷名称", validators=[DataRequired("请填写试卷名称"), Length(max=200)]
    )
    total_score = DecimalField(
        "总分",
        default=Decimal(100),
        places=2,
        validators=[InputRequired("请填写总分"), NumberRange(min=1, max=1000)],
    )
    pass_mark = DecimalField(
        "及格分",
        default=Decimal(60),
        places=2,
        validators=[InputRequired("请填写及格分"), NumberRange(min=0, max=1000)],
    )
    pool_factor = DecimalField(
        "题量倍数（防止泄题：题库中符合条件的试题至少为抽题数的倍数）",
        default=Decimal(2),
        places=1,
        validators=[InputRequired(), NumberRange(min=1, max=20)],
    )
    kind = SelectField(
        "组卷方式",
        choices=[
            SelectChoice("blueprint", "按规则随机抽题"),
            SelectChoice("fixed", "固定试卷（手工选题）"),
        ],
    )
    multiple_policy = SelectField(
        "多选题计分",
        choices=[
            SelectChoice("all_or_nothing", "全对得分"),
            SelectChoice("partial", "少选按比例得分（错选不得分）"),
            SelectChoice("half", "少选得一半分（错选不得分）"),
        ],
    )
    submit = SubmitField("新建试卷")


class RuleForm(FlaskForm):
    bank_id = SelectField("题库", coerce=int)
    knowledge_point_id = SelectField("知识点", coerce=int)
    type = SelectField(
        "题型", choices=[SelectChoice(k, v) for k, v in TYPE_LABELS.items()]
    )
    difficulty_min = IntegerField(
        "难度下限", default=1, validators=[NumberRange(min=1, max=5)]
    )
    difficulty_max = IntegerField(
        "难度上限", default=5, validators=[NumberRange(min=1, max=5)]
    )
    count = IntegerField(
        "抽题数",
        validators=[InputRequired("请填写抽题数"), NumberRange(min=1, max=500)],
    )
    score_each = DecimalField(
        "每题分值",
        places=2,
        validators=[InputRequired("请填写分值"), NumberRange(min=0.5, max=100)],
    )
    submit = SubmitField("添加规则")


class PickForm(FlaskForm):
    question_ids = StringField(
        "试题编号",
        validators=[DataRequired("请填写试题编号")],
        description="题库中的试题编号，多个用逗号或空格分隔",
    )
    score = DecimalField(
        "每题分值",
        places=2,
        validators=[InputRequired("请填写分值"), NumberRange(min=0.5, max=100)],
    )
    submit = SubmitField("加入试卷")


class ArrangementForm(FlaskForm):
    name = StringField(
        "考试名称", validators=[DataRequired("请填写考试名称"), Length(max=200)]
    )
    kind = SelectField(
        "考试类别", choices=[SelectChoice(k, v) for k, v in ARRANGEMENT_KINDS.items()]
    )
    paper_id = SelectField("试卷", coerce=int)
    window_start = DateTimeLocalField(
        "开始时间",
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired("请填写开始时间")],
    )
    window_end = DateTimeLocalField(
        "结束时间",
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired("请填写结束时间")],
    )
    duration_minutes = IntegerField(
        "考试时长（分钟）", default=90, validators=[NumberRange(min=1, max=600)]
    )
    attempts_allowed = IntegerField(
        "考试次数", default=1, validators=[NumberRange(min=1, max=10)]
    )
    makeup_attempts = IntegerField(
        "补考次数", default=1, validators=[NumberRange(min=0, max=5)]
    )
    tab_switch_limit = IntegerField(
        "切屏达到几次自动交卷（0 = 不限）",
        default=3,
        validators=[NumberRange(min=0, max=50)],
    )
    allow_device_change = BooleanField(
        "允许更换设备继续作答",
        default=True,
        description="不勾选时，考生只能在开始考试的设备（浏览器）上继续作答；"
        "确需更换的，由考试管理员在答卷监控中放行",
    )
    release_policy = SelectField(
        "成绩公布",
        choices=[
            SelectChoice("after_window", "考试结束后公布"),
            SelectChoice("immediate", "交卷后立即公布"),
            SelectChoice("manual", "人工公布"),
        ],
    )
    show_answers = BooleanField("公布后允许考生查看答案、解析和法律依据")
    prerequisite_id = SelectField(
        "前置考试（资格-通用须先通过资格-专门）", coerce=int, default=0
    )
    organisation_id = SelectField("参考单位（含下级）", coerce=int)
    domain_ids = SelectMultipleField("执法领域（不选则不限）", coerce=int, default=[])
    roles = SelectMultipleField(
        "参考人员类别",
        choices=[
            SelectChoice(Role.OFFICER.value, "执法人员"),
            SelectChoice(Role.AUXILIARY.value, "执法辅助人员"),
        ],
        default=[Role.OFFICER.value],
    )
    submit = SubmitField("发布考试安排")


def _visible_papers():
    stmt = sa.select(Paper).order_by(Paper.id.desc())
    if not current_user.has_role(Role.SYS_ADMIN):
        orgs = [
            o.id for o in db.session.scalars(organisations_visible_to(current_user))
        ]
        stmt = stmt.where(
            sa.or_(Paper.organisation_id.is_(None), Paper.organisation_id.in_(orgs))
        )
    return stmt


def _paper_or_404(paper_id):
    paper = db.session.scalar(_visible_papers().where(Paper.id == paper_id))
    if paper is None:
        abort(404)
    return paper


def _admin_scope_org():
    scopes = current_user.scopes_for(Role.TRAINING_ADMIN)
    return None if current_user.has_role(Role.SYS_ADMIN) or not scopes else scopes[0]


@bp.route("/papers", methods=["GET", "POST"])
@roles_required(*ADMINS)
def list_papers():
    """Papers; a form to create a blueprint paper."""
    form = PaperForm()
    if form.validate_on_submit():
        if form.pass_mark.data > form.total_score.data:
            form.pass_mark.errors.append("及格分不能高于总分")
        else:
            paper = papers.create_blueprint_paper(
                form.name.data,
                [],
                kind=form.kind.data,
                total=form.total_score.data,
                pass_mark=form.pass_mark.data,
                pool_factor=form.pool_factor.data,
            )
            paper.multiple_policy = form.multiple_policy.data
            paper.organisation = _admin_scope_org()
            db.session.commit()
            flash(
                "试卷已创建，请添加组卷规则。"
                if paper.kind == "blueprint"
                else "试卷已创建，请添加试题。",
                "success",
            )
            return redirect(url_for("exams_admin.show_paper", paper_id=paper.id))
    rows = db.session.scalars(_visible_papers()).all()
    return render_template("exams/admin/paper_list.html", papers=rows, form=form), (
        400 if form.errors else 200
    )


def _rule_form():
    form = RuleForm()
    form.bank_id.choices = [SelectChoice(0, "不限题库")] + [
        SelectChoice(b.id, f"{b.name}（{b.code}）")
        for b in db.session.scalars(visible_banks())
    ]
    form.knowledge_point_id.choices = [SelectChoice(0, "不限知识点")] + [
        SelectChoice(k.id, k.path)
        for k in db.session.scalars(
            sa.select(KnowledgePoint).order_by(KnowledgePoint.path)
        )
    ]
    return form


@bp.route("/papers/<int:paper_id>", methods=["GET", "POST"])
@roles_required(*ADMINS)
def show_paper(paper_id):
    """A paper's rules or questions, its validation and a sample; add to it."""
    from exams.models import QuestionVersion

    paper = _paper_or_404(paper_id)
    form = _rule_form() if paper.kind == "blueprint" else PickForm()
    if form.validate_on_submit():
        if paper.kind == "fixed":
            done = _pick_questions(paper, form)
        else:
            done = _add_rule(paper, form)
        if done:
            db.session.commit()
            return redirect(url_for("exams_admin.show_paper", paper_id=paper.id))
    errors = papers.validate_paper(paper)
    sample = []
    if not errors:
        drawn = papers.draw(paper, "sample-preview")
        versions = {
            v.id: v
            for v in db.session.scalars(
                sa.select(QuestionVersion).where(
                    QuestionVersion.id.in_([d.version_id for d in drawn])
                )
            )
        }
        sample = [(versions[d.version_id], d) for d in drawn]
    status = 400 if form.errors else 200
    return render_template(
        "exams/admin/paper_show.html",
        paper=paper,
        form=form,
        errors=errors,
        sample=sample,
        type_labels=TYPE_LABELS,
    ), status


def _add_rule(paper, form):
    from exams.models import BlueprintRule

    if form.difficulty_min.data > form.difficulty_max.data:
        form.difficulty_max.errors.append("难度上限不能低于下限")
        return False
    paper.rules.append(
        BlueprintRule(
            position=len(paper.rules) + 1,
            bank_id=form.bank_id.data or None,
            knowledge_point_id=form.knowledge_point_id.data or None,
            type=form.type.data,
            difficulty_min=form.difficulty_min.data,
            difficulty_max=form.difficulty_max.data,
            count=form.count.data,
            score_each=form.score_each.data,
        )
    )
    flash("已添加组卷规则。", "success")
    return True


def _pick_questions(paper, form):
    import re

    from exams.models import Question

    raw = re.split(r"[\s,，、;；]+", form.question_ids.data.strip())
    if not all(part.isdigit() for part in raw):
        form.question_ids.errors.append("试题编号只能是数字，多个用逗号分隔")
        return False
    ids = [int(part) for part in raw]
    banks = sa.select(visible_banks().subquery().c.id)
    found = list(
        db.session.scalars(
            sa.select(Question).where(Question.id.in_(ids), Question.bank_id.in_(banks))
        )
    )
    missing = sorted(set(ids) - {q.id for q in found})
    if missing:
        form.question_ids.errors.append(
            "找不到试题（或不在可管理的题库中）：" + "、".join(map(str, missing))
        )
        return False
    try:
        added = papers.add_fixed_items(paper, found, form.score.data)
    except DomainError as exc:
        form.question_ids.errors.append(exc.message)
        return False
    flash(f"已加入 {added} 道试题。", "success")
    return True


@bp.route("/arrangements", methods=["GET", "POST"])
@roles_required(*ADMINS)
def list_arrangements():
    """Exam arrangements; a form to schedule one for a unit."""
    form = ArrangementForm()
    form.paper_id.choices = [
        SelectChoice(p.id, p.name) for p in db.session.scalars(_visible_papers())
    ]
    orgs = list(db.session.scalars(organisations_visible_to(current_user)))
    form.organisation_id.choices = [SelectChoice(o.id, o.full_name) for o in orgs]
    earlier = db.session.scalars(_visible_arrangements()).all()
    form.prerequisite_id.choices = [SelectChoice(0, "无")] + [
        SelectChoice(a.id, a.name) for a in earlier if a.kind == "qual_special"
    ]
    domains = db.session.scalars(sa.select(Domain).order_by(Domain.id)).all()
    form.domain_ids.choices = [SelectChoice(d.id, d.name) for d in domains]
    if form.validate_on_submit():
        paper = _paper_or_404(form.paper_id.data)
        org = next(o for o in orgs if o.id == form.organisation_id.data)
        problems = papers.validate_paper(paper)
        if form.window_end.data <= form.window_start.data:
            form.window_end.errors.append("结束时间必须晚于开始时间")
        elif form.kind.data == "qual_general" and not form.prerequisite_id.data:
            form.prerequisite_id.errors.append(
                "资格考试（通用）须选择前置的资格考试（专门）"
            )
        elif problems:
            form.paper_id.errors.append("试卷不可用：" + "；".join(problems))
        else:
            try:
                arrangement = papers.create_arrangement(
                    paper,
                    name=form.name.data,
                    kind=form.kind.data,
                    window_start=to_utc(form.window_start.data),
                    window_end=to_utc(form.window_end.data),
                    duration_minutes=form.duration_minutes.data,
                    attempts_allowed=form.attempts_allowed.data,
                    makeup_attempts=form.makeup_attempts.data,
                    tab_switch_limit=form.tab_switch_limit.data,
                    allow_device_change=form.allow_device_change.data,
                    release_policy=form.release_policy.data,
                    show_answers=form.show_answers.data,
                    organisation_id=org.id,
                    prerequisite_id=form.prerequisite_id.data or None,
                )
                added = papers.enrol_candidates(
                    arrangement,
                    organisation=org,
                    roles=form.roles.data,
                    domains=[
                        d for d in domains if d.id in (form.domain_ids.data or [])
                    ],
                )
            except DomainError as exc:
                flash(exc.message, "danger")
            else:
                db.session.commit()
                flash(f"考试安排已发布，参考人员 {added} 人。", "success")
                return redirect(
                    url_for(
                        "exams_admin.show_arrangement", arrangement_id=arrangement.id
                    )
                )
    rows = db.session.scalars(_visible_arrangements()).all()
    return render_template(
        "exams/admin/arrangement_list.html",
        arrangements=rows,
        form=form,
        kinds=ARRANGEMENT_KINDS,
    ), (400 if form.errors else 200)


def _visible_arrangements():
    stmt = sa.select(ExamArrangement).order_by(ExamArrangement.window_start.desc())
    if not current_user.has_role(Role.SYS_ADMIN):
        orgs = [
            o.id for o in db.session.scalars(organisations_visible_to(current_user))
        ]
        stmt = stmt.where(ExamArrangement.organisation_id.in_(orgs))
    return stmt


def _arrangement_or_404(arrangement_id):
    arrangement = db.session.scalar(
        _visible_arrangements().where(ExamArrangement.id == arrangement_id)
    )
    if arrangement is None:
        abort(404)
    return arrangement


@bp.get("/arrangements/<int:arrangement_id>")
@roles_required(*ADMINS)
def show_arrangement(arrangement_id):
    """An arrangement with its candidates and generated papers."""
    from exams.models import CandidatePaper
    from exams.results import release_status
    from portal.timeutil import utcnow

    arrangement = _arrangement_or_404(arrangement_id)
    generated = db.session.scalar(
        sa.select(sa.func.count(CandidatePaper.id)).where(
            CandidatePaper.arrangement_id == arrangement.id
        )
    )
    return render_template(
        "exams/admin/arrangement_show.html",
        arrangement=arrangement,
        generated=generated,
        kinds=ARRANGEMENT_KINDS,
        upload_form=CandidateListForm(),
        adjust_form=CandidateAdjustForm(),
        release=release_status(arrangement, utcnow()),
    )


@bp.post("/arrangements/<int:arrangement_id>/pregenerate")
@roles_required(*ADMINS)
def pregenerate_papers(arrangement_id):
    """Generate every candidate's personal paper before the window opens."""
    arrangement = _arrangement_or_404(arrangement_id)
    try:
        made = papers.pregenerate(arrangement, Actor.from_request())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(f"已生成 {made} 份考生试卷。", "success")
    return redirect(
        url_for("exams_admin.show_arrangement", arrangement_id=arrangement.id)
    )


class CandidateListForm(FlaskForm):
    file = FileField(
        "考生名单（.xlsx，第一列为用户名或身份证号）",
        validators=[FileRequired("请选择要上传的文件")],
    )
    submit = SubmitField("导入名单")


class CandidateAdjustForm(FlaskForm):
    login = StringField(
        "考生（用户名或身份证号）", validators=[DataRequired("请填写考生")]
    )
    action = SelectField(
        "调整",
        choices=[
            SelectChoice("exempt", "免考（须填写理由）"),
            SelectChoice("extra", "延长考试时间（分钟）"),
            SelectChoice("makeup", "单独补考截止时间"),
        ],
    )
    reason = StringField("免考理由", validators=[Length(max=200)])
    extra_minutes = IntegerField(
        "延长分钟数", default=0, validators=[NumberRange(min=0, max=600)]
    )
    makeup_until = DateTimeLocalField(
        "补考截止", format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    submit = SubmitField("保存调整")


def _manageable_user(login):
    from portal.auth.models import User
    from portal.auth.queries import users_visible_to

    login = (login or "").strip()
    return db.session.scalar(
        users_visible_to(current_user).where(
            sa.or_(User.username == login, User.id_number == login.upper())
        )
    )


@bp.post("/arrangements/<int:arrangement_id>/candidates/upload")
@roles_required(*ADMINS)
def upload_candidates(arrangement_id):
    """Enrol the users listed in an .xlsx (one 用户名 or 身份证号 per row)."""
    from exams.formats.text import FormatError
    from exams.formats.xlsx import open_workbook

    arrangement = _arrangement_or_404(arrangement_id)
    form = CandidateListForm()
    if not form.validate_on_submit():
        flash("请选择要上传的考生名单文件。", "danger")
        return redirect(
            url_for("exams_admin.show_arrangement", arrangement_id=arrangement.id)
        )
    users, errors = [], []
    try:
        with open_workbook(form.file.data.read()) as workbook:
            for number, row in enumerate(
                workbook.worksheets[0].iter_rows(values_only=True), 1
            ):
                value = str(row[0]).strip() if row and row[0] is not None else ""
                if not value or value in ("用户名", "身份证号", "用户名或身份证号"):
                    continue
                user = _manageable_user(value)
                if user is None:
                    errors.append(f"第{number}行：找不到可管理的用户“{value}”")
                else:
                    users.append(user)
    except FormatError as exc:
        errors.append(str(exc))
    if errors:
        db.session.rollback()
        flash("名单有错误，未导入任何考生：" + "；".join(errors[:20]), "danger")
    else:
        added = papers.enrol_candidates(arrangement, users=users)
        db.session.commit()
        flash(f"已导入名单，新增考生 {added} 人。", "success")
    return redirect(
        url_for("exams_admin.show_arrangement", arrangement_id=arrangement.id)
    )


@bp.post("/arrangements/<int:arrangement_id>/candidates/adjust")
@roles_required(*ADMINS)
def adjust_candidate(arrangement_id):
    """Exempt a candidate, or give extra time or a personal make-up window."""
    arrangement = _arrangement_or_404(arrangement_id)
    form = CandidateAdjustForm()
    user = _manageable_user(form.login.data) if form.validate_on_submit() else None
    entry = next(
        (c for c in arrangement.candidates if user and c.user_id == user.id), None
    )
    if entry is None:
        flash("调整未保存：请填写本次考试名单中的考生。", "danger")
        return redirect(
            url_for("exams_admin.show_arrangement", arrangement_id=arrangement.id)
        )
    try:
        papers.adjust_candidate(
            arrangement,
            entry,
            Actor.from_request(),
            action=form.action.data,
            reason=form.reason.data or "",
            extra_minutes=form.extra_minutes.data or 0,
            makeup_until=to_utc(form.makeup_until.data),
        )
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(f"已保存对 {user.name} 的调整。", "success")
    return redirect(
        url_for("exams_admin.show_arrangement", arrangement_id=arrangement.id)
    )


@bp.get("/arrangements/<int:arrangement_id>/analysis")
@roles_required(*ADMINS)
def show_analysis(arrangement_id):
    """Item analysis of an arrangement (graded attempts); ``?format=xlsx`` exports."""
    from flask import request, send_file

    from exams.analysis import export_xlsx, item_statistics, paper_summary
    from exams.models import Question
    from exams.queries import arrangement_results

    arrangement = _arrangement_or_404(arrangement_id)
    results, options = arrangement_results(arrangement)
    stats = item_statistics(results, item_options=options) if results else {}
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
    )
