"""Match a decision to a benchmark item.

First an exact match on the cited provisions (the penalty provision, then the violated
one); otherwise hybrid retrieval: TF-IDF over jieba words and character n-grams
(scikit-learn) fused with a sentence-transformers embedding, when one is configured.
Below ``threshold`` the match is None.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nlp.catalogue import Item
from nlp.citations import GENERAL_LAWS, Citation, parse_provision, short_law_name
from nlp.similarity import TfidfSpace

# Fusion weight of TF-IDF against the embedding, and the retrieval threshold. Tuned on
# the development set by ``flask nlp evaluate`` (see docs/nlp.md, "Matching").
DEFAULT_TFIDF_WEIGHT = 0.8
DEFAULT_THRESHOLD = 0.18
# Added to the retrieval score of items of the issuing agency's domain: an agency
# enforces its own domain's provisions, which decides between two catalogues that
# list the same article (城乡规划法第六十四条 under 城管 and 自然资源).
DOMAIN_BONUS = 0.1
CITED_THRESHOLD = 0.3


@dataclass(frozen=True)
class Match:
    item: Item
    score: float
    alternatives: tuple[tuple[Item, float], ...]
    method: str  # "provision" | "hybrid" | "tfidf"


def provision_keys(provisions: tuple[str, ...] | list[str]) -> list[tuple]:
    """Parse catalogue provision strings into citation keys."""
    keys = []
    for provision in provisions:
        keys.extend(c.key for c in parse_provision(provision))
    return keys


def same_provision(a: tuple, b: tuple) -> bool:
    """Same law and article; paragraph and item compared only when both give them."""
    if a[0] != b[0] or a[1] != b[1]:
        return False
    for x, y in ((a[2], b[2]), (a[3], b[3])):
        if x is not None and y is not None and x != y:
            return False
    return True


class Matcher:
    """Matches decisions against the items of one or more catalogues.

    :param items: the candidate items.
    :param embedder: an :class:`nlp.embedding.Embedder` or None (TF-IDF only).
    :param tfidf_weight: weight of the TF-IDF score in the fused score.
    :param threshold: minimum fused score for a retrieval match.
    """

    def __init__(
        self,
        items,
        embedder=None,
        tfidf_weight=DEFAULT_TFIDF_WEIGHT,
        threshold=DEFAULT_THRESHOLD,
    ):
        self.items: list[Item] = list(items)
        self.embedder = embedder
        self.tfidf_weight = tfidf_weight if embedder is not None else 1.0
        self.threshold = threshold
        self._penalty_keys = [provision_keys(i.penalty_provisions) for i in self.items]
        self._violated_keys = [
            provision_keys(i.violated_provisions) for i in self.items
        ]
        texts = [_item_text(i) for i in self.items] or [""]
        self._space = TfidfSpace(char_ngrams=(2, 3), use_words=True)
        self._item_matrix = self._space.fit(texts)
        self._item_vectors = None

    def _tfidf(self, text: str):
        return self._space.transform_one(text)

    def _embedding_scores(self, text: str) -> np.ndarray | None:
        if self.embedder is None or not self.items:
            return None
        if self._item_vectors is None:
            # Items are embedded by their violation only: tier conditions are
            # about amounts and circumstances, not about what was done.
            self._item_vectors = self.embedder.encode([i.violation for i in self.items])
        query = self.embedder.encode([text])[0]
        return self._item_vectors @ query

    def scores(
        self, text: str, use_embedding: bool = True, focus: str | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Retrieval scores of ``text`` against every item.

        :param text: the facts (TF-IDF query).
        :param focus: the sentence stating the conduct (embedding query); ``text``
            when None.
        :return: (fused scores, TF-IDF scores).
        """
        if not self.items:
            return np.zeros(0), np.zeros(0)
        tfidf = (self._item_matrix @ self._tfidf(text).T).toarray().ravel()
        emb = self._embedding_scores(focus or text) if use_embedding else None
        if emb is None:
            return tfidf, tfidf
        emb = np.clip(emb, 0.0, 1.0)
        return self.tfidf_weight * tfidf + (1.0 - self.tfidf_weight) * emb, tfidf

    def match(
        self,
        citations: list[Citation],
        text: str,
        use_embedding: bool = True,
        domain: str | None = None,
        contradicted=None,
        focus: str | None = None,
    ) -> Match | None:
        """Match one decision.

        :param citations: the decision's citations.
        :param text: the text used for retrieval (the facts and violation).
        :param use_embedding: False forces TF-IDF only (for evaluation).
        :param domain: the issuing agency's domain; items of that domain win ties.
        :param contradicted: optional ``item -> bool``; True demotes the item among
            those that share a provision (a stated amount rules it out).
        :param focus: the sentence that states the conduct, the embedding query.
        :return: the best :class:`Match` or None.
        """
        if not self.items:
            return None
        raw, tfidf = self.scores(text, use_embedding, focus)
        retrieval = raw
        if domain:
            same = np.array([i.domain == domain for i in self.items], dtype=float)
            retrieval = raw + DOMAIN_BONUS * same
        if self._foreign_basis(citations):
            return None
        exact = self._provision_scores(citations)
        if contradicted is not None and exact.max() > 0:
            for index, item in enumerate(self.items):
                if exact[index] > 0 and contradicted(item):
                    exact[index] = max(0.01, exact[index] - 0.5)
        method = "hybrid" if (self.embedder is not None and use_embedding) else "tfidf"
        if exact.max() > 0:
            # Provision agreement decides; retrieval only breaks ties between items
            # that share a provision (several violations under one penalty article).
            combined = exact + 0.1 * retrieval
            order = np.argsort(-combined)
            best = order[0]
            score = float(min(1.0, 0.5 + 0.5 * exact[best] + 0.1 * retrieval[best]))
            alternatives = tuple(
                (
                    self.items[i],
                    round(float(min(1.0, 0.5 * exact[i] + retrieval[i])), 4),
                )
                for i in order[1:4]
            )
            return Match(self.items[best], round(score, 4), alternatives, "provision")
        order = np.argsort(-retrieval)
        best = order[0]
        # The domain bonus ranks; it never lifts a weak match over the threshold.
        # A decision whose own penalty provision matches no item needs stronger
        # textual evidence: a match would contradict the basis it cites.
        cites_penalty = any(c.role == "penalty" for c in citations)
        threshold = (
            max(self.threshold, CITED_THRESHOLD) if cites_penalty else self.threshold
        )
        # Thresholds are calibrated on the TF-IDF score: the embedding re-ranks.
        if tfidf[best] < threshold:
            return None
        alternatives = tuple(
            (self.items[i], round(float(raw[i]), 4)) for i in order[1:4]
        )
        return Match(self.items[best], round(float(raw[best]), 4), alternatives, method)

    def _foreign_basis(self, citations: list[Citation]) -> bool:
        """True when no item fits: the decision cites specific penalty provisions,
        none of them is the penalty basis of any item, and no violated provision
        it cites is an item's either. (With a violated-provision match the conduct
        identifies the item and the cited basis is the error: ``BASIS_MISMATCH``.)
        """
        penalty = [
            c.key
            for c in citations
            if c.role == "penalty" and short_law_name(c.law) not in GENERAL_LAWS
        ]
        if not penalty:
            return False
        if any(_overlap(penalty, keys) for keys in self._penalty_keys):
            return False
        violated = [c.key for c in citations if c.role == "violated"]
        return not any(
            _overlap(violated, v_keys)
            and not _other_paragraph(penalty, p_keys, violated, v_keys)
            for v_keys, p_keys in zip(
                self._violated_keys, self._penalty_keys, strict=True
            )
        )

    def _provision_scores(self, citations: list[Citation]) -> np.ndarray:
        penalty = [
            c.key
            for c in citations
            if c.role == "penalty" and short_law_name(c.law) not in GENERAL_LAWS
        ]
        violated = [c.key for c in citations if c.role == "violated"]
        other = [
            c.key
            for c in citations
            if c.role == "other" and short_law_name(c.law) not in GENERAL_LAWS
        ]
        scores = np.zeros(len(self.items))
        for index in range(len(self.items)):
            p_keys, v_keys = self._penalty_keys[index], self._violated_keys[index]
            score = 0.0
            # The violated provision describes the conduct, so it weighs more than
            # the penalty provision: when they point at different items the
            # conduct decides and the cited penalty basis is the error.
            if _overlap(violated, v_keys):
                score += 0.55 + 0.2 * _precise(violated, v_keys)
            elif _overlap(other, v_keys):
                score += 0.2
            if _overlap(penalty, p_keys):
                score += 0.45 + 0.2 * _precise(penalty, p_keys)
            elif _overlap(other, p_keys):
                score += 0.3
            scores[index] = score
        return scores


def _overlap(cited: list[tuple], keys: list[tuple]) -> bool:
    return any(same_provision(c, k) for c in cited for k in keys)


def _other_paragraph(
    penalty: list[tuple],
    p_keys: list[tuple],
    violated: list[tuple],
    v_keys: list[tuple],
) -> bool:
    """True when the cited penalty provision is another 款 of the article the item
    punishes under (第一千一百三十二条第二款 against the item's 第一款) and the
    violated provision agrees with the item's only at article level (the item
    names 第二百五十条, the decision 第二百五十条第二款): each 款 of a penalty
    article punishes its own conduct, so the article-level agreement does not
    identify the item."""
    if _precise(violated, v_keys):
        return False
    return any(
        c[:2] == k[:2] and c[2] is not None and k[2] is not None and c[2] != k[2]
        for c in penalty
        for k in p_keys
    )


def _precise(cited: list[tuple], keys: list[tuple]) -> float:
    """1.0 when paragraph and item agree exactly (not just compatible)."""
    return 1.0 if any(c == k for c in cited for k in keys) else 0.0


def _item_text(item: Item) -> str:
    return (
        item.violation
        + "。"
        + item.violation
        + "。"
        + "。".join(t.condition for t in item.tiers)
    )
