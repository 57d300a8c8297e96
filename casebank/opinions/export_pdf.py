"""监督意见书 as an A4 PDF (reportlab; font and page setup from :mod:`portal.pdf`)."""

import io

from reportlab.lib.colors import Color
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import HRFlowable, Spacer

from casebank.opinions.document import build
from portal.pdf import a4_document, body_style, cjk_font, paragraph

RED = Color(0.75, 0, 0)


def _styles(font):
    body = body_style(font)
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


def render(opinion) -> bytes:
    doc = build(opinion)
    styles = _styles(cjk_font())
    story = [
        paragraph(doc.authority, styles["authority"]),
        paragraph(doc.number, styles["number"]),
    ]
    if doc.signer:
        story.append(paragraph(doc.signer, styles["right"]))
    story += [
        HRFlowable(width="100%", thickness=1.5, color=RED, spaceBefore=2, spaceAfter=8),
        paragraph(doc.title, styles["title"]),
        Spacer(1, 6 * mm),
        paragraph(doc.addressee, styles["body"]),
        paragraph(doc.intro, styles["body"]),
    ]
    for section in doc.sections:
        story.append(paragraph(section.heading, styles["heading"]))
        story += [paragraph(line, styles["body"]) for line in section.text.splitlines()]
    story += [
        Spacer(1, 4 * mm),
        paragraph(doc.deadline, styles["body"]),
        Spacer(1, 10 * mm),
        paragraph(doc.seal, styles["right"]),
        paragraph(doc.authority, styles["right"]),
        paragraph(doc.issued, styles["right"]),
    ]
    buffer = io.BytesIO()
    a4_document(buffer, f"{doc.title} {doc.number}").build(story)
    return buffer.getvalue()
