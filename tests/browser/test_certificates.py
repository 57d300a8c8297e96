"""Certificates in real Chromium at phone width: the public verification page and
the holder's 我的证书 page fit 375 px, the PDF downloads, and the holder uploads
an ID photo (证件照) that then shows on the page."""

import io
from datetime import datetime

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def certificate(live_app):
    """A new officer who passed the qualification path; returns (number, code)."""
    import sqlalchemy as sa

    from exams.certs.services import certificate_of_attempt
    from portal.extensions import db
    from portal.orgs.models import Organisation
    from tests.exams.cert_setup import qualify
    from tests.factories import Factories

    with live_app.app_context():
        agency = db.session.scalar(
            sa.select(Organisation).where(Organisation.code == "C-A-CG")
        )
        holder = Factories().user(
            username="certholder",
            name="王持证",
            role="officer",
            organisation=agency,
            phone="13900001111",
        )
        attempt = qualify(holder, datetime(2026, 3, 2, 1, 0))
        db.session.commit()
        cert = certificate_of_attempt(attempt.id)
        result = (cert.number, cert.verify_code)
        db.session.remove()
    return result


def _png():
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (250, 350), (40, 80, 160)).save(out, "PNG")
    return out.getvalue()


def _fits(page):
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_verify_and_my_certificates_on_a_phone(
    browser, live_server, certificate, screenshot
):
    """Scanning the QR code opens a page that fits a phone and confirms validity;
    the holder sees the certificate and downloads its PDF."""
    number, code = certificate
    context = browser.new_context(viewport=PHONE, locale="zh-CN", accept_downloads=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/verify/{code}")
        expect(page.locator("[data-status='valid']")).to_contain_text("真实有效")
        expect(page.locator("#verified-fields")).to_contain_text(number)
        expect(page.locator("#verified-fields")).not_to_contain_text("13900001111")
        assert _fits(page)
        screenshot(page, "certificate-verify-phone.png")

        sign_in(page, live_server, "certholder")
        page.goto(f"{live_server}/certificates/")
        expect(page.locator(f"[data-certificate='{number}']")).to_be_visible()
        assert _fits(page)
        screenshot(page, "certificate-list-phone.png")
        with page.expect_download() as download:
            page.get_by_role("link", name="下载证书（PDF）").click()
        path = download.value.path()
        with open(path, "rb") as handle:
            assert handle.read(5) == b"%PDF-"
        assert download.value.suggested_filename == f"certificate-{number}.pdf"

        # 证件照: a renamed text file is refused with its reason, a PNG is shown.
        page.get_by_role("link", name="管理证件照").click()
        expect(page.get_by_test_id("photo-current")).to_contain_text("尚未上传")
        page.set_input_files(
            "#photo",
            files=[{"name": "me.png", "mimeType": "image/png", "buffer": b"hello"}],
        )
        page.click("#submit")
        expect(page.get_by_test_id("photo-error")).to_contain_text("JPG 或 PNG")
        page.set_input_files(
            "#photo",
            files=[{"name": "me.png", "mimeType": "image/png", "buffer": _png()}],
        )
        page.click("#submit")
        photo = page.get_by_test_id("photo-current").locator("img")
        expect(photo).to_be_visible()
        assert photo.evaluate("img => img.naturalWidth") > 0  # loads under the CSP
        assert _fits(page)
        screenshot(page, "certificate-photo-phone.png")
    finally:
        context.close()
