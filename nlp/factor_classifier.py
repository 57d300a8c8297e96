"""Circumstance factors recognised by a trained clause classifier.

Keyword patterns (:mod:`nlp.factors`) only fire on wordings close to ones
already seen (as did the nearest-labelled-phrase model this replaced, see
docs/nlp.md, "Fourth round"). This module learns what a clause states from the labelled phrases
(``nlp/resources/factor_phrases.json``): TF-IDF over character 1–3-grams, one
logistic regression per factor (one-vs-rest: ``corrected``, ``no_harm``,
``first_offence``, ``minor``; ``none`` phrases are negatives of every factor).

A clause is read as stating a factor when the factor's probability reaches the
threshold chosen by cross-validation on the phrases (:func:`cross_validate`). The
words that carried it are the character n-grams of the clause with the largest
positive weight in the factor's model; their span is reported, with the labelled
phrase of that factor the clause is closest to, so a reviewer sees why.

The guards of the keyword frames (negation, order, promise, claim, statute
condition, another agent) stay hard vetoes in :func:`nlp.factors.find_factors_by_meaning`;
the classifier only adds recall.

Built locally and deterministically: fitted once per process from the bundled
phrases (liblinear, no randomness), no download.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

PHRASES = Path(__file__).parent / "resources" / "factor_phrases.json"
# The label of a phrase that states no factor (a negative of every factor).
NONE = "none"
# More labelled clauses for the classifier (with hard negatives: corrections
# ordered, promised, claimed or negated, statute conditions, procedure).
EXTRA_PHRASES = PHRASES.with_name("factor_phrases_extra.json")
# Hard negatives: states and events that read like a factor (已全部建成, 已收讫).
NEGATIVE_PHRASES = PHRASES.with_name("factor_phrases_negatives.json")
# Sixth round: ~930 more clauses in more registers and domains (harmlessness told
# as the absence of a specific effect; hard negatives), written for the project.
MORE_PHRASES = PHRASES.with_name("factor_phrases_more.json")

FACTORS = ("corrected", "no_harm", "first_offence", "minor")
# Probability a clause must reach to state a factor; chosen per factor by 5-fold
# cross-validation on the labelled phrases (the threshold of best CV F0.5,
# :func:`choose_thresholds`), see docs/nlp.md ("Sixth round").
THRESHOLDS = {
    "corrected": 0.75,
    "no_harm": 0.85,
    "first_offence": 0.85,
    "minor": 0.8,
}
BETA = 0.5
# The lower thresholds of best CV F1 (``choose_thresholds(phrases, SUPPORT_BETA)``):
# used for a factor only where the decision already states the other
# circumstances of an exemption and nothing aggravating (see
# :func:`nlp.factors.find_factors_by_meaning`): a clause among them is more
# likely to state the rest, so it needs less evidence.
SUPPORT_THRESHOLDS = {
    "corrected": 0.55,
    "no_harm": 0.65,
    "first_offence": 0.6,
    "minor": 0.5,
}
SUPPORT_BETA = 1.0
# Regularisation of each logistic regression (inverse strength). Chosen on
# clauses of a writer the model had not seen (trained on the earlier phrase
# files with thresholds by their CV, scored on factor_phrases_more.json): 10
# found more than 4 at the same precision (docs/nlp.md, "Sixth round").
C = 10.0
_CLAUSE = re.compile(r"[^，,。；;！!？?\n：:（）()“”]+")
# The carried words: n-grams that together hold this share of the clause's
# positive evidence for the factor.
CARRIED_SHARE = 0.8
# ... and span at least this many characters when the clause has more positive
# evidence (没有 alone does not say what was absent: 没有污水 does).
CARRIED_MIN_SPAN = 4


@dataclass(frozen=True)
class ClauseMatch:
    """One clause read as stating a factor."""

    name: str
    start: int  # span of the words that carried it
    end: int
    clause: str
    example: str  # the labelled phrase of that factor it is closest to
    score: float  # the factor's probability


class ClauseClassifier:
    """One-vs-rest logistic regression over character n-grams of clauses.

    :param phrases: (label, text) pairs; ``none`` marks phrases stating none of
        the ``CLASSES`` (a subclass sets its own ``CLASSES``, ``C`` and
        ``REQUIRE_EVERY_CLASS``).
    """

    CLASSES: tuple[str, ...] = FACTORS
    C = C
    # Whether a class without examples (or with nothing else) is an error
    # rather than left out.
    REQUIRE_EVERY_CLASS = False

    def __init__(self, phrases: list[tuple[str, str]]):
        self.labels = [label for label, _ in phrases]
        self.examples = [text for _, text in phrases]
        self._vec = TfidfVectorizer(
            analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1
        )
        matrix = self._vec.fit_transform(self.examples)
        self._example_rows = matrix
        self._terms = self._vec.get_feature_names_out()
        self._coef: dict[str, np.ndarray] = {}
        self._intercept: dict[str, float] = {}
        for name in self.CLASSES:
            target = np.array([label == name for label in self.labels], dtype=int)
            if target.sum() == 0 or target.sum() == len(target):
                if self.REQUIRE_EVERY_CLASS:
                    raise ValueError(f"clauses need both {name} and others")
                continue
            model = LogisticRegression(
                C=self.C, solver="liblinear", class_weight="balanced", max_iter=1000
            )
            model.fit(matrix, target)
            self._coef[name] = model.coef_[0]
            self._intercept[name] = float(model.intercept_[0])
        self._weights = np.vstack([self._coef[f] for f in self._coef]).T
        self._bias = np.array([self._intercept[f] for f in self._coef])
        self._order = list(self._coef)
        self._rows_of = {
            name: np.array([i for i, lab in enumerate(self.labels) if lab == name])
            for name in self._coef
        }

    def _transform(self, texts: list[str]) -> csr_matrix:
        """TF-IDF rows (sublinear tf, L2-normalised) of character 1–3-grams: the
        fitted vectoriser's vectors, built without its per-call overhead."""
        return tfidf_rows(self._vec, texts)

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """Per text and factor (columns in ``self._order``) the probability.

        The same numbers as ``self._transform(texts) @ weights`` (a test checks
        it), computed for the whole batch in a few array operations: a decision
        has ~50 clauses and per-clause sparse rows cost more than the arithmetic.
        """
        if not texts:
            return np.zeros((0, len(self._order)))
        lookup = self._vec.vocabulary_.get
        rows, cols = [], []
        for row, text in enumerate(texts):
            text = " ".join(text.lower().split())
            found = [
                c
                for c in map(
                    lookup,
                    [
                        text[i : i + n]
                        for n in (1, 2, 3)
                        for i in range(len(text) - n + 1)
                    ],
                )
                if c is not None
            ]
            cols.extend(found)
            rows.extend([row] * len(found))
        if not cols:
            return 1.0 / (1.0 + np.exp(-np.tile(self._bias, (len(texts), 1))))
        size = len(self._vec.idf_)
        keys, counts = np.unique(
            np.asarray(rows, dtype=np.int64) * size + np.asarray(cols),
            return_counts=True,
        )
        key_rows, key_cols = keys // size, keys % size
        weights = (1.0 + np.log(counts)) * self._vec.idf_[key_cols]
        norms = np.sqrt(np.bincount(key_rows, weights * weights, minlength=len(texts)))
        norms[norms == 0] = 1.0
        weights = weights / norms[key_rows]
        scores = np.zeros((len(texts), len(self._order)))
        np.add.at(scores, key_rows, weights[:, None] * self._weights[key_cols])
        return 1.0 / (1.0 + np.exp(-(scores + self._bias)))

    def carried(self, clause: str, factor: str) -> tuple[int, int]:
        """Span of the n-grams of ``clause`` that carried ``factor`` (the largest
        positive contributions, together ``CARRIED_SHARE`` of the positive
        evidence and spanning at least ``CARRIED_MIN_SPAN`` characters when
        more positive n-grams are there)."""
        row = self._transform([clause])
        coef = self._coef[factor]
        contributions = sorted(
            (
                (row.data[k] * coef[row.indices[k]], self._terms[row.indices[k]])
                for k in range(row.nnz)
                if coef[row.indices[k]] > 0 and len(self._terms[row.indices[k]]) > 1
            ),
            reverse=True,
        )
        total = sum(c for c, _ in contributions)
        if not total:
            return 0, 0
        lo, hi, acc = len(clause), 0, 0.0
        lowered = clause.lower()
        for contribution, term in contributions:
            at = lowered.find(term)
            if at < 0:
                continue
            lo, hi = min(lo, at), max(hi, at + len(term))
            acc += contribution
            if acc >= CARRIED_SHARE * total and hi - lo >= CARRIED_MIN_SPAN:
                break
        return (lo, hi) if hi > lo else (0, 0)

    def nearest(self, clause: str, factor: str) -> str:
        """The labelled phrase of ``factor`` closest to ``clause`` (cosine)."""
        rows = self._rows_of[factor]
        # The example rows of each factor, sliced once (slicing a sparse matrix
        # per reading cost more than the product).
        sliced = self.__dict__.setdefault("_examples_of", {})
        if factor not in sliced:
            sliced[factor] = self._example_rows[rows]
        sims = (sliced[factor] @ self._transform([clause]).T).toarray()
        return self.examples[int(rows[int(np.argmax(sims.ravel()))])]

    def find(
        self,
        text: str,
        taken: list[tuple[int, int]] = (),
        thresholds=None,
        wanted=None,
    ) -> list[ClauseMatch]:
        """Clauses of ``text`` the classifier reads as stating a factor.

        :param text: the facts (quoted statute text blanked).
        :param taken: spans already claimed by other factors (skipped).
        :param thresholds: per-factor probability thresholds (default
            :data:`THRESHOLDS`).
        :param wanted: the factors to report (default all); a clause read as
            another factor is still that factor's, it is only not reported.
        :return: matches in text order, at most one factor per clause.
        """
        thresholds = thresholds or THRESHOLDS
        clauses = []
        for match in _CLAUSE.finditer(text):
            start, end = match.span()
            body = match.group(0)
            stripped = body.strip()
            if not 4 <= len(stripped) <= 60:
                continue
            if any(s < end and start < e for s, e in taken):
                continue
            clauses.append((start + body.index(stripped), stripped))
        if not clauses:
            return []
        probabilities = self.probabilities([c for _, c in clauses])
        limits = np.array([thresholds[f] for f in self._order])
        found = []
        for row, (start, clause) in enumerate(clauses):
            margins = probabilities[row] - limits
            best = int(np.argmax(margins))
            if margins[best] < 0:
                continue
            factor = self._order[best]
            if wanted is not None and factor not in wanted:
                continue
            lo, hi = self.carried(clause, factor)
            if hi <= lo:
                continue
            found.append(
                ClauseMatch(
                    factor,
                    start + lo,
                    start + hi,
                    clause,
                    self.nearest(clause, factor),
                    round(float(probabilities[row][best]), 3),
                )
            )
        return found


