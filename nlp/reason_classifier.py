"""Reasons for a fine's place in its tier, recognised by a trained clause classifier.

The stated-circumstance patterns of :mod:`nlp.peers` (``_AGGRAVATING_FACTS`` …)
only fire on wordings close to ones already seen; a reason written in the facts in
new words (故意不加贴标签, 致该校停课, 仅收取少量费用) was missed. This module
learns what a clause states from labelled reason clauses
(``nlp/resources/reason_phrases.json`` and the seed file
``reason_phrases_seed.json``, format ``zhifa.reason-phrases/1``: direction,
reason name, text): TF-IDF over character 1–3-grams and one logistic regression
per direction (``aggravating``, ``mitigating``; ``none`` clauses — boilerplate,
routine cooperation, the violation restated, orders, denials, statute text,
procedure — are negatives of both), as :mod:`nlp.factor_classifier` (whose
fitting, batch probabilities, carried words and nearest phrase are reused).

A clause states a reason when its direction's probability reaches the threshold
chosen by cross-validation (:func:`choose_thresholds`, best F0.5: most clauses of
a decision state no reason, and a false reason hides an outlier). The reason's
*name* is the name of the nearest labelled clause of that direction
(:meth:`ReasonClassifier.name`): two decisions stating the same kind of reason in
different words get the same canonical name, which the shared-reason rule of
:mod:`nlp.peers` compares.

The vetoes stay in :mod:`nlp.peers` (asserted, not ordered, not boilerplate, not
the violation or the tier restated); the classifier only adds recall.

Built locally and deterministically (liblinear, no randomness), fitted once per
process from the bundled clauses, no download.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from nlp.factor_classifier import (
    _CLAUSE,
    ClauseClassifier,
    best_thresholds,
    decide,
    out_of_fold,
    scores,
)

RESOURCES = Path(__file__).parent / "resources"
# The writer's labelled reason clauses, and the seed clauses written with the
# classifier (the classes the stated-circumstance patterns encode, new wordings).
REASON_PHRASES = RESOURCES / "reason_phrases.json"
SEED_PHRASES = RESOURCES / "reason_phrases_seed.json"
# Clauses of the classes the seventh round found missed (written after seeing
# the spent consistency-heldout7, in the writer's own words).
ROUND7_PHRASES = RESOURCES / "reason_phrases_round7.json"
# Clauses of the development consistency decisions: the frame and facts of
# decisions that state no reason (none), and the controls' labelled reasons.
DECISION_PHRASES = RESOURCES / "reason_phrases_decisions.json"
FORMAT = "zhifa.reason-phrases/1"
AGGRAVATING, MITIGATING, NONE = "aggravating", "mitigating", "none"
DIRECTIONS = (AGGRAVATING, MITIGATING)
# Probability a clause must reach to state a reason of a direction; chosen by
# 5-fold cross-validation on the labelled clauses (:func:`choose_thresholds`),
# see docs/case-supervision.md ("Sixth round").
THRESHOLDS = {AGGRAVATING: 0.7, MITIGATING: 0.7}
BETA = 0.5
C = 4.0
# Clauses shorter or longer than this are not read (a heading, a whole paragraph).
MIN_CLAUSE, MAX_CLAUSE = 5, 60
_NUMBER = re.compile(
    r"[\d.．%]+|[零〇一二两三四五六七八九十百千万几数多余]+(?=[次件名人个天日月年倍元万户起辆吨亩条])"
)
# One reason, two names in the labelled clauses: the canonical name is the first.
NAME_ALIASES = {
    "主动消除后果": "消除后果",
    "减轻后果": "消除后果",
    "规模小": "涉案数量小",
    "受他人诱骗": "受他人胁迫",
    "隐匿证据": "阻碍执法",
}


@dataclass(frozen=True)
class Reason:
    """One clause read as stating a reason."""

    direction: str  # "aggravating" | "mitigating"
    name: str  # the nearest labelled clause's reason name (canonical)
    start: int  # span of the clause in the text
    end: int
    clause: str
    example: str  # that nearest labelled clause
    score: float  # the direction's probability


def load_reason_phrases(
    path: Path, exclude: frozenset[str] = frozenset()
) -> list[tuple[str, str, str]]:
    """Read labelled reason clauses: (direction, reason name, text).

    :param exclude: sources (the optional ``source`` of a clause: the set its
        decision comes from) left out, to measure on a set the model did not see.
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise ValueError(f"{path}: format should be {FORMAT}")
    rows = []
    for phrase in data["phrases"]:
        if phrase.get("source") in exclude:
            continue
        direction = phrase["direction"]
        if direction not in (*DIRECTIONS, NONE):
            raise ValueError(f"{path}: unknown direction {direction!r}")
        name = phrase.get("reason", "").strip()
        rows.append((direction, NAME_ALIASES.get(name, name), phrase["text"]))
    return rows


