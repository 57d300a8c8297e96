"""Question-bank operations: import (dry run, then atomic commit), versioning, export.

Services flush and never commit (STYLE R5); the view, CLI command or job commits.
"""

import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal

import nh3
import numpy as np
import sqlalchemy as sa

from exams.banks.models import KnowledgePoint, Question, QuestionBank, QuestionVersion
from exams.grading import get_question_type
from portal import audit
from portal.extensions import db
from portal.laws.models import Law, LawArticle
from portal.laws.references import resolve_legal_basis

logger = logging.getLogger(__name__)

NEAR_DUPLICATE_SIMILARITY = 0.85

DEFAULT_KNOWLEDGE_POINTS = {
    "公共法律知识": [
        "宪法",
        "行政处罚法",
        "行政许可法",
        "行政强制法",
        "行政复议法",
        "行政诉讼法",
        "国家赔偿法",
        "政府信息公开条例",
        "行政执法程序",
    ],
    "专业法律知识": [
        "城管",
        "市场监管",
        "生态环境",
        "交通运输",
        "自然资源",
        "农业农村",
        "文化旅游",
        "卫生健康",
        "应急管理",
    ],
}


def ensure_default_knowledge_points():
    """Create the default knowledge-point tree where it is missing (idempotent).

    :return: the number of knowledge points created.
    """
    wanted = [
        (root, None) if child is None else (child, root)
        for root, children in DEFAULT_KNOWLEDGE_POINTS.items()
        for child in (None, *children)
    ]
    # One statement for the whole tree (every question import calls this).
    existing = {
        node.path: node
        for node in db.session.scalars(
            sa.select(KnowledgePoint).where(
                KnowledgePoint.path.in_(
                    [
                        name if parent is None else f"{parent}/{name}"
                        for name, parent in wanted
                    ]
                )
            )
        )
    }
    created = 0
    for name, parent_name in wanted:
        parent = None if parent_name is None else existing[parent_name]
        path = name if parent is None else f"{parent.path}/{name}"
        if path not in existing:
            existing[path] = KnowledgePoint(name=name, parent=parent, path=path)
            db.session.add(existing[path])
            created += 1
    db.session.flush()
    return created


def ensure_bank(code, name=None, organisation=None):
    """Return the bank with ``code``, creating it when it does not exist."""
    bank = db.session.scalar(sa.select(QuestionBank).where(QuestionBank.code == code))
    if bank is None:
        bank = QuestionBank(code=code, name=name or code, organisation=organisation)
        db.session.add(bank)
        db.session.flush()
    return bank


# ---------------------------------------------------------------- import planning


@dataclass
class PlannedQuestion:
    source: object  # exams.formats.model.ImportedQuestion
    spec: dict
    knowledge_point: KnowledgePoint | None = None
    # A knowledge point the file names that does not exist yet: created on commit.
    new_knowledge_point: str = ""
    article: LawArticle | None = None
    errors: list[str] = field(default_factory=list)


@dataclass
class PlanRow:
    """One row (or paragraph group, GIFT block) of the file, in file order: its
    question when it was read, and every error met (field checks included)."""

    where: str
    planned: PlannedQuestion | None
    errors: list[str]
    warnings: list[str]

    @property
    def ok(self):
        return self.planned is not None and not self.errors


def _where_key(where):
    return tuple(int(n) for n in re.findall(r"\d+", where or "")) or (0,)


