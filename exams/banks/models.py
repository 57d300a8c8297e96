"""Question banks, knowledge points and versioned questions (issue #4)."""

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.extensions import db
from portal.timeutil import utcnow

QUESTION_TYPES = ("single", "multiple", "true_false", "fill_blank", "essay", "case")

# Chinese labels of the question types, in QUESTION_TYPES order.
TYPE_LABELS = {
    "single": "单选题",
    "multiple": "多选题",
    "true_false": "判断题",
    "fill_blank": "填空题",
    "essay": "简答题",
    "case": "案例分析题",
}


class KnowledgePoint(db.Model):
    """A node of the knowledge-point tree (公共法律知识 › 行政处罚法 › …).

    ``path`` is the names from the root joined by "/", unique, so imports can name a
    knowledge point as "公共法律知识/行政处罚法".
    """

    __tablename__ = "knowledge_points"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    parent_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("knowledge_points.id"), index=True
    )
    name: so.Mapped[str] = so.mapped_column(sa.String(100))
    path: so.Mapped[str] = so.mapped_column(sa.String(500), unique=True)
    # A retired point keeps its questions (history) but is offered nowhere new.
    is_active: so.Mapped[bool] = so.mapped_column(
        default=True, server_default=sa.true()
    )

    parent: so.Mapped["KnowledgePoint | None"] = so.relationship(remote_side=[id])

    def __repr__(self):
        return f"<KnowledgePoint {self.path}>"

    @property
    def audit_label(self):
        return f"知识点 {self.path}"


class QuestionBank(db.Model):
    __tablename__ = "question_banks"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    organisation_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    # Candidates may practise this bank (exams.practice); closed by default so that
    # a certification bank is never exposed by accident.
    is_practice_open: so.Mapped[bool] = so.mapped_column(default=False)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)

    questions: so.Mapped[list["Question"]] = so.relationship(
        back_populates="bank", order_by="Question.id"
    )
    organisation = so.relationship("Organisation")

    def __repr__(self):
        return f"<QuestionBank {self.code}>"

    @property
    def audit_label(self):
        return f"{self.name}（{self.code}）"


class Question(db.Model):
    """A question; its content lives in versions (papers keep the version they used)."""

    __tablename__ = "questions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    bank_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("question_banks.id"), index=True
    )
    current_version_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey(
            "question_versions.id",
            use_alter=True,
            name="fk_questions_current_version",
            ondelete="SET NULL",
        )
    )
    is_active: so.Mapped[bool] = so.mapped_column(default=True)
    # 法条变更待复核: set when a cited law is repealed or the article text changes.
    review_reason: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)

    bank: so.Mapped[QuestionBank] = so.relationship(back_populates="questions")
    versions: so.Mapped[list["QuestionVersion"]] = so.relationship(
        back_populates="question",
        order_by="QuestionVersion.version",
        foreign_keys="QuestionVersion.question_id",
    )
    current: so.Mapped["QuestionVersion | None"] = so.relationship(
        foreign_keys=[current_version_id], post_update=True
    )

    def __repr__(self):
        return f"<Question {self.id}>"

    @property
    def audit_label(self):
        return f"试题 {self.id}"


class QuestionVersion(db.Model):
    """One immutable-once-used version of a question."""

    __tablename__ = "question_versions"
    __table_args__ = (
        sa.UniqueConstraint("question_id", "version"),
        sa.CheckConstraint("difficulty BETWEEN 1 AND 5", name="difficulty_range"),
        sa.CheckConstraint("score > 0", name="score_positive"),
        sa.CheckConstraint(
            "type IN ('single', 'multiple', 'true_false', 'fill_blank', 'essay', 'case')",
            name="type_valid",
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    question_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("questions.id"), index=True
    )
    version: so.Mapped[int]
    type: so.Mapped[str] = so.mapped_column(sa.String(16))
    stem: so.Mapped[str] = so.mapped_column(sa.Text)
    # The grading spec of exams.grading (options, key, blanks, rubric …).
    spec: so.Mapped[dict] = so.mapped_column(sa.JSON)
    explanation: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    difficulty: so.Mapped[int] = so.mapped_column(default=3)
    score: so.Mapped[Decimal] = so.mapped_column(sa.Numeric(6, 2), default=Decimal(1))
    knowledge_point_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("knowledge_points.id"), index=True
    )
    law_article_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("law_articles.id"), index=True
    )
    legal_basis: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    tags: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    is_used: so.Mapped[bool] = so.mapped_column(default=False)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)

    question: so.Mapped[Question] = so.relationship(
        back_populates="versions", foreign_keys=[question_id]
    )
    knowledge_point: so.Mapped[KnowledgePoint | None] = so.relationship()
    law_article = so.relationship("LawArticle")

    def __repr__(self):
        return f"<QuestionVersion {self.question_id}v{self.version}>"
