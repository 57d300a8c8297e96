"""The shared storage (portal/storage.py): one contract for the local directory and
the S3-compatible backend. The S3 tests run against moto's S3 server, a real HTTP
server on 127.0.0.1 (boto3 talks to it as to any S3-compatible service)."""

import io
import os
import tempfile
import time
import uuid

import pytest
from werkzeug.exceptions import NotFound

from portal import create_app, storage
from portal.attachments import Attachments, PreparedFile
from portal.config import TestConfig


@pytest.fixture
def app(tmp_path):
    """No database: the storage needs only the settings."""
    app = create_app(TestConfig, UPLOAD_DIR=str(tmp_path / "uploads"))
    with app.app_context():
        yield app


@pytest.fixture(scope="module")
def s3_endpoint():
    pytest.importorskip("boto3")
    server_module = pytest.importorskip("moto.server")
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def _s3_config(endpoint):
    return {
        "STORAGE_BACKEND": "s3",
        "S3_ENDPOINT_URL": endpoint,
        "S3_BUCKET": f"zhifa-{uuid.uuid4().hex[:12]}",
        "S3_ACCESS_KEY_ID": "testing",
        "S3_SECRET_ACCESS_KEY": "testing",
        "S3_REGION": "us-east-1",
        "S3_PREFIX": "portal",
    }


def _use_s3(app, endpoint):
    app.config.update(_s3_config(endpoint))
    backend = storage.get_storage()
    backend.client.create_bucket(Bucket=app.config["S3_BUCKET"])
    return backend


@pytest.fixture(params=["local", "s3"])
def backend(request, app):
    if request.param == "local":
        return storage.get_storage()
    return _use_s3(app, request.getfixturevalue("s3_endpoint"))


def test_keys_are_plain_folder_and_file_names():
    assert storage.join("training", "../../etc/passwd") == "training/passwd"
    assert storage.join("imports", "a-b_c.1.xlsx") == "imports/a-b_c.1.xlsx"
    for bad in ("../x", "/abs", "a//b", "a/../b", ".hidden", "", "a/ b"):
        with pytest.raises(storage.StorageError):
            storage.check_key(bad)


def test_save_read_exists_list_delete(backend):
    data = os.urandom(3000)
    assert backend.save("training/a.pdf", data) == len(data)
    assert backend.save("training/b.pdf", io.BytesIO(b"second")) == 6
    assert backend.save("imports/c.xlsx", iter([b"one", b"two"])) == 6
    assert backend.exists("training/a.pdf")
    assert not backend.exists("training/missing.pdf")
    assert backend.read("training/a.pdf") == data
    assert backend.read("imports/c.xlsx") == b"onetwo"
    with backend.open("training/b.pdf") as handle:
        assert handle.read() == b"second"
    with pytest.raises(FileNotFoundError):
        backend.open("training/missing.pdf")
    listed = backend.list("training/")
    assert [(o.key, o.size) for o in listed] == [
        ("training/a.pdf", 3000),
        ("training/b.pdf", 6),
    ]
    assert all(abs(o.modified - time.time()) < 600 for o in listed)
    assert backend.delete("training/a.pdf") is True
    assert backend.delete("training/a.pdf") is False
    assert [o.key for o in backend.list("training/")] == ["training/b.pdf"]


def test_save_never_overwrites_unless_asked(backend):
    backend.save("imports/x.xlsx", b"first")
    with pytest.raises(FileExistsError):
        backend.save("imports/x.xlsx", b"second")
    assert backend.read("imports/x.xlsx") == b"first"
    backend.save("imports/x.xlsx", b"third", overwrite=True)
    assert backend.read("imports/x.xlsx") == b"third"


def test_a_failing_source_leaves_nothing_under_the_key(backend):
    def chunks():
        yield b"partial content"
        raise ValueError("source broke")

    with pytest.raises(ValueError, match="source broke"):
        backend.save("training/broken.mp4", chunks())
    assert not backend.exists("training/broken.mp4")
    assert backend.list("training/") == []