def training_phrases(
    exclude: frozenset[str] = frozenset(),
) -> list[tuple[str, str, str]]:
    """All bundled reason clauses (the four files, repeated texts dropped, in
    order), without those of the ``exclude`` sources."""
    rows: list[tuple[str, str, str]] = []
    for path in (REASON_PHRASES, SEED_PHRASES, ROUND7_PHRASES, DECISION_PHRASES):
        if path.exists():
            rows += load_reason_phrases(path, exclude)
    seen: set[str] = set()
    unique = []
    for row in rows:
        if row[2] not in seen:
            seen.add(row[2])
            unique.append(row)
    return unique


class ReasonClassifier(ClauseClassifier):
    """One logistic regression per direction over character n-grams of clauses
    (the fitting of :class:`nlp.factor_classifier.ClauseClassifier` with the
    directions as labels; its batch probabilities, carried words and nearest
    labelled clause are inherited).

    :param phrases: (direction, reason name, text) triples.
    """

    CLASSES = DIRECTIONS
    C = C
    REQUIRE_EVERY_CLASS = True

    def __init__(self, phrases: list[tuple[str, str, str]]):
        self.names = [name for _, name, _ in phrases]
        super().__init__([(direction, text) for direction, _, text in phrases])

    def name(self, words: str, direction: str) -> tuple[str, str]:
        """The canonical reason name of ``words`` read in ``direction``: the name
        of the nearest labelled clause of that direction (cosine over the same
        n-grams), with that clause.

        :return: (name, nearest labelled clause).
        """
        rows = self._rows_of[direction]
        # numbers carry no kind of reason (投诉三次 is no 再次违法)
        query = _NUMBER.sub(" ", words)
        sims = (self._example_rows[rows] @ self._transform([query]).T).toarray()
        best = int(rows[int(np.argmax(sims.ravel()))])
        return self.names[best] or self.examples[best], self.examples[best]

    def directions(self, clauses: list[str], thresholds=None) -> list[str]:
        """Per clause, the direction it states (``none`` below both thresholds;
        the larger margin above its threshold wins)."""
        thresholds = thresholds or THRESHOLDS
        if not clauses:
            return []
        probabilities = self.probabilities(clauses)
        limits = np.array([thresholds[d] for d in self._order])
        out = []
        for row in probabilities:
            margins = row - limits
            best = int(np.argmax(margins))
            out.append(self._order[best] if margins[best] >= 0 else NONE)
        return out

    def find(self, text: str, thresholds=None) -> list[Reason]:
        """Clauses of ``text`` read as stating a reason (no veto applied: the
        caller, :func:`nlp.peers.stated_reasons`, applies them).

        :return: reasons in text order, one per clause.
        """
        thresholds = thresholds or THRESHOLDS
        units = _units(text or "")
        if not units:
            return []
        probabilities = self.probabilities([u for _, u in units])
        limits = np.array([thresholds[d] for d in self._order])
        candidates = []
        for row, (start, unit) in enumerate(units):
            margins = probabilities[row] - limits
            best = int(np.argmax(margins))
            if margins[best] >= 0:
                candidates.append((float(probabilities[row][best]), start, unit, best))
        found: list[Reason] = []
        for score, start, unit, best in sorted(candidates, key=lambda c: -c[0]):
            end = start + len(unit)
            if any(r.start < end and start < r.end for r in found):
                continue
            direction = self._order[best]
            name, example = self.name(unit, direction)
            found.append(
                Reason(direction, name, start, end, unit, example, round(score, 3))
            )
        return sorted(found, key=lambda r: r.start)


