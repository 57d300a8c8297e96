"""Reads over benchmark catalogues: scope, search, the version in force, export."""

from datetime import date

import sqlalchemy as sa

from casebank.models import (
    BenchmarkCatalogue,
    BenchmarkItem,
    CatalogueVersion,
    VersionStatus,
    catalogue_domains,
)
from nlp.catalogue import Catalogue, FineRange, GeneralRule, Item, Tier
from portal.auth.models import Role
from portal.extensions import db
from portal.orgs.models import Organisation, OrgKind
from portal.timeutil import to_local, utcnow


def china_today() -> date:
    """Today's date in China Standard Time (catalogue periods are local dates)."""
    return to_local(utcnow()).date()


def _within(column, paths):
    if not paths:
        return sa.false()
    return sa.or_(*(column.startswith(p, autoescape=True) for p in paths))


def managed_jurisdiction_filter(user):
    """SQL condition on ``Organisation`` rows whose catalogues ``user`` manages.

    System administrators manage every catalogue; supervision staff those whose
    jurisdiction lies in the subtree they supervise; nobody else any.
    """
    if user.has_role(Role.SYS_ADMIN):
        return sa.true()
    paths = [s.path for s in user.scopes_for(Role.SUPERVISION_STAFF)]
    return _within(Organisation.path, paths)


def can_manage(user, catalogue_or_org) -> bool:
    """Whether ``user`` may import, publish or withdraw for this catalogue/region."""
    org = getattr(catalogue_or_org, "jurisdiction", catalogue_or_org)
    if user.has_role(Role.SYS_ADMIN):
        return True
    return any(
        org.is_within(scope) for scope in user.scopes_for(Role.SUPERVISION_STAFF)
    )


def jurisdiction_choices(user):
    """Select the regions (not agencies) ``user`` may import catalogues for."""
    return (
        sa.select(Organisation)
        .where(Organisation.kind != OrgKind.AGENCY, managed_jurisdiction_filter(user))
        .order_by(Organisation.path)
    )


def _in_force(on: date):
    return sa.and_(
        CatalogueVersion.status == VersionStatus.PUBLISHED,
        CatalogueVersion.effective_from <= on,
        sa.or_(
            CatalogueVersion.effective_to.is_(None),
            CatalogueVersion.effective_to >= on,
        ),
    )


def search_catalogues(
    q: str = "",
    domain_id: int | None = None,
    issuer: str = "",
    in_force_on: date | None = None,
):
    """Select catalogues matching a text query and filters, by code.

    :param q: words looked up in the catalogue's name, issuer and code, and in the
        violation text and id of its items (any version).
    :param domain_id: only catalogues of this enforcement domain.
    :param issuer: a part of the issuer's name.
    :param in_force_on: only catalogues with a published version in force that day.
    :return: a ``Select`` of :class:`BenchmarkCatalogue`.
    """
    stmt = sa.select(BenchmarkCatalogue)
    for word in (q or "").split()[:5]:
        items = (
            sa.select(CatalogueVersion.catalogue_id)
            .join(BenchmarkItem)
            .where(
                sa.or_(
                    BenchmarkItem.violation.contains(word, autoescape=True),
                    BenchmarkItem.code.contains(word, autoescape=True),
                )
            )
        )
        stmt = stmt.where(
            sa.or_(
                BenchmarkCatalogue.name.contains(word, autoescape=True),
                BenchmarkCatalogue.issuer.contains(word, autoescape=True),
                BenchmarkCatalogue.code.contains(word, autoescape=True),
                BenchmarkCatalogue.id.in_(items),
            )
        )
    if domain_id:
        stmt = stmt.where(
            BenchmarkCatalogue.id.in_(
                sa.select(catalogue_domains.c.catalogue_id).where(
                    catalogue_domains.c.domain_id == domain_id
                )
            )
        )
    if issuer:
        stmt = stmt.where(BenchmarkCatalogue.issuer.contains(issuer, autoescape=True))
    if in_force_on:
        stmt = stmt.where(
            BenchmarkCatalogue.id.in_(
                sa.select(CatalogueVersion.catalogue_id).where(_in_force(in_force_on))
            )
        )
    return stmt.order_by(BenchmarkCatalogue.code)


def search_items(version: CatalogueVersion, q: str = ""):
    """Select the items of ``version`` whose id or text contains every word of ``q``."""
    stmt = sa.select(BenchmarkItem).where(BenchmarkItem.version_id == version.id)
    for word in (q or "").split()[:5]:
        stmt = stmt.where(
            sa.or_(
                BenchmarkItem.code.contains(word, autoescape=True),
                BenchmarkItem.violation.contains(word, autoescape=True),
                BenchmarkItem.domain.contains(word, autoescape=True),
            )
        )
    return stmt.order_by(BenchmarkItem.position)


