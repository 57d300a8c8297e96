"""Attachment refusals: nothing is stored and the form keeps the user's text."""

import gc
import io
import os
import zlib

import pytest
import sqlalchemy as sa
from PIL import Image

from portal.extensions import db
from portal.suggestions.models import Suggestion
from portal.suggestions.uploads import pdf_has_active_content, sniff
from tests.suggestions.support import (
    captcha_answer,
    form_data,
    jpeg_with_gps,
    pdf_bytes,
    upload,
)
from tests.suggestions.test_submit import _stored_files


def _flate_object_stream(payload):
    data = zlib.compress(payload)
    return (
        b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length "
        + str(len(data)).encode()
        + b" >>\nstream\n"
        + data
        + b"\nendstream"
    )


JPEG_WITH_HTML = jpeg_with_gps() + b"<html><script>alert(1)</script></html>"
BAD_FILES = {
    "text-named-jpg": (b"just some text, not a picture at all", "photo.jpg", "只接受"),
    "gif": (b"GIF89a" + b"\x00" * 40, "anim.gif", "只接受"),
    "html": (b"<!doctype html><script>alert(1)</script>", "a.pdf", "只接受"),
    "jpeg-html-polyglot": (JPEG_WITH_HTML, "photo.jpg", "网页或脚本代码"),
    "broken-jpeg": (b"\xff\xd8\xff\xe0" + b"\x00" * 100, "x.jpg", "已损坏"),
    "pdf-javascript": (
        pdf_bytes(b"<< /S /JavaScript /JS (app.alert(1)) >>"),
        "a.pdf",
        "PDF 含有脚本",
    ),
    "pdf-launch": (
        pdf_bytes(b"<< /S /Launch /F (cmd.exe) >>"),
        "a.pdf",
        "PDF 含有脚本",
    ),
    "pdf-embedded-file": (
        pdf_bytes(b"<< /Type /EmbeddedFile /Length 0 >>"),
        "a.pdf",
        "PDF 含有脚本",
    ),
    "pdf-escaped-name": (
        pdf_bytes(b"<< /S /J#61vaScript /J#53 (x) >>"),
        "a.pdf",
        "PDF 含有脚本",
    ),
    "pdf-js-in-object-stream": (
        pdf_bytes(_flate_object_stream(b"5 0 << /S /JavaScript /JS (x) >>")),
        "a.pdf",
        "PDF 含有脚本",
    ),
    "pdf-truncated": (pdf_bytes()[:-20], "a.pdf", "不完整"),
}


# Werkzeug's test client spools request bodies above 500 KB to a temporary file that
# it never closes; the garbage collector does (as in tests/exams/test_training_uploads).
BIG_BODY = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


def _release(response):
    """Close the spooled request body now, inside the marked test."""
    response.request.environ["wsgi.input"].close()
    gc.collect()


def _post_with(client, files):
    data = form_data(client, place="<b>地点保留</b>")
    data["attachments"] = [upload(content, name) for content, name in files]
    return client.post("/suggestions/", data=data, content_type="multipart/form-data")


def _assert_refused(app, response, message):
    assert response.status_code in (400, 413), response.status_code
    page = response.get_data(as_text=True)
    assert message in page
    assert "未保存任何内容" in page
    # The user's text is kept (escaped) so that only the files need re-choosing.
    assert "当场罚款 500 元" in page
    assert "&lt;b&gt;地点保留&lt;/b&gt;" in page
    assert db.session.scalars(sa.select(Suggestion)).all() == []
    assert _stored_files(app) == []


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_bad_attachment_refuses_the_whole_submission(app, client, kind):
    """Is a wrong-type, broken or polyglot file refused with a Chinese message,
    and nothing stored — not even the good photo sent with it?"""
    content, name, message = BAD_FILES[kind]
    good = (jpeg_with_gps(), "good.jpg")
    _assert_refused(app, _post_with(client, [good, (content, name)]), message)


@BIG_BODY
def test_oversize_attachment_is_refused(app, client):
    """Is a file above the per-file limit refused (the request itself fits)?"""
    app.config["SUGGESTION_FILE_MAX_MB"] = 1
    big = Image.effect_noise((900, 900), 100).convert("RGB")
    out = io.BytesIO()
    big.save(out, format="PNG")
    content = out.getvalue()
    assert len(content) > 1024 * 1024
    response = _post_with(client, [(content, "big.png")])
    _release(response)
    _assert_refused(app, response, "超过 1 MB")


