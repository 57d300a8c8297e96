"""Reading uploaded decisions: .txt in UTF-8/GBK, .docx and .pdf text layers."""

import subprocess
import sys
from pathlib import Path

import pytest

from nlp.documents import DocumentError, read_bytes, read_text

# The published extracts (ref-NN.txt) among the labelled decisions.
DECISIONS = Path(__file__).resolve().parents[1] / "data" / "decisions"
SAMPLE = "行政处罚决定书\n当事人：某公司\n罚款人民币壹拾万元整（100,000元）。\n"


def _reference_texts() -> list[Path]:
    paths = sorted(DECISIONS.glob("ref-*.txt"))
    assert len(paths) == 22, "the 22 published extracts belong in tests/data/decisions"
    return paths


def _pdf(page: bytes, extra: list[bytes] | None = None) -> bytes:
    """Write a minimal valid PDF: catalog, pages, one page, then *extra* objects."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        page,
        *(extra or []),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def _stream(content: bytes, header: bytes = b"") -> bytes:
    return b"<< %s/Length %d >>\nstream\n%s\nendstream" % (
        header,
        len(content),
        content,
    )


def _text_pdf(text: str) -> bytes:
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
    )
    content = b"BT /F1 12 Tf 72 720 Td (%s) Tj ET" % text.encode("ascii")
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    return _pdf(page, [_stream(content), font])


# -- .txt ---------------------------------------------------------------------


@pytest.mark.parametrize("path", _reference_texts(), ids=lambda p: p.name)
def test_utf8_and_gbk_files_read_identically(tmp_path, path):
    """A decision saved as UTF-8 and as GBK (GB18030 if needed) reads the same."""
    text = path.read_text(encoding="utf-8")
    try:
        legacy = text.encode("gbk")
    except UnicodeEncodeError:
        legacy = text.encode("gb18030")
    (tmp_path / "utf8.txt").write_bytes(text.encode("utf-8"))
    (tmp_path / "gbk.txt").write_bytes(legacy)
    assert read_text(tmp_path / "utf8.txt") == text
    assert read_text(str(tmp_path / "gbk.txt")) == text


def test_bom_crlf_and_nul_are_normalised(tmp_path):
    """A UTF-8 BOM is dropped, CRLF/CR become LF and NUL characters vanish."""
    raw = "\ufeff第一行\r\n第二\x00行\r第三行".encode()
    assert read_bytes(raw, "a.TXT") == "第一行\n第二行\n第三行"
    (tmp_path / "u16.txt").write_bytes(SAMPLE.encode("utf-16"))
    assert read_text(tmp_path / "u16.txt") == SAMPLE


def test_undecodable_text_raises():
    """Bytes valid in neither UTF-8 nor GB18030 give a Chinese encoding error."""
    with pytest.raises(DocumentError, match="无法识别文件编码"):
        read_bytes(b"\x80\xff\xfe\x00abc\xff", "x.txt")


def test_unsupported_type_and_missing_file(tmp_path):
    """Other suffixes name the supported types; a missing file is a DocumentError."""
    with pytest.raises(DocumentError, match=r"\.txt.*\.docx.*\.pdf"):
        read_bytes(b"data", "decision.odt")
    with pytest.raises(DocumentError, match="另存为 .docx"):
        read_bytes(b"data", "decision.doc")
    with pytest.raises(DocumentError, match="无法读取文件"):
        read_text(tmp_path / "missing.txt")


# -- .docx --------------------------------------------------------------------


def test_docx_paragraphs_and_tables_in_document_order(tmp_path):
    """Paragraphs and table cells come back in order, merged cells once."""
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("行政处罚决定书")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "当事人"
    table.cell(0, 1).text = "某公司"
    merged = table.cell(1, 0).merge(table.cell(1, 1))
    merged.text = "罚款人民币伍仟元（5000元）"
    document.add_paragraph("如不服本决定，可申请行政复议。")
    path = tmp_path / "decision.docx"
    document.save(path)
    assert read_text(path) == (
        "行政处罚决定书\n当事人\n某公司\n罚款人民币伍仟元（5000元）\n"
        "如不服本决定，可申请行政复议。"
    )
    assert read_bytes(path.read_bytes(), "upload.DOCX") == read_text(path)


def test_damaged_docx_raises():
    """A .docx that is not a Word package gives a DocumentError."""
    with pytest.raises(DocumentError, match="Word"):
        read_bytes(b"PK\x03\x04 not really a zip", "broken.docx")


# -- .pdf ---------------------------------------------------------------------


def test_pdf_text_layer_is_read(tmp_path):
    """The text layer of a PDF (Type1 font, ASCII text) is extracted."""
    path = tmp_path / "decision.pdf"
    path.write_bytes(_text_pdf("Fine 5000 yuan"))
    assert read_text(path).strip() == "Fine 5000 yuan"


def test_pdf_without_text_layer_raises():
    """An empty page or an image-only page is rejected with an OCR hint."""
    empty = _pdf(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>")
    image_page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>"
    )
    image = _stream(
        b"\x80",
        b"/Type /XObject /Subtype /Image /Width 1 /Height 1 "
        b"/ColorSpace /DeviceGray /BitsPerComponent 8 ",
    )
    scan = _pdf(image_page, [_stream(b"q 100 0 0 100 72 600 cm /Im1 Do Q"), image])
    for data in (empty, scan):
        with pytest.raises(DocumentError, match="PDF 没有文字层.*扫描件请先做文字识别"):
            read_bytes(data, "scan.pdf")


def test_damaged_pdf_raises():
    """Bytes that are not a PDF give a DocumentError, not a pypdf exception."""
    with pytest.raises(DocumentError, match="PDF"):
        read_bytes(b"%PDF-1.4\nnot a pdf at all", "broken.pdf")


# -- import hygiene -----------------------------------------------------------


def test_modules_import_no_framework_and_no_heavy_readers():
    """nlp.numerals/amounts/documents import neither Flask, the DB nor the readers."""
    code = (
        "import sys, nlp.numerals, nlp.amounts, nlp.documents\n"
        "bad = {'flask', 'sqlalchemy', 'portal', 'exams', 'casebank', 'docx', 'pypdf'}\n"
        "print(sorted(bad & {m.split('.')[0] for m in sys.modules}))\n"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "[]"
