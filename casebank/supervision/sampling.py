"""Random sampling of unflagged cases: periods and the reproducible draw (pure).

The draw is *bottom-k by hash*: every candidate id gets the key
``SHA-256("<seed>:<id>")`` and the ``k`` ids with the smallest keys are drawn, where
``k = ceil(rate × candidates)`` (at least one case when there is any candidate).
The same seed and the same candidate ids always give the same sample, whatever
their order, on any Python version or machine (unlike ``random.Random.sample``,
whose algorithm is an implementation detail); anyone can re-check a logged draw
with a few lines of code. Adding a candidate later moves at most one case in or
out of the sample.
"""

import calendar
import hashlib
import math
import re
import secrets
from dataclasses import dataclass
from datetime import date

MAX_SEED = 2**63 - 1  # fits a signed BIGINT on PostgreSQL and SQLite

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)


class PeriodError(ValueError):
    """The period is not ``YYYY-MM`` or ``YYYY-Qn``."""


@dataclass(frozen=True)
class Period:
    """A calendar month (``2026-03``) or quarter (``2026-Q1``) of decision dates."""

    key: str
    start: date
    end: date

    @property
    def label(self):
        year, rest = self.key.split("-")
        if rest.startswith("Q"):
            return f"{year}年第{rest[1]}季度"
        return f"{year}年{int(rest)}月"


def parse_period(text: str) -> Period:
    """Parse a period key.

    :param text: ``YYYY-MM`` (a month) or ``YYYY-Qn`` (a quarter, n = 1–4).
    :return: the :class:`Period` with its first and last day.
    :raises PeriodError: any other text (the message is Chinese).
    """
    raw = (text or "").strip()
    if match := _MONTH.match(raw):
        year, month = int(match[1]), int(match[2])
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            last = calendar.monthrange(year, month)[1]
            return Period(raw, date(year, month, 1), date(year, month, last))
    elif match := _QUARTER.match(raw):
        year, quarter = int(match[1]), int(match[2])
        if 2000 <= year <= 2100:
            first = 3 * quarter - 2
            last = calendar.monthrange(year, first + 2)[1]
            return Period(
                f"{year}-Q{quarter}", date(year, first, 1), date(year, first + 2, last)
            )
    raise PeriodError(f"期间“{raw}”格式不正确，应为 YYYY-MM（月）或 YYYY-Qn（季度）")


def new_seed() -> int:
    """A fresh random seed in ``[0, MAX_SEED]`` (from the OS's CSPRNG)."""
    return secrets.randbelow(MAX_SEED + 1)


def sample_size(candidates: int, rate: float) -> int:
    """How many cases a draw takes: ``ceil(rate × candidates)``, 0 when none."""
    if candidates <= 0:
        return 0
    return min(candidates, max(1, math.ceil(round(rate * candidates, 9))))


def _key(seed: int, case_id: int) -> bytes:
    return hashlib.sha256(f"{seed}:{case_id}".encode()).digest()


def draw(candidate_ids, rate: float, seed: int) -> list[int]:
    """Draw the sample (bottom-k by SHA-256 of ``"seed:id"``).

    :param candidate_ids: the ids of the candidate cases (any order, no duplicates).
    :param rate: the share to draw, ``0 < rate <= 1``.
    :param seed: an integer in ``[0, MAX_SEED]``.
    :return: the drawn ids, ascending.
    """
    ids = sorted(set(candidate_ids))
    k = sample_size(len(ids), rate)
    return sorted(sorted(ids, key=lambda i: _key(seed, i))[:k])


def candidate_digest(candidate_ids) -> str:
    """SHA-256 (hex) of the ascending candidate ids joined by commas."""
    joined = ",".join(str(i) for i in sorted(set(candidate_ids)))
    return hashlib.sha256(joined.encode()).hexdigest()
