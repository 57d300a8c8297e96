"""Writing questions by hand (issue #12): 新增/编辑/复制/停用/启用, the question
page with the candidate's preview, 更正答案 with the regrade preview, and the
knowledge-point tree. Routes of the ``exam_banks`` blueprint (/admin/exams)."""

from types import SimpleNamespace

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from exams.banks import authoring, bp, knowledge, services
from exams.banks.models import TYPE_LABELS, KnowledgePoint, Question, QuestionVersion
from exams.banks.queries import bank_or_404, may_write_bank, writable_bank_or_403
from exams.common import ADMINS
from portal.actor import Actor
from portal.auth.decorators import roles_required
from portal.exceptions import DomainError
from portal.extensions import db
from portal.laws import references

_ADD_ROW = {"add_option": "options", "add_blank": "blanks", "add_rubric": "rubric"}
_EMPTY_ROW = {"options": ("", False), "blanks": ("", ""), "rubric": ("", "")}


def _question_or_404(question_id):
    question = db.get_or_404(Question, question_id)
    bank_or_404(question.bank_id)
    return question


def _writable_question(question_id):
    question = db.get_or_404(Question, question_id)
    writable_bank_or_403(question.bank_id)
    return question


def preview_of(qtype, stem, spec, score):
    """What the candidate's template needs to show a question (see
    exams/_question_body.html): a version-like object and the paper item."""
    version = SimpleNamespace(type=qtype, stem=stem, spec=spec)
    item = {"options": list((spec or {}).get("options", {})), "score": score}
    return version, item


def _point_choices(keep=None):
    points = knowledge.active_points()
    if keep is not None and keep not in points:
        points.append(keep)
    return points


def _resolve_basis(draft, form, current):
    """Normalise the typed legal basis; ``confirm`` is the article shown for
    confirmation when the user has not confirmed it yet.

    :return: (fields, error or None, article to confirm or None).
    """
    basis = draft.legal_basis
    if not basis:
        return {"legal_basis": "", "law_article_id": None}, None, None
    article, error = references.resolve_legal_basis(basis)
    if error:
        return {}, error, None
    draft.legal_basis = article.citation
    fields = {"legal_basis": article.citation, "law_article_id": article.id}
    confirmed = form.get("basis_article") == str(article.id)
    unchanged = current is not None and current.law_article_id == article.id
    return fields, None, None if (confirmed or unchanged) else article


def _editor(bank, qtype, question=None):
    """The editor for a new (``question`` None) or an existing question."""
    current = question.current if question else None
    form = FlaskForm()
    errors, confirm, preview = {}, None, None
    if request.method == "POST":
        base = authoring.draft_from_version(current) if current else None
        draft = authoring.draft_from_form(qtype, request.form, base)
        action = request.form.get("action", "save")
        if action in _ADD_ROW:
            name = _ADD_ROW[action]
            setattr(draft, name, [*getattr(draft, name), _EMPTY_ROW[name]])
        else:
            keep = current.knowledge_point if current else None
            points = {p.id for p in _point_choices(keep)}
            fields, errors = authoring.build(draft, points)
            basis_fields, basis_error, confirm = _resolve_basis(
                draft, request.form, current
            )
            if basis_error:
                errors["legal_basis"] = [basis_error]
            fields.update(basis_fields)
            if action == "preview" and "spec" not in errors:
                preview = preview_of(qtype, fields["stem"], fields["spec"], draft.score)
            if not form.validate_on_submit():
                errors["csrf"] = ["页面已过期，请刷新后重试"]
            if action == "save" and not errors and confirm is None:
                actor = Actor.from_request()
                if question is None:
                    question = authoring.create_question(bank, qtype, fields, actor)
                    message = f"已新增试题 {question.id}。"
                else:
                    version = services.edit_question(question, fields, actor)
                    message = f"试题 {question.id} 已保存（第 {version.version} 版）。"
                db.session.commit()
                flash(message, "success")
                return redirect(
                    url_for("exam_banks.show_question", question_id=question.id)
                )
    else:
        draft = (
            authoring.draft_from_version(current)
            if current
            else authoring.empty_draft(qtype)
        )
    status = 400 if errors else 200
    return render_template(
        "exams/admin/question_editor.html",
        bank=bank,
        question=question,
        version=current,
        draft=draft,
        errors=errors,
        confirm=confirm,
        preview=preview,
        points=_point_choices(current.knowledge_point if current else None),
        type_labels=TYPE_LABELS,
        letters=authoring.LETTERS,
    ), status


