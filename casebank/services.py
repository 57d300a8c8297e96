"""Benchmark catalogue changes: import, publish, withdraw (flush, never commit)."""

import hashlib
import json
import logging
from datetime import timedelta

import sqlalchemy as sa

from casebank.cases.services import mark_for_recheck
from casebank.documents import ImportPlan
from casebank.models import (
    BenchmarkCatalogue,
    BenchmarkFine,
    BenchmarkItem,
    BenchmarkRule,
    BenchmarkTier,
    CatalogueVersion,
    VersionStatus,
)
from casebank.queries import can_manage
from nlp.catalogue import Catalogue
from portal import audit
from portal.exceptions import Conflict, InvalidState, NotAllowed
from portal.extensions import db
from portal.orgs.models import Domain
from portal.timeutil import utcnow

logger = logging.getLogger(__name__)

# Item ``domain`` texts as catalogues write them → portal enforcement domain codes
# (portal.orgs.models.DEFAULT_DOMAINS). Unknown texts map to no domain; the
# importer may pick the domains by hand.
DOMAIN_ALIASES = {
    "城管": "chengguan",
    "城市管理": "chengguan",
    "综合行政执法": "chengguan",
    "市场监管": "market",
    "市场监督管理": "market",
    "生态环境": "ecology",
    "环境保护": "ecology",
    "交通运输": "transport",
    "自然资源": "resources",
    "自然资源和规划": "resources",
    "农业农村": "agriculture",
    "文化旅游": "culture",
    "卫生健康": "health",
    "应急管理": "emergency",
}


def detect_domains(catalogue: Catalogue) -> list[Domain]:
    """The portal domains named by the items' ``domain`` texts (see aliases)."""
    codes = {DOMAIN_ALIASES.get(item.domain) for item in catalogue.items}
    codes.discard(None)
    if not codes:
        return []
    return list(
        db.session.scalars(
            sa.select(Domain).where(Domain.code.in_(codes)).order_by(Domain.id)
        )
    )


def _default_code(jurisdiction, name: str) -> str:
    digest = hashlib.sha256(f"{jurisdiction.code}|{name}".encode()).hexdigest()
    return f"BC-{digest[:10]}"


def find_catalogue(plan: ImportPlan, jurisdiction, code: str | None = None):
    """The catalogue a plan would add a version to, or None when it creates one.

    By ``code`` when given; otherwise the catalogue of the same jurisdiction whose
    name or one of whose versions' names equals the document's name.
    """
    if code:
        return db.session.scalar(
            sa.select(BenchmarkCatalogue).where(BenchmarkCatalogue.code == code)
        )
    name = plan.catalogue.name
    return db.session.scalar(
        sa.select(BenchmarkCatalogue)
        .where(
            BenchmarkCatalogue.jurisdiction_id == jurisdiction.id,
            sa.or_(
                BenchmarkCatalogue.name == name,
                BenchmarkCatalogue.id.in_(
                    sa.select(CatalogueVersion.catalogue_id).where(
                        CatalogueVersion.name == name
                    )
                ),
            ),
        )
        .order_by(BenchmarkCatalogue.id)
        .limit(1)
    )


def check_import(
    plan, actor, *, jurisdiction, catalogue=None, code=None, publish=False
):
    """Run every check of :func:`import_catalogue` without changing anything.

    Used by the import preview so that a refusal shows before the confirm step.

    :return: the existing catalogue the version would join, or None (new one).
    :raises NotAllowed: the jurisdiction is outside the actor's scope.
    :raises Conflict: another jurisdiction's catalogue, the same file already
        imported, or (when publishing) an overlapping published period.
    """
    if actor.user is not None and not can_manage(actor.user, jurisdiction):
        raise NotAllowed("您无权为该辖区导入裁量基准")
    if catalogue is None:
        catalogue = find_catalogue(plan, jurisdiction, code)
    if catalogue is not None:
        if catalogue.jurisdiction_id != jurisdiction.id:
            raise Conflict(
                f"目录 {catalogue.code} 属于{catalogue.jurisdiction.name}，"
                f"与所选辖区{jurisdiction.name}不符"
            )
        duplicate = db.session.scalar(
            sa.select(CatalogueVersion).where(
                CatalogueVersion.catalogue_id == catalogue.id,
                CatalogueVersion.content_sha256 == plan.content_sha256,
            )
        )
        if duplicate is not None:
            raise Conflict(
                f"相同内容已导入为该目录的版本（{duplicate.period_label}，"
                f"{duplicate.status_label}），未重复导入"
            )
    if publish and catalogue is not None:
        doc = plan.catalogue
        _plan_publish(catalogue, doc.effective_from, doc.effective_to)
    return catalogue


