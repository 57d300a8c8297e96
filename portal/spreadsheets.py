"""Every ``.xlsx`` the portal reads or writes goes through this module.

Writing: text typed by people (names, units, reasons, audit values) must never
run as a formula, so every cell value passes :func:`cell` (the formula-injection
guard). Simple one-table exports use :func:`write_workbook`; richer workbooks
(several sheets, styles, data validation) start from :func:`new_workbook`, add
rows with :func:`append` and end with :func:`workbook_bytes`.

Reading: :func:`open_workbook` opens an upload read-only after the size and
zip-bomb checks of :mod:`portal.uploads`; :func:`read_rows` reads the rows of one
sheet. Both raise :class:`portal.uploads.FormatError` with a Chinese message.
"""

import io
import warnings
from contextlib import contextmanager
from decimal import Decimal

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from portal.uploads import (
    DEFAULT_MAX_BYTES,
    MAX_UNCOMPRESSED_BYTES,
    FormatError,
    open_office_zip,
)

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

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


def cell(value):
    """A value ready for a cell: numbers, dates and ``None`` as they are, a
    yes/no as 是/否, anything else as neutralised text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float | Decimal):
        return value
    if hasattr(value, "isoformat"):  # date, datetime, time
        return value
    return neutralise(str(value))


def append(sheet, values):
    """Append one row to ``sheet``, every value through :func:`cell`."""
    sheet.append([cell(value) for value in values])


def new_workbook(write_only: bool = False) -> Workbook:
    """An empty workbook (``write_only`` for long streamed exports)."""
    return Workbook(write_only=write_only)


def set_widths(sheet, widths):
    """Set the widths of the first columns (in characters)."""
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def workbook_bytes(workbook) -> bytes:
    """The ``.xlsx`` bytes of ``workbook``."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_workbook(title, header, rows, widths=()) -> bytes:
    """A one-sheet table export: a header row, then ``rows`` (values through
    :func:`cell`), streamed so that long exports stay small in memory."""
    workbook = new_workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    set_widths(sheet, widths)
    sheet.append(list(header))
    for row in rows:
        append(sheet, row)
    return workbook_bytes(workbook)


@contextmanager
def open_workbook(
    data: bytes,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_uncompressed: int = MAX_UNCOMPRESSED_BYTES,
    data_only: bool = True,
):
    """Open an uploaded .xlsx read-only after the size and zip-bomb checks.

    ``data_only=False`` reads formulas as formulas (for imports that refuse them)
    instead of their cached results.

    openpyxl warns about features it drops (extensions, default styles) in files
    saved by Excel or WPS; those warnings say nothing about the data and are
    silenced while the workbook is read.

    :raises FormatError: too large, a zip bomb, or not a readable .xlsx.
    """
    stream = open_office_zip(data, "xlsx", max_bytes, max_uncompressed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            workbook = load_workbook(stream, read_only=True, data_only=data_only)
        except Exception as exc:  # noqa: BLE001 - zip, XML and package errors alike
            raise FormatError(
                "无法读取该 Excel 文件：文件已损坏或不是 .xlsx 格式"
            ) from exc
        try:
            yield workbook
        finally:
            workbook.close()


def read_rows(data: bytes, sheet: int = 0, max_bytes: int = DEFAULT_MAX_BYTES):
    """The rows (tuples of values) of one sheet of an uploaded .xlsx.

    :raises FormatError: not a readable .xlsx (see :func:`open_workbook`).
    """
    with open_workbook(data, max_bytes) as workbook:
        if sheet >= len(workbook.worksheets):
            raise FormatError("Excel 文件中没有可读取的工作表")
        return list(workbook.worksheets[sheet].iter_rows(values_only=True))
