"""Writing questions by hand: the editor's draft, its grading spec, and the
question life-cycle (create, edit through :func:`services.edit_question`, copy,
retire, enable) plus the key correction's preview.

A :class:`Draft` is what the editor shows and posts: plain rows (options, blanks,
scoring points) that work without JavaScript. :func:`build` turns it into the
grading spec of ``exams.grading`` and the version fields, with Chinese errors.
Services flush, never commit.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa

from exams.banks.models import QUESTION_TYPES, Question, QuestionVersion
from exams.banks.services import sanitise_stem
from exams.grading import get_question_type
from exams.grading.base import QuestionSpecError
from portal import audit
from portal.auth.models import User
from portal.exceptions import InvalidState
from portal.extensions import db

LETTERS = "ABCDEFGH"
CHOICE_TYPES = ("single", "multiple")
SUBJECTIVE_TYPES = ("essay", "case")
# Types whose key can be corrected (and attempts regraded automatically).
CORRECTABLE_TYPES = ("single", "multiple", "true_false", "fill_blank")
_TAG_SPLIT = re.compile(r"[、,，;；\s]+")
_ANSWER_SPLIT = re.compile(r"[|｜\n]+")


@dataclass
class Draft:
    type: str
    stem: str = ""
    options: list = field(default_factory=list)  # [(text, correct)]
    tf_key: str = ""  # 对 / 错
    blanks: list = field(default_factory=list)  # [(answers text "a|b", score text)]
    reference_answer: str = ""
    rubric: list = field(default_factory=list)  # [(point, score text)]
    explanation: str = ""
    difficulty: int = 3
    score: str = "1"
    knowledge_point_id: int | None = None
    tags: str = ""
    legal_basis: str = ""

    @property
    def is_choice(self):
        return self.type in CHOICE_TYPES


def empty_draft(qtype):
    draft = Draft(type=qtype)
    if qtype in CHOICE_TYPES:
        draft.options = [("", False)] * 4
    elif qtype == "fill_blank":
        draft.blanks = [("", "")]
    elif qtype in SUBJECTIVE_TYPES:
        draft.rubric = [("", "")]
    return draft


def _score_text(value):
    if value is None:
        return ""
    value = Decimal(str(value))
    return format(value.normalize(), "f")


def draft_from_version(version):
    """The editor's rows for a stored version."""
    spec = version.spec or {}
    draft = Draft(
        type=version.type,
        stem=version.stem,
        explanation=version.explanation or "",
        difficulty=version.difficulty,
        score=_score_text(version.score),
        knowledge_point_id=version.knowledge_point_id,
        tags="、".join(version.tags or []),
        legal_basis=version.legal_basis or "",
    )
    if version.type in CHOICE_TYPES:
        key = set(spec.get("key") or [])
        draft.options = [
            (text, letter in key)
            for letter, text in (spec.get("options") or {}).items()
        ]
    elif version.type == "true_false":
        draft.tf_key = "对" if spec.get("key") in (True, "对") else "错"
    elif version.type == "fill_blank":
        draft.blanks = [
            ("|".join(b.get("accepted", [])), _score_text(b.get("score")))
            for b in spec.get("blanks", [])
        ]
    else:
        draft.reference_answer = spec.get("reference_answer") or ""
        draft.rubric = [
            (r.get("point", ""), _score_text(r.get("score")))
            for r in spec.get("rubric") or []
        ]
    return draft


def _rows(form, prefix, fields):
    """Rows posted as ``prefix-N-field`` (N any integer), in the order of their
    ``prefix-N-order`` field (then N); rows marked ``prefix-N-remove`` and empty
    rows are dropped."""
    indexes = set()
    pattern = re.compile(rf"^{prefix}-(\d+)-")
    for name in form:
        match = pattern.match(name)
        if match:
            indexes.add(int(match.group(1)))
    rows = []
    for index in indexes:
        if form.get(f"{prefix}-{index}-remove"):
            continue
        values = {name: (form.get(f"{prefix}-{index}-{name}") or "") for name in fields}
        try:
            order = float(form.get(f"{prefix}-{index}-order") or index)
        except ValueError:
            order = index
        rows.append((order, index, values))
    rows.sort(key=lambda row: (row[0], row[1]))
    return [values for _, _, values in rows]