@dataclass
class ImportPlan:
    format: str
    questions: list[PlannedQuestion]
    file_issues: list  # exams.formats.model.ImportIssue
    near_duplicates: list[dict]
    new_knowledge_points: list[str] = field(default_factory=list)

    @property
    def errors(self):
        """Every error, by row/line, as (where, message)."""
        found = [
            (i.where, i.message) for i in self.file_issues if i.severity == "error"
        ]
        for planned in self.questions:
            found += [(planned.source.source, message) for message in planned.errors]
        return found

    @property
    def warnings(self):
        return [(i.where, i.message) for i in self.file_issues if i.severity != "error"]

    @property
    def rows(self):
        """Every row read, in file order, each with its errors and warnings."""
        rows = {}
        for planned in self.questions:
            where = planned.source.source
            rows[where] = PlanRow(where, planned, list(planned.errors), [])
        for issue in self.file_issues:
            row = rows.setdefault(issue.where, PlanRow(issue.where, None, [], []))
            (row.errors if issue.severity == "error" else row.warnings).append(
                issue.message
            )
        return sorted(rows.values(), key=lambda row: _where_key(row.where))

    @property
    def rows_read(self):
        """共读取 N 道: rows that held a question, read or refused (a row with only
        a warning about a skipped item counts too)."""
        return len(self.rows)

    def blocking(self, exclude=()):
        """Errors of read questions that are not excluded: the commit refuses while
        any is left. Rows that could not be read as a question are never imported
        (they are listed with their errors) and need no exclusion."""
        exclude = set(exclude)
        return [
            (row.where, message)
            for row in self.rows
            if row.planned is not None and row.where not in exclude
            for message in row.errors
        ]

    def counts_by_type(self, exclude=()):
        counts = {}
        for planned in self.questions:
            if planned.source.source in exclude:
                continue
            counts[planned.source.type] = counts.get(planned.source.type, 0) + 1
        return counts

    def as_dict(self):
        return {
            "format": self.format,
            "questions": len(self.questions),
            "rows_read": self.rows_read,
            "counts_by_type": self.counts_by_type(),
            "errors": [{"where": w, "message": m} for w, m in self.errors],
            "warnings": [{"where": w, "message": m} for w, m in self.warnings],
            "near_duplicates": self.near_duplicates,
            "new_knowledge_points": self.new_knowledge_points,
        }


def to_spec(question):
    """The grading spec (exams.grading) of an imported question."""
    if question.type in ("single", "multiple"):
        return {
            "type": question.type,
            "options": dict(question.options),
            "key": list(question.key),
        }
    if question.type == "true_false":
        return {"type": "true_false", "key": (question.key or ["对"])[0] == "对"}
    if question.type == "fill_blank":
        return {
            "type": "fill_blank",
            "blanks": [{"accepted": list(b), "score": None} for b in question.blanks],
        }
    return {
        "type": question.type,
        "reference_answer": question.reference_answer or question.explanation,
        "rubric": [],
    }


def plan_import(result, bank):
    """Validate an :class:`exams.formats.model.ImportResult` against the portal.

    Checks each question's definition (through the grading registry), its knowledge
    point (a missing one is listed in ``new_knowledge_points``, to be created on
    commit; a retired one is an error) and its legal basis (the article must exist
    in the law library), and finds near-duplicate stems within the file and
    against ``bank``. Saves nothing.

    :param result: what a format reader returned.
    :param bank: the target :class:`QuestionBank`.
    :return: an :class:`ImportPlan`.
    """
    from exams.banks.knowledge import normalise_path

    ensure_default_knowledge_points()
    planned = []
    new_points = []
    points, citations = {}, {}  # per-file caches: one query per distinct value
    for question in result.questions:
        spec = to_spec(question)
        item = PlannedQuestion(source=question, spec=spec)
        qtype = get_question_type(question.type)
        item.errors += (
            qtype.validate(spec) if question.type not in ("essay", "case") else []
        )
        path = normalise_path(question.knowledge_point)
        if path:
            if path not in points:
                points[path] = _knowledge_point(path)
            item.knowledge_point = points[path]
            if item.knowledge_point is None:
                item.new_knowledge_point = path
                if path not in new_points:
                    new_points.append(path)
            elif not item.knowledge_point.is_active:
                item.errors.append(f"知识点已停用：{path}")
        if question.legal_basis:
            if question.legal_basis not in citations:
                citations[question.legal_basis] = resolve_legal_basis(
                    question.legal_basis
                )
            item.article, message = citations[question.legal_basis]
            if message:
                item.errors.append(message)
        planned.append(item)
    near = find_near_duplicates(
        [p.source.stem for p in planned],
        [p.source.source for p in planned],
        bank,
    )
    return ImportPlan(result.format, planned, list(result.issues), near, new_points)


def _knowledge_point(path):
    return db.session.scalar(
        sa.select(KnowledgePoint).where(KnowledgePoint.path == path)
    )


