"""Measured precision of finding codes from supervisors' labels (pure)."""

from __future__ import annotations

import math


def wilson_interval(
    confirmed: int, labelled: int, z: float = 1.96
) -> tuple[float, float] | None:
    """The Wilson score interval (95 % by default) of a proportion.

    :param confirmed: findings supervisors confirmed.
    :param labelled: findings supervisors labelled (confirmed + dismissed).
    :return: (low, high) in [0, 1], or None when nothing is labelled.
    """
    if labelled <= 0:
        return None
    p = confirmed / labelled
    denominator = 1 + z * z / labelled
    centre = (p + z * z / (2 * labelled)) / denominator
    margin = (
        z * math.sqrt(p * (1 - p) / labelled + z * z / (4 * labelled * labelled))
    ) / denominator
    return max(0.0, centre - margin), min(1.0, centre + margin)


def is_demoted(
    confirmed: int, labelled: int, floor: float | None, min_labels: int
) -> bool:
    """True when a code's findings should be shown as 提示 in a scope: at least
    ``min_labels`` labels and measured precision below ``floor``. A floor of None
    or 0 disables demotion (the switch is reversible: nothing is deleted)."""
    if not floor or labelled < max(1, min_labels):
        return False
    return confirmed / labelled < floor
