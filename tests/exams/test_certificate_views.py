"""Certificate pages: the holder's list and PDF (text and QR code decoded from a
rendering), the admin list with its filters and export, scope, audited status
changes, and the public verification page (fields shown, 404, rate limit)."""

import io
import re
from datetime import datetime, timedelta

import pypdfium2
import pytest
import sqlalchemy as sa
import zxingcpp
from freezegun import freeze_time
from openpyxl import load_workbook
from pypdf import PdfReader

from exams.certs import pdf as certificate_pdf
from exams.certs.models import Certificate
from exams.certs.services import change_status, issuer_name
from exams.papers.models import ExamArrangement
from portal import pdf as portal_pdf
from portal.actor import Actor
from portal.audit.models import AuditLog
from portal.extensions import db
from tests.exams.cert_setup import arrangement, qualify, sit

START = datetime(2027, 3, 1, 1, 0)
NOW = datetime(2027, 6, 1, 2, 0)  # the frozen "today" of the page requests
PHONE = "13912345678"


def certificate_of(user):
    return db.session.scalar(
        sa.select(Certificate)
        .where(Certificate.holder_id == user.id)
        .order_by(Certificate.id.desc())
    )


def listed(response):
    return re.findall(r'data-certificate="([^"]+)"', response.get_data(as_text=True))


def pdf_text(data):
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def decode_qr(data):
    """Render the first page at 2× and decode every QR code on it."""
    page = pypdfium2.PdfDocument(data)[0]
    image = page.render(scale=2).to_pil()
    return [result.text for result in zxingcpp.read_barcodes(image)]


@pytest.fixture
def holder(world):
    """The world's officer, with a phone number and a certificate."""
    officer = world.users["officer"]
    officer.phone = PHONE
    qualify(officer, START)
    db.session.commit()
    return officer


