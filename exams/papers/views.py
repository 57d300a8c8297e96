"""Paper screens (``exam_papers`` blueprint, /admin/exams): papers (试卷), fixed
items and blueprint rules."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import (
    SelectChoice,
)

from exams.banks.models import TYPE_LABELS, KnowledgePoint
from exams.banks.queries import visible_banks
from exams.common import ADMINS
from exams.papers import bp
from exams.papers import services as papers
from exams.papers.forms import (
    AddItemsForm,
    CopyPaperForm,
    PaperForm,
    PaperSettingsForm,
    PickForm,
    RuleForm,
    first_error,
)
from exams.papers.queries import paper_or_404, visible_papers
from portal import audit
from portal.actor import Actor
from portal.auth.decorators import roles_required
from portal.auth.models import Role
from portal.exceptions import DomainError
from portal.extensions import db


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
            db.session.flush()
            audit.record("paper_created", Actor.from_request(), paper, label=paper.name)
            db.session.commit()
            flash(
                "试卷已创建，请添加组卷规则。"
                if paper.kind == "blueprint"
                else "试卷已创建，请添加试题。",
                "success",
            )
            return redirect(url_for("exam_papers.show_paper", paper_id=paper.id))
    rows = db.session.scalars(visible_papers()).all()
    return render_template("exams/admin/paper_list.html", papers=rows, form=form), (
        400 if form.errors else 200
    )


def _rule_form(obj=None):
    form = RuleForm(obj=obj)
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
    """A paper's settings, rules or questions (with search and filter for a fixed
    paper), its validation and a sample grouped by type; changes until used."""
    paper = paper_or_404(paper_id)
    used = papers.paper_used(paper)
    form = _rule_form() if paper.kind == "blueprint" else PickForm()
    if form.validate_on_submit():
        if used:
            flash(papers.USED_REFUSAL, "danger")
            return redirect(url_for("exam_papers.show_paper", paper_id=paper.id))
        if paper.kind == "fixed":
            done = _pick_questions(paper, form)
        else:
            done = _add_rule(paper, form)
        if done:
            if paper.kind == "fixed":  # rules are audited by the service
                audit.record(
                    "paper_edited",
                    Actor.from_request(),
                    paper,
                    label=paper.name,
                    after="添加试题",
                )
            db.session.commit()
            return redirect(url_for("exam_papers.show_paper", paper_id=paper.id))
    errors = papers.validate_paper(paper)
    sample, sample_groups = [], []
    if not errors:
        sample, sample_groups = _sample(paper)
    settings = PaperSettingsForm(obj=paper, prefix="settings")
    search = _search(paper) if paper.kind == "fixed" and not used else None
    status = 400 if form.errors else 200
    return render_template(
        "exams/admin/paper_show.html",
        paper=paper,
        used=used,
        used_refusal=papers.USED_REFUSAL,
        form=form,
        settings_form=settings,
        copy_form=CopyPaperForm(name=f"{paper.name}（副本）", prefix="copy"),
        errors=errors,
        sample=sample,
        sample_groups=sample_groups,
        search=search,
        type_labels=TYPE_LABELS,
    ), status


def _sample(paper):
    from exams.banks.models import QuestionVersion

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
    starts = papers.sections([(v.type, d.score) for v, d in sample])
    groups = []
    for number, (version, item) in enumerate(sample, start=1):
        if number - 1 in starts:
            groups.append((starts[number - 1], []))
        groups[-1][1].append((number, version, item))
    return sample, groups


def _search(paper):
    """The question search of a fixed paper (GET parameters bank, type, point, q)."""
    banks = list(db.session.scalars(visible_banks()))
    points = list(
        db.session.scalars(sa.select(KnowledgePoint).order_by(KnowledgePoint.path))
    )
    args = request.args
    wanted = {
        "bank": args.get("bank", type=int) or 0,
        "type": args.get("type", "") if args.get("type") in TYPE_LABELS else "",
        "point": args.get("point", type=int) or 0,
        "q": (args.get("q") or "").strip()[:100],
    }
    searched = any(wanted.values())
    rows = []
    if searched:
        stmt = papers.search_questions(
            [b.id for b in banks],
            bank_id=wanted["bank"],
            qtype=wanted["type"],
            point_id=wanted["point"],
            text=wanted["q"],
        ).limit(SEARCH_LIMIT + 1)
        rows = db.session.execute(stmt).all()
    on_paper = {item.version.question_id for item in paper.items}
    return {
        "banks": banks,
        "points": points,
        "wanted": wanted,
        "searched": searched,
        "rows": rows[:SEARCH_LIMIT],
        "more": len(rows) > SEARCH_LIMIT,
        "on_paper": on_paper,
    }


SEARCH_LIMIT = 50


def _refused(paper, exc):
    db.session.rollback()
    flash(exc.message, "danger")
    return redirect(url_for("exam_papers.show_paper", paper_id=paper.id))


@bp.post("/papers/<int:paper_id>/settings")
@roles_required(*ADMINS)
def update_paper(paper_id):
    """Change the settings of an unused paper (总分, 及格分, 题量倍数, 多选计分)."""
    paper = paper_or_404(paper_id)
    form = PaperSettingsForm(prefix="settings")
    if not form.validate_on_submit():
        flash("试卷设置未保存：" + first_error(form), "danger")
        return redirect(url_for("exam_papers.show_paper", paper_id=paper.id))
    try:
        changed = papers.update_paper_settings(
            paper,
            Actor.from_request(),
            name=form.name.data,
            total_score=form.total_score.data,
            pass_mark=form.pass_mark.data,
            pool_factor=form.pool_factor.data,
            multiple_policy=form.multiple_policy.data,
        )
    except DomainError as exc:
        return _refused(paper, exc)
    db.session.commit()
    flash("试卷设置已保存。" if changed else "试卷设置没有变化。", "success")
    return redirect(url_for("exam_papers.show_paper", paper_id=paper.id))


@bp.post("/papers/<int:paper_id>/copy")
@roles_required(*ADMINS)
def copy_paper(paper_id):
    """复制为新试卷 (a used paper is changed through its copy)."""
    paper = paper_or_404(paper_id)
    form = CopyPaperForm(prefix="copy")
    if not form.validate_on_submit():
        flash("未复制：" + first_error(form), "danger")
        return redirect(url_for("exam_papers.show_paper", paper_id=paper.id))
    copy = papers.copy_paper(paper, Actor.from_request(), name=form.name.data)
    db.session.commit()
    flash("已复制为新试卷，可以修改。", "success")
    return redirect(url_for("exam_papers.show_paper", paper_id=copy.id))


def _rule_of(paper, rule_id):
    rule = next((r for r in paper.rules if r.id == rule_id), None)
    if rule is None:
        abort(404)
    return rule


@bp.route("/papers/<int:paper_id>/rules/<int:rule_id>", methods=["GET", "POST"])
@roles_required(*ADMINS)
def edit_rule(paper_id, rule_id):
    """Change one blueprint rule of an unused paper."""
    paper = paper_or_404(paper_id)
    rule = _rule_of(paper, rule_id)
    form = _rule_form(obj=rule)
    form.submit.label.text = "保存规则"
    if form.validate_on_submit():
        try:
            papers.update_rule(
                paper,
                rule,
                Actor.from_request(),
                bank_id=form.bank_id.data or None,
                knowledge_point_id=form.knowledge_point_id.data or None,
                type=form.type.data,
                difficulty_min=form.difficulty_min.data,
                difficulty_max=form.difficulty_max.data,
                count=form.count.data,
                score_each=form.score_each.data,
            )
        except DomainError as exc:
            return _refused(paper, exc)
        db.session.commit()
        flash(f"规则{rule.position}已保存。", "success")
        return redirect(url_for("exam_papers.show_paper", paper_id=paper.id))
    if request.method == "GET":
        form.bank_id.data = rule.bank_id or 0
        form.knowledge_point_id.data = rule.knowledge_point_id or 0
    return render_template(
        "exams/admin/rule_edit.html",
        paper=paper,
        rule=rule,
        form=form,
        used=papers.paper_used(paper),
        used_refusal=papers.USED_REFUSAL,
    ), (400 if form.errors else 200)


@bp.post("/papers/<int:paper_id>/rules/<int:rule_id>/delete")
@roles_required(*ADMINS)
def delete_rule(paper_id, rule_id):
    paper = paper_or_404(paper_id)
    rule = _rule_of(paper, rule_id)
    try:
        papers.remove_rule(paper, rule, Actor.from_request())
    except DomainError as exc:
        return _refused(paper, exc)
    db.session.commit()
    flash("已删除规则。", "success")
    return redirect(url_for("exam_papers.show_paper", paper_id=paper.id))


def _item_of(paper, item_id):
    item = next((i for i in paper.items if i.id == item_id), None)
    if item is None:
        abort(404)
    return item


@bp.post("/papers/<int:paper_id>/items/add")
@roles_required(*ADMINS)
def add_items(paper_id):
    """Add the questions ticked in the search results to a fixed paper."""
    from exams.banks.models import Question

    paper = paper_or_404(paper_id)
    form = AddItemsForm()
    if not form.validate_on_submit():
        flash("未加入：" + first_error(form), "danger")
        return redirect(
            request.referrer or url_for("exam_papers.show_paper", paper_id=paper.id)
        )
    ids = [int(v) for v in request.form.getlist("question_id") if v.isdigit()]
    if not ids:
        flash("请勾选要加入的试题。", "danger")
        return redirect(
            request.referrer or url_for("exam_papers.show_paper", paper_id=paper.id)
        )
    banks = sa.select(visible_banks().subquery().c.id)
    found = list(
        db.session.scalars(
            sa.select(Question).where(Question.id.in_(ids), Question.bank_id.in_(banks))
        )
    )
    found.sort(key=lambda q: ids.index(q.id))  # in the order ticked (shown)
    try:
        added = papers.add_fixed_items(paper, found, form.score.data)
    except DomainError as exc:
        return _refused(paper, exc)
    audit.record(
        "paper_edited",
        Actor.from_request(),
        paper,
        label=paper.name,
        after={"加入试题": [q.id for q in found]},
    )
    db.session.commit()
    flash(f"已加入 {added} 道试题。", "success")
    return redirect(
        request.referrer or url_for("exam_papers.show_paper", paper_id=paper.id)
    )


@bp.post("/papers/<int:paper_id>/items/<int:item_id>/move")
@roles_required(*ADMINS)
def move_item(paper_id, item_id):
    """Move a fixed paper's question up or down (the order candidates see)."""
    paper = paper_or_404(paper_id)
    item = _item_of(paper, item_id)
    delta = -1 if request.form.get("direction") == "up" else 1
    try:
        papers.move_item(paper, item, delta, Actor.from_request())
    except DomainError as exc:
        return _refused(paper, exc)
    db.session.commit()
    return redirect(url_for("exam_papers.show_paper", paper_id=paper.id) + "#items")


