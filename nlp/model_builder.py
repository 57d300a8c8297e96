"""Build the portal's own domain sentence-embedding model from a law corpus.

No pretrained Chinese sentence model is reachable offline, so
:func:`build_domain_model` builds one: a static (bag-of-words) sentence-transformers
model whose tokenizer reproduces jieba-like words with a Unigram model, initialised
from PPMI-SVD co-occurrence vectors and fine-tuned with an in-batch contrastive loss.
The result is an ordinary sentence-transformers directory that loads without jieba and
without network (see :mod:`nlp.embedding` for loading it).

``sentence_transformers`` and ``torch`` are imported only inside functions.
"""

import json
import logging
import math
import random
import re
import time
import unicodedata
import warnings
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from nlp.embedding import BUILD_INFO_FILE, UNK_TOKEN, EmbeddingError, offline_hub

__all__ = ["BuildReport", "build_domain_model"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildReport:
    """Figures of one :func:`build_domain_model` run."""

    out_dir: Path
    vocab_size: int
    dim: int
    train_pairs: int
    seconds: float
    steps: int


_WINDOW = 5  # co-occurrence window (tokens on each side)
_SIF_A = 1e-3  # smooth inverse frequency weight a / (a + p(w))
_EIG_POWER = 0.5  # singular-value weighting of the SVD vectors (U * S**p)
_BATCH_SIZE = 128
_LEARNING_RATE = 2e-3
# The caller's pairs (a few hundred) are what matching is about, but the corpus gives
# tens of thousands of self-supervised pairs; repeating the former keeps them visible.
_GIVEN_REPEAT = 10
_SAVE_RESERVE_SECONDS = 2.0
_SENTENCE_END = re.compile(r"(?<=[。；;！？!?\n])")
_ASCII_TOKEN = re.compile(r"[0-9a-z]+")


def _normalise_text(text: str) -> str:
    # The same normalisation the saved tokenizer applies (NFKC + lowercase), so corpus
    # counts and inference see the same characters.
    return unicodedata.normalize("NFKC", text).lower()


def _is_countable(token: str) -> bool:
    return bool(token.strip()) and not all(
        unicodedata.category(ch)[0] in "PZC" for ch in token
    )


def _count_words(texts: Sequence[str]) -> Counter:
    """Count jieba words (precise mode without HMM, as Unigram's Viterbi does)."""
    from nlp import segment

    tk = segment.tokenizer()
    counts: Counter = Counter()
    for text in texts:
        counts.update(tok for tok in tk.cut(text, HMM=False) if tok.strip())
    return counts


def _vocabulary(
    counts: Counter, texts: Sequence[str], vocab_size: int
) -> list[tuple[str, float]]:
    """Pick tokens and give them jieba log-probabilities."""
    from nlp import segment

    freqs = segment.vocabulary_frequencies()
    log_total = math.log(sum(freqs.values()))
    words = [w for w, _ in counts.most_common() if len(w) > 1 and _is_countable(w)]
    chosen = words[:vocab_size]
    # Every character seen, so that any text of the corpus's script is covered and an
    # unknown word falls back to its characters, as jieba does.
    chars = sorted({ch for text in texts for ch in text if not ch.isspace()})
    vocab = [(UNK_TOKEN, 0.0)]
    for token in chosen + chars:
        freq = freqs.get(token, 0)
        if not freq and _ASCII_TOKEN.fullmatch(token):
            # jieba keeps ASCII runs whole outside its dictionary; the corpus count
            # makes a run beat its single characters.
            freq = counts.get(token, 1)
        vocab.append((token, math.log(max(freq, 1)) - log_total))
    return vocab


def _make_tokenizer(vocab: list[tuple[str, float]]):
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    tok = Tokenizer(models.Unigram(vocab, unk_id=0, byte_fallback=False))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation("isolated")]
    )
    return tok


