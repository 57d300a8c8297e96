"""Untrusted uploaded files: size guards, text encoding, Office (zip) checks.

Every reader of an uploaded document (question banks, catalogues, regulations,
user and candidate lists, case documents) goes through these functions, and
:class:`FormatError` is the one "this file cannot be read" error: its message is
Chinese, for the user. Nothing here knows about any feature.
"""

import codecs
import io
import zipfile

#: Largest upload accepted by the readers (bytes).
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
#: Largest total uncompressed size of an Office (zip) package (bytes).
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
#: Real .xlsx/.docx files have a few dozen members; thousands means a crafted file.
MAX_ZIP_MEMBERS = 2000

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class FormatError(ValueError):
    """The file as a whole cannot be read; the message is Chinese, for the user."""


def format_size(size: int) -> str:
    """Return ``size`` in bytes as a short human-readable string ("20 MB").

    :param size: a number of bytes.
    :return: the size in MB (or KB below one megabyte).
    """
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} MB"
    return f"{max(size, 1) / 1024:.0f} KB"


def check_size(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """Refuse an upload larger than ``max_bytes``.

    :param data: the uploaded bytes.
    :param max_bytes: the limit.
    :raises FormatError: the file is too large.
    """
    if len(data) > max_bytes:
        raise FormatError(
            f"文件过大（{format_size(len(data))}），单个文件不能超过 "
            f"{format_size(max_bytes)}，请拆分后上传"
        )


def decode_text(data: bytes) -> str:
    """Decode an uploaded text file.

    A byte-order mark wins (UTF-8 or UTF-16); otherwise strict UTF-8 is tried
    first and GB18030 (a superset of GBK and GB2312, what Chinese Windows
    Notepad and WPS save as "ANSI") second. Strict UTF-8 almost never accepts
    GBK-encoded Chinese text, so the order is safe.

    :param data: the raw bytes.
    :return: the text, without a byte-order mark.
    :raises FormatError: no encoding decodes the bytes cleanly, or the result
        contains NUL characters (a binary file).
    """
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text.lstrip("\ufeff")
    raise FormatError(
        "无法识别文件编码或文件不是文本文件：请将文件另存为 UTF-8 或 GBK 编码的"
        "纯文本（.txt）后重新上传"
    )


def open_office_zip(
    data: bytes,
    kind: str,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_uncompressed: int = MAX_UNCOMPRESSED_BYTES,
) -> io.BytesIO:
    """Check an Office Open XML package before a parser opens it.

    The sizes declared in the zip's central directory are checked *before*
    anything is decompressed. Python's :mod:`zipfile` stops inflating a member
    at its declared size (and then fails the CRC check), so a member that lies
    about its size cannot expand past the limit either.

    :param data: the uploaded bytes.
    :param kind: "xlsx" or "docx", for the messages.
    :param max_bytes: the largest accepted upload.
    :param max_uncompressed: the largest accepted total uncompressed size.
    :return: a fresh binary stream over ``data`` for the parser.
    :raises FormatError: too large, not a zip package, or a zip bomb.
    """
    check_size(data, max_bytes)
    old = {"xlsx": "旧版 .xls", "docx": "旧版 .doc"}[kind]
    if data.startswith(_OLE2_MAGIC):
        raise FormatError(
            f"这是{old}文件或加密的 Office 文件：请在 Office/WPS 中取消密码并"
            f"另存为 .{kind} 后上传"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise FormatError(
            f"文件不是有效的 .{kind} 文件（可能已损坏，或只是改了扩展名）"
        ) from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise FormatError(f"文件结构异常（包含 {len(members)} 个部件），已拒绝")
    declared = sum(member.file_size for member in members)
    if declared > max_uncompressed:
        raise FormatError(
            f"文件解压后超过 {format_size(max_uncompressed)}"
            f"（声明为 {format_size(declared)}），可能是恶意构造的压缩包，已拒绝"
        )
    return io.BytesIO(data)
