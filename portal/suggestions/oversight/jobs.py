"""Background job of the oversight part (enqueued by ``flask jobs periodic``)."""

from flask import current_app

from portal.actor import Actor
from portal.suggestions.oversight.deidentify import deidentify_suggestions as _run
from portal.timeutil import utcnow


def deidentify_suggestions():
    """Remove contact data of items closed more than ``SUGGESTION_RETENTION_DAYS``
    days ago (audited once per run).

    :return: the number of items de-identified.
    """
    return _run(
        Actor.system(), utcnow(), current_app.config["SUGGESTION_RETENTION_DAYS"]
    )
