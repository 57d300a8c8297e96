"""Chinese word segmentation with a legal user dictionary (jieba wrapper).

One private :class:`jieba.Tokenizer` is created lazily per process, with the legal
user dictionary ``nlp/resources/userdict.txt`` loaded once (STYLE R7). jieba's global
tokenizer is never touched, so other code using ``jieba.cut`` is not affected by our
dictionary.
"""

import logging
import os
import tempfile
import threading
import unicodedata
from pathlib import Path

import jieba

__all__ = [
    "STOPWORDS",
    "USERDICT_PATH",
    "cut",
    "tokenizer",
    "vocabulary_frequencies",
    "words",
]

USERDICT_PATH = Path(__file__).parent / "resources" / "userdict.txt"

# Function words that carry no meaning for retrieval. Kept short on purpose: legal
# terms such as 不得 / 应当 / 或者 decide the sense of a provision for a human reader but
# not which provision a text is about.
STOPWORDS = frozenset(
    """
    的 了 和 与 及 以及 或 或者 并 并且 而 而且 则 即 等 等等 之 其 其他 该 此 本 各 每
    在 于 对 对于 由 从 向 把 被 将 为 为了 以 以上 以下 以内 之间 之内 之一 中 上 下 内 外
    是 有 无 也 都 又 还 就 但 但是 如 如果 若 因 因为 所 所以 可 可以 能 能够 应 应当 应该
    须 必须 不 没有 已 已经 予以 给予 进行 按照 依照 根据 通过 关于 有关 相关 一 个 年 月 日
    这 那 这些 那些 我 我们 你 他 她 它 他们 其中 之后 之前 以后 以前 时 后 前 者 所有 任何
    """.split()
)

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None
_frequencies: dict[str, int] | None = None


def _cache_dir() -> str:
    # A per-user directory avoids clashing with (or failing on) a jieba.cache file
    # another user left in the shared temp directory.
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    path = os.path.join(tempfile.gettempdir(), f"zhifa-jieba-{uid}")
    os.makedirs(path, exist_ok=True)
    return path


def tokenizer() -> jieba.Tokenizer:
    """Return the process-wide jieba tokenizer with the legal user dictionary.

    Created on first call (thread-safe); later calls return the same instance.

    :return: an initialised :class:`jieba.Tokenizer` (not jieba's global one).
    """
    global _tokenizer
    if _tokenizer is not None:
        return _tokenizer
    with _lock:
        if _tokenizer is None:
            # jieba logs "Building prefix dict ..." at DEBUG to stderr; keep it quiet.
            jieba.setLogLevel(logging.WARNING)
            tk = jieba.Tokenizer()
            tk.tmp_dir = _cache_dir()
            tk.initialize()
            # jieba leaves a path it opens unclosed (ResourceWarning); pass a file.
            with USERDICT_PATH.open("rb") as fh:
                tk.load_userdict(fh)
            _tokenizer = tk
    return _tokenizer


def cut(text: str) -> list[str]:
    """Segment text in jieba's precise mode, dropping whitespace tokens.

    :param text: any text (a decision, a violation description, a query).
    :return: the tokens in order; legal terms of the user dictionary stay whole.
    """
    if not text:
        return []
    return [tok for tok in tokenizer().cut(text, HMM=True) if tok.strip()]


def _is_punctuation(token: str) -> bool:
    return all(
        unicodedata.category(ch)[0] in "PSZ" or not ch.isprintable() for ch in token
    )


def words(text: str) -> list[str]:
    """Segment text and keep only content words.

    :param text: any text.
    :return: the tokens of :func:`cut` minus stopwords and pure punctuation/symbols.
    """
    return [
        tok for tok in cut(text) if tok not in STOPWORDS and not _is_punctuation(tok)
    ]


def vocabulary_frequencies() -> dict[str, int]:
    """Return word frequencies of the segmenter's dictionary.

    jieba's base dictionary plus the legal user dictionary (user entries override base
    frequencies). Used to give the embedding tokenizer jieba-like segmentation.

    :return: a new dict ``word -> frequency`` (only entries with a positive frequency;
        jieba also stores word prefixes with frequency 0, which are left out).
    """
    global _frequencies
    tk = tokenizer()
    with _lock:
        if _frequencies is None:
            _frequencies = {w: f for w, f in tk.FREQ.items() if f > 0}
        return dict(_frequencies)
