"""Attempts (one sitting of an arrangement), their answers and events (issue #5)."""

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from exams.banks.models import QuestionVersion
from exams.papers.models import CandidatePaper, ExamArrangement
from portal.extensions import db


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


class StartTicket(db.Model):
    """A candidate's place in the start queue of an arrangement (see
    :mod:`exams.attempts.gate`; used when Redis is not configured)."""

    __tablename__ = "exam_start_tickets"
    __table_args__ = (sa.UniqueConstraint("arrangement_id", "user_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    arrangement_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("exam_arrangements.id", ondelete="CASCADE"), index=True
    )
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE")
    )
    # When the candidate may enter, and the gate's theoretical arrival time after
    # this ticket (the next ticket's starting point).
    admit_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime)
    tat_after: so.Mapped[datetime] = so.mapped_column(sa.DateTime)
