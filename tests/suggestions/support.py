"""Helpers for the suggestion tests: files made in the test, and the captcha.

The captcha keeps only an HMAC of the answer in the session; the tests hold the
application's secret key, so they recover the answer by trying the few possible
sums against :func:`portal.captcha.digest`. Nothing in the
application is switched off for tests.
"""

import io

from PIL import Image

from portal import captcha

PHONE = "13812341234"


def captcha_answer(client):
    """Fetch a captcha picture (as a browser does) and return its answer."""
    response = client.get("/suggestions/captcha.png")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    return answer_from_session(client)


def answer_from_session(client):
    with client.session_transaction() as session:
        stored = dict(session[captcha.SESSION_KEY])
    for candidate in range(-10, 100):
        if captcha.digest(stored["nonce"], candidate) == stored["digest"]:
            return str(candidate)
    raise AssertionError("no captcha answer matches the session's digest")


def form_token(client):
    """GET the form; return its form token."""
    page = client.get("/suggestions/").get_data(as_text=True)
    marker = 'name="form_token" type="hidden" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def form_data(client, **overrides):
    """A valid submission (named, with a phone) with a fresh captcha answer."""
    data = {
        "form_token": form_token(client),
        "category": "fines",
        "organisation_id": "0",
        "place": "东湖路 12 号",
        "occurred_on": "2026-12-01",
        "description": "执法人员在没有出示证件的情况下当场罚款 500 元，未开具票据。",
        "contact_phone": PHONE,
        "contact_name": "王小明",
        "hide_name": "y",
        "consent": "y",
    }
    data["captcha"] = captcha_answer(client)
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def jpeg_with_gps(size=(64, 48)):
    """A JPEG carrying EXIF with a GPS block (latitude/longitude) and a camera make."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (30.0, 35.0, 12.5)
    gps[3] = "E"
    gps[4] = (114.0, 18.0, 1.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png_bytes():
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 255, 128)).save(out, format="PNG")
    return out.getvalue()


def pdf_bytes(extra=b""):
    """A small, well-formed one-page PDF; ``extra`` is added as another object."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    if extra:
        objects.append(extra)
    body = b"%PDF-1.4\n"
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(body)
    body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        body += f"{offset:010d} 00000 n \n".encode()
    body += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    return body


def upload(content, name):
    return (io.BytesIO(content), name)
