"""监督意见书 as an A4 PDF (reportlab, the CJK font of the certificates)."""

import io
from xml.sax.saxutils import escape

from reportlab.lib.colors import Color
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Spacer

from casebank.opinions.document import build
from exams.certs.pdf import cjk_font

RED = Color(0.75, 0, 0)


def _styles(font):
    body = ParagraphStyle(
        "body", fontName=font, fontSize=12, leading=20, wordWrap="CJK"
    )
    return {
        "title": ParagraphStyle(
            "title", parent=body, fontSize=20, leading=28, alignment=TA_CENTER
        ),
        "number": ParagraphStyle("number", parent=body, alignment=TA_CENTER),
        "authority": ParagraphStyle(
            "authority",
            parent=body,
            fontSize=26,
            leading=36,
            alignment=TA_CENTER,
            textColor=RED,
        ),
        "heading": ParagraphStyle("heading", parent=body, spaceBefore=8),
        "body": body,
        "right": ParagraphStyle("right", parent=body, alignment=TA_RIGHT),
    }


def _p(text, style):
    return Paragraph(escape(text), style)


def render(opinion) -> bytes:
    doc = build(opinion)
    styles = _styles(cjk_font())
    story = [
        _p(doc.authority, styles["authority"]),
        _p(doc.number, styles["number"]),
    ]
    if doc.signer:
        story.append(_p(doc.signer, styles["right"]))
    story += [
        HRFlowable(width="100%", thickness=1.5, color=RED, spaceBefore=2, spaceAfter=8),
        _p(doc.title, styles["title"]),
        Spacer(1, 6 * mm),
        _p(doc.addressee, styles["body"]),
        _p(doc.intro, styles["body"]),
    ]
    for section in doc.sections:
        story.append(_p(section.heading, styles["heading"]))
        story += [_p(line, styles["body"]) for line in section.text.splitlines()]
    story += [
        Spacer(1, 4 * mm),
        _p(doc.deadline, styles["body"]),
        Spacer(1, 10 * mm),
        _p(doc.seal, styles["right"]),
        _p(doc.authority, styles["right"]),
        _p(doc.issued, styles["right"]),
    ]
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"{doc.title} {doc.number}",
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=25 * mm,
        bottomMargin=25 * mm,
    ).build(story)
    return buffer.getvalue()