def test_local_layout_is_the_upload_dir_layout(app):
    """Files written before the storage existed stay readable: same paths."""
    folder = os.path.join(app.config["UPLOAD_DIR"], "suggestions")
    os.makedirs(folder)
    with open(os.path.join(folder, "old.jpg"), "wb") as fh:
        fh.write(b"legacy")
    backend = storage.get_storage()
    assert backend.read("suggestions/old.jpg") == b"legacy"
    backend.save("cases/new.txt", b"x")
    assert os.path.isfile(os.path.join(app.config["UPLOAD_DIR"], "cases", "new.txt"))


def test_purge_removes_only_old_objects(app):
    backend = storage.get_storage()
    backend.save("imports/old.xlsx", b"old")
    backend.save("imports/new.xlsx", b"new")
    backend.save("training/keep.pdf", b"keep")
    past = time.time() - 3 * 86400
    os.utime(backend.local_path("imports/old.xlsx"), (past, past))
    assert storage.purge_older_than("imports/", 86400) == 1
    assert [o.key for o in backend.list("")] == [
        "imports/new.xlsx",
        "training/keep.pdf",
    ]


@pytest.mark.parametrize("kind", ["local", "s3"])
def test_attachments_are_stored_and_served_with_ranges(app, kind, request):
    """Attachments go to the configured backend and are served whole and by
    range (a video seek) from it; removing them deletes the objects."""
    if kind == "s3":
        backend = _use_s3(app, request.getfixturevalue("s3_endpoint"))
    else:
        backend = storage.get_storage()
    rules = Attachments("opinions", "OPINION_MAX_FILES", "OPINION_FILE_MAX_MB")
    content = b"%PDF-1.4 " + os.urandom(5000) + b" %%EOF"
    stored = rules.store([PreparedFile("回复.pdf", "application/pdf", content)])
    key = f"opinions/{stored[0].stored_name}"
    assert backend.read(key) == content
    assert (backend.local_path(key) is None) == (kind == "s3")
    downloads = set()
    with app.test_request_context():
        response = rules.send(
            stored[0].stored_name,
            mimetype="application/pdf",
            as_attachment=True,
            download_name="回复.pdf",
        )
        response.direct_passthrough = False
        downloads.add(os.path.basename(getattr(response.response, "file", None).name))
        assert response.status_code == 200
        assert response.get_data() == content
        response.close()
    with app.test_request_context(headers={"Range": "bytes=100-199"}):
        response = rules.send(
            stored[0].stored_name,
            mimetype="application/pdf",
            as_attachment=True,
            download_name="回复.pdf",
        )
        response.direct_passthrough = False
        assert response.status_code == 206
        assert response.get_data() == content[100:200]
        response.close()
    # S3 downloads go through a temporary file, removed with the response.
    assert not [n for n in os.listdir(tempfile.gettempdir()) if n in downloads]
    rules.remove([stored[0].stored_name])
    assert not backend.exists(key)
    with app.test_request_context(), pytest.raises(NotFound):
        rules.send(
            stored[0].stored_name,
            mimetype="application/pdf",
            as_attachment=True,
            download_name="回复.pdf",
        )


def test_rate_limits_default_to_redis_when_redis_is_configured():
    from portal.config import Config

    class RedisConfig(Config):
        TESTING = True
        REDIS_URL = "redis://127.0.0.1:6379/7"
        RATELIMIT_STORAGE_URI = None
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    assert (
        create_app(RedisConfig).config["RATELIMIT_STORAGE_URI"]
        == "redis://127.0.0.1:6379/7"
    )

    class NoRedisConfig(RedisConfig):
        REDIS_URL = None

    assert create_app(NoRedisConfig).config["RATELIMIT_STORAGE_URI"] == "memory://"
