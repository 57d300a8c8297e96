"""Writing user-controlled text into spreadsheets safely (every ``.xlsx`` export)."""

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# Text starting with one of these is evaluated as a formula by spreadsheet programs
# (CSV/Excel injection); a tab or carriage return can hide such a start.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Make ``text`` safe to store in a spreadsheet cell.

    Characters XML cannot hold are dropped, and text starting with a formula
    character gets a leading ``'`` so that spreadsheet programs show it instead of
    evaluating it.

    :param text: the text to store
    :return: the text, neutralised
    """
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def is_neutralised(text: str) -> bool:
    """Whether ``text`` carries the ``'`` that :func:`neutralise` added (so a
    re-import can take it off again)."""
    return len(text) > 1 and text[0] == "'" and text[1].startswith(FORMULA_PREFIXES)
