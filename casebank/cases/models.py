"""Case files (行政处罚决定书 added for review) and their check results."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from nlp.codes import finding_label
from portal.extensions import db
from portal.orgs.models import Organisation
from portal.timeutil import utcnow


class CheckStatus(enum.StrEnum):
    PENDING = "pending"
    CHECKED = "checked"
    FAILED = "failed"

    @property
    def label(self):
        return {"pending": "待检查", "checked": "已检查", "failed": "检查失败"}[self]


SEVERITY_RANK = {"high": 3, "medium": 2, "low": 1}
SEVERITY_LABELS = {"high": "严重", "medium": "一般", "low": "轻微"}
PARTY_TYPE_LABELS = {"individual": "个人", "organization": "单位"}


class CaseBatch(db.Model):
    """One submission of the add-case form: its per-file outcome for the result page."""

    __tablename__ = "case_batches"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)
    total: so.Mapped[int] = so.mapped_column(default=0)
    imported: so.Mapped[int] = so.mapped_column(default=0)
    duplicates: so.Mapped[int] = so.mapped_column(default=0)
    failed: so.Mapped[int] = so.mapped_column(default=0)
    # [{"name", "outcome": imported|duplicate|error|ignored, "message", "case_id"}]
    results: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)

    created_by = so.relationship("User")

    def __repr__(self):
        return f"<CaseBatch {self.id} {self.imported}/{self.total}>"

    @property
    def audit_label(self):
        return f"案卷批次 #{self.id}"


class CaseFile(db.Model):
    """A penalty decision under review: original file, text, metadata, check state."""

    __tablename__ = "case_files"
    __table_args__ = (
        sa.CheckConstraint(
            "check_status IN ('pending', 'checked', 'failed')", name="status_valid"
        ),
        sa.CheckConstraint(
            "party_type IS NULL OR party_type IN ('individual', 'organization')",
            name="party_valid",
        ),
        sa.CheckConstraint("fine_yuan IS NULL OR fine_yuan >= 0", name="fine_valid"),
        sa.CheckConstraint("source_kind IN ('upload', 'paste')", name="kind_valid"),
        sa.CheckConstraint(
            "check_status <> 'failed' OR check_error IS NOT NULL", name="error_given"
        ),
        # The same file (or pasted text) is imported once per agency.
        sa.UniqueConstraint("agency_id", "sha256"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    agency_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    batch_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("case_batches.id"), index=True
    )
    source_kind: so.Mapped[str] = so.mapped_column(sa.String(8))
    original_filename: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    # Random name under UPLOAD_DIR/cases/ (None for pasted text).
    stored_name: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    size_bytes: so.Mapped[int] = so.mapped_column(default=0)
    text: so.Mapped[str] = so.mapped_column(sa.Text)

    doc_number: so.Mapped[str | None] = so.mapped_column(sa.String(100), index=True)
    decision_date: so.Mapped[date | None] = so.mapped_column(sa.Date, index=True)
    party_type: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    fine_yuan: so.Mapped[float | None] = so.mapped_column(sa.Float)

    check_status: so.Mapped[str] = so.mapped_column(
        sa.String(16), default=CheckStatus.PENDING, index=True
    )
    check_error: so.Mapped[str | None] = so.mapped_column(sa.Text)
    checked_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)
    # The review result of docs/specs/benchmark-catalogue.md, as the checker gave it.
    review: so.Mapped[dict | None] = so.mapped_column(sa.JSON)
    # The checker's hints (提示): not findings, not part of the review JSON.
    hints: so.Mapped[list | None] = so.mapped_column(sa.JSON)
    finding_count: so.Mapped[int] = so.mapped_column(default=0)
    max_severity_rank: so.Mapped[int] = so.mapped_column(default=0, index=True)
    matched_version_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("catalogue_versions.id", ondelete="SET NULL"), index=True
    )
    matched_item_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("benchmark_items.id", ondelete="SET NULL")
    )
    matched_tier_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("benchmark_tiers.id", ondelete="SET NULL")
    )

    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(
        sa.DateTime, default=utcnow, onupdate=utcnow
    )

    agency: so.Mapped[Organisation] = so.relationship()
    batch: so.Mapped[CaseBatch | None] = so.relationship()
    created_by = so.relationship("User")
    matched_version = so.relationship("CatalogueVersion")
    matched_item = so.relationship("BenchmarkItem")
    matched_tier = so.relationship("BenchmarkTier")
    # The open findings (every finding of the checker; a closed archive-comparison
    # finding is kept in ``closed_findings`` so its labels keep their context).
    findings: so.Mapped[list["CaseFinding"]] = so.relationship(
        back_populates="case",
        primaryjoin="and_(CaseFile.id == CaseFinding.case_id, "
        "CaseFinding.closed_at.is_(None))",
        order_by="(CaseFinding.severity_rank.desc(), CaseFinding.position)",
        cascade="all, delete-orphan",
    )
    closed_findings: so.Mapped[list["CaseFinding"]] = so.relationship(
        primaryjoin="and_(CaseFile.id == CaseFinding.case_id, "
        "CaseFinding.closed_at.is_not(None))",
        order_by="CaseFinding.closed_at.desc()",
        viewonly=True,
    )

    def __repr__(self):
        return f"<CaseFile {self.id} {self.doc_number or ''} {self.check_status}>"

    @property
    def audit_label(self):
        return f"案卷 #{self.id} {self.doc_number or self.original_filename or ''}"

    @property
    def status_label(self):
        return CheckStatus(self.check_status).label

    @property
    def party_label(self):
        return PARTY_TYPE_LABELS.get(self.party_type or "", "未识别")

    @property
    def title(self):
        return self.doc_number or self.original_filename or f"案卷 #{self.id}"


class CaseFinding(db.Model):
    """One finding of a case's latest check (replaced on every re-check)."""

    __tablename__ = "case_findings"
    __table_args__ = (
        sa.CheckConstraint(
            "severity IN ('high', 'medium', 'low')", name="severity_valid"
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("case_files.id", ondelete="CASCADE"), index=True
    )
    position: so.Mapped[int]
    code: so.Mapped[str] = so.mapped_column(sa.String(40), index=True)
    severity: so.Mapped[str] = so.mapped_column(sa.String(8))
    severity_rank: so.Mapped[int] = so.mapped_column(index=True)
    message: so.Mapped[str] = so.mapped_column(sa.Text)
    evidence: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # [[start, end], …] offsets of the evidence in the case text.
    spans: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    version_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("catalogue_versions.id", ondelete="SET NULL")
    )
    item_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("benchmark_items.id", ondelete="SET NULL")
    )
    tier_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("benchmark_tiers.id", ondelete="SET NULL")
    )

    # Archive comparison (INCONSISTENT_WITH_SIMILAR) only: the reference cases
    # [{case_id, document_number, agency, agency_id, decision_date, fine_yuan,
    # position}] and the group figures {scope, group_size, median, threshold, …}.
    reference_cases: so.Mapped[list | None] = so.mapped_column(sa.JSON)
    details: so.Mapped[dict | None] = so.mapped_column(sa.JSON)
    # A finding that no longer holds after a re-comparison is closed, not deleted.
    closed_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)
    closed_reason: so.Mapped[str | None] = so.mapped_column(sa.String(200))

    case: so.Mapped[CaseFile] = so.relationship(back_populates="findings")

    def __repr__(self):
        return f"<CaseFinding {self.case_id} {self.code} {self.severity}>"

    @property
    def severity_label(self):
        return SEVERITY_LABELS.get(self.severity, self.severity)

    @property
    def code_label(self):
        """The Chinese name of the code (pages and exports never show the code)."""
        return finding_label(self.code)
