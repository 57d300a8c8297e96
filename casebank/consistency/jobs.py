"""Jobs of the archive comparison: incremental (after checks) and nightly."""

import logging

from casebank.consistency import services
from portal import jobs

logger = logging.getLogger(__name__)


def enqueue_groups(keys) -> None:
    """Queue the re-evaluation of these groups (inline without Redis).

    Call after the commit of the checks that changed the groups.
    """
    keys = [k.as_list() if isinstance(k, services.GroupKey) else list(k) for k in keys]
    unique = [list(k) for k in dict.fromkeys(tuple(k) for k in keys)]
    if unique:
        jobs.enqueue(reevaluate_groups, unique)


def reevaluate_groups(keys) -> dict:
    """Job: re-judge every case of these peer groups (new cases arrived)."""
    counts = services.evaluate_groups(keys)
    logger.info("Consistency groups re-evaluated: %s", counts)
    return counts


def recompute_consistency() -> dict:
    """Nightly job: recompute every group of the archive."""
    counts = services.recompute_all()
    logger.info("Consistency recomputed: %s", counts)
    return counts
