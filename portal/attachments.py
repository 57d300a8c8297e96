"""Checked attachments (images and PDFs) for every feature that takes them from
people outside the office: public submissions and handler replies (issue #7),
replies to 监督意见书 (issue #6).

Rules: at most N files of at most M MB each (per feature, from its settings —
see :class:`Attachments`); the type is decided by content (JPEG, PNG or PDF), never by name or the
browser's claim. Images are decoded and re-encoded by Pillow, which drops EXIF
(GPS, camera) and anything appended to the file; a file whose bytes carry HTML or
script markers (a polyglot) is refused outright. PDFs that carry active content
(``/JavaScript``, ``/JS``, ``/AA``, ``/Launch``, ``/EmbeddedFile``, ``/XFA``,
``/RichMedia`` …, also hidden in ``#xx``-escaped names, in compressed object
streams, behind indirect ``/Filter`` references or filter chains: every object is
read with pypdf and every stream decoded) are refused, and so is a PDF pypdf cannot
parse or decode. :func:`pdf_problem_full` is the one check every PDF upload uses,
training materials included.

All files are checked before any is written; when one is refused, nothing is
stored (:func:`prepare` raises before :func:`store` is called).
"""

import hashlib
import io
import os
import re
import secrets
import warnings
import zlib
from dataclasses import dataclass

from flask import current_app
from PIL import Image, ImageOps

from portal import storage
from portal.exceptions import ValidationFailed
from portal.textclean import clean_filename

MIB = 1024 * 1024
MAX_PIXELS = 40_000_000
SUFFIXES = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}
# Markers of markup or script inside a file that claims to be an image or a PDF.
MARKUP = re.compile(
    rb"<\s*(script|html|body|iframe|svg|object|embed|meta)\b|<\?php|javascript:",
    re.IGNORECASE,
)
# Names of actions and payloads that run or fetch something when the PDF is opened
# or used: scripts, launch/submit/import/remote-go-to actions, additional-action
# dictionaries, XFA forms, embedded files, rich media.
PDF_ACTIVE = re.compile(
    rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA|SubmitForm|ImportData"
    rb"|GoToE|GoToR|AA)(?![A-Za-z])"
)
PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
PDF_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\n?endstream", re.DOTALL)
PDF_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[A-Za-z0-9]+)")
PDF_FILTER_NAME = re.compile(rb"/([A-Za-z0-9]+)")
# Stream encodings the check can read (Flate) or that only carry image data; any
# other (ASCIIHex, ASCII85, LZW, RunLength, Crypt …) could hide a payload from it.
PDF_IMAGE_FILTERS = frozenset(
    {b"DCTDecode", b"JPXDecode", b"CCITTFaxDecode", b"JBIG2Decode"}
)
PDF_READABLE_FILTERS = PDF_IMAGE_FILTERS | {b"FlateDecode"}
# Inflated bytes examined per file: a bomb of many streams cannot hold a worker.
PDF_INFLATE_BUDGET = 20 * MIB


@dataclass(frozen=True)
class PreparedFile:
    """A checked file, held in memory until :func:`store` writes it."""

    original_name: str
    mime: str
    content: bytes

    @property
    def size(self):
        return len(self.content)

    @property
    def sha256(self):
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    original_name: str
    mime: str
    size: int
    sha256: str


def sniff(head):
    """``image/jpeg``, ``image/png``, ``application/pdf`` or None, from magic bytes."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def _clean_name(name):
    name = clean_filename(name)  # no bidi controls: "x‮fdp.exe" shows as "xexe.pdf"
    name = os.path.basename(name.replace("\\", "/")).strip()
    return name[:255] or "附件"


def _reencode(content, mime, label):
    """Decode and re-encode an image; EXIF and trailing data are dropped.

    The EXIF orientation is applied first so that photos stay upright.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise ValidationFailed(f"{label}：图片尺寸过大，未保存任何内容")
                probe.verify()
            with Image.open(io.BytesIO(content)) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
                out = io.BytesIO()
                if mime == "image/jpeg":
                    if image.mode not in ("RGB", "L"):
                        image = image.convert("RGB")
                    image.save(out, format="JPEG", quality=90, optimize=True)
                else:
                    if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                        image = image.convert("RGBA")
                    image.save(out, format="PNG", optimize=True)
                return out.getvalue()
    except ValidationFailed:
        raise
    except Exception as exc:  # noqa: BLE001 - any decoder failure means "not an image"
        raise ValidationFailed(
            f"{label}：图片文件已损坏或无法识别，未保存任何内容"
        ) from exc


