"""Arrangement screens (``exam_papers`` blueprint, /admin/exams): exam arrangements
(考试安排), their candidates and pre-generated personal papers."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import (
    SelectChoice,
)

from exams.common import ADMINS
from exams.papers import arrangements as lifecycle
from exams.papers import bp
from exams.papers import services as papers
from exams.papers.forms import (
    ArrangementEditForm,
    ArrangementForm,
    CancelForm,
    CandidateAddForm,
    CandidateAdjustForm,
    CandidateListForm,
    PostponeForm,
    first_error,
)
from exams.papers.models import ARRANGEMENT_KINDS
from exams.papers.queries import (
    arrangement_or_404,
    paper_or_404,
    visible_arrangements,
    visible_papers,
)
from portal import audit
from portal.actor import Actor
from portal.auth.decorators import roles_required
from portal.auth.queries import organisations_visible_to
from portal.exceptions import DomainError
from portal.extensions import db
from portal.orgs.models import Domain
from portal.timeutil import to_local, to_utc


@bp.route("/arrangements", methods=["GET", "POST"])
@roles_required(*ADMINS)
def list_arrangements():
    """Exam arrangements; a form to schedule one for a unit."""
    form = ArrangementForm()
    form.paper_id.choices = [
        SelectChoice(p.id, p.name) for p in db.session.scalars(visible_papers())
    ]
    orgs = list(db.session.scalars(organisations_visible_to(current_user)))
    form.organisation_id.choices = [SelectChoice(o.id, o.full_name) for o in orgs]
    earlier = db.session.scalars(visible_arrangements()).all()
    form.prerequisite_id.choices = [SelectChoice(0, "无")] + [
        SelectChoice(a.id, a.name) for a in earlier if a.kind == "qual_special"
    ]
    domains = db.session.scalars(sa.select(Domain).order_by(Domain.id)).all()
    form.domain_ids.choices = [SelectChoice(d.id, d.name) for d in domains]
    if form.validate_on_submit():
        paper = paper_or_404(form.paper_id.data)
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
                    status="draft" if form.save_as_draft.data else "published",
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
                audit.record(
                    "arrangement_created",
                    Actor.from_request(),
                    arrangement,
                    label=arrangement.name,
                    after={"参考人数": added, "状态": arrangement.status_label},
                )
                db.session.commit()
                if arrangement.status == "draft":
                    flash(
                        f"考试安排已保存为草稿，参考人员 {added} 人；发布后考生才能看到。",
                        "success",
                    )
                else:
                    flash(f"考试安排已发布，参考人员 {added} 人。", "success")
                return redirect(
                    url_for(
                        "exam_papers.show_arrangement", arrangement_id=arrangement.id
                    )
                )
    rows = db.session.scalars(visible_arrangements()).all()
    return render_template(
        "exams/admin/arrangement_list.html",
        arrangements=rows,
        form=form,
        kinds=ARRANGEMENT_KINDS,
    ), (400 if form.errors else 200)


@bp.get("/arrangements/<int:arrangement_id>")
@roles_required(*ADMINS)
def show_arrangement(arrangement_id):
    """An arrangement with its candidates and generated papers."""
    from exams.papers.models import CandidatePaper
    from exams.results.services import release_status
    from portal.timeutil import utcnow

    arrangement = arrangement_or_404(arrangement_id)
    generated = db.session.scalar(
        sa.select(sa.func.count(CandidatePaper.id)).where(
            CandidatePaper.arrangement_id == arrangement.id
        )
    )
    refusal = lifecycle.change_refusal(arrangement)
    edit_form = ArrangementEditForm(obj=arrangement, prefix="edit")
    edit_form.window_start.data = to_local(arrangement.window_start)
    edit_form.window_end.data = to_local(arrangement.window_end)
    postpone_form = PostponeForm(prefix="postpone")
    return render_template(
        "exams/admin/arrangement_show.html",
        arrangement=arrangement,
        generated=generated,
        kinds=ARRANGEMENT_KINDS,
        upload_form=CandidateListForm(),
        add_form=CandidateAddForm(prefix="add"),
        adjust_form=CandidateAdjustForm(),
        release=release_status(arrangement, utcnow()),
        refusal=refusal,
        edit_form=edit_form,
        postpone_form=postpone_form,
        cancel_form=CancelForm(prefix="cancel"),
    )


def _back(arrangement):
    return redirect(
        url_for("exam_papers.show_arrangement", arrangement_id=arrangement.id)
    )


def _apply(arrangement, change, done, refused=""):
    """Run one lifecycle ``change`` and commit it (flash ``done``), or roll back
    and flash the service's reason after ``refused``; back to the arrangement."""
    try:
        change()
    except DomainError as exc:
        db.session.rollback()
        flash(refused + exc.message, "danger")
        return _back(arrangement)
    db.session.commit()
    flash(done, "success")
    return _back(arrangement)


