"""Paper screens (``exam_papers`` blueprint, /admin/exams): papers (试卷), fixed
items and blueprint rules."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import (
    SelectChoice,
)

from exams.banks.models import TYPE_LABELS, KnowledgePoint
from exams.banks.queries import visible_banks
from exams.common import ADMINS
from exams.papers import bp
from exams.papers import services as papers
from exams.papers.forms import PaperForm, PickForm, RuleForm
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
    from exams.banks.models import QuestionVersion

    paper = paper_or_404(paper_id)
    form = _rule_form() if paper.kind == "blueprint" else PickForm()
    if form.validate_on_submit():
        if paper.kind == "fixed":
            done = _pick_questions(paper, form)
        else:
            done = _add_rule(paper, form)
        if done:
            audit.record(
                "paper_edited",
                Actor.from_request(),
                paper,
                label=paper.name,
                after="添加试题" if paper.kind == "fixed" else "添加组卷规则",
            )
            db.session.commit()
            return redirect(url_for("exam_papers.show_paper", paper_id=paper.id))
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
    from exams.papers.models import BlueprintRule

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
