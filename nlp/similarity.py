"""Text similarity: the one TF-IDF set-up of the project (pure: no Flask, no DB).

A :class:`TfidfSpace` turns texts into L2-normalised rows of TF-IDF over
character n-grams and, optionally, jieba words (:func:`nlp.segment.words`, the
legal user dictionary), concatenated; the dot product of two rows is their
cosine similarity (0 … 1). Callers choose the n-grams and keep their own
thresholds:

- suggestion duplicate hints: :func:`similarity_scores` (char 2–3-grams + words);
- checker retrieval (:mod:`nlp.matching`): fit on catalogue items, transform a
  decision (char 2–3-grams + words);
- near-duplicate question stems: char 1–2-grams, no words, raw term counts.

scikit-learn, scipy and jieba are imported when first used: web workers import
this module at start-up and those libraries cost almost a second each.
"""

import math
import re


class TfidfSpace:
    """A TF-IDF vector space fitted on a corpus.

    :param char_ngrams: the (min, max) character n-gram lengths.
    :param use_words: add a jieba-word TF-IDF block (dropped when a corpus has
        nothing but stop words: the characters alone decide then).
    :param sublinear_tf: use 1 + log(tf) instead of raw counts.
    """

    def __init__(self, char_ngrams=(2, 3), use_words=True, sublinear_tf=True):
        self.char_ngrams = tuple(char_ngrams)
        self.use_words = use_words
        self.sublinear_tf = sublinear_tf
        self._vectorisers = []

    def fit(self, texts):
        """Fit on ``texts`` and return their normalised matrix (one row each).

        :raises ValueError: the texts hold no character n-gram at all.
        """
        from sklearn.feature_extraction.text import TfidfVectorizer

        texts = list(texts)
        char = TfidfVectorizer(
            analyzer="char",
            ngram_range=self.char_ngrams,
            sublinear_tf=self.sublinear_tf,
        )
        parts = [char.fit_transform(texts)]
        self._vectorisers = [char]
        if self.use_words:
            from nlp.segment import words

            word = TfidfVectorizer(
                analyzer=words, sublinear_tf=self.sublinear_tf, token_pattern=None
            )
            try:
                parts.append(word.fit_transform(texts))
                self._vectorisers.append(word)
            except ValueError:  # only stop words: the characters alone decide
                pass
        return _join(parts)

    def transform(self, texts):
        """The normalised matrix of ``texts`` in the fitted space."""
        texts = list(texts)
        return _join([v.transform(texts) for v in self._vectorisers])

    def transform_one(self, text):
        """The normalised row of one text: the same as ``transform([text])`` (a
        test checks it), built directly from the tokens without scikit-learn's
        per-call validation, which dominated the checker's review time."""
        from nlp.segment import words

        rows = [tfidf_row(self._vectorisers[0], char_ngrams(text, *self.char_ngrams))]
        if len(self._vectorisers) > 1:
            rows.append(tfidf_row(self._vectorisers[1], words(text)))
        return _join(rows)


_SPACES = re.compile(r"\s\s+")


def char_ngrams(text, low, high):
    """The character n-grams scikit-learn's ``analyzer="char"`` produces
    (lower-cased, runs of white space folded to one space)."""
    text = _SPACES.sub(" ", text.lower())
    return [
        text[i : i + n] for n in range(low, high + 1) for i in range(len(text) - n + 1)
    ]


def tfidf_row(vectoriser, tokens):
    """One L2-normalised TF-IDF row of a fitted vectoriser, built directly from
    the tokens (``1 + log(tf)`` when the vectoriser is sublinear)."""
    import numpy as np
    from scipy.sparse import csr_matrix

    vocabulary, idf = vectoriser.vocabulary_, vectoriser.idf_
    counts = {}
    for token in tokens:
        column = vocabulary.get(token)
        if column is not None:
            counts[column] = counts.get(column, 0) + 1
    columns = sorted(counts)
    if vectoriser.sublinear_tf:
        tf = [1.0 + math.log(counts[c]) for c in columns]
    else:
        tf = [float(counts[c]) for c in columns]
    data = np.array([t * idf[c] for t, c in zip(tf, columns, strict=True)])
    norm = float(np.sqrt((data * data).sum())) or 1.0
    return csr_matrix(
        (data / norm, np.array(columns, dtype=np.int32), np.array([0, len(columns)])),
        shape=(1, len(vocabulary)),
    )


def _join(parts):
    from scipy.sparse import hstack
    from sklearn.preprocessing import normalize

    return normalize(hstack(parts).tocsr())


def similarity_scores(text, others):
    """Cosine similarity of ``text`` to each of ``others`` (0 … 1), in order.

    The space (char 2–3-grams + words) is fitted on the text and its candidates
    only, so the inverse document frequencies reflect what is common among them.

    :return: a list of floats, one per candidate.
    """
    if not others:
        return []
    corpus = [text or " ", *[o or " " for o in others]]
    try:
        matrix = TfidfSpace().fit(corpus)
    except ValueError:  # nothing but whitespace anywhere
        return [0.0] * len(others)
    return [float(v) for v in (matrix[1:] @ matrix[0].T).toarray().ravel()]
