"""Warm the checker in the background so the first check after a start does not
make the uploader wait for the segmenter and the embedding model to load.

Started once, on the first request (not at import: CLI commands such as
``flask db upgrade`` should not load a model), and only when checks run inline
(no ``REDIS_URL``): with a queue, RQ workers load the model in the job and web
workers never import it.
"""

import logging
import threading

logger = logging.getLogger(__name__)

_started = threading.Event()
done = threading.Event()


def warm(app):
    """Load jieba's dictionary and the embedding model (if configured) now."""
    from casebank.reviewer import embedding_model_path
    from nlp.embedding import get_embedder
    from nlp.segment import cut

    with app.app_context():
        try:
            cut("行政处罚决定书：当事人违反规定，罚款人民币伍佰元。")
            embedder = get_embedder(embedding_model_path(app))
            if embedder is not None:
                embedder.encode(["行政处罚决定书"])
            logger.info("Checker warmed up")
        except Exception:  # noqa: BLE001 - a failed warm-up only costs time later
            logger.exception("Checker warm-up failed")
        finally:
            done.set()


def start_in_background(app):
    """Start :func:`warm` in a daemon thread, once per process."""
    if _started.is_set():
        return False
    _started.set()
    threading.Thread(
        target=warm, args=(app,), name="checker-warmup", daemon=True
    ).start()
    return True


def init_app(app):
    if app.testing or not app.config.get("CASE_CHECK_WARMUP", True):
        return
    if app.config.get("REDIS_URL"):
        # Checks run in the RQ workers: a web worker would only pay the model's
        # import (torch, hundreds of MiB) for nothing, on exam day too.
        return

    @app.before_request
    def _warm_once():
        if not _started.is_set():
            start_in_background(app)