def _posted(form, prefix):
    return any(name.startswith(f"{prefix}-") for name in form)


def draft_from_form(qtype, form, base=None):
    """The editor's rows from a posted form (a ``MultiDict``).

    :param base: the draft of the stored version: a field the post does not
        carry at all keeps its stored value (a partial post changes only what it
        names), a field posted empty is cleared.
    """
    base = base or empty_draft(qtype)

    def value(name, default):
        return form.get(name) if name in form else default

    draft = Draft(
        type=qtype,
        stem=value("stem", base.stem),
        explanation=value("explanation", base.explanation),
        score=(value("score", base.score) or "").strip(),
        tags=value("tags", base.tags),
        legal_basis=(value("legal_basis", base.legal_basis) or "").strip(),
        reference_answer=value("reference_answer", base.reference_answer),
        tf_key=value("tf_key", base.tf_key),
        options=base.options,
        blanks=base.blanks,
        rubric=base.rubric,
        knowledge_point_id=base.knowledge_point_id,
        difficulty=base.difficulty,
    )
    try:
        draft.difficulty = int(value("difficulty", base.difficulty) or 3)
    except ValueError:
        draft.difficulty = 0
    if "knowledge_point_id" in form:
        try:
            draft.knowledge_point_id = int(form.get("knowledge_point_id") or 0) or None
        except ValueError:
            draft.knowledge_point_id = None
    if qtype in CHOICE_TYPES and _posted(form, "option"):
        draft.options = [
            (row["text"].strip(), bool(row["correct"]))
            for row in _rows(form, "option", ("text", "correct"))
        ]
    elif qtype == "fill_blank" and _posted(form, "blank"):
        draft.blanks = [
            (row["answers"].strip(), row["score"].strip())
            for row in _rows(form, "blank", ("answers", "score"))
        ]
    elif qtype in SUBJECTIVE_TYPES and _posted(form, "rubric"):
        draft.rubric = [
            (row["point"].strip(), row["score"].strip())
            for row in _rows(form, "rubric", ("point", "score"))
        ]
    return draft


def _decimal(text, what, errors):
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        errors.append(f"{what}“{text}”不是有效的数字")
        return None
    if not value.is_finite() or value <= 0:
        errors.append(f"{what}必须大于 0")
        return None
    return value


