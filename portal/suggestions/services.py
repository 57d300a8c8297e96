"""Submitting a suggestion (issue #7, public side). Services flush; views commit."""

import secrets
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app

from portal import audit, numbering
from portal.auth.passwords import hash_password
from portal.exceptions import Conflict, ValidationFailed
from portal.extensions import db
from portal.suggestions.forms import MOBILE
from portal.suggestions.models import (
    Category,
    EventKind,
    Status,
    Suggestion,
    SuggestionAttachment,
    SuggestionEvent,
)
from portal.timeutil import to_local, utcnow
from portal.workdays.queries import calendar

NUMBER_PREFIX = "JC"
# No 0/O, 1/I/L: the code is read off a phone screen and typed back.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10


class AlreadySubmitted(Conflict):
    """The form (its token) was submitted before; ``suggestion`` is that item."""

    def __init__(self, suggestion):
        super().__init__("该意见建议已提交，请勿重复提交。")
        self.suggestion = suggestion


@dataclass(frozen=True)
class Submission:
    """What the public form carries (already validated by the form)."""

    form_token: str
    category: str
    organisation_id: int | None
    place: str
    occurred_on: date | None
    description: str
    is_anonymous: bool
    contact_phone: str | None
    contact_name: str | None
    hide_name: bool
    sms_notify: bool = False  # 办理进展短信通知我 (needs a mobile number)


def new_query_code():
    """A random query code (about 50 bits), shown once and stored hashed."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(value):
    """Upper-case, without spaces or dashes (what people type back)."""
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())


def next_number(day):
    """The next 受理编号 of ``day`` (a China date), e.g. ``JC-20261206-0001``.

    The shared document counter (kind ``suggestion``, one period per day): one
    atomic upsert, so concurrent submissions never get the same number.
    """
    value = numbering.next_value("suggestion", f"{day:%Y%m%d}")
    return f"{NUMBER_PREFIX}-{day:%Y%m%d}-{value:04d}"


def accept_due_date(day):
    """The 受理期限 of an item submitted on ``day`` (a China date):
    ``SUGGESTION_ACCEPT_WORKDAYS`` working days later (the day itself not counted)."""
    return calendar().add_workdays(
        day, current_app.config["SUGGESTION_ACCEPT_WORKDAYS"]
    )


def submit_suggestion(submission, files, actor):
    """Record a public submission with its stored attachment files.

    :param submission: a :class:`Submission`.
    :param files: :class:`portal.suggestions.uploads.StoredFile` objects, already
        written to disk (the caller removes them if this raises or the commit fails).
    :param actor: the public actor (:meth:`portal.actor.Actor.public`), with the IP.
    :return: ``(suggestion, query_code)``; the code is not stored in clear.
    :raises AlreadySubmitted: a suggestion with this form token exists.
    :raises ValidationFailed: contact rules broken (phone missing when not
        anonymous, SMS asked for without a mobile number).
    """
    existing = db.session.scalar(
        sa.select(Suggestion).where(Suggestion.form_token == submission.form_token)
    )
    if existing is not None:
        raise AlreadySubmitted(existing)
    Category(submission.category)  # ValueError on a bad category: a programming error
    phone, name = submission.contact_phone, submission.contact_name
    if submission.is_anonymous:
        phone = name = None
    elif not phone:
        raise ValidationFailed("请填写联系电话，或选择匿名提交。")
    sms = submission.sms_notify and phone is not None
    if sms and not MOBILE.match(phone):
        raise ValidationFailed("短信通知需要填写 11 位手机号码。")
    now = utcnow()
    code = new_query_code()
    today = to_local(now).date()
    suggestion = Suggestion(
        number=next_number(today),
        accept_due_on=accept_due_date(today),
        query_code_hash=hash_password(code),
        form_token=submission.form_token,
        category=submission.category,
        organisation_id=submission.organisation_id,
        place=submission.place,
        occurred_on=submission.occurred_on,
        description=submission.description,
        is_anonymous=submission.is_anonymous,
        contact_phone=phone,
        contact_name=name or None,
        hide_name=submission.hide_name,
        status=Status.PENDING.value,
        submitted_at=now,
        consent_at=now,
        sms_consent_at=now if sms else None,
    )
    for stored in files:
        suggestion.attachments.append(
            SuggestionAttachment(
                stored_name=stored.stored_name,
                original_name=stored.original_name,
                mime=stored.mime,
                size=stored.size,
                sha256=stored.sha256,
                created_at=now,
            )
        )
    suggestion.events.append(
        SuggestionEvent(
            at=now,
            kind=EventKind.SUBMITTED.value,
            status_after=Status.PENDING.value,
            note="已收到您的反映，等待监督部门受理。",
            is_public=True,
        )
    )
    savepoint = db.session.begin_nested()
    try:
        db.session.add(suggestion)
        db.session.flush()
    except sa.exc.IntegrityError:
        # A concurrent double submit won the race for this form token.
        savepoint.rollback()
        existing = db.session.scalar(
            sa.select(Suggestion).where(Suggestion.form_token == submission.form_token)
        )
        if existing is None:
            raise
        raise AlreadySubmitted(existing) from None
    savepoint.commit()
    audit.record(
        "suggestion_submitted",
        actor,
        suggestion,
        after={
            "category": submission.category,
            "organisation_id": submission.organisation_id,
            "is_anonymous": submission.is_anonymous,
            "attachments": len(files),
            "sms_notify": sms,
        },
    )
    return suggestion, code