@BIG_BODY
def test_request_above_route_limit_is_refused(app, client):
    """Is a request larger than all files at their maximum refused (413), nothing
    stored, with a Chinese message?"""
    app.config["SUGGESTION_FILE_MAX_MB"] = 1
    app.config["SUGGESTION_MAX_FILES"] = 1
    data = form_data(client)
    data["attachments"] = [
        upload(b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024 + 10), "x.pdf")
    ]
    response = client.post(
        "/suggestions/", data=data, content_type="multipart/form-data"
    )
    _release(response)
    assert response.status_code == 413
    assert "附件总大小超过限制" in response.get_data(as_text=True)
    assert db.session.scalars(sa.select(Suggestion)).all() == []
    assert _stored_files(app) == []


def test_too_many_attachments_are_refused(app, client):
    """Are more than five files refused as a whole?"""
    files = [(pdf_bytes(), f"{i}.pdf") for i in range(6)]
    _assert_refused(app, _post_with(client, files), "最多上传 5 个附件")


def test_sniff_and_pdf_rules_are_by_content():
    """Is the type decided by magic bytes, and a plain PDF not flagged?"""
    assert sniff(b"\xff\xd8\xff\xe0") == "image/jpeg"
    assert sniff(b"\x89PNG\r\n\x1a\n") == "image/png"
    assert sniff(b"%PDF-1.7") == "application/pdf"
    assert sniff(b"GIF89a") is None
    assert not pdf_has_active_content(pdf_bytes())
    assert pdf_has_active_content(pdf_bytes(b"<< /JS (x) >>"))
    # A name that merely starts like one of the markers is not a marker.
    assert not pdf_has_active_content(pdf_bytes(b"<< /JSONData (x) >>"))


def _padded_pdf(total):
    """A plain PDF of about ``total`` bytes (a binary stream of zeros)."""
    padding = b"\x00" * total
    return pdf_bytes(
        b"<< /Length "
        + str(len(padding)).encode()
        + b" >>\nstream\n"
        + padding
        + b"\nendstream"
    )


@BIG_BODY
def test_files_above_the_app_wide_limit_are_accepted_with_csrf(app, client):
    """With CSRF on, are two 6 MB PDFs (12 MB together, above the app-wide 10 MB
    request limit but within 10 MB each) accepted and stored?"""
    app.config["WTF_CSRF_ENABLED"] = True
    assert app.config["MAX_CONTENT_LENGTH"] == 10 * 1024 * 1024
    data = form_data(client)
    page = client.get("/suggestions/").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    big = _padded_pdf(6 * 1024 * 1024)
    data["csrf_token"] = token
    data["captcha"] = captcha_answer(client)
    data["attachments"] = [upload(big, "1.pdf"), upload(big, "2.pdf")]
    response = client.post(
        "/suggestions/", data=data, content_type="multipart/form-data"
    )
    _release(response)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    (item,) = db.session.scalars(sa.select(Suggestion)).all()
    assert [a.size for a in item.attachments] == [len(big), len(big)]
    assert len(_stored_files(app)) == 2


def test_decompression_bomb_is_refused(app, client):
    """Is a small file that decodes to a huge picture (48 megapixels) refused
    before it is decoded?"""
    bomb = io.BytesIO()
    Image.new("1", (8000, 6000)).save(bomb, format="PNG")
    assert len(bomb.getvalue()) < 1024 * 1024
    response = _post_with(client, [(bomb.getvalue(), "bomb.png")])
    _assert_refused(app, response, "图片尺寸过大")


def test_photo_orientation_survives_exif_removal(app, client):
    """Is a photo taken sideways (EXIF Orientation 6) turned upright before its
    EXIF is dropped, so that it does not show rotated?"""
    image = Image.new("RGB", (64, 48), (10, 200, 10))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    data = form_data(client)
    data["attachments"] = [upload(out.getvalue(), "side.jpg")]
    response = client.post(
        "/suggestions/", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    (item,) = db.session.scalars(sa.select(Suggestion)).all()
    path = os.path.join(
        app.config["UPLOAD_DIR"], "suggestions", item.attachments[0].stored_name
    )
    with Image.open(path) as stored:
        assert stored.size == (48, 64)
        assert len(stored.getexif()) == 0
