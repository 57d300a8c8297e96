"""Text that can always be stored, rendered and encoded as UTF-8.

A lone surrogate (U+D800–U+DFFF) arrives through JSON (``"\\ud800"``); it cannot be
encoded as UTF-8, so one such answer made every page showing it fail. Bidi
control characters in a file name make it display as something else
(``invoice‮fdp.exe``). Framework-free.
"""

import re

SURROGATES = re.compile("[\ud800-\udfff]")
# Embedding/override/isolate controls and the directional marks.
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")


def clean_text(text):
    """``text`` with lone surrogates replaced by U+FFFD."""
    if SURROGATES.search(text):
        return SURROGATES.sub("\ufffd", text)
    return text


def clean_value(value):
    """:func:`clean_text` over a JSON value (strings in lists and dicts too)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_value(v) for v in value]
    if isinstance(value, dict):
        return {clean_text(str(k)): clean_value(v) for k, v in value.items()}
    return value


def clean_filename(name):
    """A file name without bidi controls and lone surrogates."""
    return BIDI_CONTROLS.sub("", clean_text(name or ""))