def pdf_problem(content):
    """Why a PDF is refused (a Chinese reason), or None when it may be stored.

    Refused: active names (:data:`PDF_ACTIVE`, also ``#xx``-escaped) in the file or
    in any Flate-compressed stream; streams in encodings the check cannot read
    (they could hide such names); more than :data:`PDF_INFLATE_BUDGET` bytes of
    inflated streams.
    """

    def active(data):
        data = PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)
        return PDF_ACTIVE.search(data) is not None

    active_reason = "PDF 含有脚本、启动动作或嵌入文件，存在安全风险"
    if active(content):
        return active_reason
    budget = PDF_INFLATE_BUDGET
    previous_end = 0
    for match in PDF_STREAM.finditer(content):
        # The stream's dictionary lies between the previous stream and this one.
        header = content[max(previous_end, match.start() - 4096) : match.start()]
        header = PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), header)
        previous_end = match.end()
        start = header.rfind(b"obj")
        filters = PDF_FILTER.findall(header[start:] if start >= 0 else header)
        names = PDF_FILTER_NAME.findall(filters[-1]) if filters else []
        if any(name not in PDF_READABLE_FILTERS for name in names):
            return "PDF 使用了无法安全检查的编码方式，请另存为标准 PDF 后重新上传"
        if not names or names[0] != b"FlateDecode":
            continue  # raw (scanned above as part of the file) or image data
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(match.group(1), budget + 1)
        except zlib.error:
            continue
        budget -= len(inflated)
        if budget < 0 or inflater.unconsumed_tail:
            return "PDF 解压后内容过大，无法安全检查"
        if active(inflated):
            return active_reason
    return _pdf_walk_problem(content, PDF_INFLATE_BUDGET)


# Dictionary keys and name values that make a PDF act: checked on every object
# pypdf reads (names arrive with their #xx escapes decoded).
PDF_ACTIVE_NAMES = frozenset(
    "/" + name
    for name in (
        "JavaScript",
        "JS",
        "AA",
        "Launch",
        "EmbeddedFile",
        "EmbeddedFiles",
        "RichMedia",
        "XFA",
        "SubmitForm",
        "ImportData",
        "GoToE",
        "GoToR",
    )
)