# Clause separators inside a sentence (a reason is often two clauses:
# 责令停止施工后，当事人仍继续施工) and between sentences.
_COMMA = "，,、"
# A clause that only sets the time of the next (执法人员检查次日，…; 责令停止施工
# 后，…) states nothing alone: it is read with the next clause only.
_WHEN = re.compile(r"(?:后|时|之时|期间|以来|之前|以前|次日|当日|当天|第二天|之际)$")
# A lead-in (经查，…) adds nothing to the clause it introduces: not read with it.
_LEAD_IN = re.compile(
    r"(?:经|现|另)?(?:查|调查|核查|核实|查明|检查|查实)(?:发现|查明|确认)?|"
    r"[一二三四五六七八九十]、\s*违法事实|违法事实"
)
_SENTENCE = re.compile(r"[^。；;！!？?\n]+")


def _units(text: str) -> list[tuple[int, str]]:
    """(start, text) of each clause of ``text`` and of each two adjacent clauses
    of one sentence (joined as written), of readable length."""
    units = []
    for sentence in _SENTENCE.finditer(text):
        clauses = []
        for match in _CLAUSE.finditer(sentence.group(0)):
            body = match.group(0)
            stripped = body.strip()
            if stripped:
                at = sentence.start() + match.start() + body.index(stripped)
                clauses.append((at, stripped))
        for k, (at, clause) in enumerate(clauses):
            if MIN_CLAUSE <= len(clause) <= MAX_CLAUSE and not _WHEN.search(clause):
                units.append((at, clause))
            if k + 1 < len(clauses):
                nxt_at, nxt = clauses[k + 1]
                joined = text[at : nxt_at + len(nxt)]
                if (
                    len(joined) <= MAX_CLAUSE
                    and text[at + len(clause)] in _COMMA
                    and not _LEAD_IN.fullmatch(clause)
                ):
                    units.append((at, joined))
    return units


@lru_cache(maxsize=1)
def default_classifier() -> ReasonClassifier:
    """The classifier of the bundled reason clauses (fitted once per process)."""
    return ReasonClassifier(training_phrases())


def canonical_name(words: str, direction: str) -> str:
    """The canonical name of a reason stated in ``words`` (see
    :meth:`ReasonClassifier.name`), for reasons found by pattern or placement."""
    return default_classifier().name(words, direction)[0]


def cross_validate(
    phrases: list[tuple[str, str, str]], folds: int = 5
) -> dict[str, np.ndarray]:
    """Out-of-fold probabilities of every clause (deterministic folds, see
    :func:`nlp.factor_classifier.out_of_fold`).

    :return: ``{direction: probabilities}`` aligned with ``phrases``.
    """
    return out_of_fold(
        phrases,
        label=lambda p: p[0],
        text=lambda p: p[2],
        model=ReasonClassifier,
        classes=DIRECTIONS,
        folds=folds,
    )


def cv_scores(
    phrases: list[tuple[str, str, str]], thresholds=None, folds: int = 5
) -> dict[str, dict[str, float]]:
    """Cross-validated precision and recall per direction at ``thresholds`` (a
    clause is read as the direction of larger margin, as :meth:`find` does)."""
    thresholds = thresholds or THRESHOLDS
    probabilities = cross_validate(phrases, folds)
    predicted = decide(probabilities, thresholds, len(phrases), DIRECTIONS)
    return scores([p[0] for p in phrases], predicted, DIRECTIONS)


def choose_thresholds(
    phrases: list[tuple[str, str, str]], beta: float = BETA, folds: int = 5
) -> dict[str, float]:
    """Per direction, the threshold (grid 0.30–0.95) of best cross-validated
    F-beta (beta < 1 weighs precision higher)."""
    probabilities = cross_validate(phrases, folds)
    return best_thresholds([p[0] for p in phrases], probabilities, DIRECTIONS, beta)
