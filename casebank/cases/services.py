"""Case-file changes: add (files, zips, paste), edit metadata, mark for re-check.

Services flush, never commit; the caller (view, CLI, job) commits and then
enqueues the checks (:func:`casebank.cases.checks.enqueue_checks`).
"""

import hashlib
import logging
import os
import secrets
from datetime import date

import sqlalchemy as sa

from casebank.cases.intake import Entry
from casebank.cases.models import CaseBatch, CaseFile, CheckStatus
from nlp import amounts, sections
from nlp.metadata import decision_date, document_number, party_type
from portal import audit, storage
from portal.exceptions import NotAllowed
from portal.extensions import db
from portal.orgs.models import Organisation, organisation_domains

logger = logging.getLogger(__name__)

PASTE_NAME = "粘贴的文本"


def prefill(text: str) -> dict:
    """Metadata read from a decision: 文号, decision date, party type, fine (元)."""
    parts = sections.split_sections(text)
    span = sections.section_span(parts, sections.DECISION)
    party_span = sections.section_span(parts, sections.PARTY)
    try:
        fine = amounts.extract_penalties(text, span).fine_yuan
    except Exception:  # noqa: BLE001 - a prefill never blocks an import
        logger.exception("Fine extraction failed")
        fine = None
    return {
        "doc_number": (document_number(text) or "")[:100] or None,
        "decision_date": decision_date(text),
        "party_type": party_type(
            text, text[party_span[0] : party_span[1]] if party_span else None
        ),
        "fine_yuan": fine,
    }


def detect_agency(text: str, agencies: list[Organisation]) -> Organisation | None:
    """The one agency of ``agencies`` whose name the document head names, or None."""
    head = text[:400]
    named = [a for a in agencies if a.name and a.name in head]
    return named[0] if len(named) == 1 else None


def _store(upload_dir: str | None, data: bytes, filename: str) -> str:
    suffix = os.path.splitext(filename)[1].lower()[:8]
    name = secrets.token_hex(16) + suffix
    backend = storage.LocalStorage(upload_dir) if upload_dir else storage.get_storage()
    backend.save(original_key(name), data)
    return name


def original_key(stored_name: str) -> str:
    """The storage key of a stored original (:mod:`portal.storage`)."""
    return storage.join("cases", stored_name)


def add_cases(
    entries: list[Entry],
    actor,
    *,
    agency: Organisation | None,
    agencies: list[Organisation],
    upload_dir: str | None = None,
    pasted: str = "",
) -> CaseBatch:
    """Import every usable document of a submission as a case; report each one.

    :param entries: the uploaded documents (see :mod:`casebank.cases.intake`).
    :param agency: the agency chosen on the form, or None to read it from each text.
    :param agencies: the agencies the actor may add cases to (the scope).
    :param upload_dir: a local folder to store originals in (tools and tests);
        None = the app's shared storage. Originals go to ``cases/`` with random
        names.
    :param pasted: pasted decision text (a case without a file).
    :return: the :class:`CaseBatch` with one result per document (flushed); the
        new cases are pending their check.
    :raises NotAllowed: ``agency`` is outside the scope.
    """
    allowed = {a.id for a in agencies}
    if agency is not None and agency.id not in allowed:
        raise NotAllowed("您无权为该执法部门添加案卷")
    items = list(entries)
    if pasted.strip():
        items.append(Entry(PASTE_NAME, data=b"", text=pasted.replace("\r\n", "\n")))
    batch = CaseBatch(created_by_id=actor.user.id if actor.user else None)
    db.session.add(batch)
    results: list[dict] = []
    seen: set[tuple[int, str]] = set()
    for entry in items:
        outcome = _add_one(entry, actor, agency, agencies, upload_dir, batch, seen)
        results.append(outcome)
    batch.results = results
    batch.total = len(results)
    batch.imported = sum(r["outcome"] == "imported" for r in results)
    batch.duplicates = sum(r["outcome"] == "duplicate" for r in results)
    batch.failed = sum(r["outcome"] in ("error", "ignored") for r in results)
    db.session.flush()
    audit.record(
        "cases_added",
        actor,
        batch,
        after={
            "导入": batch.imported,
            "重复": batch.duplicates,
            "失败": batch.failed,
        },
    )
    return batch


