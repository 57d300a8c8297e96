"""The shared attachment checks (portal/attachments.py): PDFs whose payload hides
in encodings the check cannot read, decompression bombs, more active names, and no
half-written file left behind when a write fails."""

import base64
import io
import os
import resource
import signal
import zlib

import pytest
from werkzeug.datastructures import FileStorage

from portal.attachments import (
    PDF_INFLATE_BUDGET,
    Attachments,
    PreparedFile,
    pdf_problem,
)
from portal.exceptions import ValidationFailed
from tests.suggestions.support import pdf_bytes

JS_ACTION = b"<< /S /JavaScript /JS (app.alert(1)) >>"


def _stream(data, filters=b""):
    head = b"<< /Length " + str(len(data)).encode()
    if filters:
        head += b" /Filter " + filters
    return head + b" >>\nstream\n" + data + b"\nendstream"


def test_plain_flate_and_image_streams_pass():
    assert pdf_problem(pdf_bytes()) is None
    text = zlib.compress(b"BT /F1 12 Tf (hello) Tj ET")
    assert pdf_problem(pdf_bytes(_stream(text, b"/FlateDecode"))) is None
    jpeg_like = b"\xff\xd8\xff\xe0" + os.urandom(256)
    assert pdf_problem(pdf_bytes(_stream(jpeg_like, b"/DCTDecode"))) is None
    both = zlib.compress(jpeg_like)
    assert pdf_problem(pdf_bytes(_stream(both, b"[/FlateDecode /DCTDecode]"))) is None


@pytest.mark.parametrize(
    ("data", "filters"),
    [
        (JS_ACTION.hex().encode() + b">", b"/ASCIIHexDecode"),
        (
            base64.a85encode(zlib.compress(JS_ACTION)) + b"~>",
            b"[/ASCII85Decode /FlateDecode]",
        ),
        (b"\x80\x0b\x60\x50", b"/LZWDecode"),
        (b"x", b"/#41SCIIHexDecode"),  # an escaped name is still that name
    ],
)
def test_streams_the_check_cannot_read_are_refused(data, filters):
    problem = pdf_problem(pdf_bytes(_stream(data, b"/Type /ObjStm " + filters)))
    assert problem == "PDF 使用了无法安全检查的编码方式，请另存为标准 PDF 后重新上传"


@pytest.mark.parametrize(
    "payload",
    [
        JS_ACTION,
        b"<< /AA << /O 5 0 R >> >>",
        b"<< /XFA 6 0 R >>",
        b"<< /S /SubmitForm /F (http://x) >>",
        b"<< /S /GoToR /F (other.pdf) >>",
        b"<< /S /Launch /F (cmd.exe) >>",
    ],
)
def test_active_names_are_refused_in_plain_and_flate_streams(payload):
    assert pdf_problem(pdf_bytes(payload)).startswith("PDF 含有脚本")
    hidden = _stream(zlib.compress(payload), b"/FlateDecode")
    assert pdf_problem(pdf_bytes(hidden)).startswith("PDF 含有脚本")


def test_a_decompression_bomb_is_refused_within_the_budget():
    # Three streams of 8 MiB of zeros each (about 8 KiB compressed apiece).
    bomb = zlib.compress(b"\x00" * (8 * 1024 * 1024), 9)
    streams = b"\n".join(_stream(bomb, b"/FlateDecode") for _ in range(3))
    assert 3 * 8 * 1024 * 1024 > PDF_INFLATE_BUDGET
    assert pdf_problem(pdf_bytes(streams)) == "PDF 解压后内容过大，无法安全检查"
    # Two of them fit in the budget.
    two = b"\n".join(_stream(bomb, b"/FlateDecode") for _ in range(2))
    assert pdf_problem(pdf_bytes(two)) is None


def test_a_refused_pdf_upload_names_the_reason(app):
    rules = Attachments("probe", "SUGGESTION_MAX_FILES", "SUGGESTION_FILE_MAX_MB")
    data = pdf_bytes(_stream(JS_ACTION.hex().encode() + b">", b"/ASCIIHexDecode"))
    with pytest.raises(
        ValidationFailed, match="第 1 个附件（a.pdf）：PDF 使用了无法安全检查"
    ):
        rules.prepare([FileStorage(io.BytesIO(data), "a.pdf")])


def test_a_failed_write_leaves_no_partial_file(app):
    """With the process's file-size limit below the file (as on a full disk), the
    write fails and neither that file nor the earlier one stays on disk."""
    rules = Attachments("probe", "SUGGESTION_MAX_FILES", "SUGGESTION_FILE_MAX_MB")
    small = PreparedFile("a.pdf", "application/pdf", b"%PDF-1.4 small %%EOF")
    large = PreparedFile("b.pdf", "application/pdf", b"%PDF-1.4 " + b"0" * 65536)
    folder = rules.folder()
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, hard))
    try:
        with pytest.raises(OSError, match="File too large"):
            rules.store([small, large])
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)
    assert os.listdir(folder) == []
    stored = rules.store([small])
    assert os.listdir(folder) == [stored[0].stored_name]