def visible_versions(catalogue: BenchmarkCatalogue, user):
    """The versions of ``catalogue`` ``user`` may see, newest period first.

    Drafts are shown only to those who manage the catalogue; published and
    withdrawn versions (the history) to every signed-in staff member.
    """
    stmt = sa.select(CatalogueVersion).where(
        CatalogueVersion.catalogue_id == catalogue.id
    )
    if not can_manage(user, catalogue):
        stmt = stmt.where(CatalogueVersion.status != VersionStatus.DRAFT)
    return stmt.order_by(
        CatalogueVersion.effective_from.desc(), CatalogueVersion.id.desc()
    )


def version_in_force(catalogue: BenchmarkCatalogue, on: date):
    """The published version of ``catalogue`` in force on ``on`` (the checker's).

    Publishing keeps the periods of a catalogue's published versions disjoint, so
    there is at most one.

    :return: a :class:`CatalogueVersion` or None.
    """
    return db.session.scalar(
        sa.select(CatalogueVersion)
        .where(CatalogueVersion.catalogue_id == catalogue.id, _in_force(on))
        .order_by(CatalogueVersion.effective_from.desc())
        .limit(1)
    )


def versions_in_force(on: date, domain=None, organisation=None):
    """The published versions in force on ``on`` that apply to a decision.

    :param on: the decision date.
    :param domain: a :class:`Domain`; only catalogues of this domain.
    :param organisation: the deciding agency (or any node); only catalogues whose
        jurisdiction is that node or one of its ancestors.
    :return: a list of :class:`CatalogueVersion`, the most local jurisdiction first.
    """
    stmt = (
        sa.select(CatalogueVersion)
        .join(BenchmarkCatalogue)
        .join(Organisation, BenchmarkCatalogue.jurisdiction_id == Organisation.id)
        .where(_in_force(on))
    )
    if domain is not None:
        stmt = stmt.where(
            BenchmarkCatalogue.id.in_(
                sa.select(catalogue_domains.c.catalogue_id).where(
                    catalogue_domains.c.domain_id == domain.id
                )
            )
        )
    if organisation is not None:
        stmt = stmt.where(Organisation.path.in_(_ancestor_paths(organisation.path)))
    versions = list(db.session.scalars(stmt.order_by(BenchmarkCatalogue.code)))
    versions.sort(key=lambda v: -v.catalogue.jurisdiction.path.count("/"))
    return versions


def _ancestor_paths(path: str) -> list[str]:
    """``/1/4/9/`` → ``['/1/', '/1/4/', '/1/4/9/']``."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _fine(row) -> FineRange:
    return FineRange(
        party=row.party,
        min=row.min_value,
        max=row.max_value,
        unit=row.unit,
        base=row.base,
        condition=row.condition or None,
    )


def to_nlp_catalogue(version: CatalogueVersion) -> Catalogue:
    """Build the checker's :class:`nlp.catalogue.Catalogue` from a stored version.

    The result is what :func:`nlp.catalogue.load_catalogue` returns for the
    exported file, so the checker runs from the database exactly as from files.
    """
    catalogue = Catalogue(
        name=version.name,
        issuer=version.issuer,
        jurisdiction=version.jurisdiction_name,
        effective_from=version.effective_from,
        effective_to=version.effective_to,
        general_rules=[
            GeneralRule(id=r.code, kind=r.kind, basis=r.basis, condition=r.condition)
            for r in version.rules
        ],
        source=f"catalogue-version:{version.id}",
    )
    for item in version.items:
        catalogue.items.append(
            Item(
                id=item.code,
                domain=item.domain,
                violation=item.violation,
                violated_provisions=tuple(item.violated_provisions),
                penalty_provisions=tuple(item.penalty_provisions),
                statutory_measures=tuple(item.statutory_measures),
                statutory_fines=tuple(_fine(f) for f in item.statutory_fines),
                tiers=tuple(
                    Tier(
                        level=t.level,
                        condition=t.condition,
                        measures=tuple(t.measures),
                        fines=tuple(_fine(f) for f in t.fines),
                    )
                    for t in item.tiers
                ),
                catalogue=version.name,
            )
        )
    return catalogue


def export_document(version: CatalogueVersion) -> dict:
    """The version as a ``zhifa.benchmarks/1`` document (with its ``note``, if any).

    The effective period is the stored one: when a newer edition was published
    and closed this one, ``effective_to`` says so.
    """
    document = to_nlp_catalogue(version).to_json()
    if version.note:
        document["note"] = version.note
    return document
