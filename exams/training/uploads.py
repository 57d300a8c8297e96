"""Training material files: type by content (magic bytes), per-type size limits,
random stored names under ``training/`` in the shared storage and SHA-256 (issue #5).

Nothing is left on disk when a file is refused.
"""

import hashlib
import os
import secrets
from dataclasses import dataclass

from flask import current_app

from portal import storage
from portal.attachments import pdf_problem_full
from portal.exceptions import ValidationFailed

MIB = 1024 * 1024
SUFFIXES = {"pdf": ".pdf", "mp4": ".mp4", "webm": ".webm"}
MIMES = {"pdf": "application/pdf", "mp4": "video/mp4", "webm": "video/webm"}
_CHUNK = 1024 * 1024


class FileTooLarge(ValidationFailed):
    status_code = 413


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    mime: str
    size: int
    sha256: str


def sniff(head):
    """The file format from its first bytes: ``pdf``, ``mp4``, ``webm`` or None.

    PDF starts with ``%PDF-``; an MP4 (ISO base media) file with a ``ftyp`` box
    (size, then ``ftyp`` at offset 4); WebM with the EBML magic ``1A 45 DF A3`` and
    the doc type ``webm`` in its header (Matroska files say ``matroska``).
    """
    if head.startswith(b"%PDF-"):
        return "pdf"
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head[:64]:
        return "webm"
    return None


def size_limit(kind):
    """Bytes allowed for a ``pdf`` or ``video`` file (``TRAINING_*_MAX_MB``)."""
    key = "TRAINING_PDF_MAX_MB" if kind == "pdf" else "TRAINING_VIDEO_MAX_MB"
    return int(current_app.config[key] * MIB)


def request_limit():
    """The upload route's request limit: the largest file plus the form fields
    (the app-wide ``MAX_CONTENT_LENGTH`` stays at its default elsewhere)."""
    return max(size_limit("pdf"), size_limit("video")) + MIB


def training_dir():
    """The local folder (local storage backend only; tests and tools)."""
    folder = os.path.join(current_app.config["UPLOAD_DIR"], "training")
    os.makedirs(folder, exist_ok=True)
    return folder


def file_path(stored_name):
    """Local path of a stored material file (local storage backend only)."""
    return os.path.join(training_dir(), os.path.basename(stored_name))


def key(stored_name):
    """The storage key of a material file (names are ours, never the user's)."""
    return storage.join("training", stored_name)


def store_upload(kind, stream):
    """Validate and store an uploaded material file in the shared storage.

    :param kind: ``pdf`` or ``video`` (what the admin said they upload).
    :param stream: a binary file object (the uploaded file).
    :return: a :class:`StoredFile`.
    :raises ValidationFailed: the content is not a PDF / MP4 / WebM as declared.
    :raises FileTooLarge: the file exceeds the limit of its type.
    """
    head = stream.read(64)
    found = sniff(head)
    if kind == "pdf" and found != "pdf":
        raise ValidationFailed("文件内容不是 PDF 文档（仅接受真正的 PDF 文件），未保存")
    if kind == "video" and found not in ("mp4", "webm"):
        raise ValidationFailed("文件内容不是 MP4 或 WebM 视频，未保存")
    limit = size_limit(kind)
    name = secrets.token_hex(16) + SUFFIXES[found]
    digest = hashlib.sha256()

    def checked_chunks():
        size = 0
        chunk = head
        while chunk:
            size += len(chunk)
            if size > limit:
                raise FileTooLarge(
                    f"{'PDF 文档' if kind == 'pdf' else '视频'}不能超过 "
                    f"{limit / MIB:g} MB，未保存"
                )
            digest.update(chunk)
            yield chunk
            chunk = stream.read(_CHUNK)

    if found == "pdf":
        # A PDF (at most the PDF limit) is checked whole before anything is
        # stored: the one PDF check of every upload (portal/attachments.py).
        data = b"".join(checked_chunks())
        problem = pdf_problem_full(data)
        if problem:
            raise ValidationFailed(f"{problem}，未保存")
        size = storage.get_storage().save(key(name), data)
    else:
        # The storage writes nothing under the key when a chunk check raises.
        size = storage.get_storage().save(key(name), checked_chunks())
    return StoredFile(name, MIMES[found], size, digest.hexdigest())


def remove_file(stored_name):
    """Delete a stored file (after its material row is gone)."""
    storage.get_storage().delete(key(stored_name))
