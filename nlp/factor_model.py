"""Circumstance factors recognised by meaning, not only by stock phrases.

Since the fifth round the checker reads factors with the trained classifier of
:mod:`nlp.factor_classifier`; this module keeps the labelled-phrase format, the
clause checks both share (:func:`vetoed`) and the nearest-phrase model with its
leave-one-out score (the baseline the classifier is compared with).

Decisions describe correction and harmlessness in their own words (已自行拆除,
次日即恢复原状, 没有群众投诉, 未造成实际损失 …). Besides the keyword patterns of
:mod:`nlp.factors`, each clause of the facts is compared with labelled factor
phrases (``nlp/resources/factor_phrases.json``) by cosine similarity over TF-IDF
character 1–3-grams; a clause whose nearest labelled phrase states a factor, close
enough and clearly closer than the nearest phrase that states none, yields that
factor. The span reported is the words the clause shares with that phrase (the
words that carried the factor), so a reviewer sees why.

Pure and fast: one vectoriser fitted once per process on ~150 phrases; a decision
costs one sparse transform of its clauses.
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
from sklearn.preprocessing import normalize

PHRASES = Path(__file__).parent / "resources" / "factor_phrases.json"
NONE = "none"
# Learned by leave-one-out over the labelled phrases (:func:`leave_one_out`: each
# phrase read by a model of all the others; the setting of best F1, precision
# 0.906 / recall 0.156 against 0.857 / 0.065 for the model before, threshold 0.5
# and coverage 0.6), then checked on the development and consistency sets; see
# docs/nlp.md ("Fourth round").
THRESHOLD = 0.4
MARGIN = 0.08
# Share of the labelled phrase's bigrams the clause must contain: similarity alone
# lets two common words (查询, 信息) carry a clause.
COVERAGE = 0.3
# The words that carried a factor span at least this many characters: two or three
# shared characters (尚未, 被发现, 当事人已) are function words, not a statement.
MIN_CARRIED = 4
# Share of a bigram's phrases that must state one factor for it to indicate that
# factor (see FactorModel._indicative).
INDICATIVE_SHARE = 0.7
# What the party claims (辩称…, 申辩称…) is not a finding of fact.
_CLAIM = re.compile(r"称|申辩|辩解|认为|提出|请求|要求")
_CLAUSE = re.compile(r"[^，,。；;！!？?\n：:（）()“”]+")
# Negated corrections and first offences (未及时清理, 拒不拆除, 并非初次) state the
# opposite; harmlessness is itself written with a negation (未造成…), so it is exempt.
_NEGATED = re.compile(r"(?:未|没有|拒不|不|并非|尚未|仍未)$")
# "危害后果不属于轻微": the words are there, the statement is the opposite.
_DENIED = re.compile(r"不属于?|并非|不是|(?:不能|难以|无法)认定|较长|较大|较重")
_NEGATION = re.compile(r"[未无没不非]|尚未")
_NEGATABLE = {"corrected", "first_offence", "minor"}


@dataclass(frozen=True)
class MeaningMatch:
    """One clause recognised as stating a factor."""

    name: str
    start: int  # span of the words that carried it
    end: int
    clause: str
    example: str  # the labelled phrase it was closest to
    score: float


class FactorModel:
    """Nearest labelled phrase over character n-grams.

    :param phrases: (factor, text) pairs; factor ``none`` marks phrases that state
        no factor (negated or unrelated facts).
    """

    def __init__(self, phrases: list[tuple[str, str]]):
        self.labels = [label for label, _ in phrases]
        self.examples = [text for _, text in phrases]
        self._vec = TfidfVectorizer(
            analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1
        )
        self._matrix = normalize(self._vec.fit_transform(self.examples)).T.tocsc()
        self._classes = sorted(set(self.labels))
        self._key_grams = {
            gram
            for label, text in zip(self.labels, self.examples, strict=True)
            if label != NONE
            for gram in self._key_bigrams(text)
        }
        # Bigrams that indicate a factor (停止, 整改, 未造成 …): in at least two of
        # its phrases and mostly in its phrases. The words that carry a match must
        # hold one, or the clause shares only the topic (露天烧烤) with a phrase.
        phrase_grams = [
            {text[i : i + 2] for i in range(len(text) - 1)} for text in self.examples
        ]
        totals: dict[str, int] = {}
        per_class: dict[tuple[str, str], int] = {}
        for label, grams in zip(self.labels, phrase_grams, strict=True):
            for gram in grams:
                totals[gram] = totals.get(gram, 0) + 1
                per_class[label, gram] = per_class.get((label, gram), 0) + 1
        self._indicative = {
            label: frozenset(
                gram
                for (c, gram), n in per_class.items()
                if c == label and n >= 2 and n / totals[gram] >= INDICATIVE_SHARE
            )
            for label in set(self.labels)
        }
        self._index_arrays = {
            c: np.array([i for i, label in enumerate(self.labels) if label == c])
            for c in self._classes
        }

    def _transform(self, texts: list[str]) -> csr_matrix:
        """TF-IDF (sublinear tf, L2-normalised) of character 1–3-grams, built
        directly: the same vectors as the fitted vectoriser's ``transform`` (a
        test checks it) without its per-call validation, which cost more than the
        arithmetic on ~40 short clauses per decision."""
        return tfidf_rows(self._vec, texts)

    def _coverage(self, clause: str, example: str) -> float:
        """IDF-weighted share of ``example``'s character bigrams found in
        ``clause``: the rare words (轻微, 拆除) must be there, not only 违法行为."""
        vocabulary, idf = self._vec.vocabulary_, self._vec.idf_
        grams = {example[i : i + 2] for i in range(len(example) - 1)}
        weights = {g: idf[vocabulary[g]] if g in vocabulary else 1.0 for g in grams}
        total = sum(weights.values())
        if not total:
            return 0.0
        return sum(w for g, w in weights.items() if g in clause) / total

    def _key_bigrams(self, example: str) -> list[str]:
        """The two rarest (highest-IDF) bigrams of a labelled phrase."""
        vocabulary, idf = self._vec.vocabulary_, self._vec.idf_
        grams = {example[i : i + 2] for i in range(len(example) - 1)}
        known = sorted(
            (g for g in grams if g in vocabulary),
            key=lambda g: (-idf[vocabulary[g]], g),
        )
        return known[:2]

    def _keeps_key(self, clause: str, example: str, hi: int) -> bool:
        """The clause keeps what makes the phrase state its factor: its rarest
        bigram (轻微 in 违法行为轻微) and, for a phrase written with a negation
        (未造成…, 没有…投诉), a negation of its own up to the carried words."""
        keys = self._key_bigrams(example)
        if keys and not any(key in clause for key in keys):
            return False
        if _NEGATION.search(example) and not _NEGATION.search(clause[:hi]):
            return False
        return True

    @classmethod
    def default(cls) -> FactorModel:
        """The model of the bundled labelled phrases (built once per process)."""
        return _default_model()

    def find(self, text: str, taken: list[tuple[int, int]] = ()) -> list[MeaningMatch]:
        """Clauses of ``text`` that state a factor by meaning.

        :param text: the facts (quoted statute text blanked).
        :param taken: spans already claimed by keyword factors (skipped).
        :return: matches in text order.
        """
        clauses = []
        for match in _CLAUSE.finditer(text):
            start, end = match.span()
            body = match.group(0)
            stripped = body.strip()
            if not 4 <= len(stripped) <= 60:
                continue
            if any(s < end and start < e for s, e in taken):
                continue
            # A clause without the key words of any positive phrase cannot pass
            # _keeps_key: skip it before vectorising (same result, less work).
            if not any(
                stripped[i : i + 2] in self._key_grams for i in range(len(stripped) - 1)
            ):
                continue
            clauses.append((start + body.index(stripped), stripped))
        if not clauses:
            return []
        sims = (self._transform([c for _, c in clauses]) @ self._matrix).toarray()
        # Per class: the best score and the phrase that gave it (vectorised).
        best_scores = {}
        best_index = {}
        for c, idx in self._index_arrays.items():
            block = sims[:, idx]
            arg = block.argmax(axis=1)
            best_index[c] = idx[arg]
            best_scores[c] = block[np.arange(len(clauses)), arg]
        classes = list(best_scores)
        stacked = np.vstack([best_scores[c] for c in classes])
        winners = stacked.argmax(axis=0)
        none_scores = best_scores.get(NONE, np.zeros(len(clauses)))
        found = []
        for row, (start, clause) in enumerate(clauses):
            label = classes[winners[row]]
            score = float(best_scores[label][row])
            example_index = int(best_index[label][row])
            if label == NONE or score < THRESHOLD:
                continue
            if score - float(none_scores[row]) < MARGIN:
                continue
            example = self.examples[example_index]
            lo, hi = _shared_span(clause, example)
            if hi - lo < MIN_CARRIED or self._coverage(clause, example) < COVERAGE:
                continue
            if vetoed(text, label, start + lo, start + hi, clause):
                continue
            carried = clause[lo:hi]
            if not any(
                carried[i : i + 2] in self._indicative[label]
                for i in range(len(carried) - 1)
            ):
                continue
            if not self._keeps_key(clause, example, hi):
                continue
            found.append(
                MeaningMatch(
                    label,
                    start + lo,
                    start + hi,
                    clause,
                    example,
                    round(float(score), 3),
                )
            )
        return found


def tfidf_rows(vectoriser, texts: list[str]) -> csr_matrix:
    """TF-IDF rows (sublinear tf, L2-normalised) of character 1–3-grams: the same
    vectors as the fitted ``vectoriser``'s ``transform`` (a test checks it) without
    its per-call validation, which costs more than the arithmetic on the ~40 short
    clauses of a decision. Shared by the phrase model and the clause classifier."""
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


def vetoed(text: str, label: str, start: int, end: int, clause: str) -> bool:
    """True when the clause around the carried words ``text[start:end]`` denies
    them (危害后果不属于轻微), reports the party's claim (当事人辩称…) or negates
    a correction, first offence or minor (未及时清理, 并非初次)."""
    clause_start = text.rfind(clause, 0, start + len(clause))
    lo = start - clause_start if clause_start >= 0 else 0
    if _DENIED.search(clause, lo):
        return True
    sentence = max(text.rfind(sep, 0, start) for sep in "。；;\n")
    if _CLAIM.search(text, sentence + 1, start):
        return True
    return label in _NEGATABLE and bool(_NEGATED.search(clause[:lo]))


def _shared_span(clause: str, example: str) -> tuple[int, int]:
    """The span of ``clause`` covered by the character bigrams it shares with
    ``example`` (the words that carried the match)."""
    grams = {example[i : i + 2] for i in range(len(example) - 1)}
    hits = [i for i in range(len(clause) - 1) if clause[i : i + 2] in grams]
    if not hits:
        return 0, 0
    return hits[0], hits[-1] + 2


def load_phrases(path: Path = PHRASES) -> list[tuple[str, str]]:
    """Read labelled phrases (format ``zhifa.factor-phrases/1``)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != "zhifa.factor-phrases/1":
        raise ValueError(f"{path}: format should be zhifa.factor-phrases/1")
    return [(p["factor"], p["text"]) for p in data["phrases"]]


