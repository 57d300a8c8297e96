"""The checker's reviewer with the portal's configuration (a service: used by the
case-check job and by the ``flask nlp`` commands alike).

Glue between the framework-free ``nlp`` package and the app config; heavy imports
(sentence-transformers, torch) happen only when a reviewer is built.
"""

from __future__ import annotations

from flask import current_app


def embedding_model_path(app) -> str | None:
    """The configured embedding model directory, or None for TF-IDF only."""
    from nlp.embedding import is_model_dir

    configured = app.config.get("NLP_EMBEDDING_MODEL")
    if configured:
        return None if configured.lower() == "none" else configured
    default = app.config.get("NLP_MODEL_DIR")
    return default if default and is_model_dir(default) else None


def make_reviewer(catalogues, app=None, embedding: bool = True):
    """Build a :class:`nlp.review.Reviewer` with the portal's configuration."""
    from nlp.embedding import get_embedder
    from nlp.review import Reviewer

    app = app or current_app
    embedder = get_embedder(embedding_model_path(app)) if embedding else None
    return Reviewer(catalogues, embedder=embedder)
