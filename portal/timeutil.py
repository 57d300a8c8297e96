"""Time helpers. All stored timestamps are naive UTC; views show Asia/Shanghai."""

from datetime import UTC, datetime, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8), "CST")


def utcnow():
    """Return the current UTC time as a naive datetime (the storage convention)."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_local(value):
    """Convert a naive UTC datetime to China Standard Time for display."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(CHINA_TZ)


def to_utc(value):
    """Convert a naive China Standard Time datetime (a form input) to naive UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=CHINA_TZ).astimezone(UTC).replace(tzinfo=None)
