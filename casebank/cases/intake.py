"""Turn uploads (files, zips, pasted text) into decision texts, safely.

Framework-free apart from the limits passed in. A zip is opened without trusting
its directory: entry count, declared and actual uncompressed sizes are capped,
nested archives are refused per entry and unsafe paths (absolute, ``..``) ignored.
"""

import io
import posixpath
import zipfile
from dataclasses import dataclass, field

from nlp.documents import SUPPORTED_SUFFIXES, DocumentError, read_bytes
from portal.textclean import clean_filename


@dataclass
class Limits:
    file_bytes: int = 10 * 1024 * 1024
    zip_entries: int = 2000
    zip_total_bytes: int = 200 * 1024 * 1024


@dataclass
class Entry:
    """One candidate document: its name and bytes, or why it cannot be used."""

    name: str
    data: bytes = b""
    text: str = ""
    error: str | None = None
    ignored: bool = False


@dataclass
class Expanded:
    entries: list[Entry] = field(default_factory=list)


class ArchiveRefused(Exception):
    """The whole zip is refused (too many entries, too large, damaged)."""


def _suffix(name: str) -> str:
    return posixpath.splitext(name.lower())[1]


def _content_matches(data: bytes, suffix: str) -> bool:
    """The type by content: .docx is a zip, .pdf starts with %PDF, .txt is not binary."""
    if suffix == ".docx":
        return data.startswith(b"PK\x03\x04")
    if suffix == ".pdf":
        return data.lstrip()[:5] == b"%PDF-"
    if suffix == ".txt":
        return not data.startswith((b"PK\x03\x04", b"%PDF-")) and (
            b"\x00" not in data[:4096] or data[:2] in (b"\xff\xfe", b"\xfe\xff")
        )
    return False


def read_entry(entry: Entry, limits: Limits) -> Entry:
    """Fill ``entry.text`` from its bytes, or ``entry.error`` (Chinese)."""
    if entry.error or entry.ignored:
        return entry
    suffix = _suffix(entry.name)
    if suffix not in SUPPORTED_SUFFIXES:
        entry.error = (
            f"不支持的文件类型“{suffix or '无扩展名'}”，仅支持 .txt、.docx、.pdf"
        )
        return entry
    if len(entry.data) > limits.file_bytes:
        entry.error = f"文件超过 {limits.file_bytes // (1024 * 1024)} MB 上限"
        return entry
    if not entry.data.strip():
        entry.error = "文件为空"
        return entry
    if not _content_matches(entry.data, suffix):
        entry.error = f"文件内容与扩展名“{suffix}”不符"
        return entry
    try:
        text = read_bytes(entry.data, entry.name)
    except DocumentError as exc:
        entry.error = str(exc)
        return entry
    if len(text.strip()) < 20:
        entry.error = "文件中没有可识别的决定书文字"
        return entry
    entry.text = text
    return entry


def _safe_name(name: str) -> str | None:
    """The entry's path if it stays inside the archive, else None."""
    if not name or "\x00" in name:
        return None
    name = clean_filename(name)  # bidi controls would disguise the name
    normal = posixpath.normpath(name.replace("\\", "/"))
    if normal.startswith(("/", "../")) or normal == ".." or ":" in normal.split("/")[0]:
        return None
    return normal


def expand_zip(data: bytes, zip_name: str, limits: Limits) -> list[Entry]:
    """The documents inside a zip, each an :class:`Entry` (read, or with its error).

    :raises ArchiveRefused: for a damaged archive, too many entries or a total
        uncompressed size above the limit (declared or actual: a zip bomb).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ArchiveRefused(f"压缩包“{zip_name}”已损坏或不是 zip 文件") from exc
    if len(infos) > limits.zip_entries:
        raise ArchiveRefused(
            f"压缩包“{zip_name}”含 {len(infos)} 个文件，超过 {limits.zip_entries} 个上限"
        )
    if sum(i.file_size for i in infos) > limits.zip_total_bytes:
        raise ArchiveRefused(
            f"压缩包“{zip_name}”解压后超过 "
            f"{limits.zip_total_bytes // (1024 * 1024)} MB 上限，已拒绝"
        )
    entries: list[Entry] = []
    total = 0
    for info in infos:
        raw_name = info.filename
        if info.flag_bits & 0x800 == 0:
            # Windows zip tools write GBK names without the UTF-8 flag.
            try:
                raw_name = raw_name.encode("cp437").decode("gbk")
            except (UnicodeEncodeError, UnicodeDecodeError):
                pass
        name = _safe_name(raw_name)
        label = f"{zip_name}/{raw_name}"
        if name is None:
            entries.append(Entry(label, ignored=True, error="路径不安全，已忽略"))
            continue
        label = f"{zip_name}/{name}"
        base = posixpath.basename(name)
        if base.startswith(".") or name.startswith("__MACOSX/"):
            continue
        if _suffix(name) == ".zip":
            entries.append(Entry(label, error="不支持嵌套的压缩包，请解压后上传"))
            continue
        if info.file_size > limits.file_bytes:
            entries.append(
                Entry(
                    label,
                    error=f"文件超过 {limits.file_bytes // (1024 * 1024)} MB 上限",
                )
            )
            continue
        try:
            with archive.open(info) as handle:
                content = handle.read(limits.file_bytes + 1)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
            entries.append(Entry(label, error="无法解压该文件（已损坏或已加密）"))
            continue
        total += len(content)
        if total > limits.zip_total_bytes:
            raise ArchiveRefused(
                f"压缩包“{zip_name}”解压后超过 "
                f"{limits.zip_total_bytes // (1024 * 1024)} MB 上限，已拒绝"
            )
        entries.append(read_entry(Entry(label, data=content), limits))
    return entries


def expand_uploads(uploads: list[tuple[str, bytes]], limits: Limits) -> list[Entry]:
    """Every document of an upload: plain files as they are, zips expanded."""
    entries: list[Entry] = []
    for name, data in uploads:
        name = posixpath.basename((name or "").replace("\\", "/")) or "未命名文件"
        if _suffix(name) == ".zip":
            try:
                entries.extend(expand_zip(data, name, limits))
            except ArchiveRefused as exc:
                entries.append(Entry(name, error=str(exc)))
            continue
        entries.append(read_entry(Entry(name, data=data), limits))
    return entries
