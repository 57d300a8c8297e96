"""监督意见书 as a Word document (python-docx)."""

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from casebank.opinions.document import build

FONT = "SimSun"


def _run(paragraph, text, size=12, bold=False):
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = FONT
    run._element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    return run


def render(opinion) -> bytes:
    doc = build(opinion)
    document = Document()
    document.core_properties.title = f"{doc.title} {doc.number}"
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, doc.title, size=20, bold=True)
    number = document.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(number, doc.number, size=12)
    _run(document.add_paragraph(), doc.addressee, bold=True)
    _run(document.add_paragraph(), doc.intro)
    for section in doc.sections:
        _run(document.add_paragraph(), section.heading, bold=True)
        for line in section.text.splitlines() or [""]:
            _run(document.add_paragraph(), line)
    _run(document.add_paragraph(), doc.deadline)
    for line in (doc.issuer, doc.issued):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _run(paragraph, line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