@bp.route("/banks/<int:bank_id>/questions/new", methods=["GET", "POST"])
@roles_required(*ADMINS)
def new_question(bank_id):
    """新增试题: pick the type, then fill in every field."""
    bank = writable_bank_or_403(bank_id)
    qtype = request.values.get("type", "")
    if qtype not in TYPE_LABELS:
        return render_template(
            "exams/admin/question_new_type.html", bank=bank, type_labels=TYPE_LABELS
        )
    return _editor(bank, qtype)


@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"])
@roles_required(*ADMINS)
def edit_question(question_id):
    """Edit a question; a version already used by a paper is kept and a new one made."""
    question = _writable_question(question_id)
    return _editor(question.bank, question.current.type, question)


@bp.get("/questions/<int:question_id>")
@roles_required(*ADMINS)
def show_question(question_id):
    """The question page: the candidate's view, the key, the versions, actions."""
    question = _question_or_404(question_id)
    current = question.current
    version, item = preview_of(current.type, current.stem, current.spec, current.score)
    return render_template(
        "exams/admin/question_show.html",
        question=question,
        bank=question.bank,
        current=current,
        preview=(version, item),
        can_write=may_write_bank(current_user, question.bank),
        correctable=current.type in authoring.CORRECTABLE_TYPES,
        answered=authoring.answered_versions(question),
        type_labels=TYPE_LABELS,
    )


@bp.post("/questions/<int:question_id>/copy")
@roles_required(*ADMINS)
def copy_question(question_id):
    """复制: a new question with the same content, then its editor."""
    question = _writable_question(question_id)
    copy = authoring.copy_question(question, Actor.from_request())
    db.session.commit()
    flash(f"已复制为试题 {copy.id}，可在此修改。", "success")
    return redirect(url_for("exam_banks.edit_question", question_id=copy.id))


@bp.post("/questions/<int:question_id>/retire")
@roles_required(*ADMINS)
def retire_question(question_id):
    """停用: kept with its history, no longer drawn into new papers."""
    question = _writable_question(question_id)
    _life_cycle(authoring.retire_question, question, "已停用")
    return redirect(url_for("exam_banks.show_question", question_id=question.id))


@bp.post("/questions/<int:question_id>/enable")
@roles_required(*ADMINS)
def enable_question(question_id):
    """启用 a retired question again."""
    question = _writable_question(question_id)
    _life_cycle(authoring.enable_question, question, "已重新启用")
    return redirect(url_for("exam_banks.show_question", question_id=question.id))


def _life_cycle(service, question, done):
    try:
        service(question, Actor.from_request())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return
    db.session.commit()
    flash(f"试题 {question.id} {done}。", "success")


# ---------------------------------------------------------------- 更正答案


