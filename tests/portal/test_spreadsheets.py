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


def test_cell_keeps_numbers_and_dates_and_guards_text():
    from datetime import date
    from decimal import Decimal

    from portal.spreadsheets import cell

    assert cell(None) is None
    assert cell(3) == 3
    assert cell(Decimal("2.5")) == Decimal("2.5")
    assert cell(date(2026, 12, 7)) == date(2026, 12, 7)
    assert (cell(True), cell(False)) == ("是", "否")
    assert cell("=1+1") == "'=1+1"
    assert cell(["x"]) == "['x']"


def test_write_then_read_round_trip():
    """What write_workbook stores, read_rows gives back (formulas as text)."""
    from portal.spreadsheets import read_rows, write_workbook

    data = write_workbook(
        "清单", ["姓名", "数量", "备注"], [["张三", 2, "=cmd()"], ["李四", None, "好"]]
    )
    assert read_rows(data) == [
        ("姓名", "数量", "备注"),
        ("张三", 2, "'=cmd()"),
        ("李四", None, "好"),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a workbook", "不是有效的 .xlsx 文件"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 64, "旧版 .xls"),
    ],
)
def test_read_rows_refuses_what_is_not_an_xlsx(data, message):
    from portal.spreadsheets import read_rows
    from portal.uploads import FormatError

    with pytest.raises(FormatError, match=message):
        read_rows(data)


def test_read_rows_refuses_a_file_over_the_limit():
    from portal.spreadsheets import read_rows, write_workbook
    from portal.uploads import FormatError

    data = write_workbook("表", ["a"], [["x" * 100]])
    with pytest.raises(FormatError, match="文件过大"):
        read_rows(data, max_bytes=len(data) - 1)
