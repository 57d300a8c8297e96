"""The certificate PDF: A4 landscape, CJK text, a vector QR code to /verify/<code>.

The CJK font and the document metadata come from :mod:`portal.pdf`.
"""

import io

import segno
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics

from portal.masking import mask_id_number
from portal.pdf import cjk_font, new_canvas
from portal.timeutil import to_local

RED = HexColor("#b22222")
DARK = HexColor("#1f2d3d")
GREY = HexColor("#6c757d")


def _date(value):
    local = to_local(value)
    return f"{local.year}年{local.month:02d}月{local.day:02d}日"


def draw_qr(pdf, url, x, y, size):
    """Draw the QR code of ``url`` as vector squares, with its quiet zone, in a
    ``size`` × ``size`` box whose lower-left corner is (x, y)."""
    qr = segno.make(url, error="m")
    matrix = [list(row) for row in qr.matrix]
    border = 4
    modules = len(matrix) + 2 * border
    step = size / modules
    pdf.setFillColor(white)
    pdf.rect(x, y, size, size, stroke=0, fill=1)
    pdf.setFillColor(HexColor("#000000"))
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                pdf.rect(
                    x + (c + border) * step,
                    y + size - (r + border + 1) * step,
                    step,
                    step,
                    stroke=0,
                    fill=1,
                )
    return qr


def certificate_fields(certificate, now):
    """The labelled lines printed on the certificate (also used by the tests)."""
    holder = certificate.holder
    reviewed = (
        f"{certificate.reviewed_year}年度已审验"
        if certificate.reviewed_year
        else "尚未审验"
    )
    return [
        ("姓　　名", holder.name),
        ("身份证号", mask_id_number(holder.id_number) or "—"),
        ("工作单位", certificate.organisation.name),
        ("执法领域", "、".join(certificate.domain_names) or "—"),
        ("证书编号", certificate.number),
        *((("执法证号", holder.cert_number),) if holder.cert_number else ()),
        ("发证日期", _date(certificate.issued_at)),
        ("有效期至", _date(certificate.expires_at)),
        ("证书状态", certificate.status_label(now)),
        ("年度审验", reviewed),
    ]


SEAL_RADIUS = 48


def seal_position(width):
    """Centre of the seal circle (发证机关印章): right column, above the QR code and
    under the issuer's name, clear of the printed fields."""
    return (width - 90 - 85, 392)


def render_certificate(certificate, url, now, issuer=""):
    """Render the certificate as PDF bytes.

    :param url: the absolute verification URL encoded in the QR code.
    :param now: the time used for the printed status.
    :param issuer: 发证机关, printed under the seal position.
    """
    font = cjk_font()
    width, height = landscape(A4)
    buffer = io.BytesIO()
    pdf = new_canvas(
        buffer,
        (width, height),
        f"行政执法资格证书 {certificate.number}",
        subject=certificate.number,
    )

    # Frame.
    pdf.setStrokeColor(RED)
    pdf.setLineWidth(3)
    pdf.rect(24, 24, width - 48, height - 48)
    pdf.setLineWidth(0.8)
    pdf.rect(32, 32, width - 64, height - 64)

    pdf.setFillColor(RED)
    pdf.setFont(font, 34)
    pdf.drawCentredString(width / 2, height - 105, "行政执法资格证书")
    pdf.setFillColor(GREY)
    pdf.setFont(font, 11)
    pdf.drawCentredString(
        width / 2, height - 128, "经行政执法资格考试（专门法律知识、通用法律知识）合格"
    )

    qr_size = 170
    qr_x, qr_y = width - 90 - qr_size, 150
    value_x = 175
    value_width = qr_x - 20 - value_x  # long units or domain lists shrink to fit

    pdf.setFillColor(DARK)
    y = height - 180
    for label, value in certificate_fields(certificate, now):
        pdf.setFont(font, 13)
        pdf.setFillColor(GREY)
        pdf.drawString(90, y, f"{label}：")
        size = 15.0
        while size > 7 and pdfmetrics.stringWidth(str(value), font, size) > value_width:
            size -= 0.5
        pdf.setFont(font, size)
        pdf.setFillColor(RED if label == "证书状态" and value != "有效" else DARK)
        pdf.drawString(value_x, y, str(value))
        y -= 34

    draw_qr(pdf, url, qr_x, qr_y, qr_size)
    pdf.setFillColor(DARK)
    pdf.setFont(font, 12)
    pdf.drawCentredString(qr_x + qr_size / 2, qr_y - 20, "扫码核验证书真伪")
    pdf.setFillColor(GREY)
    pdf.setFont(font, 7)
    pdf.drawCentredString(qr_x + qr_size / 2, qr_y - 34, url)

    # 发证机关 and the seal position (a dashed circle where the seal is stamped;
    # a PDF from the portal is not sealed: the verify page is the proof).
    seal_x, seal_y = seal_position(width)
    pdf.saveState()
    pdf.setStrokeColor(RED)
    pdf.setLineWidth(0.8)
    pdf.setDash(3, 3)
    pdf.circle(seal_x, seal_y, SEAL_RADIUS)
    pdf.restoreState()
    pdf.setFillColor(GREY)
    pdf.setFont(font, 8)
    pdf.drawCentredString(seal_x, seal_y - 3, "（发证机关印章）")
    if issuer:
        pdf.setFillColor(DARK)
        pdf.setFont(font, 13)
        pdf.drawCentredString(seal_x, seal_y + SEAL_RADIUS + 10, f"发证机关：{issuer}")

    status = certificate.effective_status(now)
    if status != "valid":
        # A stamp across the page: a printed copy of a certificate not in force
        # must not pass for a valid one.
        pdf.saveState()
        pdf.setFillColor(RED)
        pdf.setFillAlpha(0.25)
        pdf.setFont(font, 90)
        pdf.translate(width / 2, height / 2)
        pdf.rotate(20)
        pdf.drawCentredString(0, -30, certificate.status_label(now))
        pdf.restoreState()

    pdf.setFillColor(GREY)
    pdf.setFont(font, 9)
    pdf.drawCentredString(
        width / 2,
        48,
        "本证书由执法培训考试与监督评查平台生成，有效性以扫码核验页面显示为准。",
    )
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
