"""Reads: templates, reviews and labels."""

import hashlib

import sqlalchemy as sa
import sqlalchemy.orm as so

from casebank.cases.models import CaseFile
from casebank.cases.queries import org_scope_filter
from casebank.reviews.access import reviewable_case_for
from casebank.reviews.models import (
    CaseReview,
    FindingLabel,
    ReviewStatus,
    ScoreTemplate,
)
from nlp.codes import finding_label
from portal.extensions import db
from portal.orgs.models import Organisation


def finding_key(code: str, evidence: str) -> str:
    """The identity of a finding across re-checks: SHA-256 of code and evidence."""
    return hashlib.sha256(f"{code}\x1f{evidence or ''}".encode()).hexdigest()


def current_template() -> ScoreTemplate | None:
    """The newest published template version, or None before the first."""
    return db.session.scalar(
        sa.select(ScoreTemplate).order_by(ScoreTemplate.version.desc()).limit(1)
    )


def template_versions() -> list[ScoreTemplate]:
    """Every template version, newest first."""
    return list(
        db.session.scalars(
            sa.select(ScoreTemplate).order_by(ScoreTemplate.version.desc())
        )
    )


def review_for(case, user) -> CaseReview | None:
    """``user``'s review of ``case``, if they started one."""
    return db.session.scalar(
        sa.select(CaseReview).where(
            CaseReview.case_id == case.id, CaseReview.reviewer_id == user.id
        )
    )


def submitted_reviews(case) -> list[CaseReview]:
    """The submitted reviews of a case, oldest first."""
    return list(
        db.session.scalars(
            sa.select(CaseReview)
            .where(
                CaseReview.case_id == case.id,
                CaseReview.status == ReviewStatus.SUBMITTED,
            )
            .order_by(CaseReview.submitted_at, CaseReview.id)
        )
    )


def labels_by_key(case, user) -> dict[str, FindingLabel]:
    """``user``'s labels on ``case``, by finding key (to match current findings)."""
    rows = db.session.scalars(
        sa.select(FindingLabel).where(
            FindingLabel.case_id == case.id, FindingLabel.reviewer_id == user.id
        )
    )
    return {row.finding_key: row for row in rows}


def labels_visible_to(user):
    """Select the labels of the cases ``user`` may see, in a stable order."""
    return (
        sa.select(FindingLabel)
        .join(CaseFile, FindingLabel.case_id == CaseFile.id)
        .join(Organisation, CaseFile.agency_id == Organisation.id)
        .where(org_scope_filter(user))
        .options(
            # What label_record reads, without the case text (already joined).
            so.contains_eager(FindingLabel.case)
            .load_only(
                CaseFile.id,
                CaseFile.doc_number,
                CaseFile.decision_date,
                CaseFile.agency_id,
            )
            .contains_eager(CaseFile.agency),
        )
        .order_by(FindingLabel.id)
    )


def all_labels():
    """Select every label (the command-line export)."""
    return (
        sa.select(FindingLabel)
        .options(
            so.joinedload(FindingLabel.case)
            .load_only(
                CaseFile.id,
                CaseFile.doc_number,
                CaseFile.decision_date,
                CaseFile.agency_id,
            )
            .joinedload(CaseFile.agency)
        )
        .order_by(FindingLabel.id)
    )


def label_record(label: FindingLabel) -> dict:
    """One line of the labelled-data export (``zhifa.finding-labels/1``)."""
    case = label.case
    return {
        "format": "zhifa.finding-labels/1",
        "label_id": label.id,
        "case_id": label.case_id,
        "doc_number": case.doc_number if case else None,
        "agency": case.agency.name if case else None,
        "decision_date": case.decision_date.isoformat()
        if case and case.decision_date
        else None,
        "code": label.code,
        "code_label": finding_label(label.code),
        "severity": label.severity,
        "message": label.message,
        "evidence": label.evidence,
        "spans": label.spans or [],
        "checker": label.checker or {},
        "label": label.decision,
        "reason": label.reason,
        "reviewer_id": label.reviewer_id,
        "labelled_at": label.updated_at.isoformat(timespec="seconds"),
    }


def case_panel(case, user, error=None) -> dict | None:
    """What the case page shows of reviews for ``user`` (None: nothing).

    Labels are matched to the current findings by (code, evidence).

    :param error: the label error to show under its finding (or None).
    """
    if reviewable_case_for(user, case.id) is None:
        return None
    labels = labels_by_key(case, user)
    return {
        "review": review_for(case, user),
        "labels": {
            f.id: labels.get(finding_key(f.code, f.evidence)) for f in case.findings
        },
        "error": error,
    }
