"""The background check of case files (the NLP checker against the catalogues).

One job checks a chunk of cases (``CASE_CHECK_CHUNK``, default 50): the reviewer
(law library, matcher over the catalogue items) is built once per set of catalogue
versions in a job instead of once per case, and a batch of 1,000 files becomes 20
jobs that several workers can share. Each case is committed on its own: a case
whose check raises is marked 检查失败 with the error, and the others go on.
"""

import logging
import re

from flask import current_app

from casebank.cases.models import SEVERITY_RANK, CaseFile, CaseFinding, CheckStatus
from casebank.cases.queries import pending_case_ids, versions_for_case
from portal import jobs
from portal.extensions import db
from portal.timeutil import utcnow

logger = logging.getLogger(__name__)

CONSISTENCY_CODE = "INCONSISTENT_WITH_SIMILAR"


def enqueue_checks(case_ids) -> int:
    """Queue the check of these cases in chunks; inline without Redis.

    Call after the commit that created or changed the cases.

    :return: the number of jobs enqueued (0 when run inline).
    """
    ids = list(dict.fromkeys(case_ids))
    if not ids:
        return 0
    if not current_app.config.get("REDIS_URL"):
        jobs.enqueue(check_cases, ids)  # inline: one run, committing case by case
        return 0
    size = max(1, int(current_app.config.get("CASE_CHECK_CHUNK", 50)))
    chunks = [ids[i : i + size] for i in range(0, len(ids), size)]
    for chunk in chunks:
        jobs.enqueue(check_cases, chunk)
    return len(chunks)


def enqueue_pending() -> int:
    """Queue the check of every pending case (after a catalogue change)."""
    return enqueue_checks(pending_case_ids())


def check_pending_cases(limit: int = 500) -> int:
    """Periodic sweep: check cases left pending (e.g. a catalogue published from
    the command line, or a worker that died). :return: cases checked."""
    ids = pending_case_ids(limit)
    check_cases(ids)
    return len(ids)


def check_cases(case_ids) -> dict:
    """Check each case (a job). :return: counts of checked and failed cases."""
    from casebank.consistency import jobs as consistency_jobs
    from casebank.consistency.services import update_key
    from casebank.queries import to_nlp_catalogue
    from casebank.reviewer import make_reviewer

    app = current_app._get_current_object()
    reviewers: dict[tuple, object] = {}
    counts = {"checked": 0, "failed": 0}
    groups = []
    for case_id in case_ids:
        case = db.session.get(CaseFile, case_id)
        if case is None:
            continue
        try:
            versions = versions_for_case(case)
            key = tuple(v.id for v in versions)
            if key not in reviewers:
                reviewers[key] = make_reviewer(
                    [to_nlp_catalogue(v) for v in versions], app
                )
            result, hints = reviewers[key].review_with_hints(
                case.text, f"case:{case.id}", stated_date=case.decision_date
            )
            record_result(case, result, versions, hints)
            groups.extend(update_key(case))
            db.session.commit()
            counts["checked"] += 1
        except Exception as exc:  # noqa: BLE001 - a failing check never loses a case
            db.session.rollback()
            logger.exception("Check of case %s failed", case_id)
            case = db.session.get(CaseFile, case_id)
            if case is None:
                continue
            record_failure(case, f"{type(exc).__name__}: {exc}")
            db.session.commit()
            counts["failed"] += 1
    # The archive moves: the groups these cases entered or left are re-judged.
    consistency_jobs.enqueue_groups(groups)
    return counts


def record_failure(case: CaseFile, error: str) -> None:
    """Mark the case 检查失败 with the error; its previous result is kept."""
    case.check_status = CheckStatus.FAILED
    case.check_error = ("自动检查出错：" + error)[:2000]
    case.checked_at = utcnow()
    db.session.flush()


def _item_row(versions, item_code):
    for version in versions:
        for item in version.items:
            if item.code == item_code:
                return version, item
    return None, None


def evidence_spans(text: str, evidence: str) -> list[list[int]]:
    """Where the evidence of a finding is in the text (pieces split at ；…)."""
    spans = []
    for piece in re.split(r"[；;…\n]+", evidence or ""):
        piece = piece.strip(" 　“”\"'，,。")
        if len(piece) < 2:
            continue
        start = text.find(piece)
        if start != -1:
            spans.append([start, start + len(piece)])
    return spans


def record_result(case: CaseFile, result: dict, versions, hints=None) -> None:
    """Store a review result: the JSON as the spec defines it, finding rows, and
    the checker's hints (提示; not findings, stored apart)."""
    match = result.get("match") or {}
    version, item = _item_row(versions, match.get("item_id"))
    tier = None
    if item is not None and result.get("tier"):
        tier = next((t for t in item.tiers if t.level == result["tier"]), None)
    case.review = result
    case.hints = [
        {
            "code": h.get("code", "")[:40],
            "message": h.get("message") or "",
            "evidence": h.get("evidence") or "",
        }
        for h in hints or []
    ]
    case.matched_version_id = version.id if version else None
    case.matched_item_id = item.id if item else None
    case.matched_tier_id = tier.id if tier else None
    # The archive-comparison finding is not the checker's: it is kept (and
    # re-judged, closed or re-opened by casebank.consistency) so labels survive.
    for old in [f for f in case.findings if f.code != CONSISTENCY_CODE]:
        case.findings.remove(old)
    db.session.flush()
    checker_findings = [
        f for f in result.get("findings") or [] if f.get("code") != CONSISTENCY_CODE
    ]
    for position, finding in enumerate(checker_findings):
        severity = (
            finding.get("severity")
            if finding.get("severity") in SEVERITY_RANK
            else "medium"
        )
        case.findings.append(
            CaseFinding(
                position=position,
                code=finding["code"][:40],
                severity=severity,
                severity_rank=SEVERITY_RANK[severity],
                message=finding.get("message") or "",
                evidence=finding.get("evidence") or "",
                spans=evidence_spans(case.text, finding.get("evidence") or ""),
                version_id=case.matched_version_id,
                item_id=case.matched_item_id,
                tier_id=case.matched_tier_id,
            )
        )
    case.finding_count = len(case.findings)
    case.max_severity_rank = max((f.severity_rank for f in case.findings), default=0)
    penalties = result.get("penalties") or {}
    if case.fine_yuan is None and penalties.get("fine_yuan") is not None:
        case.fine_yuan = penalties["fine_yuan"]
    if case.party_type is None and result.get("party") in (
        "individual",
        "organization",
    ):
        case.party_type = result["party"]
    case.check_status = CheckStatus.CHECKED
    case.check_error = None
    case.checked_at = utcnow()
    db.session.flush()
