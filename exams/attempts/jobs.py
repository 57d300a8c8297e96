"""Background jobs of the exam feature (run by ``flask jobs``: RQ or inline)."""

from exams.attempts.services import close_expired
from portal.timeutil import utcnow


def close_expired_attempts():
    """Submit every attempt past its server deadline (candidates who never came
    back). Enqueued by ``flask jobs periodic``.

    :return: the number of attempts closed.
    """
    return close_expired(utcnow())
