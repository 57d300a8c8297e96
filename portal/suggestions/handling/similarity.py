"""Text similarity of suggestions, for the duplicate hints (pure: no Flask, no DB).

TF-IDF over jieba words (``nlp.segment.words``, the legal user dictionary) and over
character 2–3-grams, concatenated and L2-normalised; the score is the cosine. The
vectoriser is fitted on the item and its candidates only (a bounded set), so the
inverse document frequencies reflect what is common among recent submissions.
"""


def _fit(corpus):
    # scikit-learn and jieba are imported here, not at module level: the module is
    # imported at web start-up and they cost almost a second per worker.
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    from nlp.segment import words

    char = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True)
    parts = [char.fit_transform(corpus)]
    word = TfidfVectorizer(analyzer=words, sublinear_tf=True, token_pattern=None)
    try:
        parts.append(word.fit_transform(corpus))
    except ValueError:  # only stop words: the characters alone decide
        pass
    return normalize(hstack(parts).tocsr())


def similarity_scores(text, others):
    """Cosine similarity of ``text`` to each of ``others`` (0 … 1), in order.

    :param text: the item's text.
    :param others: the candidates' texts.
    :return: a list of floats, one per candidate.
    """
    if not others:
        return []
    corpus = [text or " ", *[o or " " for o in others]]
    try:
        matrix = _fit(corpus)
    except ValueError:  # nothing but whitespace anywhere
        return [0.0] * len(others)
    return [float(v) for v in (matrix[1:] @ matrix[0].T).toarray().ravel()]
