"""Papers (fixed or blueprint), their items and drawing rules, exam arrangements
(考试安排), their candidates and the per-candidate generated papers (issue #4)."""

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from exams.banks.models import KnowledgePoint, QuestionBank, QuestionVersion
from portal.extensions import db
from portal.timeutil import utcnow

PAPER_KINDS = ("fixed", "blueprint")
MULTIPLE_POLICIES = ("all_or_nothing", "partial", "half")


class Paper(db.Model):
    """A paper: hand-picked questions (fixed) or drawing rules (blueprint)."""

    __tablename__ = "papers"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('fixed', 'blueprint')", name="kind_valid"),
        sa.CheckConstraint(
            "pass_mark >= 0 AND pass_mark <= total_score", name="pass_mark"
        ),
        sa.CheckConstraint("pool_factor >= 1", name="pool_factor"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    total_score: so.Mapped[Decimal] = so.mapped_column(
        sa.Numeric(7, 2), default=Decimal(100)
    )
    pass_mark: so.Mapped[Decimal] = so.mapped_column(
        sa.Numeric(7, 2), default=Decimal(60)
    )
    multiple_policy: so.Mapped[str] = so.mapped_column(
        sa.String(16), default="all_or_nothing"
    )
    pool_factor: so.Mapped[Decimal] = so.mapped_column(
        sa.Numeric(4, 2), default=Decimal(2)
    )
    shuffle_questions: so.Mapped[bool] = so.mapped_column(default=True)
    shuffle_options: so.Mapped[bool] = so.mapped_column(default=True)
    organisation_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)

    items: so.Mapped[list["PaperItem"]] = so.relationship(
        back_populates="paper",
        order_by="PaperItem.position",
        cascade="all, delete-orphan",
    )
    rules: so.Mapped[list["BlueprintRule"]] = so.relationship(
        back_populates="paper",
        order_by="BlueprintRule.position",
        cascade="all, delete-orphan",
    )

    def __repr__(self):
        return f"<Paper {self.id} {self.kind}>"

    @property
    def audit_label(self):
        return self.name


class PaperItem(db.Model):
    """A hand-picked question of a fixed paper (the version is kept)."""

    __tablename__ = "paper_items"
    __table_args__ = (sa.UniqueConstraint("paper_id", "question_version_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    paper_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("papers.id", ondelete="CASCADE"), index=True
    )
    question_version_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("question_versions.id"), index=True
    )
    position: so.Mapped[int]
    score: so.Mapped[Decimal] = so.mapped_column(sa.Numeric(6, 2))

    paper: so.Mapped[Paper] = so.relationship(back_populates="items")
    version: so.Mapped[QuestionVersion] = so.relationship()

    def __repr__(self):
        return f"<PaperItem {self.paper_id}#{self.position}>"


class BlueprintRule(db.Model):
    """Draw ``count`` questions (bank and/or knowledge point × type × difficulty)."""

    __tablename__ = "blueprint_rules"
    __table_args__ = (
        sa.CheckConstraint("count > 0", name="count_positive"),
        sa.CheckConstraint("score_each > 0", name="score_positive"),
        sa.CheckConstraint(
            "difficulty_min BETWEEN 1 AND 5 AND difficulty_max BETWEEN 1 AND 5 "
            "AND difficulty_min <= difficulty_max",
            name="difficulty_range",
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    paper_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("papers.id", ondelete="CASCADE"), index=True
    )
    position: so.Mapped[int]
    bank_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("question_banks.id")
    )
    knowledge_point_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("knowledge_points.id")
    )
    type: so.Mapped[str] = so.mapped_column(sa.String(16))
    difficulty_min: so.Mapped[int] = so.mapped_column(default=1)
    difficulty_max: so.Mapped[int] = so.mapped_column(default=5)
    count: so.Mapped[int]
    score_each: so.Mapped[Decimal] = so.mapped_column(sa.Numeric(6, 2))

    paper: so.Mapped[Paper] = so.relationship(back_populates="rules")
    bank: so.Mapped[QuestionBank | None] = so.relationship()
    knowledge_point: so.Mapped[KnowledgePoint | None] = so.relationship()

    def __repr__(self):
        return (
            f"<BlueprintRule {self.paper_id}#{self.position} {self.type}×{self.count}>"
        )


RESULT_POLICIES = {
    "best": "最高分",
    "last": "最后一次",
    "first": "首次",
}

ARRANGEMENT_KINDS = {
    "qual_special": "资格考试（专门法律知识）",
    "qual_general": "资格考试（通用法律知识）",
    "annual_review": "年度审验",
    "training": "培训考核",
    "mock": "模拟考试",
}


