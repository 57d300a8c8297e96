"""What other features do when the law library changes, without portal.laws
importing them: a feature registers a handler in its ``init_app`` (exams flags
the questions citing a changed or repealed provision)."""

_handlers = []


def on_law_changes(handler):
    """Register ``handler(changed_articles, repealed_law_ids, run) -> int`` (the
    number of items it flagged); registering the same handler again is a no-op."""
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


def notify_law_changes(changed_articles, repealed_law_ids, run) -> int:
    """Call every handler (inside the caller's transaction); the items flagged.

    :param changed_articles: {(law_id, article number)} whose text changed or went.
    :param repealed_law_ids: laws repealed by this import.
    :param run: the law-import run, named in the reasons.
    """
    return sum(
        handler(changed_articles, repealed_law_ids, run) for handler in _handlers
    )
