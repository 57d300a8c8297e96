"""Public submission of suggestions and complaints (issue #7, public side)."""

import io
import os
import re

import sqlalchemy as sa
from freezegun import freeze_time
from PIL import Image

from portal.audit.models import AuditLog
from portal.extensions import db
from portal.suggestions.models import Suggestion, SuggestionAttachment
from tests.suggestions.support import (
    PHONE,
    captcha_answer,
    form_data,
    jpeg_with_gps,
    pdf_bytes,
    png_bytes,
    upload,
)


def _items():
    return db.session.scalars(sa.select(Suggestion)).all()


def _stored_files(app):
    folder = os.path.join(app.config["UPLOAD_DIR"], "suggestions")
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def _receipt(client, response):
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert response.headers["Location"].endswith("/suggestions/receipt")
    page = client.get("/suggestions/receipt").get_data(as_text=True)
    number = re.search(r'data-testid="number">([^<]+)<', page).group(1)
    code = re.search(r'data-testid="code">([^<]+)<', page)
    return page, number, code.group(1) if code else None


@freeze_time("2026-12-06 02:00:00")
def test_submit_with_photo_and_pdf(app, client, world):
    """Does a complete submission store the item, the re-encoded photo without
    EXIF/GPS and the PDF, show the number and the code once, mask the phone and
    audit the submission as the public with the IP?"""
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # has GPS
    data = form_data(client, organisation_id=str(world.agency.id))
    data["attachments"] = [
        upload(original, "现场.jpg"),
        upload(pdf_bytes(), "罚款单.pdf"),
        upload(png_bytes(), "截图.png"),
    ]
    response = client.post(
        "/suggestions/", data=data, content_type="multipart/form-data"
    )
    page, number, code = _receipt(client, response)
    assert number == "JC-20261206-0001"
    # 受理期限: 7 working days after Sunday 6 December (the day itself not counted).
    assert '<span data-testid="accept-due">2026-12-15</span> 前决定是否受理' in page
    assert re.fullmatch(r"[A-Z2-9]{10}", code)
    assert "138****1234" in page
    assert PHONE not in page
    assert world.agency.name in page
    # The code is shown once: a reload shows no receipt.
    again = client.get("/suggestions/receipt").get_data(as_text=True)
    assert code not in again
    assert "没有可显示的回执" in again

    (item,) = _items()
    assert item.number == number
    assert item.status == "pending"
    assert item.query_code_hash != code
    assert code not in item.query_code_hash
    assert item.contact_phone == PHONE
    assert item.contact_name == "王小明"
    assert item.hide_name is True
    assert item.organisation_id == world.agency.id
    assert [e.kind for e in item.events] == ["submitted"]
    mimes = [a.mime for a in item.attachments]
    assert mimes == ["image/jpeg", "application/pdf", "image/png"]
    assert [a.original_name for a in item.attachments][:2] == ["现场.jpg", "罚款单.pdf"]
    folder = os.path.join(app.config["UPLOAD_DIR"], "suggestions")
    assert sorted(a.stored_name for a in item.attachments) == _stored_files(app)
    photo = item.attachments[0]
    assert "现场" not in photo.stored_name
    assert photo.stored_name.endswith(".jpg")
    with open(os.path.join(folder, photo.stored_name), "rb") as fh:
        stored = fh.read()
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG"
    assert image.size == (64, 48)
    assert len(image.getexif()) == 0
    assert b"Exif" not in stored
    assert b"TestCam" not in stored
    with open(os.path.join(folder, item.attachments[1].stored_name), "rb") as fh:
        assert fh.read() == pdf_bytes()

    entry = db.session.scalar(
        sa.select(AuditLog).where(AuditLog.action == "suggestion_submitted")
    )
    assert entry.actor_id is None
    assert entry.actor_name == "社会公众（未登录）"
    assert entry.ip == "127.0.0.1"
    assert entry.target_label == f"受理编号 {number}"
    assert PHONE not in (entry.after or "")


def test_numbers_are_sequential_per_china_day(app, client):
    """Are 受理编号 sequential within a China date and restarted the next day
    (16:00 UTC is already the next day in Beijing)?"""
    numbers = []
    for moment in ("2026-12-06 01:00", "2026-12-06 15:59", "2026-12-06 16:00"):
        with freeze_time(moment):
            response = client.post("/suggestions/", data=form_data(client))
            numbers.append(_receipt(client, response)[1])
    assert numbers == ["JC-20261206-0001", "JC-20261206-0002", "JC-20261207-0001"]


def test_anonymous_without_phone_is_accepted(app, client):
    """May a member of the public submit anonymously without any contact data
    (and is a typed phone then dropped rather than stored)?"""
    data = form_data(client, is_anonymous="y", contact_phone="", contact_name="张三")
    page, _, code = _receipt(client, client.post("/suggestions/", data=data))
    assert code
    assert "匿名提交" in page
    assert "张三" not in page
    (item,) = _items()
    assert item.is_anonymous
    assert item.contact_phone is None
    assert item.contact_name is None


