"""De-identification also covers the texts an item has in other tables (replies,
extension requests, observations, escalations) and its attachments' names."""

from datetime import datetime

from portal.actor import Actor
from portal.extensions import db
from portal.suggestions.handling.models import ExtensionRequest, SuggestionReply
from portal.suggestions.models import SuggestionAttachment
from portal.suggestions.oversight.deidentify import deidentify_suggestions
from portal.suggestions.oversight.models import Escalation, SupervisorObservation
from tests.suggestions.oversight_support import make_suggestion

PHONE = "13912345678"
ID_NUMBER = "420102199001011234"
PII = f"电话 {PHONE}，身份证 {ID_NUMBER}"
CLOSED = datetime(2026, 3, 1, 2, 0)
NOW = datetime(2026, 9, 1, 2, 0)  # retention (180 days) over


def _attachment(item, n, name, mime, reply=None):
    return SuggestionAttachment(
        suggestion_id=item.id,
        stored_name=f"stored-{item.id}-{n}",
        original_name=name,
        mime=mime,
        size=10,
        sha256="0" * 64,
        reply_id=reply.id if reply is not None else None,
    )


def test_related_texts_and_file_names_are_deidentified(app, world):
    handler = world.users["agency_handler"]
    staff = world.users["supervision_staff"]
    item = make_suggestion(
        world.agency, PHONE, status="closed", closed_at=CLOSED, description="问题"
    )
    reply = SuggestionReply(
        suggestion_id=item.id,
        author_id=handler.id,
        text=f"答复：已联系，{PII}",
        status="returned",
        decided_at=CLOSED,
        decided_by_id=staff.id,
        return_reason=f"退回：{PII}",
    )
    db.session.add(reply)
    db.session.flush()
    db.session.add_all(
        [
            ExtensionRequest(
                suggestion_id=item.id,
                requested_by_id=handler.id,
                reason=f"延期：{PII}",
                status="granted",
                decided_at=CLOSED,
                decided_by_id=staff.id,
                decision_note=f"同意：{PII}",
            ),
            SupervisorObservation(
                suggestion_id=item.id, author_id=staff.id, text=f"观察：{PII}"
            ),
            Escalation(
                suggestion_id=item.id,
                supervisor_id=staff.id,
                reason=f"转评查：{PII}",
                status="handled",
                handled_at=CLOSED,
                handled_by_id=staff.id,
                handled_note=f"已处理：{PII}",
            ),
            _attachment(item, 1, f"王小明{PHONE}身份证.jpg", "image/jpeg"),
            _attachment(item, 2, f"{ID_NUMBER}.pdf", "application/pdf", reply),
        ]
    )
    db.session.commit()

    assert deidentify_suggestions(Actor.system(), NOW, 180) == 1
    db.session.commit()
    db.session.expire_all()

    texts = [
        reply.text,
        reply.return_reason,
        *db.session.scalars(db.select(ExtensionRequest.reason)),
        *db.session.scalars(db.select(ExtensionRequest.decision_note)),
        *db.session.scalars(db.select(SupervisorObservation.text)),
        *db.session.scalars(db.select(Escalation.reason)),
        *db.session.scalars(db.select(Escalation.handled_note)),
    ]
    assert len(texts) == 7
    for text in texts:
        assert PHONE not in text
        assert ID_NUMBER not in text
        assert "139****5678" in text
    names = list(
        db.session.scalars(
            db.select(SuggestionAttachment.original_name).order_by(
                SuggestionAttachment.id
            )
        )
    )
    assert names == ["附件1.jpg", "附件2.pdf"]