def load_phrases(path: Path = PHRASES) -> list[tuple[str, str]]:
    """Read labelled phrases (format ``zhifa.factor-phrases/1``)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != "zhifa.factor-phrases/1":
        raise ValueError(f"{path}: format should be zhifa.factor-phrases/1")
    return [(p["factor"], p["text"]) for p in data["phrases"]]


def tfidf_rows(vectoriser, texts: list[str]) -> csr_matrix:
    """TF-IDF rows (sublinear tf, L2-normalised) of character 1–3-grams: the same
    vectors as the fitted ``vectoriser``'s ``transform`` (a test checks it) without
    its per-call validation, which costs more than the arithmetic on the ~40 short
    clauses of a decision."""
    vocabulary, idf = vectoriser.vocabulary_, vectoriser.idf_
    data, indices, indptr = [], [], [0]
    for text in texts:
        counts: dict[int, int] = {}
        text = " ".join(text.lower().split())
        for n in (1, 2, 3):
            for i in range(len(text) - n + 1):
                column = vocabulary.get(text[i : i + n])
                if column is not None:
                    counts[column] = counts.get(column, 0) + 1
        weights = {c: (1.0 + math.log(k)) * idf[c] for c, k in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        for column, weight in weights.items():
            indices.append(column)
            data.append(weight / norm)
        indptr.append(len(indices))
    return csr_matrix((data, indices, indptr), shape=(len(texts), len(vocabulary)))


def training_phrases() -> list[tuple[str, str]]:
    """All bundled labelled phrases (every file, duplicates dropped, in order)."""
    phrases = load_phrases(PHRASES)
    for path in (EXTRA_PHRASES, NEGATIVE_PHRASES, MORE_PHRASES):
        if path.exists():
            phrases += load_phrases(path)
    return list(dict.fromkeys(phrases))


@lru_cache(maxsize=1)
def default_classifier() -> ClauseClassifier:
    """The classifier of the bundled labelled phrases (fitted once per process)."""
    return ClauseClassifier(training_phrases())


def out_of_fold(phrases, *, label, text, model, classes, folds: int = 5):
    """Out-of-fold probabilities of every labelled clause (deterministic folds:
    clause ``i`` of a label is in fold ``i % folds``, so each fold holds every
    label in proportion). Shared by the factor and the reason classifiers.

    :param label: the clause's label (``phrase -> str``); ``text``: its text.
    :param model: builds a classifier from training phrases; it has
        ``probabilities(texts)`` with one column per entry of ``_order``.
    :return: ``{class: probabilities}`` aligned with ``phrases``.
    """
    fold_of = []
    seen: dict[str, int] = {}
    for phrase in phrases:
        key = label(phrase)
        fold_of.append(seen.get(key, 0) % folds)
        seen[key] = seen.get(key, 0) + 1
    out = {c: np.zeros(len(phrases)) for c in classes}
    for fold in range(folds):
        train = [p for p, k in zip(phrases, fold_of, strict=True) if k != fold]
        test = [i for i, k in enumerate(fold_of) if k == fold]
        fitted = model(train)
        probabilities = fitted.probabilities([text(phrases[i]) for i in test])
        for column, name in enumerate(fitted._order):
            for row, i in enumerate(test):
                out[name][i] = probabilities[row, column]
    return out


def decide(probabilities, thresholds, n: int, classes) -> list[str]:
    """Each clause's reading: the class of largest margin above its threshold,
    or :data:`NONE` (as :meth:`ClauseClassifier.find` reads)."""
    predicted = []
    for i in range(n):
        margins = {c: probabilities[c][i] - thresholds[c] for c in classes}
        best = max(classes, key=lambda c: margins[c])
        predicted.append(best if margins[best] >= 0 else NONE)
    return predicted


def scores(labels: list[str], predicted: list[str], classes) -> dict:
    """Precision, recall and counts per class of ``predicted`` against ``labels``."""
    out = {}
    pairs = list(zip(labels, predicted, strict=True))
    for name in classes:
        tp = sum(1 for lab, q in pairs if q == name and lab == name)
        fp = sum(1 for lab, q in pairs if q == name and lab != name)
        fn = sum(1 for lab, q in pairs if q != name and lab == name)
        out[name] = {
            "precision": tp / (tp + fp) if tp + fp else 1.0,
            "recall": tp / (tp + fn) if tp + fn else 1.0,
            "tp": tp,
            "fp": fp,
            "fn": fn,
        }
    return out


def best_thresholds(labels: list[str], probabilities, classes, beta: float) -> dict:
    """Per class, the threshold (grid 0.30–0.95) of best F-beta of the
    out-of-fold ``probabilities`` (beta < 1 weighs precision higher)."""
    grid = [round(0.3 + 0.05 * k, 2) for k in range(14)]
    b2 = beta * beta
    chosen = {}
    for name in classes:
        best, best_score = grid[-1], -1.0
        for threshold in grid:
            hits = probabilities[name] >= threshold
            pairs = list(zip(hits, labels, strict=True))
            tp = sum(1 for h, lab in pairs if h and lab == name)
            fp = sum(1 for h, lab in pairs if h and lab != name)
            fn = sum(1 for h, lab in pairs if not h and lab == name)
            score = (1 + b2) * tp / ((1 + b2) * tp + b2 * fn + fp) if tp else 0.0
            if score > best_score:
                best, best_score = threshold, score
        chosen[name] = best
    return chosen


def cross_validate(
    phrases: list[tuple[str, str]], folds: int = 5
) -> dict[str, np.ndarray]:
    """Out-of-fold probabilities of every phrase (:func:`out_of_fold`).

    :return: ``{factor: probabilities}`` aligned with ``phrases``.
    """
    return out_of_fold(
        phrases,
        label=lambda p: p[0],
        text=lambda p: p[1],
        model=ClauseClassifier,
        classes=FACTORS,
        folds=folds,
    )


def cv_scores(
    phrases: list[tuple[str, str]],
    thresholds: dict[str, float],
    folds: int = 5,
    probabilities: dict[str, np.ndarray] | None = None,
) -> dict[str, dict[str, float]]:
    """Cross-validated precision and recall per factor at ``thresholds`` (a phrase
    is read as the factor of highest margin above its threshold, as in
    :meth:`ClauseClassifier.find`). ``probabilities``: the result of
    :func:`cross_validate` for the same phrases and folds, when already at hand."""
    if probabilities is None:
        probabilities = cross_validate(phrases, folds)
    predicted = decide(probabilities, thresholds, len(phrases), FACTORS)
    return scores([label for label, _ in phrases], predicted, FACTORS)


def choose_thresholds(
    phrases: list[tuple[str, str]],
    beta: float = BETA,
    folds: int = 5,
    probabilities: dict[str, np.ndarray] | None = None,
) -> dict[str, float]:
    """Per factor, the threshold (grid 0.30–0.95) of best cross-validated
    F-beta (beta < 1 weighs precision higher: most clauses of a decision state no
    factor, so a false reading costs more than a miss the keywords may catch).
    ``probabilities``: the result of :func:`cross_validate` for the same phrases
    and folds, when already at hand."""
    if probabilities is None:
        probabilities = cross_validate(phrases, folds)
    return best_thresholds(
        [label for label, _ in phrases], probabilities, FACTORS, beta
    )
