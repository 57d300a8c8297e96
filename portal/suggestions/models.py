"""Suggestions, their attachments and their public timeline."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.extensions import db
from portal.orgs.models import Organisation
from portal.timeutil import utcnow


class Category(enum.StrEnum):
    FEES = "fees"
    FINES = "fines"
    INSPECTIONS = "inspections"
    SEIZURES = "seizures"
    REMOTE = "remote"
    PROFIT = "profit"
    OTHER_ENFORCEMENT = "other_enforcement"
    SUGGESTION = "suggestion"

    @property
    def label(self):
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    Category.FEES: "乱收费",
    Category.FINES: "乱罚款",
    Category.INSPECTIONS: "乱检查",
    Category.SEIZURES: "乱查封",
    Category.REMOTE: "违规异地执法",
    Category.PROFIT: "趋利性执法",
    Category.OTHER_ENFORCEMENT: "其他执法问题",
    Category.SUGGESTION: "意见建议",
}


class Status(enum.StrEnum):
    """The life of an item. Only ``PENDING`` is reached in this part; the handling
    part moves items on (see docs/suggestions.md for the intended transitions)."""

    PENDING = "pending"  # 受理中: submitted, waiting for triage
    ACCEPTED = "accepted"  # 已受理
    REJECTED = "rejected"  # 不予受理 (reason shown to the submitter)
    MERGED = "merged"  # 已合并 (duplicate of another item)
    PROCESSING = "processing"  # 办理中: assigned to an agency handler
    REPLIED = "replied"  # 已答复: an approved reply is published
    CLOSED = "closed"  # 已办结

    @property
    def label(self):
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.PENDING: "受理中",
    Status.ACCEPTED: "已受理",
    Status.REJECTED: "不予受理",
    Status.MERGED: "已合并处理",
    Status.PROCESSING: "办理中",
    Status.REPLIED: "已答复",
    Status.CLOSED: "已办结",
}


class EventKind(enum.StrEnum):
    """Timeline entries. Only ``SUBMITTED`` is written in this part."""

    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    MERGED = "merged"
    ASSIGNED = "assigned"
    EXTENDED = "extended"
    REPLIED = "replied"
    REPLY_RETURNED = "reply_returned"
    REPLY_PUBLISHED = "reply_published"
    CLOSED = "closed"
    RATED = "rated"
    CONTESTED = "contested"
    REOPENED = "reopened"
    AGENCY_RETURNED = "agency_returned"  # 退单: the agency says it is not theirs

    @property
    def label(self):
        return EVENT_LABELS[self]


EVENT_LABELS = {
    EventKind.SUBMITTED: "提交",
    EventKind.ACCEPTED: "受理",
    EventKind.REJECTED: "不予受理",
    EventKind.MERGED: "合并处理",
    EventKind.ASSIGNED: "转交办理",
    EventKind.EXTENDED: "延期办理",
    EventKind.REPLIED: "办理单位答复",
    EventKind.REPLY_RETURNED: "答复退回修改",
    EventKind.REPLY_PUBLISHED: "答复公开",
    EventKind.CLOSED: "办结",
    EventKind.RATED: "评价",
    EventKind.CONTESTED: "对办理结果提出异议",
    EventKind.REOPENED: "重新办理",
    EventKind.AGENCY_RETURNED: "退回重新分办",
}


def _in(column, values):
    quoted = ", ".join(f"'{v.value}'" for v in values)
    return f"{column} IN ({quoted})"


class Suggestion(db.Model):
    """One submission from the public.

    Contact data (phone, name) is personal information: it is masked wherever it is
    shown and never appears on the public status page. The query code is stored
    only as an argon2id hash. ``form_token`` makes a double submit create one item.
    """

    __tablename__ = "suggestions"
    __table_args__ = (
        sa.CheckConstraint(_in("category", Category), name="category_valid"),
        sa.CheckConstraint(_in("status", Status), name="status_valid"),
        # De-identification (oversight/deidentify.py) removes the phone of a
        # named item after the retention period, so it needs the third arm.
        sa.CheckConstraint(
            "is_anonymous OR contact_phone IS NOT NULL OR deidentified_at IS NOT NULL",
            name="phone_unless_anonymous",
        ),
        sa.CheckConstraint(
            "NOT is_anonymous OR (contact_phone IS NULL AND contact_name IS NULL)",
            name="anonymous_has_no_contact",
        ),
        sa.CheckConstraint(
            "rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_valid"
        ),
        sa.CheckConstraint("extension_days >= 0", name="extension_valid"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    number: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    query_code_hash: so.Mapped[str] = so.mapped_column(sa.String(255))
    form_token: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    category: so.Mapped[str] = so.mapped_column(sa.String(32), index=True)
    organisation_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    place: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    occurred_on: so.Mapped[date | None] = so.mapped_column(sa.Date)
    description: so.Mapped[str] = so.mapped_column(sa.Text)
    is_anonymous: so.Mapped[bool] = so.mapped_column(default=False)
    contact_phone: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    contact_name: so.Mapped[str | None] = so.mapped_column(sa.String(50))
    hide_name: so.Mapped[bool] = so.mapped_column(default=True)
    status: so.Mapped[str] = so.mapped_column(
        sa.String(16), default=Status.PENDING.value, index=True
    )
    submitted_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)
    consent_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    # The submitter ticked 办理进展短信通知我 (needs a mobile number): when they did.
    sms_consent_at: so.Mapped[datetime | None] = so.mapped_column()
    # For the handling part: the reason shown on 不予受理, the published reply.
    public_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    published_reply: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # The submitter's text as staff edited it for publication (never the original).
    published_description: so.Mapped[str | None] = so.mapped_column(sa.Text)
    reply_published_at: so.Mapped[datetime | None] = so.mapped_column()
    # Set when a scheduled job removes contact data after closure (handling part).
    deidentified_at: so.Mapped[datetime | None] = so.mapped_column()
    # Set by de-identification before the phone goes: this item repeats an earlier
    # one from the same phone (same agency and category, within 180 days), so the
    # repeat-complaint figure stays computable without the phone (oversight/stats).
    is_phone_repeat: so.Mapped[bool] = so.mapped_column(
        default=False, server_default=sa.false()
    )

    # Handling (issue #7 part 2). Written by portal/suggestions/handling; read by
    # the statistics. Dates of deadlines are China dates counted in working days.
    merged_into_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("suggestions.id"), index=True
    )
    assigned_org_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    handler_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id"), index=True
    )
    accepted_at: so.Mapped[datetime | None] = so.mapped_column()
    # 受理期限: SUGGESTION_ACCEPT_WORKDAYS working days after the submission date
    # (China date), fixed at submission; the clock runs while the item is pending.
    accept_due_on: so.Mapped[date | None] = so.mapped_column(sa.Date, index=True)
    # 退单: the agency returned the item as not theirs; cleared on re-assignment.
    agency_returned_at: so.Mapped[datetime | None] = so.mapped_column()
    agency_return_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    assigned_at: so.Mapped[datetime | None] = so.mapped_column()
    due_on: so.Mapped[date | None] = so.mapped_column(sa.Date, index=True)
    extension_days: so.Mapped[int] = so.mapped_column(default=0)
    extension_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # When the handler submitted the reply that staff approved (on time if its
    # China date is on or before ``due_on``).
    replied_at: so.Mapped[datetime | None] = so.mapped_column()
    closed_at: so.Mapped[datetime | None] = so.mapped_column(index=True)
    rating: so.Mapped[int | None] = so.mapped_column()  # 1 (很不满意) … 5 (很满意)
    rating_comment: so.Mapped[str | None] = so.mapped_column(sa.Text)
    rated_at: so.Mapped[datetime | None] = so.mapped_column()
    contested_at: so.Mapped[datetime | None] = so.mapped_column()
    contest_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # Optimistic lock: every handling change bumps it; a stale form is refused.
    version: so.Mapped[int] = so.mapped_column(default=1)

    organisation: so.Mapped[Organisation | None] = so.relationship(
        foreign_keys=[organisation_id]
    )
    assigned_org: so.Mapped[Organisation | None] = so.relationship(
        foreign_keys=[assigned_org_id]
    )
    handler = so.relationship("User", foreign_keys=[handler_id])
    merged_into: so.Mapped["Suggestion | None"] = so.relationship(
        remote_side=[id], foreign_keys=[merged_into_id]
    )
    # The submitter's files; a handler's reply files carry a ``reply_id``.
    attachments: so.Mapped[list["SuggestionAttachment"]] = so.relationship(
        back_populates="suggestion",
        cascade="all, delete-orphan",
        order_by="SuggestionAttachment.id",
        primaryjoin="and_(Suggestion.id == SuggestionAttachment.suggestion_id, "
        "SuggestionAttachment.reply_id.is_(None))",
    )
    events: so.Mapped[list["SuggestionEvent"]] = so.relationship(
        back_populates="suggestion",
        cascade="all, delete-orphan",
        order_by="SuggestionEvent.id",
    )

    def __repr__(self):
        return f"<Suggestion {self.number} {self.status}>"

    @property
    def audit_label(self):
        return f"受理编号 {self.number}"

    @property
    def category_label(self):
        return Category(self.category).label

    @property
    def status_label(self):
        return Status(self.status).label

    @property
    def public_events(self):
        return [event for event in self.events if event.is_public]


class SuggestionAttachment(db.Model):
    """A validated file: images re-encoded without metadata, PDFs checked for
    active content; stored under ``UPLOAD_DIR/suggestions/`` with a random name."""

    __tablename__ = "suggestion_attachments"
    __table_args__ = (
        sa.CheckConstraint(
            "mime IN ('image/jpeg', 'image/png', 'application/pdf')",
            name="mime_valid",
        ),
        sa.CheckConstraint("size > 0", name="size_positive"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    suggestion_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("suggestions.id", ondelete="CASCADE"), index=True
    )
    stored_name: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    original_name: so.Mapped[str] = so.mapped_column(sa.String(255), default="")
    mime: so.Mapped[str] = so.mapped_column(sa.String(64))
    size: so.Mapped[int] = so.mapped_column()
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    # Owner marker: NULL for the submitter's files, else the handler's reply
    # (portal/suggestions/handling/models.py) the file belongs to.
    reply_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("suggestion_replies.id", ondelete="CASCADE"), index=True
    )
    # A reply photo staff approved for publication: shown to the submitter (and
    # to the submitters of merged duplicates) on the tracking page.
    published_at: so.Mapped[datetime | None] = so.mapped_column()

    suggestion: so.Mapped[Suggestion] = so.relationship(back_populates="attachments")

    def __repr__(self):
        return f"<SuggestionAttachment {self.id} {self.mime}>"

    @property
    def audit_label(self):
        return self.original_name or self.stored_name

    @property
    def is_image(self):
        return self.mime in ("image/jpeg", "image/png")


class SuggestionEvent(db.Model):
    """One timeline entry. ``note`` is shown to the public only when ``is_public``
    (staff notes of the handling part stay internal)."""

    __tablename__ = "suggestion_events"
    __table_args__ = (sa.CheckConstraint(_in("kind", EventKind), name="kind_valid"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    suggestion_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("suggestions.id", ondelete="CASCADE"), index=True
    )
    at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    kind: so.Mapped[str] = so.mapped_column(sa.String(32))
    status_after: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    is_public: so.Mapped[bool] = so.mapped_column(default=True)
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))

    suggestion: so.Mapped[Suggestion] = so.relationship(back_populates="events")

    def __repr__(self):
        return f"<SuggestionEvent {self.id} {self.kind}>"

    @property
    def audit_label(self):
        return f"{self.suggestion.number} {self.kind_label}"

    @property
    def kind_label(self):
        return EventKind(self.kind).label

    @property
    def status_label(self):
        return Status(self.status_after).label if self.status_after else ""