@bp.post("/papers/<int:paper_id>/items/<int:item_id>/remove")
@roles_required(*ADMINS)
def remove_item(paper_id, item_id):
    paper = paper_or_404(paper_id)
    item = _item_of(paper, item_id)
    try:
        papers.remove_item(paper, item, Actor.from_request())
    except DomainError as exc:
        return _refused(paper, exc)
    db.session.commit()
    flash("已移除试题。", "success")
    return redirect(url_for("exam_papers.show_paper", paper_id=paper.id) + "#items")


def _add_rule(paper, form):
    if form.difficulty_min.data > form.difficulty_max.data:
        form.difficulty_max.errors.append("难度上限不能低于下限")
        return False
    try:
        papers.add_rule(
            paper,
            Actor.from_request(),
            bank_id=form.bank_id.data or None,
            knowledge_point_id=form.knowledge_point_id.data or None,
            type=form.type.data,
            difficulty_min=form.difficulty_min.data,
            difficulty_max=form.difficulty_max.data,
            count=form.count.data,
            score_each=form.score_each.data,
        )
    except DomainError as exc:
        form.count.errors.append(exc.message)
        return False
    flash("已添加组卷规则。", "success")
    return True


def _pick_questions(paper, form):
    import re

    from exams.banks.models import Question

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
