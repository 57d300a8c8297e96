"""Reads of certificates; scopes are applied here, in SQL (STYLE R5)."""

from datetime import timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from exams.certs.models import LIVE_STATUSES, Certificate
from portal.audit.models import AuditLog
from portal.auth.models import User
from portal.auth.queries import admin_org_filter
from portal.extensions import db
from portal.orgs.models import Organisation

# Filters of the admin list (query-string value → label).
STATUS_FILTERS = {
    "": "全部状态",
    "valid": "有效",
    "suspended": "暂扣",
    "expired": "已过期",
    "revoked": "已注销",
}


def certificates_visible_to(user):
    """Select the certificates ``user`` may manage: a system administrator all of
    them, a training administrator those whose holder's organisation lies in the
    subtree they administer. Newest first."""
    return (
        sa.select(Certificate)
        .join(User, Certificate.holder_id == User.id)
        .join(Organisation, User.organisation_id == Organisation.id)
        .where(admin_org_filter(user))
        .options(
            so.contains_eager(Certificate.holder).contains_eager(User.organisation)
        )
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    )


def status_condition(status, now):
    """SQL condition for the *effective* status at ``now`` (a live certificate past
    its expiry counts as expired even before the periodic job has run)."""
    live_not_due = Certificate.expires_at > now
    if status == "valid":
        return sa.and_(Certificate.status == "valid", live_not_due)
    if status == "suspended":
        return sa.and_(Certificate.status == "suspended", live_not_due)
    if status == "expired":
        return sa.or_(
            Certificate.status == "expired",
            sa.and_(Certificate.status.in_(LIVE_STATUSES), ~live_not_due),
        )
    if status == "revoked":
        return Certificate.status == "revoked"
    return sa.true()


def filtered_certificates(
    user,
    now,
    *,
    status="",
    expiring_days=None,
    overdue_days=None,
    text="",
):
    """The admin list with its filters.

    :param status: an effective status (``STATUS_FILTERS`` key); empty = all.
    :param expiring_days: only live certificates expiring within this many days.
    :param overdue_days: only live certificates neither issued nor reviewed within
        this many days (overdue for 年度审验).
    :param text: part of the certificate number or of the holder's name.
    :return: a ``Select`` of :class:`Certificate`.
    """
    stmt = certificates_visible_to(user).where(status_condition(status, now))
    if expiring_days is not None:
        stmt = stmt.where(
            Certificate.status.in_(LIVE_STATUSES),
            Certificate.expires_at > now,
            Certificate.expires_at <= now + timedelta(days=expiring_days),
        )
    if overdue_days is not None:
        last = sa.func.coalesce(Certificate.last_reviewed_at, Certificate.issued_at)
        stmt = stmt.where(
            Certificate.status.in_(LIVE_STATUSES),
            Certificate.expires_at > now,
            last < now - timedelta(days=overdue_days),
        )
    text = (text or "").strip()
    if text:
        stmt = stmt.where(
            sa.or_(
                Certificate.number.contains(text, autoescape=True),
                User.name.contains(text, autoescape=True),
            )
        )
    return stmt


def certificate_in_scope(user, certificate_id):
    """The certificate if ``user`` manages it (else None → the view answers 404)."""
    return db.session.scalar(
        certificates_visible_to(user).where(Certificate.id == certificate_id)
    )


def certificates_of(holder_id):
    """Select a holder's certificates, newest first."""
    return (
        sa.select(Certificate)
        .where(Certificate.holder_id == holder_id)
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    )


def certificate_by_code(code):
    """The certificate with verification code ``code``, if any."""
    if not code or len(code) > 64:
        return None
    return db.session.scalar(
        sa.select(Certificate).where(Certificate.verify_code == code)
    )


def certificate_by_number_and_name(number, name):
    """The certificate numbered ``number`` whose holder is called ``name`` (both
    exact after trimming and folding full-width characters), for a photocopy
    whose QR code cannot be read."""
    import unicodedata

    number = unicodedata.normalize("NFKC", number or "").strip().upper()
    name = unicodedata.normalize("NFKC", name or "").strip()
    if not number or not name or len(number) > 40 or len(name) > 50:
        return None
    return db.session.scalar(
        sa.select(Certificate)
        .join(User, Certificate.holder_id == User.id)
        .where(Certificate.number == number, User.name == name)
    )


def certificate_history(certificate):
    """Select the audit entries about ``certificate``, oldest first."""
    return (
        sa.select(AuditLog)
        .where(
            AuditLog.target_type == "Certificate",
            AuditLog.target_id == str(certificate.id),
        )
        .order_by(AuditLog.at, AuditLog.id)
    )
