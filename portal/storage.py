"""File storage shared by every app node (issue #17).

Uploads and generated files (training materials, case originals, attachments,
staged imports) are stored under *keys* such as ``training/3f…e1.pdf``: a folder
name, ``/``, a file name. The layout is the one ``UPLOAD_DIR`` always had, so
files written before this module existed stay readable.

Backends (``STORAGE_BACKEND``):

- ``local`` (default): files under ``UPLOAD_DIR``. With several app nodes this
  directory must be one shared file system (an NFS mount) on every node.
- ``s3``: an S3-compatible bucket (``S3_BUCKET``, ``S3_ENDPOINT_URL``,
  ``S3_ACCESS_KEY_ID``, ``S3_SECRET_ACCESS_KEY``, ``S3_REGION``, ``S3_PREFIX``);
  needs ``boto3`` (imported only when this backend is chosen).

Views serve files with :func:`send` (range requests work on both backends: an
object is spooled to a temporary file first).
"""

import os
import posixpath
import re
import tempfile
import time
from dataclasses import dataclass

from flask import current_app, send_file

_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_CHUNK = 1024 * 1024
# Objects up to this size are spooled in memory when read from S3.
_SPOOL_BYTES = 8 * 1024 * 1024


class StorageError(Exception):
    """A key is malformed or the backend is misconfigured."""


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    modified: float  # seconds since the epoch


def check_key(key):
    """Return ``key`` if every part is a plain name (no ``..``, no absolute path)."""
    parts = key.split("/") if isinstance(key, str) else []
    if not parts or not all(_PART.match(p) for p in parts):
        raise StorageError(f"invalid storage key: {key!r}")
    return key


def join(*parts):
    """A key from a folder and a name; the name is reduced to its base name."""
    *folders, name = parts
    return check_key(posixpath.join(*folders, os.path.basename(name)))


def _chunks(data):
    if isinstance(data, (bytes, bytearray, memoryview)):
        yield bytes(data)
    elif hasattr(data, "read"):
        while chunk := data.read(_CHUNK):
            yield chunk
    else:
        yield from data


