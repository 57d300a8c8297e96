"""Agency replies to suggestions: written by a handler, approved or returned by staff.

A reply's attachments are rows of ``suggestion_attachments`` whose ``reply_id``
points here (the submitter's own attachments have no ``reply_id``).
"""

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.extensions import db
from portal.suggestions.models import Suggestion, SuggestionAttachment
from portal.timeutil import utcnow


class ReplyStatus(enum.StrEnum):
    SUBMITTED = "submitted"  # waiting for staff approval
    APPROVED = "approved"
    RETURNED = "returned"  # sent back to the handler with a reason

    @property
    def label(self):
        return {"submitted": "待审核", "approved": "已通过", "returned": "已退回"}[
            self.value
        ]


class SuggestionReply(db.Model):
    """One reply the handler submitted; at most one waits for approval at a time."""

    __tablename__ = "suggestion_replies"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('submitted', 'approved', 'returned')", name="status_valid"
        ),
        sa.CheckConstraint(
            "(status = 'returned') = (return_reason IS NOT NULL)",
            name="reason_when_returned",
        ),
        sa.CheckConstraint(
            "(status = 'submitted') = (decided_at IS NULL)", name="decided_unless_open"
        ),
        sa.Index(
            "uq_suggestion_replies_one_open",
            "suggestion_id",
            unique=True,
            sqlite_where=sa.text("status = 'submitted'"),
            postgresql_where=sa.text("status = 'submitted'"),
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    suggestion_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("suggestions.id", ondelete="CASCADE"), index=True
    )
    author_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    status: so.Mapped[str] = so.mapped_column(
        sa.String(16), default=ReplyStatus.SUBMITTED.value
    )
    submitted_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    decided_at: so.Mapped[datetime | None] = so.mapped_column()
    decided_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    return_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)

    suggestion: so.Mapped[Suggestion] = so.relationship(
        backref=so.backref(
            "replies", order_by="SuggestionReply.id", cascade="all, delete-orphan"
        )
    )
    author = so.relationship("User", foreign_keys=[author_id])
    decided_by = so.relationship("User", foreign_keys=[decided_by_id])
    attachments: so.Mapped[list[SuggestionAttachment]] = so.relationship(
        primaryjoin=lambda: SuggestionAttachment.reply_id == SuggestionReply.id,
        foreign_keys=lambda: [SuggestionAttachment.reply_id],
        order_by=lambda: SuggestionAttachment.id,
        viewonly=True,
    )

    def __repr__(self):
        return f"<SuggestionReply {self.id} {self.status}>"

    @property
    def audit_label(self):
        return f"{self.suggestion.number} 答复 {self.id}"

    @property
    def status_label(self):
        return ReplyStatus(self.status).label


class RequestStatus(enum.StrEnum):
    OPEN = "open"
    GRANTED = "granted"
    REFUSED = "refused"

    @property
    def label(self):
        return {"open": "待批准", "granted": "已批准", "refused": "不予延期"}[
            self.value
        ]


class ExtensionRequest(db.Model):
    """A handler's request for the one extension; staff grant or refuse it."""

    __tablename__ = "suggestion_extension_requests"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('open', 'granted', 'refused')", name="status_valid"
        ),
        sa.CheckConstraint(
            "(status = 'open') = (decided_at IS NULL)", name="decided_unless_open"
        ),
        sa.Index(
            "uq_suggestion_extension_requests_one_open",
            "suggestion_id",
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    suggestion_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("suggestions.id", ondelete="CASCADE"), index=True
    )
    requested_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    reason: so.Mapped[str] = so.mapped_column(sa.Text)
    requested_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    status: so.Mapped[str] = so.mapped_column(
        sa.String(16), default=RequestStatus.OPEN.value
    )
    decided_at: so.Mapped[datetime | None] = so.mapped_column()
    decided_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    decision_note: so.Mapped[str | None] = so.mapped_column(sa.Text)

    suggestion: so.Mapped[Suggestion] = so.relationship(
        backref=so.backref(
            "extension_requests",
            order_by="ExtensionRequest.id",
            cascade="all, delete-orphan",
        )
    )
    requested_by = so.relationship("User", foreign_keys=[requested_by_id])

    def __repr__(self):
        return f"<ExtensionRequest {self.id} {self.status}>"

    @property
    def audit_label(self):
        return f"{self.suggestion.number} 延期申请 {self.id}"

    @property
    def status_label(self):
        return RequestStatus(self.status).label


SMS_STATES = ("pending", "sent", "failed")


class SubmitterSms(db.Model):
    """One progress SMS to the submitter of ``suggestion`` (who has no account).

    ``event`` keys it (one row per item and event: a double submit or a re-run
    adds nothing). The number is not copied here: it is read from the item when
    sending, so de-identification also stops messages not yet sent.
    """

    __tablename__ = "suggestion_submitter_sms"
    __table_args__ = (
        sa.UniqueConstraint(
            "suggestion_id", "event", name="uq_suggestion_submitter_sms_event"
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'failed')", name="status_valid"
        ),
        sa.CheckConstraint("attempts >= 0", name="attempts_nonnegative"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    suggestion_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("suggestions.id", ondelete="CASCADE"), index=True
    )
    event: so.Mapped[str] = so.mapped_column(sa.String(40))
    text: so.Mapped[str] = so.mapped_column(sa.String(200))
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default="pending")
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    last_error: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    next_attempt_at: so.Mapped[datetime | None] = so.mapped_column(index=True)
    sent_at: so.Mapped[datetime | None] = so.mapped_column()
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    suggestion: so.Mapped[Suggestion] = so.relationship()