def find_near_duplicates(stems, sources, bank, threshold=NEAR_DUPLICATE_SIMILARITY):
    """Pairs of near-identical stems: within the file and against the bank.

    Character 1–2-gram TF-IDF cosine (scikit-learn); pairs at or above ``threshold``.

    :return: [{"where", "other", "similarity"}], most similar first.
    """
    from nlp.similarity import TfidfSpace

    existing = []
    if bank is not None and bank.id is not None:
        existing = db.session.execute(
            sa.select(Question.id, QuestionVersion.stem)
            .join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
            .where(Question.bank_id == bank.id, Question.is_active)
        ).all()
    texts = [_plain(s) for s in stems] + [_plain(s) for _, s in existing]
    if len(texts) < 2 or not any(texts):
        return []
    space = TfidfSpace(char_ngrams=(1, 2), use_words=False, sublinear_tf=False)
    matrix = space.fit([t or " " for t in texts])
    labels = list(sources) + [f"题库试题 {qid}" for qid, _ in existing]
    found = []
    # Row blocks keep memory bounded (a 5,000-question file against a large bank).
    for start in range(0, len(stems), 500):
        block = (matrix[start : start + 500] @ matrix.T).toarray()
        rows, cols = np.nonzero(block >= threshold)
        for row, col in zip(rows, cols, strict=True):
            i = start + int(row)
            if col > i and texts[i]:
                found.append(
                    {
                        "where": labels[i],
                        "other": labels[col],
                        "similarity": round(float(block[row, col]), 3),
                    }
                )
    found.sort(key=lambda row: -row["similarity"])
    return found


def _plain(html):
    return re.sub(r"<[^>]+>|\s+", "", html or "")


# ---------------------------------------------------------------- commit


def commit_import(plan, bank, actor, exclude=()):
    """Save every question of a plan except the excluded rows, or nothing while a
    row that is not excluded has an error. Knowledge points the file names that do
    not exist are created first (only for the rows committed).

    :param exclude: the ``where`` of rows left out (the preview's checkboxes).
    :return: the created :class:`Question` objects.
    :raises ValueError: a row that is not excluded has an error.
    """
    from exams.banks.knowledge import ensure_path

    exclude = set(exclude)
    if plan.blocking(exclude):
        raise ValueError("导入文件存在错误，未保存任何试题")
    created, points_created = [], 0
    for planned in plan.questions:
        if planned.source.source in exclude:
            continue
        if planned.new_knowledge_point:
            planned.knowledge_point, count = ensure_path(
                planned.new_knowledge_point, actor
            )
            points_created += count
        created.append(create_question(bank, planned))
    db.session.flush()
    audit.record(
        "questions_imported",
        actor,
        bank,
        after={
            "format": plan.format,
            "questions": len(created),
            "excluded_rows": len(exclude),
            "knowledge_points_created": points_created,
            **plan.counts_by_type(exclude),
        },
    )
    logger.info(
        "%s imported %d questions into %s", actor.label, len(created), bank.code
    )
    return created


def create_question(bank, planned):
    """Create a question with its first version from a planned import row."""
    source = planned.source
    question = Question(bank=bank)
    version = QuestionVersion(
        question=question,
        version=1,
        type=source.type,
        stem=sanitise_stem(source.stem),
        spec=planned.spec,
        explanation=source.explanation or "",
        difficulty=source.difficulty or 3,
        score=Decimal(source.score) if source.score else Decimal(1),
        knowledge_point=planned.knowledge_point,
        law_article_id=planned.article.id if planned.article else None,
        legal_basis=source.legal_basis or "",
        tags=list(source.tags or []),
    )
    # ``current`` is a post-update relationship: one flush inserts both rows and
    # then points the question at its version (no flush per question).
    question.current = version
    db.session.add_all([question, version])
    return question


_ALLOWED_TAGS = {"p", "br", "b", "strong", "i", "em", "u", "sub", "sup", "img", "span"}


_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+$")


def _local_image_src(tag, attribute, value):
    """An image loads only from the portal itself or from the stem (data: URL):
    a remote src would tell another site who opens the question, and when."""
    if tag == "img" and attribute == "src":
        value = value.strip()
        if _DATA_IMAGE.match(value):
            return value
        if value.startswith("/") and not value.startswith("//") and "\\" not in value:
            return value
        return None
    return value


