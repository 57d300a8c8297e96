"""Circumstance factors recognised by meaning, not only by stock phrases.

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
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

PHRASES = Path(__file__).parent / "resources" / "factor_phrases.json"
NONE = "none"
# Tuned on the development set (tests/data/labels.json) only; see docs/nlp.md.
THRESHOLD = 0.5
MARGIN = 0.08
# Share of the labelled phrase's bigrams the clause must contain: similarity alone
# lets two common words (查询, 信息) carry a clause.
COVERAGE = 0.6
# What the party claims (辩称…, 申辩称…) is not a finding of fact.
_CLAIM = re.compile(r"称|申辩|辩解|认为|提出|请求|要求")
_CLAUSE = re.compile(r"[^，,。；;！!？?\n：:（）()“”]+")
# Negated corrections and first offences (未及时清理, 拒不拆除, 并非初次) state the
# opposite; harmlessness is itself written with a negation (未造成…), so it is exempt.
_NEGATED = re.compile(r"(?:未|没有|拒不|不|并非|尚未|仍未)$")
# "危害后果不属于轻微": the words are there, the statement is the opposite.
_DENIED = re.compile(r"不属于?|并非|不是|不能认定|较长|较大|较重")
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
        self._index = {
            c: [i for i, label in enumerate(self.labels) if label == c]
            for c in self._classes
        }

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

    def _keeps_key(self, clause: str, example: str, hi: int) -> bool:
        """The clause keeps what makes the phrase state its factor: its rarest
        bigram (轻微 in 违法行为轻微) and, for a phrase written with a negation
        (未造成…, 没有…投诉), a negation of its own up to the carried words."""
        vocabulary, idf = self._vec.vocabulary_, self._vec.idf_
        grams = [example[i : i + 2] for i in range(len(example) - 1)]
        known = [g for g in grams if g in vocabulary]
        if known:
            keys = sorted(set(known), key=lambda g: -idf[vocabulary[g]])[:2]
            if not any(key in clause for key in keys):
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
            clauses.append((start + body.index(stripped), stripped))
        if not clauses:
            return []
        query = normalize(self._vec.transform([c for _, c in clauses]))
        sims = (query @ self._matrix).toarray()
        found = []
        for row, (start, clause) in enumerate(clauses):
            best = {
                c: max(((sims[row, i], i) for i in idx), default=(0.0, -1))
                for c, idx in self._index.items()
            }
            label = max(best, key=lambda c: best[c][0])
            score, example_index = best[label]
            if label == NONE or score < THRESHOLD:
                continue
            if score - best.get(NONE, (0.0, -1))[0] < MARGIN:
                continue
            example = self.examples[example_index]
            lo, hi = _shared_span(clause, example)
            if hi - lo < 2 or self._coverage(clause, example) < COVERAGE:
                continue
            if _DENIED.search(clause, lo):
                continue
            if not self._keeps_key(clause, example, hi):
                continue
            sentence = max(text.rfind(sep, 0, start) for sep in "。；;\n")
            if _CLAIM.search(text, sentence + 1, start + lo):
                continue
            if label in _NEGATABLE and _NEGATED.search(clause[:lo]):
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
