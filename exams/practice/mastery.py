"""Mastery per knowledge point: pure computation over a user's answer log.

No Flask, no database: the query helper loads the outcomes and the tree, this
module counts. Each answer counts for its knowledge point and every ancestor
(roll-up), and the correct rate is taken over the ``window`` most recent answers
of the node's subtree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

WINDOW = 20  # K: the correct rate looks at the last K answers of a node
MIN_ANSWERS = 5  # fewer answers than this: 数据不足
PROFICIENT = 0.85
FAIR = 0.60

LEVEL_LABELS = {
    "proficient": "熟练",
    "fair": "一般",
    "weak": "薄弱",
    "insufficient": "数据不足",
}


@dataclass(frozen=True)
class Outcome:
    """One graded answer: its knowledge point (or ``None``), correctness, time."""

    knowledge_point_id: int | None
    correct: bool
    answered_at: datetime
    order: int = 0  # tie-breaker for equal times (the record id)


@dataclass(frozen=True)
class Point:
    id: int
    name: str
    path: str
    parent_id: int | None

    @property
    def depth(self):
        return self.path.count("/")


@dataclass(frozen=True)
class MasteryRow:
    point: Point | None  # None: answers to questions without a knowledge point
    answered: int  # every answer in the subtree
    recent: int  # answers in the window (≤ WINDOW)
    recent_correct: int
    level: str

    @property
    def rate(self) -> float | None:
        """Correct rate over the window, 0…1, or ``None`` without answers."""
        return self.recent_correct / self.recent if self.recent else None

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]


def mastery_level(answered: int, rate: float | None, min_answers=MIN_ANSWERS) -> str:
    """Classify a node: 数据不足 below ``min_answers`` answers, else by correct rate
    (≥ 85 % 熟练, ≥ 60 % 一般, otherwise 薄弱).

    :param answered: the number of answers in the node's subtree.
    :param rate: the correct rate over the window (0…1).
    :return: one of ``LEVEL_LABELS``' keys.
    """
    if answered < min_answers or rate is None:
        return "insufficient"
    if rate >= PROFICIENT:
        return "proficient"
    if rate >= FAIR:
        return "fair"
    return "weak"


def compute_mastery(outcomes, points, window=WINDOW, min_answers=MIN_ANSWERS):
    """Mastery rows for every knowledge point, in tree (path) order.

    :param outcomes: iterable of :class:`Outcome`, in any order.
    :param points: {id: :class:`Point`} — the whole knowledge-point tree.
    :param window: K, how many recent answers the rate looks at.
    :param min_answers: below this many answers a node is 数据不足.
    :return: a list of :class:`MasteryRow`; a trailing row with ``point=None``
        when some answers have no knowledge point.
    """
    newest_first = sorted(
        outcomes, key=lambda o: (o.answered_at, o.order), reverse=True
    )
    answers: dict[int | None, list[bool]] = {}
    for outcome in newest_first:
        node_id = outcome.knowledge_point_id
        if node_id is None or node_id not in points:
            answers.setdefault(None, []).append(outcome.correct)
            continue
        seen = set()
        while node_id is not None and node_id in points and node_id not in seen:
            seen.add(node_id)  # a corrupt cycle must not loop forever
            answers.setdefault(node_id, []).append(outcome.correct)
            node_id = points[node_id].parent_id
    rows = [
        _row(point, answers.get(point.id, []), window, min_answers)
        for point in sorted(points.values(), key=lambda p: p.path)
    ]
    if None in answers:
        rows.append(_row(None, answers[None], window, min_answers))
    return rows


def _row(point, results, window, min_answers):
    recent = results[:window]
    correct = sum(recent)
    rate = correct / len(recent) if recent else None
    return MasteryRow(
        point=point,
        answered=len(results),
        recent=len(recent),
        recent_correct=correct,
        level=mastery_level(len(results), rate, min_answers),
    )
