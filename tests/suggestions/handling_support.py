"""Helpers for the handling tests: items created through the real submit service,
signed-in clients per role, and the ``version`` a form would carry."""

import secrets

import sqlalchemy as sa

from portal.actor import Actor
from portal.audit.models import AuditLog
from portal.extensions import db
from portal.suggestions import uploads
from portal.suggestions.models import Suggestion
from portal.suggestions.services import Submission, submit_suggestion
from tests.factories import signed_in
from tests.suggestions.support import PHONE, jpeg_with_gps

NAME = "王小明"
DESCRIPTION = "执法人员在菜市场门口没有出示证件，当场罚款 500 元，未开具任何票据。"


def make_suggestion(
    organisation=None,
    description=DESCRIPTION,
    place="东湖路 12 号",
    anonymous=False,
    with_photo=False,
    name=NAME,
    category="fines",
    sms=False,
    phone=PHONE,
):
    """Submit an item as the public would (through the service); return
    ``(suggestion, query_code)``."""
    files = []
    if with_photo:
        files = uploads.store(
            [uploads.PreparedFile("现场照片.jpg", "image/jpeg", jpeg_with_gps())]
        )
    suggestion, code = submit_suggestion(
        Submission(
            form_token=secrets.token_urlsafe(24),
            category=category,
            organisation_id=organisation.id if organisation is not None else None,
            place=place,
            occurred_on=None,
            description=description,
            is_anonymous=anonymous,
            contact_phone=None if anonymous else phone,
            contact_name=None if anonymous else name,
            hide_name=True,
            sms_notify=sms,
        ),
        files,
        Actor.public(),
    )
    db.session.commit()
    return suggestion, code


login = signed_in  # a fresh client of ``app`` signed in as ``username``


def fresh(suggestion_id):
    """Reload an item from the database (what the next request sees)."""
    db.session.expire_all()
    return db.session.get(Suggestion, suggestion_id)


def post(client, suggestion, action, **data):
    """POST a staff action with the item's current version."""
    version = fresh(suggestion.id).version
    return client.post(
        f"/suggestions/manage/{suggestion.id}/{action}",
        data={"version": str(version), **data},
    )


def audit_actions(target_id=None):
    stmt = sa.select(AuditLog.action).order_by(AuditLog.id)
    if target_id is not None:
        stmt = stmt.where(
            AuditLog.target_type == "Suggestion", AuditLog.target_id == str(target_id)
        )
    return list(db.session.scalars(stmt))


def track(client, number, code):
    return client.post("/suggestions/track", data={"number": number, "code": code})