def _pdf_walk_problem(content, budget):
    """Parse with pypdf; refuse active names in any object (also inside object
    streams, and with indirect or chained filters) and streams pypdf cannot decode."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _pdf_walk(content, budget)


def _pdf_walk(content, budget):
    from pypdf import PdfReader
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        IndirectObject,
        NameObject,
        StreamObject,
    )

    active_reason = "PDF 含有脚本、启动动作或嵌入文件，存在安全风险"
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            return "PDF 已加密，无法安全检查，请去除密码后重新上传"
        numbers = {(num, gen) for gen, table in reader.xref.items() for num in table}
        numbers |= {(num, 0) for num in reader.xref_objStm}
    except Exception:  # noqa: BLE001 - unreadable structure: refuse, do not guess
        return "PDF 文件结构无法解析，请另存为标准 PDF 后重新上传"

    seen = set()
    remaining = [budget]

    def visit(obj, depth=0):
        if depth > 64:
            return "PDF 结构嵌套过深，无法安全检查"
        if isinstance(obj, IndirectObject):
            return None  # visited as its own numbered object
        if isinstance(obj, NameObject):
            return active_reason if str(obj) in PDF_ACTIVE_NAMES else None
        if isinstance(obj, DictionaryObject):
            for key, value in obj.items():
                if str(key) in PDF_ACTIVE_NAMES:
                    return active_reason
                if problem := visit(value, depth + 1):
                    return problem
            if isinstance(obj, StreamObject):
                try:
                    data = obj.get_data()
                except Exception:  # noqa: BLE001
                    if obj.get("/Subtype") == "/Image":
                        return None  # image data cannot carry actions
                    return (
                        "PDF 使用了无法安全检查的编码方式，请另存为标准 PDF 后重新上传"
                    )
                remaining[0] -= len(data)
                if remaining[0] < 0:
                    return "PDF 解压后内容过大，无法安全检查"
                escaped = PDF_NAME_ESCAPE.sub(
                    lambda m: bytes([int(m.group(1), 16)]), data
                )
                if PDF_ACTIVE.search(escaped):
                    return active_reason
            return None
        if isinstance(obj, ArrayObject):
            for item in obj:
                if problem := visit(item, depth + 1):
                    return problem
        return None

    try:
        if problem := visit(reader.trailer):
            return problem
        for num, gen in sorted(numbers):
            if (num, gen) in seen:
                continue
            seen.add((num, gen))
            obj = reader.get_object(IndirectObject(num, gen, reader))
            if problem := visit(obj):
                return problem
    except Exception:  # noqa: BLE001
        return "PDF 文件结构无法解析，请另存为标准 PDF 后重新上传"
    return None


def pdf_problem_full(content):
    """The one PDF check for every PDF upload (attachments, training materials).

    :return: a Chinese reason, or None when the PDF may be stored.
    """
    if not content.startswith(b"%PDF-"):
        return "文件内容不是 PDF 文档"
    if b"%%EOF" not in content[-2048:]:
        return "PDF 文件不完整"
    if MARKUP.search(content):
        return "文件中夹带网页或脚本代码，存在安全风险"
    return pdf_problem(content)


def pdf_has_active_content(content):
    """True when :func:`pdf_problem` refuses the PDF."""
    return pdf_problem(content) is not None


class Attachments:
    """One feature's rules: its folder under ``UPLOAD_DIR`` and the settings that
    hold its file count and per-file size limits."""

    def __init__(self, folder_name, max_files_key, max_mb_key):
        self.folder_name = folder_name
        self.max_files_key = max_files_key
        self.max_mb_key = max_mb_key

    def max_files(self):
        return int(current_app.config[self.max_files_key])

    def file_limit(self):
        """Bytes allowed per attachment."""
        return int(current_app.config[self.max_mb_key] * MIB)

    def request_limit(self):
        """A route's request limit: every file at its maximum plus the text."""
        return self.max_files() * self.file_limit() + MIB

    def _check_one(self, upload, position):
        label = f"第 {position} 个附件（{_clean_name(upload.filename)}）"
        limit = self.file_limit()
        content = upload.stream.read(limit + 1)
        if not content:
            raise ValidationFailed(f"{label}：文件为空，未保存任何内容")
        if len(content) > limit:
            raise ValidationFailed(
                f"{label}：超过 {limit / MIB:g} MB 的大小限制，未保存任何内容"
            )
        mime = sniff(content[:16])
        if mime is None:
            raise ValidationFailed(
                f"{label}：只接受 JPEG、PNG 图片或 PDF 文件（按文件内容判断），"
                "未保存任何内容"
            )
        if MARKUP.search(content):
            raise ValidationFailed(
                f"{label}：文件中夹带网页或脚本代码，存在安全风险，未保存任何内容"
            )
        if mime == "application/pdf":
            problem = pdf_problem_full(content)
            if problem:
                raise ValidationFailed(f"{label}：{problem}，未保存任何内容")
        else:
            content = _reencode(content, mime, label)
        return PreparedFile(_clean_name(upload.filename), mime, content)

    def prepare(self, uploads):
        """Check every upload (werkzeug ``FileStorage`` objects; empty ones ignored).

        :return: a list of :class:`PreparedFile`.
        :raises ValidationFailed: with a Chinese message naming the first bad file.
        """
        uploads = [u for u in uploads if u is not None and u.filename]
        if len(uploads) > self.max_files():
            raise ValidationFailed(
                f"最多上传 {self.max_files()} 个附件，未保存任何内容"
            )
        return [self._check_one(u, i) for i, u in enumerate(uploads, start=1)]

    def key(self, stored_name):
        """The storage key of a stored file (:mod:`portal.storage`)."""
        return storage.join(self.folder_name, stored_name)

    def folder(self):
        """The local folder (local storage backend only; tests and tools)."""
        path = os.path.join(current_app.config["UPLOAD_DIR"], self.folder_name)
        os.makedirs(path, exist_ok=True)
        return path

    def file_path(self, stored_name):
        """The local path (local storage backend only; tests and tools)."""
        return os.path.join(self.folder(), os.path.basename(stored_name))

    def send(self, stored_name, **kwargs):
        """A download response for a stored file (404 when it is missing)."""
        return storage.send(self.key(stored_name), **kwargs)

    def store(self, prepared):
        """Write checked files under random names to the shared storage; on any
        failure remove what was written and re-raise.
        :return: a list of :class:`StoredFile`."""
        backend = storage.get_storage()
        written = []
        try:
            for item in prepared:
                name = secrets.token_hex(16) + SUFFIXES[item.mime]
                backend.save(self.key(name), item.content)
                written.append(
                    StoredFile(
                        name, item.original_name, item.mime, item.size, item.sha256
                    )
                )
        except BaseException:
            self.remove([f.stored_name for f in written])
            raise
        return written

    def remove(self, stored_names):
        """Delete stored files (used when the database transaction fails)."""
        backend = storage.get_storage()
        for name in stored_names:
            backend.delete(self.key(name))
