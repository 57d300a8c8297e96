"""One PDF check on every PDF upload: payloads behind indirect /Filter references
and filter chains are decoded (pypdf) and refused; training PDFs are checked too
and served with Content-Disposition, nosniff and same-origin framing only."""

import zlib

import pytest
import sqlalchemy as sa

from exams.training.models import TrainingMaterial
from portal.attachments import pdf_problem_full
from portal.extensions import db
from tests.exams.training_support import login, make_course, training_files, upload
from tests.suggestions.support import pdf_bytes

JS_ACTION = b"<< /S /JavaScript /JS (app.alert(1)) >>"
ACTIVE = "PDF 含有脚本、启动动作或嵌入文件，存在安全风险"


def _stream(data, filters):
    return (
        b"<< /Length "
        + str(len(data)).encode()
        + b" /Filter "
        + filters
        + b" >>\nstream\n"
        + data
        + b"\nendstream"
    )


def _with_objects(*objects):
    """A well-formed PDF with extra objects numbered 4, 5, …"""
    base = pdf_bytes(objects[0])
    if len(objects) == 1:
        return base
    # Rebuild with all objects (pdf_bytes takes one extra object).
    parts = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        *objects,
    ]
    body = b"%PDF-1.4\n"
    offsets = []
    for number, obj in enumerate(parts, start=1):
        offsets.append(len(body))
        body += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(body)
    body += f"xref\n0 {len(parts) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        body += f"{offset:010d} 00000 n \n".encode()
    body += (
        f"trailer\n<< /Size {len(parts) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return body


def test_js_behind_indirect_filter_reference_is_refused():
    hidden = _stream(zlib.compress(JS_ACTION), b"5 0 R")
    assert pdf_problem_full(_with_objects(hidden, b"/FlateDecode")) == ACTIVE


def test_js_behind_indirect_filter_array_is_refused():
    hidden = _stream(zlib.compress(JS_ACTION), b"5 0 R")
    assert pdf_problem_full(_with_objects(hidden, b"[/FlateDecode]")) == ACTIVE


def test_js_behind_two_flate_filters_is_refused():
    twice = zlib.compress(zlib.compress(JS_ACTION))
    pdf = _with_objects(_stream(twice, b"[/FlateDecode /FlateDecode]"))
    assert pdf_problem_full(pdf) == ACTIVE


def test_open_action_with_js_in_object_stream_is_refused():
    """An /OpenAction JavaScript object inside a compressed object stream, its
    filter given indirectly."""
    inner = b"6 0 " + JS_ACTION
    objstm = _stream(zlib.compress(inner), b"7 0 R").replace(
        b"<< /Length", b"<< /Type /ObjStm /N 1 /First 4 /Length"
    )
    pdf = _with_objects(objstm, b"<< /OpenAction 6 0 R >>", b"/FlateDecode")
    assert pdf_problem_full(pdf) is not None


def test_undecodable_stream_is_refused():
    pdf = _with_objects(_stream(b"\x00garbage", b"5 0 R"), b"/NoSuchDecode")
    assert pdf_problem_full(pdf) is not None


def test_plain_pdf_passes():
    assert pdf_problem_full(pdf_bytes()) is None
    text = zlib.compress(zlib.compress(b"BT /F1 12 Tf (hello) Tj ET"))
    assert (
        pdf_problem_full(_with_objects(_stream(text, b"[/FlateDecode /FlateDecode]")))
        is None
    )


@pytest.mark.parametrize(
    "payload",
    [
        pdf_bytes(JS_ACTION),
        _with_objects(_stream(zlib.compress(JS_ACTION), b"5 0 R"), b"/FlateDecode"),
        pdf_bytes(b"<< /Type /EmbeddedFile /Length 0 >>"),
    ],
)
def test_training_pdf_with_active_content_is_refused(app, world, payload):
    """Training PDFs go through the same check: refused, nothing stored."""
    course = make_course(world)
    client = login(app, "training_admin")
    response = upload(client, course, payload)
    assert response.status_code == 400
    assert "安全风险" in response.get_data(as_text=True)
    assert training_files(app) == []
    assert db.session.scalar(sa.select(TrainingMaterial)) is None


def test_training_pdf_is_served_safely(app, world):
    course = make_course(world)
    client = login(app, "training_admin")
    assert upload(client, course, pdf_bytes(), name="讲义.pdf").status_code == 302
    material = db.session.scalar(sa.select(TrainingMaterial))
    response = client.get(f"/training/materials/{material.id}/file")
    response.close()
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("inline; filename=")
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
