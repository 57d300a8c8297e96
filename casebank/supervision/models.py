"""Supervision of case files (评查): random sample draws, review assignments and
supervisors' declarations of interest (利益冲突申报)."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from casebank.cases.models import CaseFile
from portal.extensions import db
from portal.orgs.models import Organisation
from portal.timeutil import utcnow

# The review queue orders by these columns and filters on them; without this index
# PostgreSQL sorts every flagged case of the scope for each page (see
# docs/case-supervision.md, "Performance").
queue_order_index = sa.Index(
    "ix_case_files_queue_order",
    CaseFile.max_severity_rank,
    CaseFile.decision_date,
    CaseFile.id,
)


class SampleDraw(db.Model):
    """One random draw of unflagged checked cases of an agency for a period (the log).

    Immutable once written: the seed and the ordered candidate ids determine the
    drawn ids (:func:`casebank.supervision.sampling.draw`), and ``candidate_digest``
    lets anyone verify later which candidates the draw saw.
    """

    __tablename__ = "sample_draws"
    __table_args__ = (
        # One draw per agency and period: a second draw must not silently re-draw.
        sa.UniqueConstraint("agency_id", "period", name="uq_sample_draws_period"),
        sa.CheckConstraint("rate > 0 AND rate <= 1", name="rate_valid"),
        sa.CheckConstraint("candidate_count >= 0", name="count_valid"),
        sa.CheckConstraint("period_start <= period_end", name="period_valid"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    agency_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    period: so.Mapped[str] = so.mapped_column(sa.String(8))  # 2026-03 or 2026-Q1
    period_start: so.Mapped[date] = so.mapped_column(sa.Date)
    period_end: so.Mapped[date] = so.mapped_column(sa.Date)
    rate: so.Mapped[float] = so.mapped_column(sa.Float)
    seed: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    candidate_count: so.Mapped[int] = so.mapped_column(default=0)
    candidate_digest: so.Mapped[str] = so.mapped_column(sa.String(64))
    drawn_ids: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)

    agency: so.Mapped[Organisation] = so.relationship()
    created_by = so.relationship("User")

    def __repr__(self):
        return f"<SampleDraw {self.id} agency={self.agency_id} {self.period}>"

    @property
    def audit_label(self):
        return f"抽查 #{self.id} {self.period}"

    @property
    def rate_percent(self):
        return round(self.rate * 100, 2)


class SampledCase(db.Model):
    """A case drawn by a :class:`SampleDraw` (the queue's "sampled" mark)."""

    __tablename__ = "sampled_cases"

    draw_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("sample_draws.id", ondelete="CASCADE"), primary_key=True
    )
    case_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("case_files.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    )

    def __repr__(self):
        return f"<SampledCase draw={self.draw_id} case={self.case_id}>"


class AssignmentStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def label(self):
        return {"open": "评查中", "done": "已完成", "cancelled": "已撤回"}[self]


class ReviewAssignment(db.Model):
    """A case given to a supervisor for review (评查任务). At most one open per case."""

    __tablename__ = "review_assignments"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('open', 'done', 'cancelled')", name="status_valid"
        ),
        sa.CheckConstraint(
            "(status = 'open') = (closed_at IS NULL)", name="closed_when_not_open"
        ),
        sa.Index(
            "uq_review_assignments_one_open",
            "case_id",
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        ),
        sa.Index("ix_review_assignments_assignee", "assignee_id", "status"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("case_files.id", ondelete="CASCADE"), index=True
    )
    assignee_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    assigned_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    assigned_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)
    status: so.Mapped[str] = so.mapped_column(
        sa.String(16), default=AssignmentStatus.OPEN
    )
    closed_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)
    close_reason: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    # 评查期限 (China date), set by staff when assigning; None for older tasks.
    due_on: so.Mapped[date | None] = so.mapped_column(sa.Date)

    case: so.Mapped[CaseFile] = so.relationship()
    assignee = so.relationship("User", foreign_keys=[assignee_id])
    assigned_by = so.relationship("User", foreign_keys=[assigned_by_id])

    def __repr__(self):
        return f"<ReviewAssignment {self.id} case={self.case_id} {self.status}>"

    @property
    def audit_label(self):
        return f"评查任务 #{self.id}（案卷 #{self.case_id}）"

    @property
    def status_label(self):
        return AssignmentStatus(self.status).label


class InterestDeclaration(db.Model):
    """A supervisor's declared interest in an organisation (and everything below it).

    Withdrawing sets ``withdrawn_at``; rows are never deleted (the history).
    """

    __tablename__ = "interest_declarations"
    __table_args__ = (
        sa.Index("ix_interest_declarations_user_active", "user_id", "withdrawn_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    reason: so.Mapped[str] = so.mapped_column(sa.String(500))
    declared_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)
    withdrawn_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)

    user = so.relationship("User")
    organisation: so.Mapped[Organisation] = so.relationship()

    def __repr__(self):
        return f"<InterestDeclaration {self.id} user={self.user_id}>"

    @property
    def audit_label(self):
        return f"利益冲突申报 #{self.id}（{self.organisation.name}）"

    @property
    def is_active(self):
        return self.withdrawn_at is None