class ExamArrangement(db.Model):
    """考试安排: a paper offered to eligible candidates in a window."""

    __tablename__ = "exam_arrangements"
    __table_args__ = (
        sa.CheckConstraint("window_end > window_start", name="window_order"),
        sa.CheckConstraint("duration_minutes > 0", name="duration_positive"),
        sa.CheckConstraint("attempts_allowed >= 1", name="attempts_positive"),
        sa.CheckConstraint("tab_switch_limit >= 0", name="tab_switch_limit"),
        sa.CheckConstraint(
            "kind IN ('qual_special', 'qual_general', 'annual_review', 'training', 'mock')",
            name="kind_valid",
        ),
        sa.CheckConstraint(
            "release_policy IN ('immediate', 'after_window', 'manual')",
            name="release_valid",
        ),
        sa.CheckConstraint(
            "result_policy IN ('best', 'last', 'first')", name="result_policy_valid"
        ),
        sa.CheckConstraint("marking_tolerance >= 0", name="marking_tolerance"),
        sa.CheckConstraint("appeal_days >= 0", name="appeal_days"),
        sa.CheckConstraint(
            "status IN ('draft', 'published', 'cancelled')", name="status_valid"
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    paper_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("papers.id"), index=True)
    window_start: so.Mapped[datetime] = so.mapped_column(sa.DateTime)
    window_end: so.Mapped[datetime] = so.mapped_column(sa.DateTime)
    duration_minutes: so.Mapped[int] = so.mapped_column(default=90)
    attempts_allowed: so.Mapped[int] = so.mapped_column(default=1)
    makeup_attempts: so.Mapped[int] = so.mapped_column(default=1)
    release_policy: so.Mapped[str] = so.mapped_column(
        sa.String(16), default="after_window"
    )
    tab_switch_limit: so.Mapped[int] = so.mapped_column(default=3)
    allow_device_change: so.Mapped[bool] = so.mapped_column(default=True)
    # Candidates may see their answers with keys, explanations and legal basis once
    # results are released (off by default: keys of a certification bank are kept).
    show_answers: so.Mapped[bool] = so.mapped_column(default=False)
    # When results were released by hand (release_policy = 'manual').
    results_released_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)
    # Which attempt is a candidate's result (exams.results.definition): the best
    # (default), the last or the first graded attempt.
    result_policy: so.Mapped[str] = so.mapped_column(
        sa.String(8), default="best", server_default="best"
    )
    # 双评: subjective answers are marked by two markers; a difference above the
    # tolerance (points) goes to arbitration (仲裁) by a third marker.
    double_marking: so.Mapped[bool] = so.mapped_column(
        default=False, server_default=sa.false()
    )
    marking_tolerance: so.Mapped[Decimal] = so.mapped_column(
        sa.Numeric(6, 2), default=Decimal(2), server_default="2"
    )
    # 成绩复核: a candidate may appeal within this many days after release.
    appeal_days: so.Mapped[int] = so.mapped_column(default=7, server_default="7")
    prerequisite_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("exam_arrangements.id")
    )
    seed: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    organisation_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)
    # 草稿 (candidates neither see nor are told) → 已发布; 已取消 with a reason.
    status: so.Mapped[str] = so.mapped_column(
        sa.String(16), default="published", server_default="published"
    )
    cancel_reason: so.Mapped[str] = so.mapped_column(
        sa.String(200), default="", server_default=""
    )

    paper: so.Mapped[Paper] = so.relationship()
    prerequisite: so.Mapped["ExamArrangement | None"] = so.relationship(
        remote_side=[id]
    )
    candidates: so.Mapped[list["ArrangementCandidate"]] = so.relationship(
        back_populates="arrangement", cascade="all, delete-orphan"
    )

    def __repr__(self):
        return f"<ExamArrangement {self.id} {self.kind}>"

    @property
    def audit_label(self):
        return self.name

    @property
    def status_label(self):
        return ARRANGEMENT_STATUSES.get(self.status, self.status)


ARRANGEMENT_STATUSES = {"draft": "草稿", "published": "已发布", "cancelled": "已取消"}


class ArrangementCandidate(db.Model):
    """An eligible candidate, with exemption and personal overrides."""

    __tablename__ = "arrangement_candidates"
    __table_args__ = (
        sa.UniqueConstraint("arrangement_id", "user_id"),
        sa.CheckConstraint("extra_minutes >= 0", name="extra_minutes"),
        sa.CheckConstraint(
            "(NOT is_exempt) OR (exempt_reason <> '')", name="exempt_reason"
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    arrangement_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("exam_arrangements.id", ondelete="CASCADE"), index=True
    )
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    is_exempt: so.Mapped[bool] = so.mapped_column(default=False)
    exempt_reason: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    extra_minutes: so.Mapped[int] = so.mapped_column(default=0)
    makeup_until: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)

    arrangement: so.Mapped[ExamArrangement] = so.relationship(
        back_populates="candidates"
    )
    user = so.relationship("User")

    def __repr__(self):
        return f"<ArrangementCandidate {self.arrangement_id}:{self.user_id}>"


class CandidatePaper(db.Model):
    """The personal paper of one candidate: drawn questions (versions), their order
    and option orders, stored so that a refresh or another device sees the same."""

    __tablename__ = "candidate_papers"
    __table_args__ = (
        sa.UniqueConstraint(
            "arrangement_id", "user_id", "sitting", name="uq_candidate_papers_sitting"
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    arrangement_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("exam_arrangements.id", ondelete="CASCADE"), index=True
    )
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    # The sitting (attempt number) this paper is for: a 补考 draws its own paper.
    sitting: so.Mapped[int] = so.mapped_column(default=1, server_default="1")
    # Items also on an earlier sitting's paper (the pool was too small to avoid).
    repeated: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    seed: so.Mapped[str] = so.mapped_column(sa.String(64))
    # [{"version_id": 12, "score": "2.00", "options": ["C", "A", "D", "B"]}, …]
    items: so.Mapped[list] = so.mapped_column(sa.JSON)
    generated_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)

    def __repr__(self):
        return f"<CandidatePaper {self.arrangement_id}:{self.user_id}>"
