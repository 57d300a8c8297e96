"""The one formula-injection guard every .xlsx export uses."""

import pytest

from portal.spreadsheets import is_neutralised, neutralise


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ("张三", "张三"),
        ("a=b", "a=b"),
        ("bell\x07here", "bellhere"),  # XML cannot carry control characters
    ],
)
def test_neutralise(text, stored):
    """Formula-looking text gets a leading apostrophe; other text is kept."""
    assert neutralise(text) == stored


def test_round_trip_marker():
    """A re-import recognises the apostrophe that neutralise added, and only it."""
    assert is_neutralised(neutralise("=1+1"))
    assert not is_neutralised("'quoted")
    assert not is_neutralised("'")
