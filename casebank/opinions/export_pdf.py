"""监督意见书 as an A4 PDF (reportlab; font and page setup from :mod:`portal.pdf`)."""

import io

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from casebank.opinions.document import build
from portal.pdf import a4_document, body_style, cjk_font, paragraph


def _styles(font):
    body = body_style(font)
    return {
        "title": ParagraphStyle(
            "title", parent=body, fontSize=20, leading=28, alignment=TA_CENTER
        ),
        "number": ParagraphStyle("number", parent=body, alignment=TA_CENTER),
        "heading": ParagraphStyle("heading", parent=body, spaceBefore=8),
        "body": body,
        "right": ParagraphStyle("right", parent=body, alignment=TA_RIGHT),
    }


def render(opinion) -> bytes:
    doc = build(opinion)
    styles = _styles(cjk_font())
    story = [
        paragraph(doc.title, styles["title"]),
        paragraph(doc.number, styles["number"]),
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
        paragraph(doc.issuer, styles["right"]),
        paragraph(doc.issued, styles["right"]),
    ]
    buffer = io.BytesIO()
    a4_document(buffer, f"{doc.title} {doc.number}").build(story)
    return buffer.getvalue()