@bp.post("/arrangements/<int:arrangement_id>/edit")
@roles_required(*ADMINS)
def edit_arrangement(arrangement_id):
    """Change window, duration, attempts and rules before the first start."""
    arrangement = arrangement_or_404(arrangement_id)
    form = ArrangementEditForm(prefix="edit")
    if not form.validate_on_submit():
        flash("修改未保存：" + first_error(form), "danger")
        return _back(arrangement)
    try:
        changed = lifecycle.update_arrangement(
            arrangement,
            Actor.from_request(),
            name=form.name.data,
            window_start=to_utc(form.window_start.data),
            window_end=to_utc(form.window_end.data),
            duration_minutes=form.duration_minutes.data,
            attempts_allowed=form.attempts_allowed.data,
            makeup_attempts=form.makeup_attempts.data,
            tab_switch_limit=form.tab_switch_limit.data,
            allow_device_change=form.allow_device_change.data,
            release_policy=form.release_policy.data,
            show_answers=form.show_answers.data,
        )
    except DomainError as exc:
        db.session.rollback()
        flash("修改未保存：" + exc.message, "danger")
        return _back(arrangement)
    db.session.commit()
    if changed:
        told = "，已通知考生" if arrangement.status == "published" else ""
        flash(f"考试安排已修改{told}。", "success")
    else:
        flash("没有修改任何内容。", "info")
    return _back(arrangement)


@bp.post("/arrangements/<int:arrangement_id>/postpone")
@roles_required(*ADMINS)
def postpone_arrangement(arrangement_id):
    """延期: move the window to a later start."""
    arrangement = arrangement_or_404(arrangement_id)
    form = PostponeForm(prefix="postpone")
    if not form.validate_on_submit():
        flash("未延期：" + first_error(form), "danger")
        return _back(arrangement)
    return _apply(
        arrangement,
        lambda: lifecycle.postpone(
            arrangement, Actor.from_request(), to_utc(form.new_start.data)
        ),
        "考试已延期。",
        refused="未延期：",
    )


@bp.post("/arrangements/<int:arrangement_id>/publish")
@roles_required(*ADMINS)
def publish_arrangement(arrangement_id):
    """草稿 → 已发布 (candidates see it and are told)."""
    arrangement = arrangement_or_404(arrangement_id)
    return _apply(
        arrangement,
        lambda: lifecycle.publish(arrangement, Actor.from_request()),
        "考试安排已发布，已通知考生。",
    )


@bp.post("/arrangements/<int:arrangement_id>/cancel")
@roles_required(*ADMINS)
def cancel_arrangement(arrangement_id):
    """取消 with a reason (candidates are told)."""
    from portal.timeutil import utcnow

    arrangement = arrangement_or_404(arrangement_id)
    form = CancelForm(prefix="cancel")
    if not form.validate_on_submit():
        flash("未取消：" + first_error(form), "danger")
        return _back(arrangement)
    return _apply(
        arrangement,
        lambda: lifecycle.cancel(
            arrangement, Actor.from_request(), form.reason.data, utcnow()
        ),
        "考试已取消，已通知考生。",
        refused="未取消：",
    )


