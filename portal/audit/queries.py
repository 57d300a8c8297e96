"""Audit-log reads."""

from datetime import datetime, time, timedelta

import sqlalchemy as sa

from portal.audit.models import AuditLog
from portal.timeutil import CHINA_TZ


def _utc(day, end=False):
    local = datetime.combine(day, time.min, tzinfo=CHINA_TZ)
    if end:
        local += timedelta(days=1)
    return (local - local.utcoffset()).replace(tzinfo=None)


def filtered_entries(
    action=None, actor=None, target=None, ip=None, date_from=None, date_to=None
):
    """Select audit entries, newest first, matching the given filters.

    :param date_from: first local (China) calendar day included.
    :param date_to: last local calendar day included.
    """
    query = sa.select(AuditLog).order_by(AuditLog.at.desc(), AuditLog.id.desc())
    if action:
        query = query.where(AuditLog.action == action)
    if actor:
        query = query.where(AuditLog.actor_name.contains(actor, autoescape=True))
    if target:
        query = query.where(AuditLog.target_label.contains(target, autoescape=True))
    if ip:
        query = query.where(AuditLog.ip == ip)
    if date_from:
        query = query.where(AuditLog.at >= _utc(date_from))
    if date_to:
        query = query.where(AuditLog.at < _utc(date_to, end=True))
    return query