def test_holder_lists_and_downloads_own_certificate(app, client, auth, world, holder):
    """我的证书 lists the certificate; its PDF holds the number, the name and the
    masked ID (never the full one), and its QR code decodes to the verify URL;
    another officer gets 404 for it."""
    certificate = certificate_of(holder)
    with freeze_time(NOW):
        auth.login("officer")
        assert listed(client.get("/certificates/")) == [certificate.number]
        dashboard = client.get("/dashboard").get_data(as_text=True)
        assert "我的证书" in dashboard
        # No longer announced as coming; the summary names the holder's certificate.
        assert "<li>执法证书</li>" not in dashboard
        assert f">{certificate.number}</a>" in dashboard
        response = client.get(f"/certificates/{certificate.id}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert certificate.number in text
    assert holder.name in text
    assert "420***********" in text  # masked ID number
    assert holder.id_number not in text
    assert "城管" in text
    assert decode_qr(response.data) == [
        f"http://localhost/verify/{certificate.verify_code}"
    ]

    other = world.users["auxiliary"]
    with freeze_time(NOW):
        auth.logout()
        auth.login(other.username)
        assert client.get(f"/certificates/{certificate.id}.pdf").status_code == 404
        assert listed(client.get("/certificates/")) == []


def test_qr_uses_the_configured_base_url(app, client, auth, holder):
    """Behind a proxy, CERT_VERIFY_BASE_URL fixes the host printed in the QR code."""
    app.config["CERT_VERIFY_BASE_URL"] = "https://zhifa.example.cn/"
    certificate = certificate_of(holder)
    with freeze_time(NOW):
        auth.login("sys_admin")
        response = client.get(f"/certificates/{certificate.id}.pdf")
    assert decode_qr(response.data) == [
        f"https://zhifa.example.cn/verify/{certificate.verify_code}"
    ]


def test_pdf_falls_back_to_the_builtin_cid_font(app, holder, monkeypatch):
    """Without a TrueType CJK font the PDF uses reportlab's STSong-Light (not
    embedded); with one, the font is embedded."""
    certificate = certificate_of(holder)
    url = "http://localhost/verify/x"
    with app.test_request_context():
        embedded = certificate_pdf.render_certificate(certificate, url, NOW)
        monkeypatch.setattr(portal_pdf, "FONT_CANDIDATES", ())
        app.config["PDF_FONT"] = "/nonexistent/font.ttf"
        fallback = certificate_pdf.render_certificate(certificate, url, NOW)
    assert b"FontFile2" in embedded
    assert b"STSong-Light" in fallback
    assert b"FontFile2" not in fallback
    assert certificate.number in pdf_text(fallback)
    assert decode_qr(fallback) == [url]


def test_certificate_waits_for_the_result_release(app, client, auth, world):
    """With results released by hand, the holder sees neither the certificate nor
    its PDF until the release; the administrator sees it at once."""
    officer = world.users["officer"]
    qualify(officer, START, release_policy="manual")
    db.session.commit()
    certificate = certificate_of(officer)
    with freeze_time(NOW):
        auth.login("officer")
        assert listed(client.get("/certificates/")) == []
        assert client.get(f"/certificates/{certificate.id}.pdf").status_code == 404
        general = db.session.get(ExamArrangement, certificate.attempt.arrangement_id)
        general.results_released_at = NOW
        db.session.commit()
        assert listed(client.get("/certificates/")) == [certificate.number]
        assert client.get(f"/certificates/{certificate.id}.pdf").status_code == 200


def test_verify_page_shows_only_the_allowed_fields(app, client, holder):
    """The public page shows name, masked ID, number, domains, status and expiry —
    nothing else: no full ID, phone, unit or username."""
    certificate = certificate_of(holder)
    with freeze_time(NOW):
        response = client.get(f"/verify/{certificate.verify_code}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    fields = re.search(r'<dl[^>]*id="verified-fields">(.*?)</dl>', page, re.S)[1]
    labels = re.findall(r"<dt[^>]*>(.*?)</dt>", fields)
    values = [v.strip() for v in re.findall(r"<dd[^>]*>(.*?)</dd>", fields, re.S)]
    assert labels == [
        "姓名",
        "身份证号",
        "证书编号",
        "执法领域",
        "发证机关",
        "状态",
        "有效期至",
    ]
    assert values == [
        holder.name,
        holder.id_number[:3] + "*" * 11 + holder.id_number[-4:],
        certificate.number,
        "城管",
        issuer_name(certificate),
        "有效",
        "2030-03-02",
    ]
    assert "该证书真实有效" in page
    for secret in (
        holder.id_number,
        PHONE,
        PHONE[-4:],
        holder.organisation.name,
        holder.username,
    ):
        assert secret not in page


def test_verify_page_states(app, client, holder):
    """A revoked certificate is shown as 已注销 (not valid); an unknown code gives
    the Chinese 404 page; past its expiry a certificate reads 已过期 even before
    the periodic job."""
    certificate = certificate_of(holder)
    with freeze_time(NOW):
        missing = client.get("/verify/no-such-code-0000000000")
        assert missing.status_code == 404
        assert "未找到该证书" in missing.get_data(as_text=True)
        change_status(certificate, "revoke", "离职", Actor.system(), NOW)
        db.session.commit()
        page = client.get(f"/verify/{certificate.verify_code}").get_data(as_text=True)
        assert "已注销" in page
        assert "真实有效" not in page
    with freeze_time(certificate.expires_at + timedelta(days=1)):
        certificate.status = "valid"
        db.session.commit()
        page = client.get(f"/verify/{certificate.verify_code}").get_data(as_text=True)
        assert "已过期" in page
        assert "真实有效" not in page


def test_verify_is_rate_limited_per_ip(app, client, holder):
    """Past CERT_VERIFY_RATE_LIMIT requests a minute (unknown codes count too), the
    Chinese 429 page is returned."""
    app.config["CERT_VERIFY_RATE_LIMIT"] = "3 per minute"
    code = certificate_of(holder).verify_code
    assert client.get(f"/verify/{code}").status_code == 200
    assert client.get("/verify/guess-1").status_code == 404
    assert client.get(f"/verify/{code}").status_code == 200
    response = client.get(f"/verify/{code}")
    assert response.status_code == 429
    assert "操作过于频繁" in response.get_data(as_text=True)
    # Another client address has its own budget.
    other = client.get(f"/verify/{code}", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200


def test_lookup_by_number_and_name(app, client, holder):
    """/verify?number=&name=: a photocopy with an unreadable QR code is checked by
    number + holder name (full-width and spaces folded); the output is masked like
    /verify/<code>; a wrong name is a 404 that does not say which field was wrong;
    the lookup shares the verification rate limit."""
    certificate = certificate_of(holder)
    with freeze_time(NOW):
        form = client.get("/verify")
        assert form.status_code == 200
        assert "证书编号" in form.get_data(as_text=True)
        number = certificate.number.lower()
        found = client.get(
            "/verify", query_string={"number": f" {number} ", "name": holder.name}
        )
        page = found.get_data(as_text=True)
        assert found.status_code == 200
        assert "该证书真实有效" in page
        assert holder.id_number not in page
        assert holder.id_number[:3] + "*" * 11 + holder.id_number[-4:] in page
        assert found.headers["Cache-Control"] == "no-store"
        miss = client.get(
            "/verify", query_string={"number": certificate.number, "name": "张三丰"}
        )
        assert miss.status_code == 404
        assert "未找到编号与姓名相符的证书" in miss.get_data(as_text=True)
        assert certificate.number not in miss.get_data(as_text=True).replace(
            f'value="{certificate.number}"', ""
        )
    app.config["CERT_VERIFY_RATE_LIMIT"] = "2 per minute"
    client.get("/verify", environ_base={"REMOTE_ADDR": "10.0.0.7"})
    client.get("/verify", environ_base={"REMOTE_ADDR": "10.0.0.7"})
    limited = client.get("/verify", environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert limited.status_code == 429


def test_certificate_shows_issuer_and_badge_number(app, client, auth, holder):
    """The PDF fields include 执法证号 when the holder has one; the admin page shows
    发证机关 and the seal position note."""
    from exams.certs.pdf import certificate_fields

    holder.cert_number = "JZ20260001"
    db.session.commit()
    certificate = certificate_of(holder)
    labels = dict(certificate_fields(certificate, NOW))
    assert labels["执法证号"] == "JZ20260001"
    auth.login("training_admin")
    page = client.get(f"/admin/certificates/{certificate.id}").get_data(as_text=True)
    assert issuer_name(certificate) in page
    assert "发证机关印章" in page
    assert "JZ20260001" in page


def _holders(factories, world):
    """Five holders in the training admin's district, in five situations."""
    made = {}
    for key, start in (
        ("fresh", START),  # valid, not expiring, not overdue
        ("expiring", datetime(2024, 7, 1, 1, 0)),  # expires 2027-07: within 90 days
        ("reviewed", datetime(2025, 3, 1, 1, 0)),  # reviewed 2026-09: not overdue
        ("suspended", datetime(2027, 1, 4, 1, 0)),
        ("expired", datetime(2024, 1, 2, 1, 0)),  # expired, job not yet run
    ):
        user = factories.user(role="officer", organisation=world.agency)
        qualify(user, start)
        made[key] = certificate_of(user)
    reviewed = made["reviewed"].holder
    review = arrangement("annual_review", [reviewed], datetime(2026, 9, 1, 1, 0))
    sit(review, reviewed, datetime(2026, 9, 1, 2, 0))
    change_status(made["suspended"], "suspend", "暂停", Actor.system(), START)
    db.session.commit()
    return {key: c.number for key, c in made.items()}


def test_admin_list_filters_and_export(app, client, auth, world, factories):
    """Filters: status (effective), expiring within N days, overdue for annual
    review, text; bad input is reported and ignored; the export follows the filters,
    masks ID numbers and is audited."""
    n = _holders(factories, world)
    with freeze_time(NOW):
        auth.login("training_admin")
        everything = listed(client.get("/admin/certificates/"))
        assert sorted(everything) == sorted(n.values())

        def only(query):
            return sorted(listed(client.get(f"/admin/certificates/?{query}")))

        assert only("status=valid") == sorted(
            [n["fresh"], n["expiring"], n["reviewed"]]
        )
        assert only("status=suspended") == [n["suspended"]]
        assert only("status=expired") == [n["expired"]]
        assert only("expiring=90") == [n["expiring"]]
        assert only("overdue=1") == [n["expiring"]]
        assert only(f"q={n['reviewed']}") == [n["reviewed"]]
        bad = client.get("/admin/certificates/?expiring=abc&status=nope")
        assert "到期天数应为" in bad.get_data(as_text=True)
        assert sorted(listed(bad)) == sorted(n.values())

        export = client.get("/admin/certificates/export.xlsx?expiring=90")
    assert export.status_code == 200
    rows = list(load_workbook(io.BytesIO(export.data))["证书清单"].values)
    assert rows[0][:3] == ("证书编号", "姓名", "身份证号")
    assert [r[0] for r in rows[1:]] == [n["expiring"]]
    assert "*" * 11 in rows[1][2]
    entry = db.session.scalar(
        sa.select(AuditLog).where(AuditLog.action == "certificates_exported")
    )
    assert entry is not None
    assert '"条数": 1' in entry.after


def test_scope_other_district_admin_gets_404(
    app, client, auth, world, factories, holder
):
    """A training administrator of another district neither lists the certificate
    nor opens, changes or downloads it (404); the district's own admin can."""
    certificate = certificate_of(holder)
    factories.user(
        username="other_trainer",
        role="training_admin",
        scope=world.other_district,
        organisation=world.other_agency,
    )
    with freeze_time(NOW):
        auth.login("other_trainer")
        assert listed(client.get("/admin/certificates/")) == []
        base = f"/admin/certificates/{certificate.id}"
        assert client.get(base).status_code == 404
        assert client.get(f"/certificates/{certificate.id}.pdf").status_code == 404
        changed = client.post(
            f"{base}/status", data={"action": "revoke", "reason": "越权"}
        )
        assert changed.status_code == 404
        auth.logout()
        auth.login("training_admin")
        assert client.get(base).status_code == 200
    db.session.refresh(certificate)
    assert certificate.status == "valid"


def test_revoke_and_reinstate_from_the_page_are_audited(
    app, client, auth, world, holder
):
    """An empty reason is refused with a message (400); a revocation with a reason
    is saved and audited with the administrator's name; reinstating works too."""
    certificate = certificate_of(holder)
    url = f"/admin/certificates/{certificate.id}/status"
    with freeze_time(NOW):
        auth.login("training_admin")
        empty = client.post(url, data={"action": "revoke", "reason": ""})
        assert empty.status_code == 400
        assert "请填写原因" in empty.get_data(as_text=True)
        done = client.post(url, data={"action": "revoke", "reason": "调离执法岗位"})
        assert done.status_code == 302
        again = client.post(url, data={"action": "revoke", "reason": "重复提交"})
        assert again.status_code == 400
        assert "不能执行该操作" in again.get_data(as_text=True)
        page = client.get(f"/admin/certificates/{certificate.id}").get_data(
            as_text=True
        )
        assert "注销证书" in page
        assert "调离执法岗位" in page
        client.post(url, data={"action": "reinstate", "reason": "撤销错误注销"})
    db.session.refresh(certificate)
    assert certificate.status == "valid"
    entries = db.session.scalars(
        sa.select(AuditLog)
        .where(AuditLog.target_type == "Certificate")
        .order_by(AuditLog.id)
    ).all()
    assert [e.action for e in entries] == [
        "certificate_issued",
        "certificate_revoked",
        "certificate_reinstated",
    ]
    assert entries[1].actor_id == world.users["training_admin"].id
    assert "调离执法岗位" in entries[1].after


def test_status_form_requires_csrf(app, client, auth, holder):
    """With CSRF protection on, a status change without the token is refused."""
    certificate = certificate_of(holder)
    with freeze_time(NOW):
        auth.login("sys_admin")
        app.config["WTF_CSRF_ENABLED"] = True
        response = client.post(
            f"/admin/certificates/{certificate.id}/status",
            data={"action": "revoke", "reason": "无令牌"},
        )
    assert response.status_code == 400
    db.session.refresh(certificate)
    assert certificate.status == "valid"