def import_catalogue(
    plan: ImportPlan,
    actor,
    *,
    jurisdiction,
    catalogue: BenchmarkCatalogue | None = None,
    code: str | None = None,
    domains: list[Domain] | None = None,
    source_format: str = "json",
    filename: str | None = None,
    publish: bool = False,
) -> CatalogueVersion:
    """Store a validated document as a new version (draft, or published at once).

    Every check (scope, duplicate file, period overlap when publishing) runs before
    anything is added, so a refusal leaves the session as it was.

    :param plan: from :func:`validate_document`.
    :param actor: who imports (an :class:`portal.actor.Actor`).
    :param jurisdiction: the region :class:`Organisation` the catalogue applies to.
    :param catalogue: add a version to this catalogue; default: :func:`find_catalogue`
        or a new catalogue.
    :param code: the code of a new catalogue (default derived from the name).
    :param domains: the catalogue's domains; default detected from the items.
    :param publish: publish the version in the same transaction.
    :return: the new :class:`CatalogueVersion` (flushed).
    :raises NotAllowed: the jurisdiction is outside the actor's scope.
    :raises Conflict: the same file was already imported, or a publish overlap.
    """
    catalogue = check_import(
        plan,
        actor,
        jurisdiction=jurisdiction,
        catalogue=catalogue,
        code=code,
        publish=publish,
    )
    doc = plan.catalogue
    if catalogue is None:
        catalogue = BenchmarkCatalogue(
            code=code or _default_code(jurisdiction, doc.name),
            name=doc.name,
            issuer=doc.issuer,
            jurisdiction=jurisdiction,
            domains=list(domains if domains is not None else detect_domains(doc)),
        )
        db.session.add(catalogue)
    elif domains is not None:
        catalogue.domains = list(domains)
    version = CatalogueVersion(
        catalogue=catalogue,
        name=doc.name,
        issuer=doc.issuer,
        jurisdiction_name=doc.jurisdiction,
        note=_note(plan),
        effective_from=doc.effective_from,
        effective_to=doc.effective_to,
        status=VersionStatus.DRAFT,
        source_format=source_format,
        source_filename=(filename or "")[:255] or None,
        source_json=plan.source_text,
        sha256=plan.sha256,
        content_sha256=plan.content_sha256,
        imported_by_id=actor.user.id if actor.user is not None else None,
        imported_at=utcnow(),
    )
    _materialise(version, doc)
    db.session.add(version)
    db.session.flush()
    audit.record(
        "catalogue_imported",
        actor,
        version,
        after={
            "catalogue": catalogue.code,
            "items": len(doc.items),
            "period": version.period_label,
            "format": source_format,
            "sha256": plan.sha256,
        },
    )
    logger.info("Catalogue version %r imported by %s", version, actor.label)
    if publish:
        publish_version(version, actor)
    return version


def _note(plan: ImportPlan) -> str | None:
    try:
        note = json.loads(plan.source_text).get("note")
    except (ValueError, AttributeError):
        return None
    return note if isinstance(note, str) and note.strip() else None


def _materialise(version: CatalogueVersion, doc: Catalogue) -> None:
    """Add the rules, items, tiers and fine rows of ``doc`` to ``version``."""
    for position, rule in enumerate(doc.general_rules):
        version.rules.append(
            BenchmarkRule(
                position=position,
                code=rule.id,
                kind=rule.kind,
                basis=rule.basis,
                condition=rule.condition,
            )
        )
    for position, item in enumerate(doc.items):
        row = BenchmarkItem(
            position=position,
            code=item.id,
            domain=item.domain,
            violation=item.violation,
            violated_provisions=list(item.violated_provisions),
            penalty_provisions=list(item.penalty_provisions),
            statutory_measures=list(item.statutory_measures),
        )
        for number, fine in enumerate(item.statutory_fines):
            row.all_fines.append(_fine_row(fine, number))
        for number, tier in enumerate(item.tiers):
            tier_row = BenchmarkTier(
                position=number,
                level=tier.level,
                condition=tier.condition,
                measures=list(tier.measures),
            )
            row.tiers.append(tier_row)
            for index, fine in enumerate(tier.fines):
                fine_row = _fine_row(fine, index)
                tier_row.fines.append(fine_row)
                row.all_fines.append(fine_row)
        version.items.append(row)


