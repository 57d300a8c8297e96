"""Organisations and enforcement domains."""

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.extensions import db
from portal.timeutil import utcnow


class OrgKind(enum.StrEnum):
    CITY = "city"
    DISTRICT = "district"
    TOWN = "town"
    AGENCY = "agency"

    @property
    def label(self):
        return ORG_KIND_LABELS[self]


ORG_KIND_LABELS = {
    OrgKind.CITY: "市",
    OrgKind.DISTRICT: "区县",
    OrgKind.TOWN: "乡镇街道",
    OrgKind.AGENCY: "执法部门",
}

# Which kinds may sit under which parent kind. Agencies attach to any region level.
ALLOWED_PARENTS = {
    OrgKind.CITY: {None},
    OrgKind.DISTRICT: {OrgKind.CITY},
    OrgKind.TOWN: {OrgKind.DISTRICT},
    OrgKind.AGENCY: {OrgKind.CITY, OrgKind.DISTRICT, OrgKind.TOWN},
}

# The enforcement domains named by the national reform programme; admins may add more.
DEFAULT_DOMAINS = [
    ("chengguan", "城管"),
    ("market", "市场监管"),
    ("ecology", "生态环境"),
    ("transport", "交通运输"),
    ("resources", "自然资源"),
    ("agriculture", "农业农村"),
    ("culture", "文化旅游"),
    ("health", "卫生健康"),
    ("emergency", "应急管理"),
]

organisation_domains = sa.Table(
    "organisation_domains",
    db.metadata,
    sa.Column(
        "organisation_id",
        sa.ForeignKey("organisations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "domain_id", sa.ForeignKey("domains.id", ondelete="CASCADE"), primary_key=True
    ),
)


class Domain(db.Model):
    __tablename__ = "domains"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)

    def __repr__(self):
        return f"<Domain {self.code}>"


class Organisation(db.Model):
    """A node of the organisation tree.

    ``path`` is a materialised path (``/1/4/9/``) so that "this node and everything
    below it" is a single indexed ``LIKE 'prefix%'`` query on SQLite and PostgreSQL.
    """

    __tablename__ = "organisations"
    __table_args__ = (
        sa.CheckConstraint(
            "kind IN ('city', 'district', 'town', 'agency')", name="kind_valid"
        ),
        sa.CheckConstraint(
            "(kind = 'city') = (parent_id IS NULL)", name="only_city_is_root"
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(100))
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    parent_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    path: so.Mapped[str] = so.mapped_column(sa.String(255), default="", index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)

    parent: so.Mapped["Organisation | None"] = so.relationship(
        remote_side=[id], back_populates="children"
    )
    children: so.Mapped[list["Organisation"]] = so.relationship(
        back_populates="parent", order_by="Organisation.code"
    )
    domains: so.Mapped[list[Domain]] = so.relationship(
        secondary=organisation_domains, order_by=Domain.id
    )

    def __repr__(self):
        return f"<Organisation {self.code} {self.kind}>"

    @property
    def audit_label(self):
        return f"{self.name}（{self.code}）"

    @property
    def kind_label(self):
        return OrgKind(self.kind).label

    @property
    def depth(self):
        return self.path.count("/") - 2

    @property
    def full_name(self):
        """Names from the root down, e.g. ``江城市 / 东湖区 / 东湖区城市管理局``."""
        names, node = [], self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return " / ".join(reversed(names))

    def is_within(self, other):
        """Return True when this node is ``other`` or lies below it."""
        return self.path.startswith(other.path)
