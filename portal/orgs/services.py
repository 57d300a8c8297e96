"""Organisation tree services (flush, never commit)."""

import sqlalchemy as sa

from portal import audit
from portal.exceptions import Conflict, ValidationFailed
from portal.extensions import db
from portal.orgs.models import ALLOWED_PARENTS, Domain, Organisation, OrgKind


def _snapshot(org):
    return {
        "编码": org.code,
        "名称": org.name,
        "类型": org.kind_label,
        "上级": org.parent.name if org.parent else None,
        "执法领域": [d.name for d in org.domains],
    }


def create_org(code, name, kind, parent, actor, domains=()):
    """Create an organisation under ``parent``.

    :raises ValidationFailed: the kind may not sit under that parent.
    :raises Conflict: the code is taken.
    """
    kind = OrgKind(kind)
    parent_kind = OrgKind(parent.kind) if parent is not None else None
    if parent_kind not in ALLOWED_PARENTS[kind]:
        raise ValidationFailed(f"“{kind.label}”不能设在该上级组织之下")
    if db.session.scalar(sa.select(Organisation.id).where(Organisation.code == code)):
        raise Conflict(f"组织编码 {code} 已存在")
    org = Organisation(code=code, name=name, kind=kind.value, parent=parent)
    org.domains = list(domains)
    db.session.add(org)
    db.session.flush()
    org.path = (parent.path if parent else "/") + f"{org.id}/"
    audit.record("org_created", actor, org, after=_snapshot(org))
    db.session.flush()
    return org


def update_org(org, name, domains, actor):
    """Rename an organisation or change its enforcement domains."""
    before = _snapshot(org)
    org.name = name
    org.domains = list(domains)
    after = _snapshot(org)
    if before != after:
        audit.record("org_updated", actor, org, before=before, after=after)
    db.session.flush()
    return org


def ensure_domains(pairs):
    """Create the ``(code, name)`` domains that do not exist yet; return all of them."""
    existing = {d.code: d for d in db.session.scalars(sa.select(Domain))}
    for code, name in pairs:
        if code not in existing:
            existing[code] = Domain(code=code, name=name)
            db.session.add(existing[code])
    db.session.flush()
    return [existing[code] for code, _ in pairs]