def sanitise_stem(html):
    """Keep a small whitelist of tags; images keep only a same-site path or an
    inline ``data:image/…;base64`` src (no remote images).

    Uses nh3 (the Ammonia HTML sanitiser): a real HTML parser, so unclosed or
    malformed tags cannot smuggle markup past it as a regular expression could.
    """
    if "<" not in (html or ""):
        return html or ""
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"img": {"src", "alt"}},
        url_schemes={"data"},
        attribute_filter=_local_image_src,
        link_rel=None,
    )


def edit_question(question, changes, actor):
    """Edit a question; a version already used by a paper or attempt is kept and a
    new version is created (papers and attempts keep the version they used).

    :param changes: dict of QuestionVersion fields to change.
    :return: the version now current.
    """
    current = question.current
    if current.is_used:
        version = QuestionVersion(
            question=question,
            version=max(v.version for v in question.versions) + 1,
            **{
                name: getattr(current, name)
                for name in (
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
            },
        )
        db.session.add(version)
    else:
        version = current
    for name, value in changes.items():
        if name == "stem":
            value = sanitise_stem(value)
        setattr(version, name, value)
    db.session.flush()
    question.current = version
    question.current_version_id = version.id
    question.review_reason = ""
    audit.record("question_edited", actor, question, after={"version": version.version})
    return version


def flag_questions_for_law_changes(changed_articles, repealed_law_ids, run):
    """Put active questions citing changed provisions on the 法条变更待复核 list.

    :param changed_articles: {(law_id, article number)} whose text changed or went.
    :param repealed_law_ids: laws repealed by this import.
    :param run: the law-import run, named in the reason.
    :return: the number of questions flagged.
    """
    conditions = []
    if repealed_law_ids:
        conditions.append(LawArticle.law_id.in_(repealed_law_ids))
    for law_id, number in changed_articles:
        conditions.append(
            sa.and_(LawArticle.law_id == law_id, LawArticle.number == number)
        )
    if not conditions:
        return 0
    rows = db.session.execute(
        sa.select(Question, LawArticle, Law)
        .join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
        .join(LawArticle, QuestionVersion.law_article_id == LawArticle.id)
        .join(Law, LawArticle.law_id == Law.id)
        .where(sa.or_(*conditions), Question.is_active)
    ).all()
    for question, article, law in rows:
        what = "已废止" if law.id in repealed_law_ids else "条文已修改"
        question.review_reason = f"{article.citation}{what}（法规导入批次 {run}）"[:500]
    db.session.flush()
    return len(rows)


def mark_reviewed(question, actor):
    """Take a question off the 法条变更待复核 list (audited)."""
    before = question.review_reason
    question.review_reason = ""
    db.session.flush()
    audit.record("question_reviewed", actor, question, before=before)


def export_questions(bank):
    """The bank's current questions as :class:`ImportedQuestion` records (for the
    .xlsx and GIFT writers); import of the export gives the same questions back."""
    from exams.formats.model import ImportedQuestion

    rows = db.session.scalars(
        sa.select(QuestionVersion)
        .join(Question, Question.current_version_id == QuestionVersion.id)
        .where(Question.bank_id == bank.id, Question.is_active)
        .order_by(Question.id)
    ).all()
    exported = []
    for version in rows:
        spec = version.spec or {}
        key = spec.get("key", [])
        if version.type == "true_false":
            key = ["对" if spec.get("key") else "错"]
        exported.append(
            ImportedQuestion(
                type=version.type,
                stem=version.stem,
                options=dict(spec.get("options", {})),
                key=list(key) if isinstance(key, list) else [key],
                blanks=[list(b.get("accepted", [])) for b in spec.get("blanks", [])],
                explanation=version.explanation,
                difficulty=version.difficulty,
                score=version.score,
                knowledge_point=version.knowledge_point.path
                if version.knowledge_point
                else "",
                legal_basis=version.legal_basis,
                tags=list(version.tags or []),
                reference_answer=spec.get("reference_answer", ""),
                source=f"试题 {version.question_id}",
            )
        )
    return exported
