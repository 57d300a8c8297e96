"""Invited supervisors' observations (监督员意见) and escalations into a case review
(转案卷评查) on public suggestions."""

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from casebank.cases.models import CaseFile  # noqa: F401 - relationship target
from portal.extensions import db
from portal.timeutil import utcnow


class EscalationStatus(enum.StrEnum):
    OPEN = "open"
    HANDLED = "handled"

    @property
    def label(self):
        return {"open": "待处理", "handled": "已处理"}[self]


class SupervisorObservation(db.Model):
    """A note of an invited supervisor on one item. Staff and the handling agency
    see it; it is never shown on the public pages."""

    __tablename__ = "suggestion_observations"
    __table_args__ = (sa.CheckConstraint("length(text) > 0", name="text_given"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    suggestion_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("suggestions.id", ondelete="CASCADE"), index=True
    )
    author_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    # A random token of the form that created it: a double submit adds one note.
    form_token: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)

    suggestion = so.relationship("Suggestion")
    author = so.relationship("User")

    def __repr__(self):
        return f"<SupervisorObservation {self.id} on {self.suggestion_id}>"

    @property
    def audit_label(self):
        return f"{self.suggestion.number} 监督员意见 #{self.id}"


class Escalation(db.Model):
    """An invited supervisor asks supervision staff to review the penalty case
    behind an item (转案卷评查); staff mark it handled with a note."""

    __tablename__ = "suggestion_escalations"
    __table_args__ = (
        sa.CheckConstraint("status IN ('open', 'handled')", name="status_valid"),
        sa.CheckConstraint("length(reason) > 0", name="reason_given"),
        sa.CheckConstraint(
            "(status = 'handled') = (handled_at IS NOT NULL)", name="handled_has_time"
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    suggestion_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("suggestions.id", ondelete="CASCADE"), index=True
    )
    supervisor_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id"), index=True
    )
    reason: so.Mapped[str] = so.mapped_column(sa.Text)
    # 文号 of the penalty decision concerned, as the supervisor typed it.
    doc_number: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    # The casebank case with that 文号 in the item's agency, when one exists.
    case_file_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("case_files.id", ondelete="SET NULL"), index=True
    )
    status: so.Mapped[str] = so.mapped_column(
        sa.String(16), default=EscalationStatus.OPEN.value, index=True
    )
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    handled_at: so.Mapped[datetime | None] = so.mapped_column()
    handled_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    handled_note: so.Mapped[str | None] = so.mapped_column(sa.Text)
    form_token: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)

    suggestion = so.relationship("Suggestion")
    supervisor = so.relationship("User", foreign_keys=[supervisor_id])
    handled_by = so.relationship("User", foreign_keys=[handled_by_id])
    case_file = so.relationship("CaseFile")

    def __repr__(self):
        return f"<Escalation {self.id} {self.status}>"

    @property
    def audit_label(self):
        return f"{self.suggestion.number} 监督员转办 #{self.id}"

    @property
    def status_label(self):
        return EscalationStatus(self.status).label