class LocalStorage:
    """Files under a directory (``UPLOAD_DIR``; shared by NFS between nodes)."""

    name = "local"

    def __init__(self, root):
        self.root = os.path.abspath(root)

    def local_path(self, key):
        return os.path.join(self.root, *check_key(key).split("/"))

    def save(self, key, data, *, overwrite=False):
        """Write bytes, a binary stream or an iterable of byte chunks under ``key``.

        Without ``overwrite`` an existing key is an error (``FileExistsError``).
        When reading ``data`` raises, nothing is left behind and the error
        propagates. :return: the number of bytes written.
        """
        path = self.local_path(key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        # Written to a temporary name first: readers on other nodes never see a
        # partial file, and a failure leaves nothing under the key.
        handle, partial = tempfile.mkstemp(
            prefix=".partial-", dir=os.path.dirname(path)
        )
        size = 0
        try:
            os.chmod(partial, 0o640)
            with os.fdopen(handle, "wb") as out:
                for chunk in _chunks(data):
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if overwrite:
                os.replace(partial, path)
            else:
                os.link(partial, path)  # fails if the key exists
                os.unlink(partial)
        except BaseException:
            if os.path.exists(partial):
                os.unlink(partial)
            raise
        return size

    def open(self, key):
        """A binary file object (``FileNotFoundError`` when missing)."""
        return open(self.local_path(key), "rb")

    def read(self, key):
        with self.open(key) as handle:
            return handle.read()

    def exists(self, key):
        return os.path.isfile(self.local_path(key))

    def delete(self, key):
        """Remove ``key``; True when something was removed."""
        try:
            os.remove(self.local_path(key))
        except FileNotFoundError:
            return False
        return True

    def list(self, prefix):
        """Every object whose key starts with ``prefix`` (a folder: ``imports/``)."""
        folder = os.path.join(self.root, *[p for p in prefix.split("/") if p])
        if not os.path.isdir(folder):
            return []
        found = []
        for base, _dirs, files in os.walk(folder):
            for name in files:
                if name.startswith(".partial-"):
                    continue
                path = os.path.join(base, name)
                rel = os.path.relpath(path, self.root).replace(os.sep, "/")
                if rel.startswith(prefix):
                    stat = os.stat(path)
                    found.append(StoredObject(rel, stat.st_size, stat.st_mtime))
        return sorted(found, key=lambda o: o.key)


class S3Storage:
    """Objects in an S3-compatible bucket (boto3, imported lazily)."""

    name = "s3"

    def __init__(self, client, bucket, prefix=""):
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    @classmethod
    def from_config(cls, config):
        try:
            import boto3
            from botocore.config import Config as BotoConfig
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise StorageError(
                "STORAGE_BACKEND=s3 needs boto3 (pip install boto3)"
            ) from exc
        if not config.get("S3_BUCKET"):
            raise StorageError("STORAGE_BACKEND=s3 needs S3_BUCKET")
        client = boto3.client(
            "s3",
            endpoint_url=config.get("S3_ENDPOINT_URL") or None,
            aws_access_key_id=config.get("S3_ACCESS_KEY_ID") or None,
            aws_secret_access_key=config.get("S3_SECRET_ACCESS_KEY") or None,
            region_name=config.get("S3_REGION") or "us-east-1",
            config=BotoConfig(
                s3={"addressing_style": "path"},
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        )
        return cls(client, config["S3_BUCKET"], config.get("S3_PREFIX") or "")

    def _name(self, key):
        return self.prefix + check_key(key)

    def local_path(self, key):
        return None

    def _missing(self, exc):
        code = getattr(exc, "response", {}).get("Error", {}).get("Code")
        return code in ("404", "NoSuchKey", "NotFound")

    def save(self, key, data, *, overwrite=False):
        name = self._name(key)
        # Spooled first: the body's size is known, and a failure while reading
        # ``data`` leaves nothing in the bucket.
        with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES) as spool:
            size = 0
            for chunk in _chunks(data):
                size += len(chunk)
                spool.write(chunk)
            spool.seek(0)
            # Not atomic (S3 has no create-if-absent here): keys are random names
            # or per-user staging names, so two writers never race for one key.
            if not overwrite and self.exists(key):
                raise FileExistsError(key)
            self.client.upload_fileobj(spool, self.bucket, name)
        return size

    def open(self, key):
        spool = tempfile.TemporaryFile()
        try:
            self.client.download_fileobj(self.bucket, self._name(key), spool)
        except Exception as exc:
            spool.close()
            if self._missing(exc):
                raise FileNotFoundError(key) from exc
            raise
        spool.seek(0)
        return spool

    def read(self, key):
        with self.open(key) as handle:
            return handle.read()

    def exists(self, key):
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except Exception as exc:
            if self._missing(exc):
                return False
            raise
        return True

    def delete(self, key):
        existed = self.exists(key)
        if existed:
            self.client.delete_object(Bucket=self.bucket, Key=self._name(key))
        return existed

    def list(self, prefix):
        found = []
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
            for item in page.get("Contents", []):
                found.append(
                    StoredObject(
                        item["Key"][len(self.prefix) :],
                        int(item["Size"]),
                        item["LastModified"].timestamp(),
                    )
                )
        return sorted(found, key=lambda o: o.key)


def get_storage(app=None):
    """The storage backend of ``app`` (default: the current app).

    The local backend follows ``UPLOAD_DIR`` at every call (tests change it); the
    S3 client is made once per app and settings.
    """
    app = app or current_app._get_current_object()
    backend = (app.config.get("STORAGE_BACKEND") or "local").lower()
    if backend == "local":
        return LocalStorage(app.config["UPLOAD_DIR"])
    if backend == "s3":
        settings = tuple(
            app.config.get(k)
            for k in (
                "S3_BUCKET",
                "S3_ENDPOINT_URL",
                "S3_ACCESS_KEY_ID",
                "S3_SECRET_ACCESS_KEY",
                "S3_REGION",
                "S3_PREFIX",
            )
        )
        cached = app.extensions.get("storage")
        if cached is None or cached[0] != settings:
            cached = (settings, S3Storage.from_config(app.config))
            app.extensions["storage"] = cached
        return cached[1]
    raise StorageError(f"unknown STORAGE_BACKEND: {backend!r}")


def send(key, *, mimetype, download_name, as_attachment, **kwargs):
    """A response with the object under ``key`` (404 when it is missing).

    Local files are sent by path; an S3 object is first copied to a temporary
    file that is removed when the response is closed. Both answer range requests
    (``conditional=True``) so that video seeking works.
    """
    from flask import abort

    backend = get_storage()
    kwargs.setdefault("conditional", True)
    path = backend.local_path(key)
    if path is not None:
        if not os.path.isfile(path):
            abort(404)
        return send_file(
            path,
            mimetype=mimetype,
            download_name=download_name,
            as_attachment=as_attachment,
            **kwargs,
        )
    handle, temporary = tempfile.mkstemp(prefix="zhifa-download-")
    try:
        with os.fdopen(handle, "wb") as out, backend.open(key) as source:
            while chunk := source.read(_CHUNK):
                out.write(chunk)
        response = send_file(
            temporary,
            mimetype=mimetype,
            download_name=download_name,
            as_attachment=as_attachment,
            **kwargs,
        )
    except FileNotFoundError:
        os.unlink(temporary)
        abort(404)
    except BaseException:
        os.unlink(temporary)
        raise
    # The response holds the file open; the name can go now (POSIX) and the
    # close hook covers responses that never opened it.
    response.call_on_close(lambda: os.path.exists(temporary) and os.unlink(temporary))
    return response


def purge_older_than(prefix, max_age_seconds, storage=None):
    """Delete objects under ``prefix`` last modified more than ``max_age_seconds``
    ago. :return: the number deleted."""
    storage = storage or get_storage()
    cutoff = time.time() - max_age_seconds
    removed = 0
    for item in storage.list(prefix):
        if item.modified < cutoff and storage.delete(item.key):
            removed += 1
    return removed


__all__ = [
    "LocalStorage",
    "S3Storage",
    "StorageError",
    "StoredObject",
    "check_key",
    "get_storage",
    "join",
    "purge_older_than",
    "send",
]
