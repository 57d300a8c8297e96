"""Question-bank import against the database: validation, near-duplicates, atomic
commit, versioning and the 法条变更待复核 list."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from exams.banks.models import KnowledgePoint, Question, QuestionVersion
from exams.banks.services import (
    commit_import,
    edit_question,
    ensure_bank,
    ensure_default_knowledge_points,
    flag_questions_for_law_changes,
    plan_import,
    sanitise_stem,
)
from exams.formats.model import ImportedQuestion, ImportResult
from portal.actor import Actor
from portal.extensions import db
from portal.laws.models import LawArticle
from portal.laws.services import add_provision


def law():
    return add_provision(
        Actor.system(),
        name="中华人民共和国行政处罚法",
        level="行政法规",
        issuer="全国人民代表大会",
        effective_date=None,
        articles=[
            (32, "当事人有下列情形之一，应当从轻或者减轻行政处罚……"),
            (33, "违法行为轻微……"),
        ],
    )


def q(stem, **kwargs):
    defaults = {
        "type": "single",
        "options": {"A": "从轻", "B": "从重", "C": "不予处罚", "D": "加重"},
        "key": ["A"],
        "knowledge_point": "公共法律知识/行政处罚法",
        "legal_basis": "《行政处罚法》第三十二条",
        "difficulty": 2,
        "score": Decimal(2),
        "source": "第2行",
    }
    defaults.update(kwargs)
    return ImportedQuestion(stem=stem, **defaults)


def test_knowledge_point_tree_is_idempotent(app):
    """The default tree is created once."""
    ensure_default_knowledge_points()
    first = db.session.scalar(sa.select(sa.func.count(KnowledgePoint.id)))
    ensure_default_knowledge_points()
    assert db.session.scalar(sa.select(sa.func.count(KnowledgePoint.id))) == first
    assert db.session.scalar(
        sa.select(KnowledgePoint).where(KnowledgePoint.path == "专业法律知识/城管")
    )


def test_errors_by_row_and_nothing_saved(app):
    """Bad key, unknown knowledge point and missing citation are errors by row;
    a plan with errors cannot be committed."""
    law()
    bank = ensure_bank("B1")
    result = ImportResult(
        questions=[
            q("当事人主动消除违法行为危害后果的，应当如何处罚？", source="第2行"),
            q("题干二", key=["E"], source="第3行"),
            q("题干三", knowledge_point="不存在的知识点", source="第4行"),
            q("题干四", legal_basis="《行政处罚法》第九十九条", source="第5行"),
        ],
        format="xlsx",
    )
    plan = plan_import(result, bank)
    where = {w for w, _ in plan.errors}
    # An unknown knowledge point is no error: it is created on commit.
    assert where == {"第3行", "第5行"}
    assert plan.new_knowledge_points == ["不存在的知识点"]
    messages = " ".join(m for _, m in plan.errors)
    assert "没有第99条" in messages
    with pytest.raises(ValueError, match="未保存"):
        commit_import(plan, bank, Actor.system())
    assert db.session.scalar(sa.select(sa.func.count(Question.id))) == 0


def test_commit_and_near_duplicates(app):
    """A clean file commits atomically; re-importing it reports near-duplicates
    against the bank, and near-identical stems within one file are reported too."""
    law()
    bank = ensure_bank("B2")
    stem = "当事人主动消除或者减轻违法行为危害后果的，行政机关应当如何处罚？"
    plan = plan_import(ImportResult(questions=[q(stem)], format="xlsx"), bank)
    assert plan.errors == []
    (question,) = commit_import(plan, bank, Actor.system())
    db.session.commit()
    assert question.current.law_article.number == 32
    assert question.current.knowledge_point.path == "公共法律知识/行政处罚法"

    again = plan_import(
        ImportResult(
            questions=[
                q(stem + " ", source="第2行"),
                q(
                    "当事人主动消除或者减轻违法行为危害后果的，行政机关应当怎样处罚？",
                    source="第3行",
                ),
                q("违法行为轻微并及时改正的，应当如何处理？", source="第4行"),
            ],
            format="xlsx",
        ),
        bank,
    )
    pairs = {(d["where"], d["other"]) for d in again.near_duplicates}
    assert ("第2行", f"题库试题 {question.id}") in pairs
    assert ("第2行", "第3行") in pairs
    assert not any("第4行" in pair for pair in pairs)


def test_editing_a_used_question_creates_a_version(app):
    """Papers and attempts keep the version they used."""
    law()
    bank = ensure_bank("B3")
    plan = plan_import(ImportResult(questions=[q("原题干")], format="xlsx"), bank)
    (question,) = commit_import(plan, bank, Actor.system())
    first = question.current
    edit_question(question, {"explanation": "未使用时原地修改"}, Actor.system())
    assert question.current.id == first.id
    first.is_used = True
    second = edit_question(question, {"stem": "新题干"}, Actor.system())
    assert second.id != first.id
    assert (first.stem, second.stem, second.version) == ("原题干", "新题干", 2)
    assert question.current_version_id == second.id


def test_changed_law_flags_citing_questions(app):
    """A repealed law or a changed article puts citing questions under review."""
    provision = law()
    bank = ensure_bank("B4")
    plan = plan_import(
        ImportResult(
            questions=[
                q("引用第三十二条的题"),
                q(
                    "引用第三十三条的题",
                    legal_basis="《行政处罚法》第三十三条",
                    source="第3行",
                ),
            ],
            format="xlsx",
        ),
        bank,
    )
    cites_32, cites_33 = commit_import(plan, bank, Actor.system())
    flagged = flag_questions_for_law_changes({(provision.id, 32)}, set(), "r9")
    assert flagged == 1
    assert "条文已修改" in cites_32.review_reason
    assert cites_33.review_reason == ""
    assert flag_questions_for_law_changes(set(), {provision.id}, "r10") == 2
    assert "已废止" in cites_33.review_reason
    article = db.session.scalar(sa.select(LawArticle).where(LawArticle.number == 33))
    assert cites_33.current.law_article_id == article.id


def test_stems_are_sanitised():
    """Scripts, handlers and javascript: images are removed; simple markup stays."""
    dirty = (
        '<p onclick="x()">题干<script>alert(1)</script><b>加粗</b>'
        '<img src="javascript:alert(1)"><img src="/static/a.png" onerror="x"></p> 1<2'
        " <svg onload=alert(1) "
    )
    clean = sanitise_stem(dirty)
    assert "<script" not in clean
    assert "onclick" not in clean
    assert "onerror" not in clean
    assert "javascript" not in clean
    assert '<img src="/static/a.png">' in clean
    assert "<svg" not in clean  # an unclosed tag cannot swallow the page's markup
    assert "<b>加粗</b>" in clean
    assert "1&lt;2" in clean


def test_versions_keep_their_content(app):
    """Every version row is kept with its own stem."""
    law()
    bank = ensure_bank("B5")
    plan = plan_import(ImportResult(questions=[q("第一版")], format="xlsx"), bank)
    (question,) = commit_import(plan, bank, Actor.system())
    question.current.is_used = True
    edit_question(question, {"stem": "第二版"}, Actor.system())
    db.session.commit()
    stems = db.session.scalars(
        sa.select(QuestionVersion.stem)
        .where(QuestionVersion.question_id == question.id)
        .order_by(QuestionVersion.version)
    ).all()
    assert stems == ["第一版", "第二版"]
