"""监督意见书, their replies (整改情况) with attachments and timeline."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.extensions import db
from portal.orgs.models import Organisation
from portal.timeutil import utcnow


class OpinionStatus(enum.StrEnum):
    """issued → replied → accepted | returned → replied → …"""

    ISSUED = "issued"  # 已送达，待整改
    REPLIED = "replied"  # 已回复，待审核
    RETURNED = "returned"  # 已退回，待重新整改
    ACCEPTED = "accepted"  # 已办结

    @property
    def label(self):
        return STATUS_LABELS[self]

    @property
    def css(self):
        return {
            "issued": "text-bg-primary",
            "replied": "text-bg-info",
            "returned": "text-bg-warning",
            "accepted": "text-bg-success",
        }[self]


STATUS_LABELS = {
    OpinionStatus.ISSUED: "已送达待整改",
    OpinionStatus.REPLIED: "已回复待审核",
    OpinionStatus.RETURNED: "已退回",
    OpinionStatus.ACCEPTED: "已办结",
}
# Statuses in which the agency is expected to (re)reply.
OPEN_FOR_REPLY = (OpinionStatus.ISSUED, OpinionStatus.RETURNED)


class EventKind(enum.StrEnum):
    ISSUED = "issued"
    REPLIED = "replied"
    RETURNED = "returned"
    ACCEPTED = "accepted"
    DEADLINE_CHANGED = "deadline_changed"

    @property
    def label(self):
        return {
            "issued": "签发送达",
            "replied": "提交整改情况",
            "returned": "退回整改情况",
            "accepted": "采纳整改情况，办结",
            "deadline_changed": "变更整改期限",
        }[self]


def _in(column, values):
    quoted = ", ".join(f"'{v.value}'" for v in values)
    return f"{column} IN ({quoted})"


class SupervisionOpinion(db.Model):
    """One 监督意见书. ``version`` is bumped by every change: a stale form (or a
    second person deciding at the same time) is refused."""

    __tablename__ = "supervision_opinions"
    __table_args__ = (
        sa.CheckConstraint(_in("status", OpinionStatus), name="status_valid"),
        sa.CheckConstraint("seq > 0", name="seq_positive"),
        sa.CheckConstraint(
            "deadline_workdays BETWEEN 1 AND 250", name="deadline_workdays_valid"
        ),
        sa.CheckConstraint("due_on >= issued_on", name="due_after_issue"),
        sa.CheckConstraint(
            "status <> 'accepted' OR closed_at IS NOT NULL", name="closed_when_accepted"
        ),
        sa.UniqueConstraint("year", "seq"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    number: so.Mapped[str] = so.mapped_column(sa.String(60), unique=True)
    year: so.Mapped[int]
    seq: so.Mapped[int]
    form_token: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    case_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("case_files.id"), index=True
    )
    agency_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    # The 评查表 the opinion grew out of, if any.
    review_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("case_reviews.id", ondelete="SET NULL"), index=True
    )
    problems: so.Mapped[str] = so.mapped_column(sa.Text)
    opinion: so.Mapped[str] = so.mapped_column(sa.Text)
    legal_basis: so.Mapped[str | None] = so.mapped_column(sa.Text)
    issued_on: so.Mapped[date] = so.mapped_column(sa.Date)  # China date
    deadline_workdays: so.Mapped[int]
    due_on: so.Mapped[date] = so.mapped_column(sa.Date, index=True)
    status: so.Mapped[str] = so.mapped_column(
        sa.String(16), default=OpinionStatus.ISSUED.value, index=True
    )
    issued_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    issued_by_name: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    issued_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)
    last_replied_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)
    closed_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)
    version: so.Mapped[int] = so.mapped_column(default=1)

    case = so.relationship("CaseFile")
    agency: so.Mapped[Organisation] = so.relationship()
    issued_by = so.relationship("User")
    replies: so.Mapped[list["OpinionReply"]] = so.relationship(
        back_populates="opinion",
        order_by="OpinionReply.round",
        cascade="all, delete-orphan",
    )
    events: so.Mapped[list["OpinionEvent"]] = so.relationship(
        back_populates="opinion",
        order_by="(OpinionEvent.at, OpinionEvent.id)",
        cascade="all, delete-orphan",
    )

    def __repr__(self):
        return f"<SupervisionOpinion {self.number} {self.status}>"

    @property
    def audit_label(self):
        return f"监督意见书 {self.number}"

    @property
    def status_enum(self):
        return OpinionStatus(self.status)

    @property
    def is_closed(self):
        return self.status == OpinionStatus.ACCEPTED

    @property
    def latest_reply(self):
        return self.replies[-1] if self.replies else None


class OpinionReply(db.Model):
    """One round of 整改情况 from the agency, and the staff's decision on it."""

    __tablename__ = "opinion_replies"
    __table_args__ = (
        sa.UniqueConstraint("opinion_id", "round"),
        sa.CheckConstraint(
            "decision IS NULL OR decision IN ('accepted', 'returned')",
            name="decision_valid",
        ),
        sa.CheckConstraint(
            "decision <> 'returned' OR return_reason IS NOT NULL",
            name="reason_when_returned",
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    opinion_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("supervision_opinions.id", ondelete="CASCADE"), index=True
    )
    round: so.Mapped[int]
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    submitted_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    submitted_by_name: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    submitted_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)
    decision: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    return_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    decided_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    decided_by_name: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    decided_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)

    opinion: so.Mapped[SupervisionOpinion] = so.relationship(back_populates="replies")
    attachments: so.Mapped[list["OpinionAttachment"]] = so.relationship(
        back_populates="reply",
        order_by="OpinionAttachment.id",
        cascade="all, delete-orphan",
    )

    def __repr__(self):
        return f"<OpinionReply {self.opinion_id}#{self.round} {self.decision}>"


class OpinionAttachment(db.Model):
    """A checked image or PDF of a reply, stored under UPLOAD_DIR/opinions/."""

    __tablename__ = "opinion_attachments"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    reply_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("opinion_replies.id", ondelete="CASCADE"), index=True
    )
    stored_name: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    original_name: so.Mapped[str] = so.mapped_column(sa.String(255))
    mime: so.Mapped[str] = so.mapped_column(sa.String(40))
    size: so.Mapped[int]
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)

    reply: so.Mapped[OpinionReply] = so.relationship(back_populates="attachments")

    def __repr__(self):
        return f"<OpinionAttachment {self.id} {self.original_name}>"


class OpinionEvent(db.Model):
    """One line of an opinion's timeline (who did what, when, with which note)."""

    __tablename__ = "opinion_events"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    opinion_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("supervision_opinions.id", ondelete="CASCADE"), index=True
    )
    kind: so.Mapped[str] = so.mapped_column(sa.String(32))
    at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    actor_name: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    opinion: so.Mapped[SupervisionOpinion] = so.relationship(back_populates="events")

    @property
    def label(self):
        return EventKind(self.kind).label
