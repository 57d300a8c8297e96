"""ID photos (证件照) of users, printed on certificates (issue #12).

An upload is accepted only when its *content* is a JPEG or PNG image (the file
name and the browser's content type are ignored), at most :data:`MAX_BYTES` and
:data:`MAX_SIDE` × :data:`MAX_SIDE` pixels, and fully decodable. It is then
re-encoded as a baseline JPEG: every metadata block of the upload (EXIF with GPS
position and camera serial, XMP, ICC, comments) is dropped, the EXIF orientation
is applied first so a phone photo stands upright, transparency is flattened on
white and the image is reduced to fit :data:`STORED_SIZE` (600 dpi in the
2.5 × 3.5 cm box of the certificate). Only the re-encoded bytes are stored, under
``photos/<random>.jpg`` in the shared storage (:mod:`portal.storage`).
"""

import hashlib
import io
import secrets
import warnings

from PIL import Image, ImageOps

from portal import storage
from portal.exceptions import ValidationFailed

MIB = 1024 * 1024
MAX_BYTES = 2 * MIB
MAX_SIDE = 2000
MIN_SIDE = 100
#: The stored photo fits this box (width, height) in pixels.
STORED_SIZE = (600, 840)
JPEG_QUALITY = 88
FOLDER = "photos"
MIME = "image/jpeg"

_MAGIC = {
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}

WRONG_TYPE = (
    "照片只能是 JPG 或 PNG 格式的图片（按文件内容识别，修改扩展名无效），未保存"
)
TOO_BIG = "照片文件不能超过 2 MB，未保存"
CORRUPT = "照片文件已损坏或不完整，无法读取，未保存"
NO_FILE = "请选择要上传的照片"


class PhotoRejected(ValidationFailed):
    """The upload is not an acceptable photo; ``message`` says why (Chinese)."""


def sniff(head):
    """``jpeg``, ``png`` or None, from the first bytes of a file."""
    for kind, magics in _MAGIC.items():
        if any(head.startswith(m) for m in magics):
            return kind
    return None


def read_limited(stream, limit=MAX_BYTES):
    """At most ``limit`` bytes of ``stream``; :class:`PhotoRejected` beyond."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise PhotoRejected(TOO_BIG)
    return data


def prepare(data):
    """Validate an uploaded photo and return it re-encoded as a clean JPEG.

    :param data: the uploaded bytes.
    :raises PhotoRejected: empty, not JPEG/PNG by content, too large (bytes or
        pixels), too small, or not decodable (truncated, corrupt).
    """
    if not data:
        raise PhotoRejected(NO_FILE)
    if len(data) > MAX_BYTES:
        raise PhotoRejected(TOO_BIG)
    kind = sniff(data[:16])
    if kind is None:
        raise PhotoRejected(WRONG_TYPE)
    with warnings.catch_warnings():
        # Pillow warns about odd EXIF or huge images; both are decided here.
        warnings.simplefilter("ignore")
        try:
            # First pass: the header (format, size) and the PNG checksums.
            with Image.open(io.BytesIO(data)) as probe:
                if (probe.format or "").lower() != kind:
                    raise PhotoRejected(WRONG_TYPE)
                width, height = probe.size
                if width > MAX_SIDE or height > MAX_SIDE:
                    raise PhotoRejected(
                        f"照片尺寸不能超过 {MAX_SIDE}×{MAX_SIDE} 像素"
                        f"（此照片为 {width}×{height}），未保存"
                    )
                if width < MIN_SIDE or height < MIN_SIDE:
                    raise PhotoRejected(
                        f"照片太小（至少 {MIN_SIDE}×{MIN_SIDE} 像素，"
                        f"此照片为 {width}×{height}），未保存"
                    )
                probe.verify()
            # Second pass: decode every pixel (a truncated file fails here).
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
                clean = _flatten(upright)
        except PhotoRejected:
            raise
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
            raise PhotoRejected(CORRUPT) from exc
    clean.thumbnail(STORED_SIZE, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # A new image without ``info``: no EXIF, XMP, ICC profile or comment is kept.
    clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def _flatten(image):
    """An RGB copy of ``image`` (transparency on white), free of metadata."""
    if image.mode in ("RGBA", "LA") or (
        image.mode == "P" and "transparency" in image.info
    ):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    rgb = image.convert("RGB")
    # ``convert`` may carry ``info`` over; a fresh image carries nothing.
    fresh = Image.new("RGB", rgb.size)
    fresh.paste(rgb)
    return fresh


def key(name):
    """The storage key of a stored photo (names are ours, never the user's)."""
    return storage.join(FOLDER, name)


def store(jpeg):
    """Save re-encoded photo bytes under a new random key; return the key."""
    stored = key(secrets.token_hex(16) + ".jpg")
    storage.get_storage().save(stored, jpeg)
    return stored


def load(photo_key):
    """The stored JPEG bytes of ``photo_key`` or None (no key, or file missing)."""
    if not photo_key:
        return None
    try:
        return storage.get_storage().read(photo_key)
    except FileNotFoundError:
        return None


def discard(photo_key):
    """Remove a replaced or deleted photo from the storage (after the commit)."""
    if photo_key:
        storage.get_storage().delete(photo_key)


def accept(upload):
    """Validate, re-encode and store an uploaded file (a werkzeug ``FileStorage``).

    :return: ``(key, sha256)`` of the stored JPEG.
    :raises PhotoRejected: see :func:`prepare`.
    """
    if upload is None or not getattr(upload, "filename", None):
        raise PhotoRejected(NO_FILE)
    jpeg = prepare(read_limited(upload.stream))
    return store(jpeg), hashlib.sha256(jpeg).hexdigest()


def response(photo_key):
    """The stored photo as an inline, uncached JPEG response (404 when absent)."""
    from flask import abort

    if not photo_key:
        abort(404)
    reply = storage.send(
        photo_key,
        mimetype=MIME,
        download_name="photo.jpg",
        as_attachment=False,
        max_age=0,
    )
    reply.headers["Cache-Control"] = "private, no-store"
    reply.headers["X-Content-Type-Options"] = "nosniff"
    return reply
