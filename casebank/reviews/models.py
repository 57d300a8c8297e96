"""Scoring templates (评分模板), case reviews (评查表) and finding labels."""

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.extensions import db
from portal.timeutil import utcnow

# The sections of every template, in display order (§2 of the review standard).
SECTIONS = (
    "执法主体",
    "事实认定",
    "证据",
    "程序",
    "法律适用",
    "裁量",
    "文书制作",
    "归档",
)


class Grade(enum.StrEnum):
    EXCELLENT = "excellent"
    PASS = "pass"  # noqa: S105 - a grade, not a password
    FAIL = "fail"

    @property
    def label(self):
        return {"excellent": "优秀", "pass": "合格", "fail": "不合格"}[self]


class ReviewStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"

    @property
    def label(self):
        return {"draft": "草稿", "submitted": "已提交"}[self]


class LabelDecision(enum.StrEnum):
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"

    @property
    def label(self):
        return {"confirmed": "确认", "dismissed": "驳回"}[self]


class ScoreTemplate(db.Model):
    """One published version of the scoring template; never changed afterwards."""

    __tablename__ = "review_templates"
    __table_args__ = (
        sa.CheckConstraint(
            "pass_min > 0 AND pass_min < excellent_min AND excellent_min <= 100",
            name="thresholds_valid",
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    version: so.Mapped[int] = so.mapped_column(unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    excellent_min: so.Mapped[int] = so.mapped_column(default=90)
    pass_min: so.Mapped[int] = so.mapped_column(default=60)
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)

    created_by = so.relationship("User")
    sections: so.Mapped[list["ScoreSection"]] = so.relationship(
        back_populates="template",
        order_by="ScoreSection.position",
        cascade="all, delete-orphan",
    )

    def __repr__(self):
        return f"<ScoreTemplate v{self.version}>"

    @property
    def audit_label(self):
        return f"评分模板 第{self.version}版"

    @property
    def items(self):
        return [item for section in self.sections for item in section.items]


class ScoreSection(db.Model):
    """A section (维度) of a template with its points."""

    __tablename__ = "review_template_sections"
    __table_args__ = (
        sa.CheckConstraint("points >= 0 AND points <= 100", name="points_valid"),
        sa.UniqueConstraint("template_id", "position"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    template_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("review_templates.id", ondelete="CASCADE"), index=True
    )
    position: so.Mapped[int]
    name: so.Mapped[str] = so.mapped_column(sa.String(20))
    points: so.Mapped[int]

    template: so.Mapped[ScoreTemplate] = so.relationship(back_populates="sections")
    items: so.Mapped[list["ScoreItem"]] = so.relationship(
        back_populates="section",
        order_by="ScoreItem.position",
        cascade="all, delete-orphan",
    )


class ScoreItem(db.Model):
    """A deduction item: up to ``max_deduction`` points, or a veto (一票否决)."""

    __tablename__ = "review_template_items"
    __table_args__ = (
        sa.CheckConstraint(
            "max_deduction >= 0 AND (veto OR max_deduction > 0)",
            name="deduction_valid",
        ),
        sa.UniqueConstraint("section_id", "position"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    section_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("review_template_sections.id", ondelete="CASCADE"), index=True
    )
    position: so.Mapped[int]
    text: so.Mapped[str] = so.mapped_column(sa.String(300))
    max_deduction: so.Mapped[Decimal] = so.mapped_column(
        sa.Numeric(5, 1), default=Decimal(0)
    )
    veto: so.Mapped[bool] = so.mapped_column(default=False)

    section: so.Mapped[ScoreSection] = so.relationship(back_populates="items")


class CaseReview(db.Model):
    """One reviewer's scoring sheet of one case (draft until submitted)."""

    __tablename__ = "case_reviews"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "reviewer_id"),
        sa.CheckConstraint("status IN ('draft', 'submitted')", name="status_valid"),
        sa.CheckConstraint(
            "grade IS NULL OR grade IN ('excellent', 'pass', 'fail')",
            name="grade_valid",
        ),
        sa.CheckConstraint(
            "status <> 'submitted' OR (grade IS NOT NULL AND score IS NOT NULL"
            " AND submitted_at IS NOT NULL)",
            name="submitted_complete",
        ),
        sa.CheckConstraint(
            "score IS NULL OR (score >= 0 AND score <= 100)", name="score_valid"
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("case_files.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id"), index=True
    )
    template_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("review_templates.id"))
    status: so.Mapped[str] = so.mapped_column(
        sa.String(16), default=ReviewStatus.DRAFT, index=True
    )
    score: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(5, 1))
    grade: so.Mapped[str | None] = so.mapped_column(sa.String(16), index=True)
    opinion: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # Optimistic lock (portal.locking): bumped by every save; a save based on an
    # older value is refused (two tabs editing the same draft). The column keeps
    # its first name.
    version: so.Mapped[int] = so.mapped_column("lock_version", default=1)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(
        sa.DateTime, default=utcnow, onupdate=utcnow
    )
    submitted_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)

    case = so.relationship("CaseFile")
    reviewer = so.relationship("User")
    template: so.Mapped[ScoreTemplate] = so.relationship()
    deductions: so.Mapped[list["ReviewDeduction"]] = so.relationship(
        back_populates="review", cascade="all, delete-orphan"
    )

    def __repr__(self):
        return f"<CaseReview {self.id} case={self.case_id} {self.status}>"

    @property
    def audit_label(self):
        return f"案卷 #{self.case_id} 评查表"

    @property
    def is_submitted(self):
        return self.status == ReviewStatus.SUBMITTED

    @property
    def grade_label(self):
        return Grade(self.grade).label if self.grade else ""

    @property
    def status_label(self):
        return ReviewStatus(self.status).label


