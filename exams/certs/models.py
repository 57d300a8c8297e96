"""The certificate record (证书)."""

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.extensions import db
from portal.timeutil import utcnow

STATUS_LABELS = {
    "valid": "有效",
    "suspended": "暂扣",
    "expired": "已过期",
    "revoked": "已注销",
}
# A holder has at most one certificate in one of these states (partial unique index).
LIVE_STATUSES = ("valid", "suspended")
# Why the status last changed: issuance, an administrator, a regrade of the
# qualifying exam, an annual review result, the expiry job, or a newer certificate.
STATUS_CAUSES = ("issued", "admin", "regrade", "review", "expiry", "replaced")


class Certificate(db.Model):
    """A qualification certificate issued when a candidate passes the 通用 exam of
    the qualification path (after its 专门 prerequisite).

    ``attempt_id`` is unique: grading or regrading the same attempt never issues a
    second certificate. The domains and the unit are copied at issuance, as printed.
    """

    __tablename__ = "certificates"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('valid', 'suspended', 'expired', 'revoked')",
            name="status_valid",
        ),
        sa.CheckConstraint(
            "status_cause IN ('issued', 'admin', 'regrade', 'review', 'expiry', "
            "'replaced')",
            name="cause_valid",
        ),
        sa.CheckConstraint("expires_at > issued_at", name="expiry_after_issue"),
        sa.CheckConstraint(
            "status NOT IN ('suspended', 'revoked') OR status_reason <> ''",
            name="reason_required",
        ),
        sa.CheckConstraint(
            "(last_reviewed_at IS NULL) = (reviewed_year IS NULL)",
            name="review_fields_together",
        ),
        sa.Index(
            "uq_certificates_one_live_per_holder",
            "holder_id",
            unique=True,
            sqlite_where=sa.text("status IN ('valid', 'suspended')"),
            postgresql_where=sa.text("status IN ('valid', 'suspended')"),
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # e.g. JC-2026-000123: issuing prefix, year of issue (China time), sequence.
    number: so.Mapped[str] = so.mapped_column(sa.String(40), unique=True)
    # Unguessable code of the public page /verify/<code> (the QR code's URL).
    verify_code: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    holder_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    attempt_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("attempts.id"), unique=True
    )
    domain_names: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    issued_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime)
    expires_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, index=True)
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="valid")
    status_cause: so.Mapped[str] = so.mapped_column(sa.String(16), default="issued")
    status_reason: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    status_changed_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime)
    # The latest passed 年度审验 since issuance.
    last_reviewed_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)
    reviewed_year: so.Mapped[int | None]
    review_attempt_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("attempts.id")
    )
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)

    holder = so.relationship("User", foreign_keys=[holder_id])
    organisation = so.relationship("Organisation")
    attempt = so.relationship("Attempt", foreign_keys=[attempt_id])

    def __repr__(self):
        return f"<Certificate {self.number} {self.status}>"

    @property
    def audit_label(self):
        return f"证书 {self.number}"

    def effective_status(self, now):
        """The status as of ``now``: a live certificate past its expiry is expired
        even before the periodic job has recorded it."""
        if self.status in LIVE_STATUSES and self.expires_at <= now:
            return "expired"
        return self.status

    def status_label(self, now):
        return STATUS_LABELS[self.effective_status(now)]