def test_named_without_phone_is_refused(app, client):
    """Is a named submission without a phone refused, nothing stored, and the
    user's text kept in the form?"""
    data = form_data(client, contact_phone="")
    response = client.post("/suggestions/", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "请填写联系电话，或选择匿名提交" in page
    assert "当场罚款 500 元" in page
    assert "东湖路 12 号" in page
    assert _items() == []


def test_bad_phone_is_refused(app, client):
    """Is a phone that is neither a mobile nor a landline refused?"""
    response = client.post("/suggestions/", data=form_data(client, contact_phone="123"))
    assert response.status_code == 400
    assert "11 位手机号码" in response.get_data(as_text=True)
    assert _items() == []


def test_consent_is_required(app, client):
    """Is the PIPL statement shown, and a submission without consent refused?"""
    page = client.get("/suggestions/").get_data(as_text=True)
    assert "个人信息处理说明" in page
    assert "办结后 180 天删除" in page
    response = client.post("/suggestions/", data=form_data(client, consent=None))
    assert response.status_code == 400
    assert "请阅读并同意个人信息处理说明" in response.get_data(as_text=True)
    assert _items() == []


def test_wrong_captcha_is_refused(app, client):
    """Is a wrong captcha answer refused with a Chinese message?"""
    data = form_data(client)
    data["captcha"] = str(int(data["captcha"]) + 1)
    response = client.post("/suggestions/", data=data)
    assert response.status_code == 400
    assert "验证码不正确" in response.get_data(as_text=True)
    assert _items() == []


def test_expired_captcha_is_refused(app, client):
    """Is a right answer refused once the challenge is older than its lifetime?"""
    with freeze_time("2026-12-06 02:00:00") as frozen:
        data = form_data(client)
        frozen.tick(app.config["SUGGESTION_CAPTCHA_SECONDS"] + 1)
        response = client.post("/suggestions/", data=data)
    assert response.status_code == 400
    assert "验证码已过期" in response.get_data(as_text=True)
    assert _items() == []


def test_captcha_is_single_use(app, client):
    """Is a challenge consumed by a check, so that the same right answer fails
    on a second (different) form?"""
    data = form_data(client)
    client.post("/suggestions/", data={**data, "captcha": "-99"})  # consumes it
    response = client.post("/suggestions/", data=data)
    assert response.status_code == 400
    assert "请先获取验证码" in response.get_data(as_text=True)
    first = form_data(client)
    _receipt(client, client.post("/suggestions/", data=first))
    reused = {**form_data(client), "captcha": first["captcha"]}
    with client.session_transaction() as session:
        session.pop("suggestion_captcha")
    assert client.post("/suggestions/", data=reused).status_code == 400
    assert len(_items()) == 1


def test_captcha_answer_is_not_in_the_session_cookie(app, client):
    """Does the (client-readable) session hold only an HMAC, not the answer?"""
    answer = captcha_answer(client)
    with client.session_transaction() as session:
        stored = dict(session["suggestion_captcha"])
    assert answer not in {str(v) for v in stored.values()}
    assert set(stored) == {"nonce", "digest", "expires"}


def test_submit_rate_limit_answers_429_in_chinese(app, client):
    """Does the per-IP submit limit answer 429 with a Chinese message?"""
    app.config["SUGGESTION_SUBMIT_RATE_LIMIT"] = "2 per minute"
    for _ in range(2):
        assert client.post("/suggestions/", data={}).status_code == 400
    response = client.post("/suggestions/", data={})
    assert response.status_code == 429
    assert "您的操作过于频繁，请稍后再试" in response.get_data(as_text=True)


def test_track_rate_limit_answers_429_in_chinese(app, client):
    """Is guessing codes on the status page limited per IP (429, Chinese)?"""
    app.config["SUGGESTION_TRACK_RATE_LIMIT"] = "3 per minute"
    for _ in range(3):
        response = client.post(
            "/suggestions/track", data={"number": "JC-20261206-0001", "code": "X"}
        )
        assert response.status_code == 200
    response = client.post(
        "/suggestions/track", data={"number": "JC-20261206-0001", "code": "X"}
    )
    assert response.status_code == 429
    assert "操作过于频繁" in response.get_data(as_text=True)


def test_double_submit_creates_one_item(app, client):
    """Does posting the same form twice (same form token: a double click) create
    one item whose code is still shown once, and does a later re-post (browser
    back + resend) point to the item without showing the code again?"""
    data = form_data(client)
    assert client.post("/suggestions/", data=data).status_code == 302
    page, number, code = _receipt(client, client.post("/suggestions/", data=data))
    assert code is not None
    assert "提交成功" in page
    page, again, code = _receipt(client, client.post("/suggestions/", data=data))
    assert again == number
    assert code is None
    assert "请勿重复提交" in page
    (item,) = _items()
    assert item.number == number


def test_form_needs_csrf_token_when_enabled(app, client):
    """With CSRF protection on (as in production), is a post without the token
    refused before anything is stored?"""
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/suggestions/", data=form_data(client))
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert _items() == []
    assert db.session.scalar(sa.select(sa.func.count(SuggestionAttachment.id))) == 0