def _cooccurrence(docs: list[list[int]], n_vocab: int):
    """Symmetric windowed co-occurrence counts weighted by 1/distance (sparse)."""
    from scipy import sparse

    lengths = np.fromiter((len(d) for d in docs), dtype=np.int64, count=len(docs))
    ids = np.fromiter((i for d in docs for i in d), dtype=np.int32, count=lengths.sum())
    doc_of = np.repeat(np.arange(len(docs), dtype=np.int32), lengths)
    rows, cols, vals = [], [], []
    for dist in range(1, _WINDOW + 1):
        same = doc_of[:-dist] == doc_of[dist:]
        left, right = ids[:-dist][same], ids[dist:][same]
        keep = (left != 0) & (right != 0)  # drop [UNK]
        left, right = left[keep], right[keep]
        weight = np.full(left.shape, 1.0 / dist, dtype=np.float32)
        rows += [left, right]
        cols += [right, left]
        vals += [weight, weight]
    matrix = sparse.coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_vocab, n_vocab),
    ).tocsr()
    matrix.sum_duplicates()
    return matrix


def _ppmi(matrix):
    """Positive PMI with context-distribution smoothing (alpha 0.75)."""
    matrix = matrix.tocsr().astype(np.float64)
    row_sums = np.asarray(matrix.sum(axis=1)).ravel()
    col_sums = np.asarray(matrix.sum(axis=0)).ravel() ** 0.75
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    cols = matrix.indices
    pmi = np.log(matrix.data * col_sums.sum() / (row_sums[rows] * col_sums[cols]))
    matrix.data = np.maximum(pmi, 0.0)
    matrix.eliminate_zeros()
    return matrix


def _initial_vectors(
    docs: list[list[int]], n_vocab: int, dim: int, seed: int
) -> np.ndarray:
    """PPMI-SVD token vectors, SIF-weighted, common component removed."""
    from sklearn.utils.extmath import randomized_svd

    rng = np.random.default_rng(seed)
    ppmi = _ppmi(_cooccurrence(docs, n_vocab))
    rank = max(1, min(dim, n_vocab - 1))
    u, s, _ = randomized_svd(ppmi, rank, n_iter=4, random_state=seed)
    vectors = np.zeros((n_vocab, dim), dtype=np.float64)
    vectors[:, :rank] = u * s**_EIG_POWER
    counts = np.bincount(
        np.fromiter((i for d in docs for i in d), dtype=np.int64), minlength=n_vocab
    )
    # Tokens never seen in context (or beyond a tiny corpus's rank) get small random
    # vectors so that they are distinguishable but never dominate a sentence.
    unseen = np.linalg.norm(vectors, axis=1) < 1e-9
    vectors[unseen] = rng.normal(0.0, 1.0, (int(unseen.sum()), dim))
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    prob = counts / max(counts.sum(), 1)
    weights = _SIF_A / (_SIF_A + prob)
    weights[unseen] *= 0.1
    vectors *= weights[:, None]
    vectors[0] = 0.0  # [UNK] contributes nothing
    # SIF's common-component removal is linear in the token vectors, so it can be
    # baked into them: remove the first singular direction of sentence means.
    sample = [d for d in docs if d][:5000]
    if len(sample) >= 2:
        means = np.stack([vectors[d].mean(axis=0) for d in sample])
        _, _, vt = np.linalg.svd(means, full_matrices=False)
        direction = vt[0]
        vectors -= np.outer(vectors @ direction, direction)
    return vectors.astype(np.float32)


def _split_pair(text: str) -> tuple[str, str] | None:
    """Self-supervised pair from one text: first sentence -> the rest, else halves."""
    text = text.strip()
    parts = [p.strip() for p in _SENTENCE_END.split(text) if p.strip()]
    if len(parts) >= 2 and len(parts[0]) >= 6:
        return parts[0], "".join(parts[1:])
    if len(text) >= 24:
        middle = len(text) // 2
        cut = text.find(",", middle - 8)  # "，" after NFKC
        cut = cut + 1 if 0 < cut < middle + 8 else middle
        return text[:cut], text[cut:]
    return None