def build_spec(draft, score=None):
    """The grading spec of a draft and the problems found (Chinese).

    :param score: the question's score (checks that blank or rubric scores fit).
    :return: (spec, errors).
    """
    errors = []
    qtype = draft.type
    if qtype not in QUESTION_TYPES:
        return {}, ["题型无效"]
    if qtype in CHOICE_TYPES:
        # Rows left empty (the editor shows spare ones) are not options.
        rows = [(text, ok) for text, ok in draft.options if text or ok]
        if len(rows) > len(LETTERS):
            errors.append(f"选项最多 {len(LETTERS)} 个")
        options = dict(zip(LETTERS, [text for text, _ in rows], strict=False))
        key = [letter for letter, (_, ok) in zip(LETTERS, rows, strict=False) if ok]
        if any(not text for text in options.values()):
            errors.append("选项内容不能为空（不需要的选项请删除）")
        spec = {"type": qtype, "options": options, "key": key}
        if len(options) < 2:
            errors.append("至少需要两个选项")
    elif qtype == "true_false":
        if draft.tf_key not in ("对", "错"):
            errors.append("请选择判断题的正确答案（对或错）")
        spec = {"type": qtype, "key": draft.tf_key == "对"}
    elif qtype == "fill_blank":
        blanks = []
        rows = [(a, sc) for a, sc in draft.blanks if a or sc]
        for number, (answers, score_text) in enumerate(rows, start=1):
            accepted = [a.strip() for a in _ANSWER_SPLIT.split(answers) if a.strip()]
            if not accepted:
                errors.append(f"第 {number} 空缺少可接受的答案")
            blank_score = None
            if score_text:
                value = _decimal(score_text, f"第 {number} 空的分值", errors)
                blank_score = str(value) if value is not None else None
            blanks.append({"accepted": accepted, "score": blank_score})
        spec = {"type": qtype, "blanks": blanks}
    else:
        rubric = []
        rows = [(p, sc) for p, sc in draft.rubric if p or sc]
        for number, (point, score_text) in enumerate(rows, start=1):
            if not point:
                errors.append(f"第 {number} 个评分要点缺少内容")
            value = _decimal(score_text, f"第 {number} 个评分要点的分值", errors)
            rubric.append({"point": point, "score": str(value) if value else "0"})
        spec = {
            "type": qtype,
            "reference_answer": draft.reference_answer.strip(),
            "rubric": rubric,
        }
    if errors:
        return spec, errors
    checked = dict(spec, stem=draft.stem) if qtype == "fill_blank" else spec
    errors += get_question_type(qtype).validate(checked)
    if not errors and score is not None:
        errors += _score_fit(qtype, spec, score)
    return spec, errors


def _score_fit(qtype, spec, score):
    grader = get_question_type(qtype)
    if qtype == "fill_blank":
        try:
            grader.blank_scores(spec, score)
        except QuestionSpecError as exc:
            return exc.errors
    if qtype in SUBJECTIVE_TYPES:
        total = grader.total_score(spec)
        if total is not None and total != score:
            return [
                f"评分要点合计 {_score_text(total)} 分，应等于本题分值 {_score_text(score)} 分"
            ]
    return []


def build(draft, knowledge_points):
    """The version fields of a draft, or the errors by field.

    :param knowledge_points: the ids a question may use (active points).
    :return: (fields, errors) where errors is {field: [messages]}.
    """
    errors = {}
    stem = sanitise_stem(draft.stem or "").strip()
    if not re.sub(r"<[^>]+>|&nbsp;|\s", "", stem) and "<img" not in stem:
        errors.setdefault("stem", []).append("题干不能为空")
    score_errors = []
    score = _decimal(draft.score or "", "分值", score_errors)
    if score is not None and score > 100:
        score_errors.append("分值不能超过 100 分")
    if score_errors:
        errors["score"] = score_errors
    if not 1 <= (draft.difficulty or 0) <= 5:
        errors["difficulty"] = ["难度应为 1 至 5"]
    if draft.knowledge_point_id and draft.knowledge_point_id not in knowledge_points:
        errors["knowledge_point_id"] = ["知识点不存在或已停用"]
    spec, spec_errors = build_spec(draft, None if score_errors else score)
    if spec_errors:
        errors["spec"] = spec_errors
    tags = []
    for tag in _TAG_SPLIT.split(draft.tags or ""):
        if tag and tag not in tags:
            tags.append(tag[:30])
    fields = {
        "stem": stem,
        "spec": spec,
        "explanation": (draft.explanation or "").strip(),
        "difficulty": draft.difficulty,
        "score": score,
        "knowledge_point_id": draft.knowledge_point_id,
        "tags": tags[:20],
    }
    return fields, errors


# ---------------------------------------------------------------- life-cycle


def create_question(bank, qtype, fields, actor):
    """A new question with its first version (audited).

    :param fields: the version fields of :func:`build` plus ``legal_basis`` and
        ``law_article_id``.
    """
    question = Question(bank=bank)
    version = QuestionVersion(question=question, version=1, type=qtype, **fields)
    question.current = version
    db.session.add_all([question, version])
    db.session.flush()
    audit.record(
        "question_created",
        actor,
        question,
        after={"bank": bank.code, "type": qtype, "version": 1},
    )
    return question


