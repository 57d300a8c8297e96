"""Discretion-benchmark catalogues (裁量基准目录), versioned by effective period.

A :class:`BenchmarkCatalogue` is the standing identity (issuer, jurisdiction,
domains); each import of the ``zhifa.benchmarks/1`` document creates a
:class:`CatalogueVersion`. The version keeps the uploaded source (and its SHA-256)
and its content is materialised relationally — rules, items, tiers and fine rows —
so that later parts of issue #6 can link a case finding to an item or a tier with a
foreign key and query "which cases fell in tier X".
"""

import enum
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.extensions import db
from portal.orgs.models import Domain, Organisation
from portal.timeutil import utcnow


class VersionStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"

    @property
    def label(self):
        return {"draft": "草稿", "published": "已发布", "withdrawn": "已撤回"}[self]


RULE_KIND_LABELS = {
    "no_penalty": "不予处罚",
    "first_offence_may_exempt": "首违可不罚",
    "mitigate": "从轻/减轻",
    "aggravate": "从重",
    "time_barred": "超过追责时效",
}
PARTY_LABELS = {"any": "不分", "individual": "个人", "organization": "单位"}

catalogue_domains = sa.Table(
    "benchmark_catalogue_domains",
    db.metadata,
    sa.Column(
        "catalogue_id",
        sa.ForeignKey("benchmark_catalogues.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "domain_id", sa.ForeignKey("domains.id", ondelete="CASCADE"), primary_key=True
    ),
)


class BenchmarkCatalogue(db.Model):
    """A catalogue published by an issuer for a jurisdiction (a region node)."""

    __tablename__ = "benchmark_catalogues"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(300))
    issuer: so.Mapped[str] = so.mapped_column(sa.String(200))
    jurisdiction_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)

    jurisdiction: so.Mapped[Organisation] = so.relationship()
    domains: so.Mapped[list[Domain]] = so.relationship(
        secondary=catalogue_domains, order_by=Domain.id
    )
    versions: so.Mapped[list["CatalogueVersion"]] = so.relationship(
        back_populates="catalogue",
        order_by="(CatalogueVersion.effective_from.desc(), CatalogueVersion.id.desc())",
    )

    def __repr__(self):
        return f"<BenchmarkCatalogue {self.code}>"

    @property
    def audit_label(self):
        return f"{self.name}（{self.code}）"


