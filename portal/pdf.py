"""PDF output shared by every feature: the CJK font and the common page setup.

The font is a TrueType CJK font of the machine (``PDF_FONT`` or the first of the
Debian fonts below), embedded as a subset; without one, reportlab's built-in CID
font ``STSong-Light`` is used (not embedded: readers substitute a Song face).
Features draw their own content (certificates on a canvas, 监督意见书 as flowing
paragraphs) on top of :func:`new_canvas` or :func:`a4_document`.
"""

import logging
import os
from xml.sax.saxutils import escape

from flask import current_app
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate

logger = logging.getLogger(__name__)

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
CID_FALLBACK = "STSong-Light"
#: The author written into every PDF's metadata.
AUTHOR = "执法培训考试与监督评查平台"
_registered = {}


def font_path():
    """The TrueType font to embed, or None when the machine has none."""
    configured = current_app.config.get("PDF_FONT")
    for path in ((configured,) if configured else ()) + FONT_CANDIDATES:
        if path and os.path.isfile(path):
            return path
    return None


def cjk_font():
    """Register (once per process) and return the name of the CJK font to use."""
    path = font_path()
    key = path or CID_FALLBACK
    if key not in _registered:
        if path is None:
            pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
            _registered[key] = CID_FALLBACK
        else:
            name = f"PortalCJK{len(_registered)}"
            try:
                pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
                _registered[key] = name
            except Exception:  # noqa: BLE001 - an unusable font file: fall back
                logger.warning("Cannot use font %s; using %s", path, CID_FALLBACK)
                pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
                _registered[key] = CID_FALLBACK
    return _registered[key]


def new_canvas(buffer, pagesize, title, subject=""):
    """A reportlab canvas on ``buffer`` with the portal's metadata set."""
    pdf = canvas.Canvas(buffer, pagesize=pagesize)
    pdf.setTitle(title)
    pdf.setAuthor(AUTHOR)
    if subject:
        pdf.setSubject(subject)
    return pdf


def a4_document(buffer, title, margin=25 * mm):
    """A portrait A4 flowing document (official-document margins of 25 mm)."""
    return SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author=AUTHOR,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
    )


def body_style(font, size=12, leading=20):
    """The paragraph style for Chinese body text (CJK line breaking)."""
    return ParagraphStyle(
        "body", fontName=font, fontSize=size, leading=leading, wordWrap="CJK"
    )


def paragraph(text, style):
    """A paragraph of plain ``text`` (escaped: reportlab parses markup)."""
    return Paragraph(escape(text), style)