@bp.route("/questions/<int:question_id>/correct-key", methods=["GET", "POST"])
@roles_required(*ADMINS)
def correct_key(question_id):
    """更正答案: the corrected key, a preview of every affected attempt, then the
    regrade in one transaction (audited; candidates whose score changes are
    notified)."""
    from exams.attempts.services import correct_key as apply_correction

    question = _writable_question(question_id)
    answered = authoring.answered_versions(question)
    versions = answered or [question.current]
    wanted = request.values.get("version", type=int)
    version = next((v for v in versions if v.id == wanted), versions[0])
    if version.type not in authoring.CORRECTABLE_TYPES:
        abort(404)
    form = FlaskForm()
    draft = authoring.draft_from_version(version)
    errors, rows = [], None
    if request.method == "POST":
        posted = authoring.draft_from_form(version.type, request.form)
        # Only the key changes: options and blanks stay as the candidates saw them.
        if version.type in authoring.CHOICE_TYPES:
            marked = {int(i) for i in request.form.getlist("correct") if i.isdigit()}
            draft.options = [
                (text, index in marked) for index, (text, _) in enumerate(draft.options)
            ]
        elif version.type == "true_false":
            draft.tf_key = posted.tf_key
        else:
            answers = [
                request.form.get(f"blank-{i}-answers", "")
                for i in range(len(draft.blanks))
            ]
            draft.blanks = [
                (text.strip(), score)
                for text, (_, score) in zip(answers, draft.blanks, strict=True)
            ]
        spec, errors = authoring.build_spec(draft, version.score)
        if not errors and spec == version.spec:
            errors = ["答案没有变化"]
        if not form.validate_on_submit():
            errors.append("页面已过期，请刷新后重试")
        if not errors:
            actor = Actor.from_request()
            if request.form.get("action") == "apply":
                try:
                    count = apply_correction(version, spec, actor)
                except DomainError as exc:
                    errors = [exc.message]
                else:
                    db.session.commit()
                    flash(
                        f"已更正试题 {question.id} 第 {version.version} 版的答案，"
                        f"重新评分 {count} 份答卷；成绩有变化的考生已收到通知。",
                        "success",
                    )
                    return redirect(
                        url_for("exam_banks.show_question", question_id=question.id)
                    )
            else:
                try:
                    rows = authoring.preview_key_correction(version, spec, actor)
                except DomainError as exc:
                    errors = [exc.message]
                db.session.rollback()
    return render_template(
        "exams/admin/question_correct_key.html",
        question=question,
        bank=question.bank,
        version=version,
        versions=versions,
        draft=draft,
        errors=errors,
        rows=rows,
        type_labels=TYPE_LABELS,
        letters=authoring.LETTERS,
    ), (400 if errors else 200)


# ---------------------------------------------------------------- 知识点


@bp.get("/knowledge-points")
@roles_required(*ADMINS)
def list_knowledge_points():
    """The knowledge-point tree with its question counts and the tree actions."""
    services.ensure_default_knowledge_points()
    db.session.commit()
    points = db.session.scalars(
        sa.select(KnowledgePoint).order_by(KnowledgePoint.path)
    ).all()
    counts = dict(
        db.session.execute(
            sa.select(QuestionVersion.knowledge_point_id, sa.func.count())
            .join(Question, Question.current_version_id == QuestionVersion.id)
            .where(Question.is_active)
            .group_by(QuestionVersion.knowledge_point_id)
        ).all()
    )
    return render_template(
        "exams/admin/knowledge_points.html",
        points=points,
        active=[p for p in points if p.is_active],
        counts=counts,
    )


def _point(point_id):
    if not point_id:
        return None
    point = db.session.get(KnowledgePoint, point_id)
    if point is None:
        abort(404)
    return point


@bp.post("/knowledge-points/<action>")
@roles_required(*ADMINS)
def change_knowledge_point(action):
    """新建/重命名/移动/合并/停用/启用 (one route, the action in the URL)."""
    if action not in ("create", "rename", "move", "merge", "retire", "enable"):
        abort(404)
    if not FlaskForm().validate_on_submit():
        flash("页面已过期，请刷新后重试。", "danger")
        return redirect(url_for("exam_banks.list_knowledge_points"))
    actor = Actor.from_request()
    form = request.form
    point = _point(form.get("point", type=int))
    other = _point(form.get("target", type=int))
    try:
        if action == "create":
            done = knowledge.create(form.get("name", ""), other, actor).path
            message = f"已新建知识点 {done}。"
        elif point is None:
            raise DomainError("请选择知识点")
        elif action == "rename":
            message = (
                f"已重命名为 {knowledge.rename(point, form.get('name'), actor).path}。"
            )
        elif action == "move":
            message = f"已移动到 {knowledge.move(point, other, actor).path}。"
        elif action == "merge":
            if other is None:
                raise DomainError("请选择合并目标")
            moved = knowledge.merge(point, other, actor)
            message = (
                f"已将 {point.path} 合并到 {other.path}（{moved} 个试题版本随之移动）。"
            )
        elif action == "retire":
            knowledge.retire(point, actor)
            message = f"已停用知识点 {point.path}。"
        else:
            knowledge.enable(point, actor)
            message = f"已启用知识点 {point.path}。"
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("exam_banks.list_knowledge_points"))
