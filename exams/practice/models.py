"""Practice sessions, the answer log and the 错题本 (issue #5, practice)."""

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from exams.banks.models import Question, QuestionVersion
from portal.extensions import db
from portal.timeutil import utcnow

SESSION_MODES = {
    "knowledge_point": "按知识点练习",
    "random": "随机练习",
    "mistakes": "错题重练",
    "weak": "薄弱知识点练习",
}
SOURCE_LABELS = {"practice": "练习", "exam": "考试"}


class PracticeSession(db.Model):
    """One practice set: the drawn question versions and their option orders are
    stored, so a refresh, a resume later or another device shows the same set."""

    __tablename__ = "practice_sessions"
    __table_args__ = (
        sa.CheckConstraint(
            "mode IN ('knowledge_point', 'random', 'mistakes', 'weak')",
            name="mode_valid",
        ),
        sa.CheckConstraint(
            "status IN ('in_progress', 'finished')", name="status_valid"
        ),
        sa.CheckConstraint(
            "(status = 'in_progress') = (finished_at IS NULL)", name="finished_at_set"
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    mode: so.Mapped[str] = so.mapped_column(sa.String(16))
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    # What was asked for: {"knowledge_point_ids": [...], "types": [...], "count": n}
    params: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    # [{"version_id": 12, "question_id": 7, "options": ["C", "A", "D", "B"]}, …]
    items: so.Mapped[list] = so.mapped_column(sa.JSON)
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="in_progress")
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)
    finished_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)

    records: so.Mapped[list["AnswerRecord"]] = so.relationship(
        back_populates="session",
        order_by="AnswerRecord.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def __repr__(self):
        return f"<PracticeSession {self.id} {self.mode} {self.status}>"

    @property
    def audit_label(self):
        return f"练习 {self.id}（{self.title}）"

    @property
    def mode_label(self):
        return SESSION_MODES.get(self.mode, self.mode)


class AnswerRecord(db.Model):
    """One graded answer of a user to a question: from a practice session, or from
    a released exam attempt (copied by ``sync_exam_mistakes``). The 错题本 and the
    mastery figures are computed from these rows."""

    __tablename__ = "answer_records"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "position"),
        sa.UniqueConstraint("attempt_id", "position"),
        sa.CheckConstraint("source IN ('practice', 'exam')", name="source_valid"),
        sa.CheckConstraint(
            "(source = 'practice') = (session_id IS NOT NULL)", name="practice_session"
        ),
        sa.CheckConstraint(
            "(source = 'exam') = (attempt_id IS NOT NULL)", name="exam_attempt"
        ),
        sa.CheckConstraint("position >= 0", name="position_valid"),
        sa.Index("ix_answer_records_user_answered", "user_id", "answered_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    question_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("questions.id"), index=True
    )
    version_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("question_versions.id"))
    # Copied from the version when answered: mastery groups by it without joins.
    knowledge_point_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("knowledge_points.id")
    )
    source: so.Mapped[str] = so.mapped_column(sa.String(16))
    session_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("practice_sessions.id", ondelete="CASCADE"), index=True
    )
    attempt_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("attempts.id", ondelete="CASCADE"), index=True
    )
    position: so.Mapped[int]
    response: so.Mapped[object | None] = so.mapped_column(sa.JSON)
    correct: so.Mapped[bool]
    feedback: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    # Whether the user may see the key of this answer: always after practice; after
    # an exam only when the arrangement shows answers.
    key_shown: so.Mapped[bool] = so.mapped_column(default=False)
    answered_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime)

    session: so.Mapped[PracticeSession | None] = so.relationship(
        back_populates="records"
    )
    version: so.Mapped[QuestionVersion] = so.relationship()

    def __repr__(self):
        return f"<AnswerRecord {self.id} {self.source} q{self.question_id}>"


class MistakeEntry(db.Model):
    """A 错题本 entry: one per user and question, recomputed from the answer log
    whenever a new answer of that question is recorded."""

    __tablename__ = "mistake_entries"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "question_id"),
        sa.CheckConstraint("wrong_count >= 1", name="wrong_count_positive"),
        sa.CheckConstraint("correct_streak >= 0", name="streak_valid"),
        sa.CheckConstraint("source IN ('practice', 'exam')", name="source_valid"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    question_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("questions.id"))
    # The version answered wrongly last time (what the entry shows).
    version_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("question_versions.id"))
    source: so.Mapped[str] = so.mapped_column(sa.String(16))
    wrong_count: so.Mapped[int] = so.mapped_column(default=1)
    last_wrong_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime)
    correct_streak: so.Mapped[int] = so.mapped_column(default=0)
    mastered_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)
    key_visible: so.Mapped[bool] = so.mapped_column(default=False)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)

    question: so.Mapped[Question] = so.relationship()
    version: so.Mapped[QuestionVersion] = so.relationship()

    def __repr__(self):
        return f"<MistakeEntry u{self.user_id} q{self.question_id}>"

    @property
    def audit_label(self):
        return f"错题 {self.question_id}"

    @property
    def source_label(self):
        return SOURCE_LABELS.get(self.source, self.source)
