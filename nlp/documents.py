"""Read uploaded decisions (.txt, .docx, .pdf) into plain text.

python-docx and pypdf are imported inside the readers so that importing ``nlp``
stays cheap for callers that only handle text.
"""

import io
from pathlib import Path

SUPPORTED_SUFFIXES = (".txt", ".docx", ".pdf")
_TEXT_ENCODINGS = ("utf-8", "gb18030")  # gb18030 is a superset of GBK and GB2312


class DocumentError(Exception):
    """A document that cannot be turned into text; the message is user-facing Chinese."""


def read_text(path: str | Path) -> str:
    """Read a .txt, .docx or .pdf file into text.

    :param path: the file to read; the suffix decides the format.
    :return: the text, with LF line ends and without NUL characters.
    :raises DocumentError: when the file cannot be read or has no text.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(
            f"无法读取文件“{path.name}”：{exc.strerror or exc}"
        ) from exc
    return read_bytes(data, path.name)


def read_bytes(data: bytes, filename: str) -> str:
    """Turn the bytes of an uploaded .txt, .docx or .pdf file into text.

    :param data: the file content.
    :param filename: the original file name; only its suffix is used.
    :return: the text, with LF line ends and without NUL characters.
    :raises DocumentError: for an unsupported type, an undecodable text file, a
        damaged document or a PDF without a text layer.
    """
    suffix = Path(filename or "").suffix.lower()
    if suffix == ".txt":
        text = _decode_text(data)
    elif suffix == ".docx":
        text = _docx_text(data)
    elif suffix == ".pdf":
        text = _pdf_text(data)
    else:
        hint = "；旧版 .doc 请另存为 .docx" if suffix == ".doc" else ""
        raise DocumentError(
            f"不支持的文件类型“{suffix or filename}”，"
            f"仅支持 {'、'.join(SUPPORTED_SUFFIXES)}{hint}"
        )
    return _normalise(text)


def _normalise(text: str) -> str:
    """Use LF line ends and drop NUL characters (and a leading BOM)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return text.removeprefix("\ufeff")


def _decode_text(data: bytes) -> str:
    """Decode a text file: BOM-marked UTF-8/UTF-16, else strict UTF-8, else GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        encodings: tuple[str, ...] = ("utf-8-sig",)
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Windows Notepad's "Unicode" is UTF-16 with a BOM.
        encodings = ("utf-16",)
    else:
        # Strict UTF-8 first: GBK bytes are almost never valid UTF-8, while UTF-8
        # bytes often decode (wrongly) as GB18030.
        encodings = _TEXT_ENCODINGS
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DocumentError(
        "无法识别文件编码：请将文本文件保存为 UTF-8 或 GBK（GB18030）编码"
    )


def _docx_text(data: bytes) -> str:
    """Return the paragraphs and table cells of a .docx, in document order."""
    try:
        import docx
        from docx.oxml.ns import qn
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - zip, XML and package errors alike
        raise DocumentError("无法读取 Word 文档：文件已损坏或不是 .docx 格式") from exc

    lines: list[str] = []

    def walk(element, parent) -> None:
        for child in element.iterchildren():
            if child.tag == qn("w:p"):
                lines.append(Paragraph(child, parent).text)
            elif child.tag == qn("w:tbl"):
                # A merged cell is returned once per grid column it spans. The
                # set holds the elements themselves: ids of dropped lxml proxies
                # get reused.
                seen = set()
                for row in Table(child, parent).rows:
                    for cell in row.cells:
                        if cell._tc in seen:
                            continue
                        seen.add(cell._tc)
                        walk(cell._tc, cell)
            elif child.tag == qn("w:sdt"):
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    walk(content, parent)

    walk(document.element.body, document)
    return "\n".join(lines)


def _pdf_text(data: bytes) -> str:
    """Return the text layer of a PDF, page by page."""
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError("PDF 已加密，无法读取：请提供未加密的文件")
        pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many error types
        raise DocumentError("无法读取 PDF 文件：文件已损坏或不是 PDF 格式") from exc
    text = "\n".join(page.strip("\n") for page in pages)
    if not text.strip():
        raise DocumentError("PDF 没有文字层，无法提取文字（扫描件请先做文字识别）")
    return text
