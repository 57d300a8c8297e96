"""Sentence embeddings for benchmark matching: facade and backends.

The hybrid matcher asks :func:`get_embedder` for an :class:`Embedder`; with no model
configured it gets ``None`` and runs on TF-IDF alone (STYLE R7, like microblog's search
facade). Backends are registered in :data:`EMBEDDING_BACKENDS` (STYLE R6).

No pretrained Chinese sentence model is reachable offline; the portal builds its own
with :func:`nlp.model_builder.build_domain_model` and loads it from here like any
local sentence-transformers directory.

``sentence_transformers`` and ``torch`` are imported only inside functions, so
importing this module stays cheap.
"""

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

__all__ = [
    "DEFAULT_BACKEND",
    "EMBEDDING_BACKENDS",
    "Embedder",
    "EmbeddingError",
    "SentenceTransformerEmbedder",
    "get_embedder",
    "is_model_dir",
]

logger = logging.getLogger(__name__)

BUILD_INFO_FILE = "zhifa_model.json"
UNK_TOKEN = "[UNK]"  # noqa: S105 (a vocabulary entry, not a secret)


class EmbeddingError(Exception):
    """An embedding model cannot be found, loaded or built."""


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into sentence vectors."""

    def encode(self, texts: list[str]) -> np.ndarray:
        """Encode texts.

        :param texts: the texts to encode.
        :return: a ``float32`` array of shape ``(len(texts), dim)`` with L2-normalised
            rows (a text with no known token gives a zero row).
        """
        ...


def offline_hub() -> None:
    # Must run before huggingface_hub is imported, which reads these at import time;
    # loading passes local_files_only=True as well, in case it was imported earlier.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"


class SentenceTransformerEmbedder:
    """Embedder backed by a local sentence-transformers model directory.

    The model is loaded on the first :meth:`encode` call, never from a hub.
    """

    backend = "sentence-transformers"

    def __init__(self, model_dir: str, device: str = "cpu", batch_size: int = 64):
        """Prepare the embedder; nothing is loaded yet.

        :param model_dir: a directory written by ``SentenceTransformer.save`` (for
            instance by :func:`build_domain_model`).
        :param device: torch device, ``"cpu"`` on the portal's servers.
        :param batch_size: texts per forward pass.
        """
        self.model_dir = str(model_dir)
        self.device = device
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        if self._model is not None:
            return self._model
        with self._lock:
            if self._model is None:
                offline_hub()
                from sentence_transformers import SentenceTransformer

                try:
                    self._model = SentenceTransformer(
                        self.model_dir, device=self.device, local_files_only=True
                    )
                except Exception as exc:
                    raise EmbeddingError(
                        f"无法加载句向量模型 {self.model_dir}：{exc}"
                    ) from exc
        return self._model

    @property
    def dim(self) -> int:
        """Return the vector dimension (loads the model).

        :return: the number of columns :meth:`encode` returns.
        """
        model = self._load()
        # Renamed in sentence-transformers 5.x; the old name warns (FutureWarning).
        get_dim = getattr(model, "get_embedding_dimension", None)
        return int(get_dim() if get_dim else model.get_sentence_embedding_dimension())

    def encode(self, texts: list[str]) -> np.ndarray:
        """Encode texts into L2-normalised ``float32`` rows.

        :param texts: the texts to encode.
        :return: an array of shape ``(len(texts), dim)``.
        :raises EmbeddingError: when the model cannot be loaded.
        """
        model = self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = model.encode(
            list(texts),
            batch_size=self.batch_size,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return _l2_normalise(np.asarray(vectors, dtype=np.float32))


def _l2_normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


#: Embedding backends by name (the config value) -> factory ``(model_dir) -> Embedder``.
EMBEDDING_BACKENDS: dict[str, Callable[[str], Embedder]] = {
    SentenceTransformerEmbedder.backend: SentenceTransformerEmbedder,
}
DEFAULT_BACKEND = SentenceTransformerEmbedder.backend

_embedders: dict[tuple[str, str], Embedder] = {}
_embedders_lock = threading.Lock()


def is_model_dir(path: str | os.PathLike | None) -> bool:
    """Tell whether a directory holds a sentence-transformers model.

    :param path: a directory path (``None`` or empty gives ``False``).
    :return: ``True`` when the directory has the ``modules.json`` that
        ``SentenceTransformer.save`` writes.
    """
    if not path:
        return False
    return (Path(path) / "modules.json").is_file()


def get_embedder(
    model_dir: str | os.PathLike | None, backend: str = DEFAULT_BACKEND
) -> Embedder | None:
    """Return the process-wide embedder for a model directory.

    :param model_dir: the configured model directory; ``None`` or ``""`` means no
        embedding model (the matcher then uses TF-IDF only).
    :param backend: a key of :data:`EMBEDDING_BACKENDS`.
    :return: a cached embedder (one per backend and resolved path) or ``None``.
    :raises EmbeddingError: when the backend is unknown or the directory does not
        hold a model.
    """
    if not model_dir:
        return None
    if backend not in EMBEDDING_BACKENDS:
        raise EmbeddingError(f"未知的句向量后端：{backend}")
    path = str(Path(model_dir).expanduser().resolve())
    key = (backend, path)
    with _embedders_lock:
        if key not in _embedders:
            if not is_model_dir(path):
                raise EmbeddingError(
                    f"目录 {path} 中没有句向量模型（缺少 modules.json），"
                    "请先构建模型或检查配置的模型路径。"
                )
            _embedders[key] = EMBEDDING_BACKENDS[backend](path)
        return _embedders[key]
