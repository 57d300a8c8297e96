"""Periodic job of the handling part (enqueued by ``flask jobs periodic``)."""

from flask import current_app

from portal.actor import Actor
from portal.suggestions.handling.feedback import close_unrated
from portal.timeutil import utcnow


def close_unrated_suggestions():
    """Close answered items left unrated ``SUGGESTION_AUTO_CLOSE_DAYS`` days after
    the reply was published. :return: the number closed."""
    return close_unrated(
        utcnow(), current_app.config["SUGGESTION_AUTO_CLOSE_DAYS"], Actor.system()
    )
