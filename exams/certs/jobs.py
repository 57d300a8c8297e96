"""Background jobs of the certificate feature (run by ``flask jobs``)."""

from exams.certs.services import expire_certificates as _expire
from portal.timeutil import utcnow


def expire_certificates():
    """Mark certificates past their expiry as expired (已过期). Enqueued by
    ``flask jobs periodic``; pages show the effective status even before it runs.

    :return: the number of certificates expired.
    """
    return _expire(utcnow())