@lru_cache(maxsize=1)
def _default_model() -> FactorModel:
    return FactorModel(load_phrases())


def leave_one_out(
    phrases: list[tuple[str, str]], threshold: float, coverage: float
) -> dict[str, float]:
    """Score the meaning model on its own labelled phrases, each read by a model
    built from all the others (how the threshold and coverage were chosen).

    :param phrases: (factor, text) pairs.
    :param threshold: similarity threshold to score.
    :param coverage: bigram coverage to score.
    :return: ``precision``, ``recall`` (of the factor phrases) and the counts; a
        ``none`` phrase read as a factor is a false positive.
    """
    return leave_one_out_settings(phrases, [(threshold, coverage)])[0]


def leave_one_out_settings(
    phrases: list[tuple[str, str]], settings: list[tuple[float, float]]
) -> list[dict[str, float]]:
    """:func:`leave_one_out` for several (threshold, coverage) settings: each
    held-out model is built once and read at every setting (the settings only
    decide which of its matches count, not how it is built).

    :return: one score dict per setting, in the order of ``settings``.
    """
    global THRESHOLD, COVERAGE
    saved = THRESHOLD, COVERAGE
    counts = [[0, 0, 0] for _ in settings]  # tp, fp, fn
    try:
        for index, (label, text) in enumerate(phrases):
            model = FactorModel(phrases[:index] + phrases[index + 1 :])
            for (threshold, coverage), count in zip(settings, counts, strict=True):
                THRESHOLD, COVERAGE = threshold, coverage
                found = {m.name for m in model.find(text)}
                if label != NONE:
                    count[0] += label in found
                    count[2] += label not in found
                count[1] += len(found - {label})
    finally:
        THRESHOLD, COVERAGE = saved
    return [
        {
            "precision": tp / (tp + fp) if tp + fp else 1.0,
            "recall": tp / (tp + fn) if tp + fn else 1.0,
            "tp": tp,
            "fp": fp,
            "fn": fn,
        }
        for tp, fp, fn in counts
    ]