class CatalogueVersion(db.Model):
    """One imported edition of a catalogue, in force over an effective period."""

    __tablename__ = "catalogue_versions"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('draft', 'published', 'withdrawn')", name="status_valid"
        ),
        sa.CheckConstraint(
            "effective_to IS NULL OR effective_to >= effective_from",
            name="period_ordered",
        ),
        sa.CheckConstraint(
            "status <> 'published' OR published_at IS NOT NULL",
            name="published_at_set",
        ),
        sa.CheckConstraint(
            "status <> 'draft' OR published_at IS NULL", name="draft_unpublished"
        ),
        sa.CheckConstraint(
            "(status = 'withdrawn') = (withdrawn_at IS NOT NULL)",
            name="withdrawn_at_set",
        ),
        sa.CheckConstraint("source_format IN ('json', 'xlsx')", name="format_valid"),
        sa.UniqueConstraint("catalogue_id", "content_sha256"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    catalogue_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("benchmark_catalogues.id"), index=True
    )
    # The document's own header, kept as written so that export round-trips.
    name: so.Mapped[str] = so.mapped_column(sa.String(300))
    issuer: so.Mapped[str] = so.mapped_column(sa.String(200))
    jurisdiction_name: so.Mapped[str] = so.mapped_column(sa.String(100))
    note: so.Mapped[str | None] = so.mapped_column(sa.Text)
    effective_from: so.Mapped[date] = so.mapped_column(sa.Date, index=True)
    effective_to: so.Mapped[date | None] = so.mapped_column(sa.Date)
    status: so.Mapped[str] = so.mapped_column(
        sa.String(16), default=VersionStatus.DRAFT
    )
    source_format: so.Mapped[str] = so.mapped_column(sa.String(8))
    source_filename: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    # The uploaded document normalised to zhifa.benchmarks/1 JSON (an .xlsx upload
    # is stored as the JSON it was read into); sha256 is over these UTF-8 bytes.
    source_json: so.Mapped[str] = so.mapped_column(sa.Text)
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    # SHA-256 of the canonical (normalised, key-sorted) document: the same
    # catalogue content imported twice is refused however the file was laid out.
    content_sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    imported_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    imported_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)
    published_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    published_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)
    withdrawn_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    withdrawn_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)

    catalogue: so.Mapped[BenchmarkCatalogue] = so.relationship(
        back_populates="versions"
    )
    imported_by = so.relationship("User", foreign_keys=[imported_by_id])
    published_by = so.relationship("User", foreign_keys=[published_by_id])
    withdrawn_by = so.relationship("User", foreign_keys=[withdrawn_by_id])
    rules: so.Mapped[list["BenchmarkRule"]] = so.relationship(
        back_populates="version",
        order_by="BenchmarkRule.position",
        cascade="all, delete-orphan",
    )
    items: so.Mapped[list["BenchmarkItem"]] = so.relationship(
        back_populates="version",
        order_by="BenchmarkItem.position",
        cascade="all, delete-orphan",
    )

    def __repr__(self):
        return f"<CatalogueVersion {self.id} {self.effective_from} {self.status}>"

    @property
    def audit_label(self):
        return f"{self.name}（自 {self.effective_from.isoformat()} 起）"

    @property
    def status_label(self):
        return VersionStatus(self.status).label

    @property
    def period_label(self):
        end = self.effective_to.isoformat() if self.effective_to else "长期"
        return f"{self.effective_from.isoformat()} 至 {end}"

    def in_force_on(self, on: date) -> bool:
        """True when published and ``on`` falls inside the effective period."""
        return (
            self.status == VersionStatus.PUBLISHED
            and self.effective_from <= on
            and (self.effective_to is None or on <= self.effective_to)
        )