def _fine_row(fine, position: int) -> BenchmarkFine:
    return BenchmarkFine(
        position=position,
        party=fine.party,
        unit=fine.unit,
        min_value=fine.min,
        max_value=fine.max,
        base=fine.base,
        condition=fine.condition,
    )


def _overlaps(a_from, a_to, b_from, b_to) -> bool:
    return (b_to is None or a_from <= b_to) and (a_to is None or b_from <= a_to)


def _plan_publish(catalogue, start, end, exclude_id=None) -> list[CatalogueVersion]:
    """The published versions a new period would close; refuse other overlaps.

    Rule: an open-ended published version that began earlier is closed the day
    before the new one begins (a new edition supersedes the old one). Any other
    overlap with a published version is refused, since two versions in force on
    the same day would make the checker's choice ambiguous.
    """
    published = db.session.scalars(
        sa.select(CatalogueVersion).where(
            CatalogueVersion.catalogue_id == catalogue.id,
            CatalogueVersion.status == VersionStatus.PUBLISHED,
        )
    )
    to_close = []
    for other in published:
        if other.id == exclude_id:
            continue
        if not _overlaps(start, end, other.effective_from, other.effective_to):
            continue
        if other.effective_to is None and other.effective_from < start:
            to_close.append(other)
            continue
        raise Conflict(
            f"有效期（{start.isoformat()} 至 {end.isoformat() if end else '长期'}）"
            f"与已发布的版本“{other.name}”（{other.period_label}）重叠，不能发布。"
            "请先撤回该版本，或调整新版本的生效、失效日期后重新导入。"
        )
    return to_close


def publish_version(version: CatalogueVersion, actor) -> list[CatalogueVersion]:
    """Publish a draft version; close the open-ended version it supersedes.

    :return: the versions whose ``effective_to`` was set by this publication.
    :raises InvalidState: the version is not a draft.
    :raises Conflict: its period overlaps another published version (see
        :func:`_plan_publish`).
    :raises NotAllowed: outside the actor's scope.
    """
    if actor.user is not None and not can_manage(actor.user, version.catalogue):
        raise NotAllowed("您无权发布该裁量基准")
    if version.status != VersionStatus.DRAFT:
        raise InvalidState(f"该版本当前为“{version.status_label}”，只能发布草稿")
    closed = _plan_publish(
        version.catalogue, version.effective_from, version.effective_to, version.id
    )
    for other in closed:
        other.effective_to = version.effective_from - timedelta(days=1)
    version.status = VersionStatus.PUBLISHED
    version.published_at = utcnow()
    version.published_by_id = actor.user.id if actor.user is not None else None
    _refresh_header(version.catalogue, version)
    db.session.flush()
    recheck = mark_for_recheck(version)
    audit.record(
        "catalogue_published",
        actor,
        version,
        after={
            "period": version.period_label,
            "closed": [f"{v.id}: {v.period_label}" for v in closed],
            "recheck_cases": len(recheck),
        },
    )
    logger.info("Catalogue version %r published by %s", version, actor.label)
    return closed


def _refresh_header(catalogue, version):
    """The catalogue shows the name and issuer of its latest published edition."""
    latest = max(
        (
            v
            for v in catalogue.versions
            if v.status == VersionStatus.PUBLISHED or v is version
        ),
        key=lambda v: v.effective_from,
    )
    if latest is version:
        catalogue.name, catalogue.issuer = version.name, version.issuer


def withdraw_version(version: CatalogueVersion, actor, reason: str = "") -> None:
    """Withdraw a draft or published version; it stays in the history.

    A withdrawn version is never in force. The period of a version it had closed
    is not reopened automatically (publishing a replacement does that explicitly).

    :raises InvalidState: already withdrawn.
    :raises NotAllowed: outside the actor's scope.
    """
    if actor.user is not None and not can_manage(actor.user, version.catalogue):
        raise NotAllowed("您无权撤回该裁量基准")
    if version.status == VersionStatus.WITHDRAWN:
        raise InvalidState("该版本已撤回")
    before = version.status
    now = utcnow()
    version.status = VersionStatus.WITHDRAWN
    version.withdrawn_at = now
    version.withdrawn_by_id = actor.user.id if actor.user is not None else None
    db.session.flush()
    mark_for_recheck(version)
    audit.record(
        "catalogue_withdrawn",
        actor,
        version,
        before={"status": before},
        after={"status": VersionStatus.WITHDRAWN.value, "reason": reason[:500]},
    )
    logger.info("Catalogue version %r withdrawn by %s", version, actor.label)