_COPIED = (
    "type",
    "stem",
    "spec",
    "explanation",
    "difficulty",
    "score",
    "knowledge_point_id",
    "law_article_id",
    "legal_basis",
    "tags",
)


def copy_question(question, actor):
    """A new question (same bank, version 1, unused) with the current content."""
    current = question.current
    copy = Question(bank_id=question.bank_id)
    version = QuestionVersion(
        question=copy,
        version=1,
        **{name: getattr(current, name) for name in _COPIED},
    )
    copy.current = version
    db.session.add_all([copy, version])
    db.session.flush()
    audit.record("question_copied", actor, copy, after={"from": question.id})
    return copy


def retire_question(question, actor):
    """停用: kept with its versions (papers and attempts keep them), no longer
    drawn into new papers, offered in practice or exported."""
    if not question.is_active:
        raise InvalidState(f"试题 {question.id} 已停用")
    question.is_active = False
    db.session.flush()
    audit.record("question_retired", actor, question)


def enable_question(question, actor):
    if question.is_active:
        raise InvalidState(f"试题 {question.id} 未停用")
    question.is_active = True
    db.session.flush()
    audit.record("question_enabled", actor, question)


# ---------------------------------------------------------------- key correction


@dataclass
class RegradeRow:
    attempt_id: int
    candidate: str
    arrangement: str
    number: int
    old_score: Decimal | None
    new_score: Decimal | None
    old_passed: bool | None
    new_passed: bool | None

    @property
    def changed(self):
        return self.old_score != self.new_score or self.old_passed != self.new_passed

    @property
    def pass_change(self):
        """ "通过 → 不通过" etc., or "" when the pass decision did not change."""
        if self.old_passed == self.new_passed:
            return ""
        label = {True: "通过", False: "不通过", None: "待评分"}
        return f"{label[self.old_passed]} → {label[self.new_passed]}"


def answered_versions(question):
    """The versions of ``question`` that attempts answered, newest first."""
    from exams.attempts.models import Answer

    used = set(
        db.session.scalars(
            sa.select(Answer.version_id)
            .join(QuestionVersion, Answer.version_id == QuestionVersion.id)
            .where(QuestionVersion.question_id == question.id)
            .distinct()
        )
    )
    return [v for v in reversed(question.versions) if v.id in used]


def preview_key_correction(version, new_spec, actor):
    """What a key correction would do to every affected attempt, without doing it.

    Runs :func:`exams.attempts.services.correct_key` inside a savepoint and rolls
    it back, so the preview uses exactly the grading of the real correction
    (paper policy, blank scores, pass mark).

    :return: [:class:`RegradeRow`], every affected attempt (changed or not).
    :raises InvalidState: the new key is invalid.
    """
    from exams.attempts.models import Answer, Attempt
    from exams.attempts.services import correct_key

    attempts = db.session.scalars(
        sa.select(Attempt)
        .join(Answer, Answer.attempt_id == Attempt.id)
        .where(Answer.version_id == version.id, Attempt.status != "in_progress")
        .distinct()
        .order_by(Attempt.id)
    ).all()
    before = {a.id: (a.score, a.passed) for a in attempts}
    savepoint = db.session.begin_nested()
    try:
        correct_key(version, new_spec, actor)
        after = {a.id: (a.score, a.passed) for a in attempts}
        labels = {a.id: (a.user_id, a.arrangement.name, a.number) for a in attempts}
    finally:
        savepoint.rollback()
    names = dict(
        db.session.execute(
            sa.select(User.id, User.name).where(
                User.id.in_({user_id for user_id, _, _ in labels.values()})
            )
        ).all()
    )
    return [
        RegradeRow(
            attempt_id,
            names.get(labels[attempt_id][0], ""),
            *labels[attempt_id][1:],
            before[attempt_id][0],
            after[attempt_id][0],
            before[attempt_id][1],
            after[attempt_id][1],
        )
        for attempt_id in before
    ]