class BenchmarkRule(db.Model):
    """A general rule (不予处罚、从轻 …) of a version."""

    __tablename__ = "benchmark_rules"
    __table_args__ = (sa.UniqueConstraint("version_id", "code"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    version_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("catalogue_versions.id", ondelete="CASCADE"), index=True
    )
    position: so.Mapped[int]
    code: so.Mapped[str] = so.mapped_column(sa.String(64))
    kind: so.Mapped[str] = so.mapped_column(sa.String(32))
    basis: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    condition: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    version: so.Mapped[CatalogueVersion] = so.relationship(back_populates="rules")

    def __repr__(self):
        return f"<BenchmarkRule {self.code} {self.kind}>"

    @property
    def kind_label(self):
        return RULE_KIND_LABELS.get(self.kind, self.kind)


class BenchmarkItem(db.Model):
    """One violation (违法行为) with its provisions and tiers."""

    __tablename__ = "benchmark_items"
    __table_args__ = (sa.UniqueConstraint("version_id", "code"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    version_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("catalogue_versions.id", ondelete="CASCADE"), index=True
    )
    position: so.Mapped[int]
    code: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    domain: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    violation: so.Mapped[str] = so.mapped_column(sa.Text)
    violated_provisions: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    penalty_provisions: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    statutory_measures: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)

    version: so.Mapped[CatalogueVersion] = so.relationship(back_populates="items")
    tiers: so.Mapped[list["BenchmarkTier"]] = so.relationship(
        back_populates="item",
        order_by="BenchmarkTier.position",
        cascade="all, delete-orphan",
    )
    all_fines: so.Mapped[list["BenchmarkFine"]] = so.relationship(
        back_populates="item",
        order_by="BenchmarkFine.position",
        cascade="all, delete-orphan",
    )

    def __repr__(self):
        return f"<BenchmarkItem {self.code}>"

    @property
    def statutory_fines(self):
        """The statutory fine rows (those attached to no tier)."""
        return [f for f in self.all_fines if f.tier is None]

    @property
    def audit_label(self):
        return f"{self.code} {self.violation[:30]}"


class BenchmarkTier(db.Model):
    """A tier (裁量阶次) of an item, lightest first."""

    __tablename__ = "benchmark_tiers"
    __table_args__ = (sa.UniqueConstraint("item_id", "position"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    item_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("benchmark_items.id", ondelete="CASCADE"), index=True
    )
    position: so.Mapped[int]
    level: so.Mapped[str] = so.mapped_column(sa.String(64))
    condition: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    measures: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)

    item: so.Mapped[BenchmarkItem] = so.relationship(back_populates="tiers")
    fines: so.Mapped[list["BenchmarkFine"]] = so.relationship(
        back_populates="tier",
        order_by="BenchmarkFine.position",
        cascade="all, delete-orphan",
    )

    def __repr__(self):
        return f"<BenchmarkTier {self.item_id} {self.level}>"


class BenchmarkFine(db.Model):
    """A fine row: of a tier, or of the item's statutory range (``tier_id`` NULL)."""

    __tablename__ = "benchmark_fines"
    __table_args__ = (
        sa.CheckConstraint(
            "party IN ('any', 'individual', 'organization')", name="party_valid"
        ),
        sa.CheckConstraint(
            "unit IN ('yuan', 'multiple', 'percent', 'yuan_per_unit')",
            name="unit_valid",
        ),
        sa.CheckConstraint(
            "(min_value IS NULL OR min_value >= 0) AND "
            "(max_value IS NULL OR max_value >= 0)",
            name="bounds_nonnegative",
        ),
        sa.CheckConstraint(
            "min_value IS NULL OR max_value IS NULL OR min_value <= max_value",
            name="bounds_ordered",
        ),
        sa.CheckConstraint("unit = 'yuan' OR base IS NOT NULL", name="base_given"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    item_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("benchmark_items.id", ondelete="CASCADE"), index=True
    )
    tier_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("benchmark_tiers.id", ondelete="CASCADE"), index=True
    )
    position: so.Mapped[int]
    party: so.Mapped[str] = so.mapped_column(sa.String(16), default="any")
    unit: so.Mapped[str] = so.mapped_column(sa.String(16))
    min_value: so.Mapped[float | None] = so.mapped_column(sa.Float)
    max_value: so.Mapped[float | None] = so.mapped_column(sa.Float)
    base: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    # Optional extension of the format (docs/nlp.md): when this row applies.
    condition: so.Mapped[str | None] = so.mapped_column(sa.Text)

    item: so.Mapped[BenchmarkItem] = so.relationship(back_populates="all_fines")
    tier: so.Mapped[BenchmarkTier | None] = so.relationship(back_populates="fines")

    def __repr__(self):
        return f"<BenchmarkFine {self.unit} {self.min_value}-{self.max_value}>"

    @property
    def party_label(self):
        return PARTY_LABELS.get(self.party, self.party)

    @property
    def range_label(self):
        return describe_fine(self)


def format_amount(value: float | None) -> str:
    """``20000.0`` → ``20,000``; ``0.5`` → ``0.5``."""
    if value is None:
        return ""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def describe_fine(fine) -> str:
    """A fine row in words: ``5,000～10,000 元``, ``1～3 倍（违法所得）`` …"""
    unit = {
        "yuan": "元",
        "multiple": f"倍（{fine.base}）",
        "percent": f"%（{fine.base}）",
        "yuan_per_unit": f"元/{fine.base}",
    }.get(fine.unit, fine.unit)
    low, high = format_amount(fine.min_value), format_amount(fine.max_value)
    if not high:
        return f"{low or 0} {unit}以上"
    if not low:
        return f"{high} {unit}以下"
    return f"{low}～{high} {unit}"