def _add_one(entry, actor, agency, agencies, upload_dir, batch, seen) -> dict:
    result = {"name": entry.name, "outcome": "error", "message": "", "case_id": None}
    if entry.ignored or entry.error:
        result["outcome"] = "ignored" if entry.ignored else "error"
        result["message"] = entry.error or "已忽略"
        return result
    pasted = entry.name == PASTE_NAME and not entry.data
    text = entry.text
    if pasted and len(text.strip()) < 20:
        result["message"] = "粘贴的文本过短，不像一份处罚决定书"
        return result
    target = agency or detect_agency(text, agencies)
    if target is None:
        result["message"] = "无法从文书中识别执法部门，请在表单中选择执法部门后重新上传"
        return result
    raw = entry.data if not pasted else text.encode("utf-8")
    digest = hashlib.sha256(raw).hexdigest()
    existing = db.session.scalar(
        sa.select(CaseFile.id).where(
            CaseFile.agency_id == target.id, CaseFile.sha256 == digest
        )
    )
    if existing is not None or (target.id, digest) in seen:
        result["outcome"] = "duplicate"
        result["message"] = "该文件已导入过（内容相同），未重复导入"
        result["case_id"] = existing
        return result
    seen.add((target.id, digest))
    meta = prefill(text)
    case = CaseFile(
        agency_id=target.id,
        batch=batch,
        source_kind="paste" if pasted else "upload",
        original_filename=None if pasted else entry.name[:255],
        stored_name=None if pasted else _store(upload_dir, entry.data, entry.name),
        sha256=digest,
        size_bytes=len(raw),
        text=text,
        check_status=CheckStatus.PENDING,
        created_by_id=actor.user.id if actor.user else None,
        **meta,
    )
    db.session.add(case)
    db.session.flush()
    result.update(outcome="imported", message="已导入，等待自动检查", case_id=case.id)
    return result


EDITABLE = ("doc_number", "agency_id", "decision_date", "party_type", "fine_yuan")


def update_metadata(case: CaseFile, actor, changes: dict, agencies) -> bool:
    """Edit the metadata of a case; audited with before/after.

    :param changes: new values of the :data:`EDITABLE` fields.
    :param agencies: the agencies the actor may move the case to.
    :return: True when the change needs a re-check (date or agency changed); the
        case is then pending again.
    :raises NotAllowed: the new agency is outside the scope.
    """
    before, after = {}, {}
    for field in EDITABLE:
        if field not in changes:
            continue
        new = changes[field]
        old = getattr(case, field)
        if new != old:
            before[field], after[field] = _show(old), _show(new)
            setattr(case, field, new)
    if "agency_id" in after and case.agency_id not in {a.id for a in agencies}:
        raise NotAllowed("您无权将案卷移至该执法部门")
    if not after:
        return False
    recheck = bool({"decision_date", "agency_id", "party_type"} & after.keys())
    if recheck:
        case.check_status = CheckStatus.PENDING
        case.check_error = None
    db.session.flush()
    audit.record("case_metadata_edited", actor, case, before=before, after=after)
    return recheck


def _show(value):
    return value.isoformat() if isinstance(value, date) else value


def request_recheck(case: CaseFile, actor) -> None:
    """Put a case back in the queue of the checker (audited)."""
    case.check_status = CheckStatus.PENDING
    case.check_error = None
    db.session.flush()
    audit.record("case_recheck_requested", actor, case)


def mark_for_recheck(version) -> list[int]:
    """Cases a catalogue version's publication or withdrawal may change: pending.

    Those decided within the version's period by an agency inside its
    jurisdiction that works in one of its domains, and those last matched
    against it.

    :return: the ids of the cases marked (the caller enqueues them after commit).
    """
    catalogue = version.catalogue
    domain_ids = [d.id for d in catalogue.domains]
    in_period = sa.or_(
        sa.and_(
            CaseFile.decision_date >= version.effective_from,
            CaseFile.decision_date <= version.effective_to
            if version.effective_to
            else sa.true(),
        ),
        # Undated cases take their version from the dates in their text
        # (casebank.cases.queries.catalogue_dates): any version may be theirs.
        CaseFile.decision_date.is_(None),
    )
    agencies = sa.select(Organisation.id).where(
        Organisation.path.startswith(catalogue.jurisdiction.path, autoescape=True)
    )
    if domain_ids:
        agencies = agencies.where(
            Organisation.id.in_(
                sa.select(organisation_domains.c.organisation_id).where(
                    organisation_domains.c.domain_id.in_(domain_ids)
                )
            )
        )
    condition = sa.or_(
        sa.and_(in_period, CaseFile.agency_id.in_(agencies)),
        CaseFile.matched_version_id == version.id,
    )
    ids = list(db.session.scalars(sa.select(CaseFile.id).where(condition)))
    if ids:
        db.session.execute(
            sa.update(CaseFile)
            .where(CaseFile.id.in_(ids))
            .values(check_status=CheckStatus.PENDING, check_error=None),
            execution_options={"synchronize_session": False},
        )
        db.session.expire_all()
    return ids
