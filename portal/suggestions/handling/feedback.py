"""The submitter's side of handling: rating, contest, and closing (办结).

An item is closed by the submitter's rating, or automatically
``SUGGESTION_AUTO_CLOSE_DAYS`` calendar days after the reply was published
without a rating (:func:`close_unrated`, a periodic job). A contest (异议) reopens
the item once: back to 办理中 with a fresh deadline, and the old reply no longer
counts as the answer (``replied_at`` and ``reply_published_at`` are cleared).
"""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from portal import audit
from portal.exceptions import InvalidState, ValidationFailed
from portal.extensions import db
from portal.suggestions.handling.services import add_event, china_today, lock
from portal.suggestions.models import EventKind, Status, Suggestion
from portal.timeutil import utcnow

RATING_LABELS = {5: "很满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "很不满意"}
_ANSWERED = (Status.REPLIED, Status.CLOSED)
DEIDENTIFIED = "本件已超过保存期限并去除个人信息，不能再评价或提出异议。"


def reply_is_published(suggestion):
    """The current round's reply is public (a contest withdraws the publication:
    ``reply_published_at`` is cleared, the old text stays visible as such)."""
    return (
        suggestion.published_reply is not None
        and suggestion.reply_published_at is not None
    )


def answered_item(suggestion):
    """The item whose reply ``suggestion``'s submitter reads: the main item for a
    merged duplicate, else the item itself."""
    if suggestion.status == Status.MERGED and suggestion.merged_into is not None:
        return suggestion.merged_into
    return suggestion


def can_rate(suggestion):
    """The submitter may rate once the reply they read is published. A merged
    duplicate's submitter rates the main item's reply under their own number (the
    rating is stored on the duplicate; it stays 已合并处理)."""
    answered = answered_item(suggestion)
    return (
        suggestion.rating is None
        and suggestion.deidentified_at is None
        and reply_is_published(answered)
        and answered.status in _ANSWERED
    )


def can_contest(suggestion):
    return (
        suggestion.contested_at is None
        and suggestion.deidentified_at is None
        and reply_is_published(suggestion)
        and suggestion.status in _ANSWERED
    )


def _close(suggestion, actor, note):
    suggestion.closed_at = utcnow()
    add_event(suggestion, EventKind.CLOSED, actor, note=note, status=Status.CLOSED)


def rate_suggestion(suggestion, rating, comment, actor):
    """Record the submitter's rating (once); an answered item is thereby closed.

    :param rating: 1 (很不满意) … 5 (很满意).
    :raises ValidationFailed: a rating outside 1…5.
    :raises InvalidState: no published reply yet, rated before, or de-identified.
    """
    if rating not in RATING_LABELS:
        raise ValidationFailed("请选择满意程度。")
    if suggestion.deidentified_at is not None:
        raise InvalidState(DEIDENTIFIED)
    if suggestion.rating is not None:
        raise InvalidState("您已评价过本件，每件只能评价一次。")
    if not can_rate(suggestion):
        raise InvalidState("答复公开后才能评价。")
    lock(suggestion, suggestion.version)
    before = suggestion.status
    suggestion.rating = rating
    suggestion.rating_comment = (comment or "").strip() or None
    suggestion.rated_at = utcnow()
    add_event(
        suggestion,
        EventKind.RATED,
        actor,
        note=RATING_LABELS[rating]
        + (
            f"（对主件 {suggestion.merged_into.number} 的答复）"
            if suggestion.status == Status.MERGED
            else ""
        ),
    )
    if suggestion.status == Status.REPLIED:
        _close(suggestion, actor, "您已评价，本件办结。")
    audit.record(
        "suggestion_rated",
        actor,
        suggestion,
        before={"status": before},
        after={"status": suggestion.status, "rating": rating},
    )
    db.session.flush()


def contest_suggestion(suggestion, reason, actor, calendar):
    """The submitter contests the result (once): the item goes back to 办理中 with
    a new deadline of ``SUGGESTION_DEADLINE_WORKDAYS`` working days from today.

    :raises ValidationFailed: no reason.
    :raises InvalidState: nothing published yet, contested before, or
        de-identified.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写异议理由。")
    if suggestion.deidentified_at is not None:
        raise InvalidState(DEIDENTIFIED)
    if suggestion.contested_at is not None:
        raise InvalidState("本件已提出过异议，每件只能提出一次。")
    if not can_contest(suggestion):
        raise InvalidState("答复公开后才能提出异议。")
    lock(suggestion, suggestion.version)
    before = suggestion.status
    suggestion.contested_at = utcnow()
    suggestion.contest_reason = reason
    suggestion.closed_at = None
    # A new round: rating, auto-close and the statistics wait for the new reply's
    # approval and publication. ``published_reply`` keeps the old text, which the
    # status page shows as the previous reply until a new one is published.
    suggestion.replied_at = None
    suggestion.reply_published_at = None
    suggestion.due_on = calendar.add_workdays(
        china_today(), current_app.config["SUGGESTION_DEADLINE_WORKDAYS"]
    )
    add_event(suggestion, EventKind.CONTESTED, actor, note=reason)
    add_event(
        suggestion,
        EventKind.REOPENED,
        actor,
        note=f"已重新交办理单位办理，办理期限至 {suggestion.due_on:%Y-%m-%d}。",
        status=Status.PROCESSING,
    )
    audit.record(
        "suggestion_contested",
        actor,
        suggestion,
        before={"status": before},
        after={"status": suggestion.status, "reason": reason},
    )
    db.session.flush()


def close_unrated(now, days, actor):
    """Close every 已答复 item whose reply was published ``days`` or more days
    before ``now`` and that the submitter has not rated.

    :return: the number of items closed.
    """
    cutoff = now - timedelta(days=days)
    items = db.session.scalars(
        sa.select(Suggestion).where(
            Suggestion.status == Status.REPLIED.value,
            Suggestion.rating.is_(None),
            Suggestion.reply_published_at.is_not(None),
            Suggestion.reply_published_at <= cutoff,
        )
    ).all()
    for suggestion in items:
        lock(suggestion, suggestion.version)
        _close(suggestion, actor, f"答复公开满 {days} 日未评价，自动办结。")
        audit.record(
            "suggestion_closed",
            actor,
            suggestion,
            before={"status": Status.REPLIED.value},
            after={"status": Status.CLOSED.value, "reason": "auto"},
        )
    db.session.flush()
    return len(items)
