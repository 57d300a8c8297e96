"""Marks given by markers to subjective answers (评分记录, 双评, 仲裁, 复核) and the
candidates' result appeals (成绩复核)."""

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.extensions import db
from portal.timeutil import utcnow

# first/second: the two marks of 双评 (first only without double marking);
# arbitration: the third marker's mark when the two differ beyond the tolerance;
# revision: an administrator's change with a reason on the answer sheet;
# review: the re-mark of an accepted appeal by a marker who had not marked it.
MARK_KINDS = {
    "first": "初评",
    "second": "二评",
    "arbitration": "仲裁",
    "revision": "改分",
    "review": "复核评分",
}

APPEAL_STATUSES = {
    "pending": "待处理",
    "accepted": "已受理，复核评分中",
    "resolved": "复核完成",
    "rejected": "不予复核",
}


class AnswerMark(db.Model):
    """One marker's score for one answer; the answer's score follows from its marks
    (see :func:`exams.results.marking.final_score`)."""

    __tablename__ = "answer_marks"
    __table_args__ = (
        sa.CheckConstraint(
            "kind IN ('first', 'second', 'arbitration', 'revision', 'review')",
            name="kind_valid",
        ),
        sa.CheckConstraint("score >= 0", name="score_positive"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    answer_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("answers.id", ondelete="CASCADE"), index=True
    )
    # None: the system (a CLI or a job).
    marker_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    score: so.Mapped[Decimal] = so.mapped_column(sa.Numeric(6, 2))
    comment: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    appeal_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("result_appeals.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)

    marker = so.relationship("User")

    @property
    def kind_label(self):
        return MARK_KINDS[self.kind]

    def __repr__(self):
        return f"<AnswerMark {self.answer_id} {self.kind} {self.score}>"


class ResultAppeal(db.Model):
    """成绩复核: one request per attempt, within the arrangement's appeal days."""

    __tablename__ = "result_appeals"
    __table_args__ = (
        sa.UniqueConstraint("attempt_id"),
        sa.CheckConstraint(
            "status IN ('pending', 'accepted', 'resolved', 'rejected')",
            name="status_valid",
        ),
        sa.CheckConstraint(
            "status <> 'rejected' OR decision_reason <> ''", name="reject_reason"
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    attempt_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("attempts.id", ondelete="CASCADE")
    )
    arrangement_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("exam_arrangements.id", ondelete="CASCADE"), index=True
    )
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    reason: so.Mapped[str] = so.mapped_column(sa.String(1000))
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="pending")
    score_before: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(7, 2))
    score_after: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(7, 2))
    decision_reason: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    decided_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)
    decided_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)
    resolved_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)

    attempt = so.relationship("Attempt")
    arrangement = so.relationship("ExamArrangement")
    user = so.relationship("User", foreign_keys=[user_id])

    @property
    def status_label(self):
        return APPEAL_STATUSES[self.status]

    @property
    def audit_label(self):
        return f"成绩复核 {self.id}"

    def __repr__(self):
        return f"<ResultAppeal {self.id} {self.status}>"
