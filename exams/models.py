"""Question banks, knowledge points and versioned questions (issue #4)."""

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.extensions import db
from portal.timeutil import utcnow

QUESTION_TYPES = ("single", "multiple", "true_false", "fill_blank", "essay", "case")


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

    parent: so.Mapped["KnowledgePoint | None"] = so.relationship(remote_side=[id])

    def __repr__(self):
        return f"<KnowledgePoint {self.path}>"


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
    prerequisite_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("exam_arrangements.id")
    )
    seed: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    organisation_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)

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
    __table_args__ = (sa.UniqueConstraint("arrangement_id", "user_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    arrangement_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("exam_arrangements.id", ondelete="CASCADE"), index=True
    )
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    seed: so.Mapped[str] = so.mapped_column(sa.String(64))
    # [{"version_id": 12, "score": "2.00", "options": ["C", "A", "D", "B"]}, …]
    items: so.Mapped[list] = so.mapped_column(sa.JSON)
    generated_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)

    def __repr__(self):
        return f"<CandidatePaper {self.arrangement_id}:{self.user_id}>"


class Attempt(db.Model):
    """One sitting of an arrangement by a candidate. The deadline is fixed on the
    server when the attempt starts; answers after it are refused."""

    __tablename__ = "attempts"
    __table_args__ = (
        sa.UniqueConstraint("arrangement_id", "user_id", "number"),
        sa.CheckConstraint(
            "status IN ('in_progress', 'submitted', 'graded')", name="status_valid"
        ),
        sa.CheckConstraint(
            "(status = 'in_progress') = (submitted_at IS NULL)", name="submitted_at_set"
        ),
        sa.CheckConstraint("deadline_at > started_at", name="deadline_after_start"),
        # One attempt in progress per candidate and arrangement (double clicks,
        # two tabs): a partial unique index on both databases.
        sa.Index(
            "uq_attempts_one_in_progress",
            "arrangement_id",
            "user_id",
            unique=True,
            sqlite_where=sa.text("status = 'in_progress'"),
            postgresql_where=sa.text("status = 'in_progress'"),
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    arrangement_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("exam_arrangements.id"), index=True
    )
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    candidate_paper_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("candidate_papers.id")
    )
    number: so.Mapped[int] = so.mapped_column(default=1)
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="in_progress")
    started_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime)
    deadline_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime)
    submitted_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)
    submit_reason: so.Mapped[str] = so.mapped_column(sa.String(16), default="")
    score: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(7, 2))
    passed: so.Mapped[bool | None]
    tab_switches: so.Mapped[int] = so.mapped_column(default=0)
    last_seen_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)
    # SHA-256 of the device cookie of the browser that holds the attempt (see
    # exams.devices); None after an administrator releases the binding.
    device_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64))

    arrangement: so.Mapped[ExamArrangement] = so.relationship()
    candidate_paper: so.Mapped[CandidatePaper] = so.relationship()
    answers: so.Mapped[list["Answer"]] = so.relationship(
        back_populates="attempt",
        order_by="Answer.position",
        cascade="all, delete-orphan",
    )

    def __repr__(self):
        return f"<Attempt {self.id} {self.status}>"

    @property
    def audit_label(self):
        return f"答卷 {self.id}"


class Answer(db.Model):
    """The latest saved response to one item of an attempt."""

    __tablename__ = "answers"
    __table_args__ = (sa.UniqueConstraint("attempt_id", "position"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    attempt_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("attempts.id", ondelete="CASCADE"), index=True
    )
    position: so.Mapped[int]
    version_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("question_versions.id"))
    response: so.Mapped[object | None] = so.mapped_column(sa.JSON)
    # The client's save counter: a retried older save never overwrites a newer one.
    # BIGINT: the exam page starts it at Date.now() (milliseconds, > 2^31).
    seq: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    flagged: so.Mapped[bool] = so.mapped_column(default=False)
    saved_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime)
    score: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(6, 2))
    correct: so.Mapped[bool | None]

    attempt: so.Mapped[Attempt] = so.relationship(back_populates="answers")
    version: so.Mapped[QuestionVersion] = so.relationship()

    def __repr__(self):
        return f"<Answer {self.attempt_id}#{self.position}>"


class AttemptEvent(db.Model):
    """What the exam page reported (focus lost, page hidden, back) and device
    checks. Heartbeats only update ``Attempt.last_seen_at``."""

    __tablename__ = "attempt_events"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    attempt_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("attempts.id", ondelete="CASCADE"), index=True
    )
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    at: so.Mapped[datetime] = so.mapped_column(sa.DateTime)
    detail: so.Mapped[str] = so.mapped_column(sa.String(200), default="")

    def __repr__(self):
        return f"<AttemptEvent {self.attempt_id} {self.kind}>"
