"""监督意见书 as a Word document (python-docx)."""

import io
import re

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from casebank.opinions.document import build

FONT = "SimSun"
RED = RGBColor(0xC0, 0x00, 0x00)

# Control characters XML 1.0 does not allow (tab, newline and CR are allowed):
# lxml refuses them, so pasted text such as "\x08" would crash the export.
XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_safe(text) -> str:
    """``text`` without the control characters an XML document cannot hold."""
    return XML_INVALID.sub("", text or "")


def _run(paragraph, text, size=12, bold=False, color=None):
    run = paragraph.add_run(xml_safe(text))
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    run.font.name = FONT
    run._element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    return run


def render(opinion) -> bytes:
    doc = build(opinion)
    document = Document()
    document.core_properties.title = xml_safe(f"{doc.title} {doc.number}")
    # 版头: 发文机关标志 (red), 发文字号, then the red separator line.
    header = document.add_paragraph()
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(header, doc.authority, size=26, bold=True, color=RED)
    number = document.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(number, doc.number, size=16)
    if doc.signer:
        signer = document.add_paragraph()
        signer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _run(signer, doc.signer)
    _run(document.add_paragraph(), "━" * 24, color=RED)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, doc.title, size=22, bold=True)
    _run(document.add_paragraph(), doc.addressee, bold=True)
    _run(document.add_paragraph(), doc.intro)
    for section in doc.sections:
        _run(document.add_paragraph(), section.heading, bold=True)
        for line in section.text.splitlines() or [""]:
            _run(document.add_paragraph(), line)
    _run(document.add_paragraph(), doc.deadline)
    for line in (doc.seal, doc.authority, doc.issued):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _run(paragraph, line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