class ReviewDeduction(db.Model):
    """The points deducted for one item of a review (or its veto), with a note."""

    __tablename__ = "case_review_deductions"
    __table_args__ = (
        sa.UniqueConstraint("review_id", "item_id"),
        sa.CheckConstraint("points >= 0", name="points_valid"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    review_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("case_reviews.id", ondelete="CASCADE"), index=True
    )
    item_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("review_template_items.id")
    )
    points: so.Mapped[Decimal] = so.mapped_column(sa.Numeric(5, 1), default=Decimal(0))
    vetoed: so.Mapped[bool] = so.mapped_column(default=False)
    note: so.Mapped[str] = so.mapped_column(sa.String(500), default="")

    review: so.Mapped[CaseReview] = so.relationship(back_populates="deductions")
    item: so.Mapped[ScoreItem] = so.relationship()


class FindingLabel(db.Model):
    """A reviewer's verdict on one NLP finding, with a snapshot of the finding.

    Finding rows are replaced by every re-check, so the label keeps its own copy
    and is matched to the current findings by ``finding_key`` (code + evidence).
    """

    __tablename__ = "finding_labels"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "reviewer_id", "finding_key"),
        sa.CheckConstraint(
            "decision IN ('confirmed', 'dismissed')", name="decision_valid"
        ),
        sa.CheckConstraint(
            "decision <> 'dismissed' OR (reason IS NOT NULL AND reason <> '')",
            name="reason_given",
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("case_files.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id"), index=True
    )
    finding_key: so.Mapped[str] = so.mapped_column(sa.String(64))
    code: so.Mapped[str] = so.mapped_column(sa.String(40), index=True)
    severity: so.Mapped[str] = so.mapped_column(sa.String(8))
    message: so.Mapped[str] = so.mapped_column(sa.Text)
    evidence: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    spans: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    # What produced the finding: matched item/tier/score, catalogue version,
    # checker or model names when the stored review carries them.
    checker: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    decision: so.Mapped[str] = so.mapped_column(sa.String(12))
    reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    labelled_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(
        sa.DateTime, default=utcnow, onupdate=utcnow
    )

    case = so.relationship("CaseFile")
    reviewer = so.relationship("User")

    def __repr__(self):
        return f"<FindingLabel case={self.case_id} {self.code} {self.decision}>"

    @property
    def audit_label(self):
        from nlp.codes import finding_label

        return f"案卷 #{self.case_id} 检查发现“{finding_label(self.code)}”"

    @property
    def decision_label(self):
        return LabelDecision(self.decision).label


class CheckerPrecisionState(db.Model):
    """Whether a finding code is demoted to 提示 in a scope (an agency or a
    catalogue) because supervisors' labels measured its precision below
    ``CHECKER_PRECISION_FLOOR`` after ``CHECKER_MIN_LABELS`` labels. Kept so that
    every change of state is audited once (see docs/nlp.md)."""

    __tablename__ = "checker_precision_states"
    __table_args__ = (sa.UniqueConstraint("code", "scope", "scope_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(40))
    scope: so.Mapped[str] = so.mapped_column(sa.String(16))  # agency | catalogue
    scope_id: so.Mapped[int]
    demoted: so.Mapped[bool] = so.mapped_column(default=False)
    labelled: so.Mapped[int] = so.mapped_column(default=0)
    confirmed: so.Mapped[int] = so.mapped_column(default=0)
    changed_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)

    def __repr__(self):
        return f"<CheckerPrecisionState {self.code} {self.scope}:{self.scope_id}>"

    @property
    def audit_label(self):
        from nlp.codes import finding_label

        where = "执法部门" if self.scope == "agency" else "裁量基准目录"
        return f"检查发现“{finding_label(self.code)}”在{where} #{self.scope_id}"
