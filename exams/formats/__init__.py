"""Question import/export formats: pure converters, no Flask and no database.

Readers turn uploaded files into :class:`ImportResult` (neutral
:class:`ImportedQuestion` records plus per-row/per-line issues in Chinese);
writers turn records back into files. The portal validates knowledge points and
law citations against its database afterwards.
"""

import os
import re

from exams.formats.aiken import read_aiken
from exams.formats.docx import read_docx
from exams.formats.gift import read_gift, write_gift
from exams.formats.model import (
    QUESTION_TYPES,
    TYPE_LABELS,
    TYPE_NAMES,
    ImportedQuestion,
    ImportIssue,
    ImportResult,
)
from exams.formats.xlsx import TEMPLATE_COLUMNS, build_template, read_xlsx, write_xlsx
from portal.uploads import DEFAULT_MAX_BYTES, FormatError, check_size, decode_text

__all__ = [
    "QUESTION_TYPES",
    "TEMPLATE_COLUMNS",
    "TYPE_LABELS",
    "TYPE_NAMES",
    "FormatError",
    "ImportIssue",
    "ImportResult",
    "ImportedQuestion",
    "build_template",
    "decode_text",
    "looks_like_gift",
    "read_aiken",
    "read_docx",
    "read_file",
    "read_gift",
    "read_xlsx",
    "write_gift",
    "write_xlsx",
]

SUPPORTED_EXTENSIONS = (".xlsx", ".docx", ".gift", ".aiken", ".txt")

_GIFT_MARKERS = re.compile(r"(?<!\\)\{[^{}]*(?<!\\)\}|^\s*(?:::|\$CATEGORY:)", re.M)
_RESAVE = {
    ".xls": "旧版 Excel（.xls）文件请在 Excel/WPS 中另存为 .xlsx 后上传",
    ".et": "WPS 表格（.et）文件请另存为 .xlsx 后上传",
    ".doc": "旧版 Word（.doc）文件请在 Word/WPS 中另存为 .docx 后上传",
    ".wps": "WPS 文字（.wps）文件请另存为 .docx 后上传",
    ".csv": "CSV 文件请在 Excel/WPS 中另存为 .xlsx 后上传",
}


def looks_like_gift(text: str) -> bool:
    """Tell GIFT from Aiken in a .txt: GIFT has ``{…}`` blocks, ``::`` titles or
    ``$CATEGORY:`` lines; Aiken has none of them.
    """
    return bool(_GIFT_MARKERS.search(text))


def read_file(
    filename: str, data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> ImportResult:
    """Read an uploaded question file, choosing the reader by extension.

    ``.xlsx`` and ``.docx`` go to their readers; ``.gift`` and ``.aiken`` text is
    decoded with :func:`decode_text` (UTF-8 or GBK); a ``.txt`` is read as GIFT
    when :func:`looks_like_gift`, else as Aiken.

    :param filename: the uploaded file's name (only its extension is used).
    :param data: the file content.
    :param max_bytes: the largest accepted file.
    :return: the questions and the issues.
    :raises FormatError: unsupported type, unreadable or hostile file.
    """
    extension = os.path.splitext(filename.replace("\\", "/"))[1].lower()
    if extension == ".xlsx":
        return read_xlsx(data, max_bytes=max_bytes)
    if extension == ".docx":
        return read_docx(data, max_bytes=max_bytes)
    if extension in _RESAVE:
        raise FormatError(_RESAVE[extension])
    if extension not in SUPPORTED_EXTENSIONS:
        raise FormatError(
            f"不支持的文件类型“{extension or filename}”："
            "请上传 .xlsx、.docx、.gift 或 .txt（Aiken）文件"
        )
    check_size(data, max_bytes)
    text = decode_text(data)
    if extension == ".gift" or (extension == ".txt" and looks_like_gift(text)):
        return read_gift(text)
    return read_aiken(text)
