"""The public status page (受理编号 + 查询码) and inert rendering of user text."""

import re

from tests.suggestions.support import PHONE, form_data
from tests.suggestions.test_submit import _items, _receipt

XSS = [
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    "{{ 7*7 }}",
]


def _submit(client, **overrides):
    response = client.post("/suggestions/", data=form_data(client, **overrides))
    return _receipt(client, response)


def _track(client, number, code):
    return client.post("/suggestions/track", data={"number": number, "code": code})


def test_status_page_by_number_and_code(app, client, world):
    """Does number + code show the status, the timeline and the text, with no
    contact data at all (not even masked), and accept the code typed loosely?"""
    _, number, code = _submit(client, organisation_id=str(world.town.id))
    loose = f" {code[:5].lower()}-{code[5:]} "
    response = _track(client, number.lower(), loose)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert f'data-testid="number">{number}<' in page
    assert re.search(r'data-testid="status">\s*受理中\s*<', page)
    assert "已收到您的反映，等待监督部门受理" in page
    assert "当场罚款 500 元" in page
    assert world.town.name in page
    for contact in (PHONE, "138****1234", "1234", "王小明", "联系电话"):
        assert contact not in page, contact


def test_wrong_number_or_code_get_the_same_generic_message(app, client):
    """Do an unknown number and a wrong code give the same answer (no way to tell
    which numbers exist)?"""
    _, number, code = _submit(client)
    wrong_code = _track(client, number, "ABCDEFGHJK")
    unknown = _track(client, "JC-20991231-0001", code)
    assert wrong_code.status_code == unknown.status_code == 200
    message = "受理编号或查询码不正确，请核对后重试。"

    def body(response):
        page = response.get_data(as_text=True)
        return re.sub(r'value="[^"]*"', "", page)

    assert message in body(wrong_code)
    assert body(wrong_code) == body(unknown)
    assert "受理中" not in body(wrong_code)


def test_published_reply_and_public_events_only(app, client):
    """Does the status page show a published reply and public timeline entries
    only (internal notes of the later handling part stay hidden)?"""
    from portal.extensions import db
    from portal.suggestions.models import SuggestionEvent

    _, number, code = _submit(client)
    (item,) = _items()
    item.status = "replied"
    item.published_reply = "经核查，已责令退还罚款。联系人电话 13900001111。"
    item.events.append(
        SuggestionEvent(kind="replied", status_after="replied", note="内部意见：X")
    )
    item.events[-1].is_public = False
    db.session.commit()
    page = _track(client, number, code).get_data(as_text=True)
    assert "经核查，已责令退还罚款" in page
    assert "已答复" in page
    assert "139****1111" in page
    assert "13900001111" not in page
    assert "内部意见" not in page


def _assert_inert(page):
    for payload in XSS[:3]:
        assert payload not in page, payload
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "<svg/onload" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    # Text is not evaluated as a template either.
    assert "{{ 7*7 }}" in page


def test_xss_payloads_render_inert(app, client):
    """Are script payloads in every text field shown as text on the receipt, the
    status page and the re-shown form (never as markup)?"""
    joined = " ".join(XSS)
    fields = {
        "place": joined[:200],
        "description": "情况说明：" + joined,
        "contact_name": "<script>alert('x')</script>"[:50],
    }
    page, number, code = _submit(client, **fields)
    _assert_inert(page)
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    status = _track(client, number, code).get_data(as_text=True)
    _assert_inert(status)
    assert "&lt;img src=x onerror=alert(1)&gt;" in status
    # A refused form re-shows the same text escaped.
    refused = client.post(
        "/suggestions/", data=form_data(client, contact_phone="", **fields)
    )
    assert refused.status_code == 400
    _assert_inert(refused.get_data(as_text=True))
    # The track form echoes what was typed, escaped.
    echoed = _track(client, "<script>alert('x')</script>", "x").get_data(as_text=True)
    assert "<script>alert('x')</script>" not in echoed
    assert "&lt;script&gt;" in echoed


def test_login_page_links_to_the_public_pages(client):
    """Does the login page offer the public form and the progress lookup?"""
    page = client.get("/login").get_data(as_text=True)
    assert "群众意见建议 / 投诉" in page
    assert 'href="/suggestions/"' in page
    assert "查询办理进度" in page
    assert 'href="/suggestions/track"' in page
