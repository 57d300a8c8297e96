"""Attachments of a reply (整改情况): the checks of portal/suggestions/uploads.py
(type by content, images re-encoded without EXIF, polyglots and active PDFs
refused) with this feature's limits and folder (UPLOAD_DIR/opinions/).

Every file is checked before any is written; on a refusal nothing is stored.
"""

import os
import secrets

from flask import current_app

from portal.exceptions import ValidationFailed
from portal.suggestions import uploads as checked
from portal.suggestions.uploads import MIB, PreparedFile, StoredFile

FOLDER = "opinions"


def max_files():
    return int(current_app.config["OPINION_MAX_FILES"])


def file_limit():
    return int(current_app.config["OPINION_FILE_MAX_MB"] * MIB)


def request_limit():
    """The reply route's request limit: every file at its maximum plus the text."""
    return max_files() * file_limit() + MIB


def _check_one(upload, position):
    """Size by this feature's limit, then the suggestion checks on the content."""
    label = f"第 {position} 个附件（{checked._clean_name(upload.filename)}）"
    limit = file_limit()
    content = upload.stream.read(limit + 1)
    if not content:
        raise ValidationFailed(f"{label}：文件为空，未保存任何内容")
    if len(content) > limit:
        raise ValidationFailed(
            f"{label}：超过 {limit / MIB:g} MB 的大小限制，未保存任何内容"
        )
    mime = checked.sniff(content[:16])
    if mime is None:
        raise ValidationFailed(
            f"{label}：只接受 JPEG、PNG 图片或 PDF 文件（按文件内容判断），未保存任何内容"
        )
    if checked.MARKUP.search(content):
        raise ValidationFailed(
            f"{label}：文件中夹带网页或脚本代码，存在安全风险，未保存任何内容"
        )
    if mime == "application/pdf":
        if b"%%EOF" not in content[-2048:]:
            raise ValidationFailed(f"{label}：PDF 文件不完整，未保存任何内容")
        if checked.pdf_has_active_content(content):
            raise ValidationFailed(
                f"{label}：PDF 含有脚本、启动动作或嵌入文件，存在安全风险，"
                "未保存任何内容"
            )
    else:
        content = checked._reencode(content, mime, label)
    return PreparedFile(checked._clean_name(upload.filename), mime, content)


def prepare(uploads):
    """Check every upload (empty file inputs ignored); raise on the first bad one."""
    uploads = [u for u in uploads if u is not None and u.filename]
    if len(uploads) > max_files():
        raise ValidationFailed(f"最多上传 {max_files()} 个附件，未保存任何内容")
    return [_check_one(upload, i) for i, upload in enumerate(uploads, start=1)]


def folder():
    path = os.path.join(current_app.config["UPLOAD_DIR"], FOLDER)
    os.makedirs(path, exist_ok=True)
    return path


def file_path(stored_name):
    return os.path.join(folder(), os.path.basename(stored_name))


def store(prepared):
    """Write checked files under random names; on failure remove what was written."""
    written = []
    try:
        for item in prepared:
            name = secrets.token_hex(16) + checked.SUFFIXES[item.mime]
            with open(file_path(name), "xb") as out:
                out.write(item.content)
            written.append(
                StoredFile(name, item.original_name, item.mime, item.size, item.sha256)
            )
    except BaseException:
        remove([f.stored_name for f in written])
        raise
    return written


def remove(stored_names):
    """Delete stored files (when the database transaction fails)."""
    for name in stored_names:
        path = file_path(name)
        if os.path.exists(path):
            os.remove(path)