@bp.post("/arrangements/<int:arrangement_id>/candidates/<int:user_id>/remove")
@roles_required(*ADMINS)
def remove_candidate(arrangement_id, user_id):
    """Take a candidate off the list before the first start."""
    arrangement = arrangement_or_404(arrangement_id)
    entry = next((c for c in arrangement.candidates if c.user_id == user_id), None)
    if entry is None:
        abort(404)
    return _apply(
        arrangement,
        lambda: lifecycle.remove_candidate(arrangement, entry, Actor.from_request()),
        "已将该考生移出名单。",
    )


@bp.post("/arrangements/<int:arrangement_id>/pregenerate")
@roles_required(*ADMINS)
def pregenerate_papers(arrangement_id):
    """Generate every candidate's personal paper before the window opens."""
    arrangement = arrangement_or_404(arrangement_id)
    try:
        made = papers.pregenerate(arrangement, Actor.from_request())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(f"已生成 {made} 份考生试卷。", "success")
    return redirect(
        url_for("exam_papers.show_arrangement", arrangement_id=arrangement.id)
    )


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
    from portal.spreadsheets import open_workbook
    from portal.uploads import FormatError

    arrangement = arrangement_or_404(arrangement_id)
    refusal = lifecycle.change_refusal(arrangement)
    if refusal:
        flash("名单未导入：" + refusal, "danger")
        return _back(arrangement)
    form = CandidateListForm()
    if not form.validate_on_submit():
        flash("请选择要上传的考生名单文件。", "danger")
        return redirect(
            url_for("exam_papers.show_arrangement", arrangement_id=arrangement.id)
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
        added = lifecycle.add_candidates(arrangement, users, Actor.from_request())
        db.session.commit()
        flash(f"已导入名单，新增考生 {added} 人。", "success")
    return redirect(
        url_for("exam_papers.show_arrangement", arrangement_id=arrangement.id)
    )


@bp.post("/arrangements/<int:arrangement_id>/candidates/add")
@roles_required(*ADMINS)
def add_candidate(arrangement_id):
    """Enrol one user by 用户名 or 身份证号 (the .xlsx list is for many)."""
    arrangement = arrangement_or_404(arrangement_id)
    refusal = lifecycle.change_refusal(arrangement)
    if refusal:
        flash("考生未添加：" + refusal, "danger")
        return _back(arrangement)
    form = CandidateAddForm(prefix="add")
    user = _manageable_user(form.login.data) if form.validate_on_submit() else None
    if user is None:
        flash("考生未添加：找不到您可管理的该用户名或身份证号。", "danger")
        return _back(arrangement)
    added = lifecycle.add_candidates(
        arrangement, [user], Actor.from_request(), detail={"考生": user.username}
    )
    if not added:
        flash(f"{user.name} 已在考试名单中。", "info")
        return _back(arrangement)
    db.session.commit()
    flash(f"已添加考生 {user.name}。", "success")
    return _back(arrangement)


@bp.post("/arrangements/<int:arrangement_id>/candidates/adjust")
@roles_required(*ADMINS)
def adjust_candidate(arrangement_id):
    """Exempt a candidate, or give extra time or a personal make-up window."""
    arrangement = arrangement_or_404(arrangement_id)
    form = CandidateAdjustForm()
    user = _manageable_user(form.login.data) if form.validate_on_submit() else None
    entry = next(
        (c for c in arrangement.candidates if user and c.user_id == user.id), None
    )
    if entry is None:
        flash("调整未保存：请填写本次考试名单中的考生。", "danger")
        return redirect(
            url_for("exam_papers.show_arrangement", arrangement_id=arrangement.id)
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
        url_for("exam_papers.show_arrangement", arrangement_id=arrangement.id)
    )
