"""The comparison key of each checked case (one indexed SELECT finds its peers)."""

from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.extensions import db

SCOPES = ("city", "region", "agency")
SCOPE_LABELS = {"city": "同一城市", "region": "同一区县", "agency": "同一执法部门"}


class CasePeerKey(db.Model):
    """What the comparison of a checked case with its peers uses.

    A row exists for every checked case with a matched item, a tier and a fine
    whose position in the tier's yuan range is known. ``city_id`` / ``region_id``
    are the agency's city and district ancestors (the city when the agency sits
    directly under it), so each comparison scope is one composite index.
    """

    __tablename__ = "case_peer_keys"
    __table_args__ = (
        sa.Index("ix_case_peer_keys_city", "item_code", "tier_level", "city_id"),
        sa.Index("ix_case_peer_keys_region", "item_code", "tier_level", "region_id"),
        sa.Index("ix_case_peer_keys_agency", "item_code", "tier_level", "agency_id"),
        sa.Index("ix_case_peer_keys_period", "agency_id", "decision_date"),
    )

    case_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("case_files.id", ondelete="CASCADE"), primary_key=True
    )
    item_code: so.Mapped[str] = so.mapped_column(sa.String(64))
    tier_level: so.Mapped[str] = so.mapped_column(sa.String(64))
    city_id: so.Mapped[int] = so.mapped_column(sa.Integer)
    region_id: so.Mapped[int] = so.mapped_column(sa.Integer)
    agency_id: so.Mapped[int] = so.mapped_column(sa.Integer)
    party_type: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    decision_date: so.Mapped[date | None] = so.mapped_column(sa.Date)
    fine_yuan: so.Mapped[float] = so.mapped_column(sa.Float)
    range_low: so.Mapped[float] = so.mapped_column(sa.Float)
    range_high: so.Mapped[float] = so.mapped_column(sa.Float)
    position: so.Mapped[float] = so.mapped_column(sa.Float)
    is_aggravating: so.Mapped[bool] = so.mapped_column(default=False)
    is_mitigating: so.Mapped[bool] = so.mapped_column(default=False)
    # The names of the stated reasons ("+name" / "-name", "|"-separated, see
    # nlp.peers.reason_names): a reason every peer states explains no outlier.
    # NULL for keys stored before the names were (the flags alone decide).
    reason_names: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    # The decision states discretion reasoning (no NO_DISCRETION_REASONING finding).
    is_reasoned: so.Mapped[bool] = so.mapped_column(default=True)

    case = so.relationship("CaseFile")

    def __repr__(self):
        return (
            f"<CasePeerKey {self.case_id} {self.item_code}/{self.tier_level} "
            f"{self.position:.2f}>"
        )

    def group_column(self, scope: str):
        """The value of the scope column of this row."""
        return getattr(self, _SCOPE_COLUMN[scope])


_SCOPE_COLUMN = {"city": "city_id", "region": "region_id", "agency": "agency_id"}


def scope_column(scope: str):
    """The ``CasePeerKey`` column of a comparison scope."""
    return getattr(CasePeerKey, _SCOPE_COLUMN[scope])


class CaseOfficer(db.Model):
    """A handling officer (执法人员) named with a 执法证号 in a decision."""

    __tablename__ = "case_officers"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("case_files.id", ondelete="CASCADE"), index=True
    )
    name: so.Mapped[str] = so.mapped_column(sa.String(40))
    cert_no: so.Mapped[str] = so.mapped_column(sa.String(40), index=True)

    def __repr__(self):
        return f"<CaseOfficer {self.case_id} {self.cert_no}>"