def _training_pairs(
    texts: Sequence[str], pairs: Sequence[tuple[str, str]]
) -> list[tuple[str, str]]:
    """The caller's pairs (repeated) plus one self-supervised pair per corpus text."""
    own = list(dict.fromkeys(p for p in map(_split_pair, texts) if p))
    return list(pairs) * _GIVEN_REPEAT + own


def _batches(
    pairs: list[tuple[str, str]], size: int, rng: random.Random
) -> Iterator[list[tuple[str, str]]]:
    """Shuffle and batch so that no text occurs twice in a batch.

    A repeated text would be a false in-batch negative for the ranking loss (several
    benchmark items can cite the same provision).
    """
    pending = deque(rng.sample(pairs, len(pairs)))
    while pending:
        batch: list[tuple[str, str]] = []
        in_batch: set[str] = set()
        skipped: list[tuple[str, str]] = []
        while pending and len(batch) < size:
            pair = pending.popleft()
            if pair[0] in in_batch or pair[1] in in_batch:
                skipped.append(pair)
                continue
            batch.append(pair)
            in_batch.update(pair)
        pending.extendleft(reversed(skipped))
        yield batch


def _fine_tune(model, train: list[tuple[str, str]], epochs, seed, deadline) -> int:
    """Train with MultipleNegativesRankingLoss in a plain torch loop.

    The sentence-transformers trainer needs ``datasets`` and ``accelerate``, which the
    portal does not install; a static model needs none of the trainer's machinery.
    """
    import torch
    from sentence_transformers.sentence_transformer.losses import (
        MultipleNegativesRankingLoss,
    )

    if not train or epochs <= 0:
        return 0
    torch.manual_seed(seed)
    loss_fn = MultipleNegativesRankingLoss(model, scale=20.0)
    optimizer = torch.optim.Adam(model.parameters(), lr=_LEARNING_RATE)
    rng = random.Random(seed)  # noqa: S311 (shuffling, not cryptography)
    model.train()
    steps = 0
    for _ in range(epochs):
        for batch in _batches(train, _BATCH_SIZE, rng):
            if time.monotonic() >= deadline:
                model.eval()
                return steps
            if len(batch) < 2:
                continue
            features = [
                model.preprocess([a for a, _ in batch]),
                model.preprocess([b for _, b in batch]),
            ]
            loss = loss_fn(features, None)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            steps += 1
    model.eval()
    return steps


def _match_permissions(out_dir: Path) -> None:
    # safetensors writes its file 0600; a model built by an operator must stay readable
    # by the web workers like the other files of the directory.
    reference = (out_dir / "modules.json").stat().st_mode & 0o777
    for path in out_dir.rglob("*"):
        if path.is_file():
            path.chmod(reference)


