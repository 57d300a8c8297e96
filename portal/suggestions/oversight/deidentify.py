"""Removal of contact data after the retention period (去标识化, PIPL Art. 19).

``SUGGESTION_RETENTION_DAYS`` (default 180) days after an item reached a final
state (closed, rejected or merged, with ``closed_at`` set) its phone and name are
removed, and phone and ID numbers in its free text (``FREE_TEXT``, the notes of
its timeline, and ``RELATED_TEXT``: replies, extension requests, supervisors'
observations and escalations) are masked for good; attachments get neutral
names (附件1.jpg …) instead of the uploader's file names. Anonymous items hold no contact data
and are left as they are. Before a phone goes, the repeat-complaint result that
depends on it is frozen in ``is_phone_repeat`` (this item and later items from the
same phone), so the statistics give the same numbers afterwards.
"""

import logging
from datetime import timedelta

import sqlalchemy as sa

from portal import audit
from portal.extensions import db
from portal.masking import mask_pii
from portal.suggestions.handling.models import ExtensionRequest, SuggestionReply
from portal.suggestions.models import Status, Suggestion, SuggestionAttachment
from portal.suggestions.oversight.models import Escalation, SupervisorObservation
from portal.suggestions.oversight.scope import agency_id_column
from portal.suggestions.oversight.stats import REPEAT_WINDOW_DAYS

logger = logging.getLogger(__name__)

FINAL_STATUSES = (Status.CLOSED.value, Status.REJECTED.value, Status.MERGED.value)
# Every free text of an item (the submitter's, and staff text that may quote a
# phone number, e.g. “已电话联系 138…”); masking is idempotent.
FREE_TEXT = (
    "place",
    "description",
    "rating_comment",
    "contest_reason",
    "public_reason",
    "published_reply",
    "published_description",
    "extension_reason",
    "agency_return_reason",
)

# Texts in other tables that belong to an item: (model, columns).
RELATED_TEXT = (
    (SuggestionReply, ("text", "return_reason")),
    (ExtensionRequest, ("reason", "decision_note")),
    (SupervisorObservation, ("text",)),
    (Escalation, ("reason", "handled_note")),
)
_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}


def due_for_deidentification(now, retention_days):
    """``select(Suggestion)`` of named items whose retention period has ended."""
    cutoff = now - timedelta(days=retention_days)
    return (
        sa.select(Suggestion)
        .where(
            Suggestion.deidentified_at.is_(None),
            Suggestion.is_anonymous.is_(False),
            Suggestion.status.in_(FINAL_STATUSES),
            Suggestion.closed_at.is_not(None),
            Suggestion.closed_at <= cutoff,
        )
        .order_by(Suggestion.id)
    )


def _same_phone(item):
    """Other items with the phone, agency and category of ``item`` whose
    submission lies within the repeat window around it."""
    agency_id = item.assigned_org_id or item.organisation_id
    if agency_id is None or item.contact_phone is None:
        return []
    window = timedelta(days=REPEAT_WINDOW_DAYS)
    return db.session.scalars(
        sa.select(Suggestion).where(
            Suggestion.id != item.id,
            Suggestion.contact_phone == item.contact_phone,
            Suggestion.category == item.category,
            agency_id_column() == agency_id,
            Suggestion.submitted_at >= item.submitted_at - window,
            Suggestion.submitted_at <= item.submitted_at + window,
        )
    ).all()


def _freeze_repeats(item):
    # Of each pair the later submission is the repeat (the window is symmetric).
    for other in _same_phone(item):
        later = max(other, item, key=lambda s: (s.submitted_at, s.id))
        later.is_phone_repeat = True


def _mask_related(item):
    """Mask the item's texts kept in other tables and neutralise file names."""
    for model, columns in RELATED_TEXT:
        rows = db.session.scalars(
            sa.select(model).where(model.suggestion_id == item.id)
        ).all()
        for row in rows:
            for name in columns:
                value = getattr(row, name)
                if value:
                    setattr(row, name, mask_pii(value))
    files = db.session.scalars(
        sa.select(SuggestionAttachment)
        .where(SuggestionAttachment.suggestion_id == item.id)
        .order_by(SuggestionAttachment.id)
    ).all()
    for number, attachment in enumerate(files, start=1):
        suffix = _EXTENSIONS.get(attachment.mime, "")
        attachment.original_name = f"附件{number}{suffix}"


def deidentify_suggestions(actor, now, retention_days):
    """De-identify every item whose retention period has ended; one audit entry
    with the count, also when nothing was due.

    :param actor: who runs it (``Actor.system()`` for the job and the CLI).
    :param now: naive UTC now.
    :param retention_days: days after ``closed_at``.
    :return: the number of items de-identified.
    """
    stmt = due_for_deidentification(now, retention_days).with_for_update()
    items = db.session.scalars(stmt).all()
    for item in items:
        _freeze_repeats(item)
        # The CHECK phone_unless_anonymous needs deidentified_at with the phone gone.
        item.deidentified_at = now
        item.contact_phone = None
        item.contact_name = None
        for name in FREE_TEXT:
            value = getattr(item, name)
            if value:
                setattr(item, name, mask_pii(value))
        for event in item.events:
            if event.note:
                event.note = mask_pii(event.note)
        _mask_related(item)
        item.version += 1
    db.session.flush()
    audit.record(
        "suggestions_deidentified",
        actor,
        after={"去标识化条数": len(items), "保存期限（天）": retention_days},
        label="群众意见建议联系方式",
    )
    logger.info("De-identified %d suggestions", len(items))
    return len(items)