def build_domain_model(
    corpus: Iterable[str],
    pairs: Iterable[tuple[str, str]],
    out_dir: str | Path,
    *,
    dim: int = 256,
    vocab_size: int = 40000,
    epochs: int = 1,
    seed: int = 42,
    max_seconds: float = 100.0,
    log: Callable[[str], None] | None = None,
) -> BuildReport:
    """Build a static sentence-transformers model for legal Chinese.

    Steps: jieba-like Unigram tokenizer from the corpus; PPMI-SVD token vectors
    (SIF-weighted); contrastive fine-tuning on ``pairs`` plus self-supervised pairs from
    the corpus (first sentence -> rest); ``model.save(out_dir)`` and a build-info file
    ``zhifa_model.json``. CPU only, deterministic for a seed, no network.

    :param corpus: texts to learn from (e.g. law articles).
    :param pairs: ``(query, document)`` pairs that should be close, e.g. a benchmark
        item's violation description and the text of its provision.
    :param out_dir: directory to write (created; existing files are overwritten).
    :param dim: vector dimension.
    :param vocab_size: number of multi-character words kept (single characters seen in
        the corpus are always added).
    :param epochs: passes over the training pairs; ``0`` keeps the PPMI-SVD vectors.
    :param seed: seed for SVD, shuffling and torch.
    :param max_seconds: time budget for the whole build; fine-tuning stops early when
        it would exceed it.
    :param log: optional callable receiving progress lines (default: module logger).
    :return: the :class:`BuildReport`.
    :raises EmbeddingError: when the corpus is empty.
    """
    started = time.monotonic()
    deadline = started + max_seconds - _SAVE_RESERVE_SECONDS
    say = log or logger.info
    out_dir = Path(out_dir)

    texts = [_normalise_text(t) for t in corpus if t and t.strip()]
    given = [
        (_normalise_text(a), _normalise_text(b))
        for a, b in pairs
        if a and b and a.strip() and b.strip()
    ]
    if not texts:
        raise EmbeddingError("语料为空，无法构建句向量模型。")

    all_texts = texts + [t for pair in given for t in pair]
    counts = _count_words(all_texts)
    tokenizer = _make_tokenizer(_vocabulary(counts, all_texts, vocab_size))
    n_vocab = tokenizer.get_vocab_size()
    docs = [e.ids for e in tokenizer.encode_batch(all_texts, add_special_tokens=False)]
    say(
        f"词表 {n_vocab} 个词元，语料 {len(texts)} 篇（{time.monotonic() - started:.1f}s）"
    )

    vectors = _initial_vectors(docs, n_vocab, dim, seed)
    say(f"PPMI-SVD 初始向量完成（{time.monotonic() - started:.1f}s）")

    offline_hub()
    with warnings.catch_warnings():
        # Libraries may warn (deprecations, tokenizer fork notices); a build must not
        # fail under ``-W error`` because of them.
        warnings.simplefilter("ignore")
        from sentence_transformers import SentenceTransformer
        from sentence_transformers.sentence_transformer.modules import (
            Normalize,
            StaticEmbedding,
        )

        model = SentenceTransformer(
            modules=[
                StaticEmbedding(tokenizer, embedding_weights=vectors.copy()),
                Normalize(),
            ],
            device="cpu",
        )
        train = _training_pairs(texts, given)
        steps = _fine_tune(model, train, epochs, seed, deadline)
        say(
            f"微调 {steps} 步，训练对 {len(train)} 个（{time.monotonic() - started:.1f}s）"
        )
        import torch

        with torch.no_grad():
            model[0].embedding.weight[0].zero_()  # keep [UNK] neutral after training
        out_dir.mkdir(parents=True, exist_ok=True)
        model.save(str(out_dir), create_model_card=False)
        import sentence_transformers

        versions = {
            "sentence_transformers": sentence_transformers.__version__,
            "torch": torch.__version__.split("+")[0],
        }
    _match_permissions(out_dir)

    train_pairs = len(set(train)) if steps else 0  # distinct, without repeats
    seconds = time.monotonic() - started
    info = {
        "format": "zhifa.embedding/1",
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "kind": "static (jieba-like Unigram tokenizer, PPMI-SVD init, MNRL fine-tune)",
        "corpus_texts": len(texts),
        "corpus_tokens": int(sum(len(d) for d in docs)),
        "given_pairs": len(given),
        "train_pairs": train_pairs,
        "vocab_size": n_vocab,
        "dim": dim,
        "epochs": epochs,
        "steps": steps,
        "seconds": round(seconds, 2),
        "seed": seed,
        "versions": versions,
    }
    (out_dir / BUILD_INFO_FILE).write_text(
        json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    say(f"模型已保存到 {out_dir}（{seconds:.1f}s）")
    return BuildReport(
        out_dir=out_dir,
        vocab_size=n_vocab,
        dim=dim,
        train_pairs=train_pairs,
        seconds=seconds,
        steps=steps,
    )
