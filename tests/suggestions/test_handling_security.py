"""Security of the handling part: attachment downloads (who, headers, audit),
masked contact data for everyone but the handler, and inert user text in every
handling view and on the public status page."""

import io

from portal.suggestions.models import Status
from tests.suggestions.handling_support import (
    NAME,
    audit_actions,
    fresh,
    login,
    make_suggestion,
    post,
    track,
)
from tests.suggestions.support import PHONE, pdf_bytes

XSS = [
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
]


def _assigned(app, world, **kwargs):
    suggestion, code = make_suggestion(world.agency, **kwargs)
    staff = login(app, "supervision_staff")
    post(staff, suggestion, "accept")
    post(staff, suggestion, "assign", agency_id=str(world.agency.id), handler_id="0")
    assert fresh(suggestion.id).status == Status.PROCESSING
    return suggestion, code, staff


def test_attachment_download_for_staff_and_handler_only(app, world, factories):
    """Do staff and the assigned agency's handler download the file as an
    attachment with its MIME type (audited), while another agency's handler and
    staff of another region get 404 and other roles 403?"""
    suggestion, _, staff = _assigned(app, world, with_photo=True)
    (attachment,) = fresh(suggestion.id).attachments
    url = f"/suggestions/manage/{suggestion.id}/files/{attachment.id}"
    response = staff.get(url)
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.data[:3] == b"\xff\xd8\xff"
    response.close()
    handler = login(app, "agency_handler")
    response = handler.get(url)
    assert response.status_code == 200
    response.close()
    assert audit_actions(suggestion.id).count("suggestion_attachment_downloaded") == 2

    factories.user(
        username="handler-b",
        role="agency_handler",
        scope=world.other_agency,
        organisation=world.other_agency,
    )
    factories.user(
        username="staff-b",
        role="supervision_staff",
        scope=world.other_district,
        organisation=world.other_district,
    )
    assert login(app, "handler-b").get(url).status_code == 404
    assert login(app, "staff-b").get(url).status_code == 404
    for role in ("officer", "invited_supervisor", "training_admin"):
        assert login(app, role).get(url).status_code == 403, role
    assert app.test_client().get(url).status_code == 302  # to the login page
    # A wrong item/attachment pair is a 404 as well.
    other, _ = make_suggestion(world.agency)
    assert (
        staff.get(f"/suggestions/manage/{other.id}/files/{attachment.id}").status_code
        == 404
    )


def test_reply_attachments_are_owned_by_the_reply(app, world):
    """Are the handler's reply files stored with the reply as owner (not counted
    as the submitter's attachments) and downloadable by staff?"""
    suggestion, code, staff = _assigned(app, world)
    handler = login(app, "agency_handler")
    response = handler.post(
        f"/suggestions/manage/tasks/{suggestion.id}/reply",
        data={
            "version": str(fresh(suggestion.id).version),
            "text": "处理结果见附件中的决定书。",
            "attachments": [(io.BytesIO(pdf_bytes()), "决定书.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    item = fresh(suggestion.id)
    assert item.attachments == []
    (reply,) = item.replies
    (attachment,) = reply.attachments
    assert attachment.reply_id == reply.id
    assert attachment.mime == "application/pdf"
    download = staff.get(f"/suggestions/manage/{suggestion.id}/files/{attachment.id}")
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    download.close()
    page = track(app.test_client(), suggestion.number, code).get_data(as_text=True)
    assert "0 个" in page  # the public summary counts the submitter's files only


def test_bad_reply_attachment_keeps_the_text(app, world):
    """Is a reply with a disguised file refused with a message, nothing stored,
    and the typed text shown again?"""
    suggestion, _, _ = _assigned(app, world)
    handler = login(app, "agency_handler")
    response = handler.post(
        f"/suggestions/manage/tasks/{suggestion.id}/reply",
        data={
            "version": str(fresh(suggestion.id).version),
            "text": "这是一段已经写好的答复内容。",
            "attachments": [(io.BytesIO(b"<html><script>x</script>"), "a.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "这是一段已经写好的答复内容。" in page
    assert "未保存任何内容" in page
    assert fresh(suggestion.id).replies == []


def test_contact_data_masked_except_for_the_handler(app, world):
    """Do staff and system administrators see the phone masked and no name, while
    the handler sees both in full?"""
    suggestion, _, staff = _assigned(app, world)
    for client in (staff, login(app, "sys_admin")):
        page = client.get(f"/suggestions/manage/{suggestion.id}").get_data(as_text=True)
        assert "138****1234" in page
        assert PHONE not in page
        assert NAME not in page
    page = login(app, "agency_handler").get(
        f"/suggestions/manage/tasks/{suggestion.id}"
    )
    assert PHONE in page.get_data(as_text=True)
    assert NAME in page.get_data(as_text=True)


def test_user_text_is_inert_in_every_handling_view(app, world):
    """Do script/markup payloads in the description, place, name, reject reason,
    merge note, extension reason, reply, return reason, published reply, rating
    comment and contest reason render escaped in every view?"""
    payload = " ".join(XSS)
    suggestion, code = make_suggestion(
        world.agency,
        description="具体情况：" + payload,
        place="地点" + XSS[1],
        name=XSS[0][:40],
    )
    rejected, rejected_code = make_suggestion(world.agency)
    duplicate, _ = make_suggestion(world.agency, description="重复：" + payload)
    staff = login(app, "supervision_staff")
    post(staff, rejected, "reject", reason="理由" + payload)
    post(staff, duplicate, "merge", target_number=suggestion.number, note=XSS[0])
    post(staff, suggestion, "accept")
    post(staff, suggestion, "assign", agency_id=str(world.agency.id), handler_id="0")
    post(staff, suggestion, "extend", reason="延期" + payload)
    handler = login(app, "agency_handler")

    def reply(text):
        return handler.post(
            f"/suggestions/manage/tasks/{suggestion.id}/reply",
            data={"version": str(fresh(suggestion.id).version), "text": text},
            content_type="multipart/form-data",
        )

    assert reply("答复" + payload).status_code == 302
    post(staff, suggestion, "return", reason="退回" + payload)
    assert reply("第二稿答复" + payload).status_code == 302
    post(staff, suggestion, "approve")
    post(staff, suggestion, "publish", text="公开" + payload)
    assert fresh(suggestion.id).published_reply.startswith("公开")

    public = app.test_client()
    track(public, suggestion.number, code)
    public.post(
        "/suggestions/track/contest",
        data={"number": suggestion.number, "reason": "异议" + payload},
    )
    assert fresh(suggestion.id).contest_reason.startswith("异议")
    handler_page = handler.get(f"/suggestions/manage/tasks/{suggestion.id}")
    assert reply("第三稿" + payload).status_code == 302
    post(staff, suggestion, "approve")
    post(staff, suggestion, "publish", text="再次公开" + payload)
    public.post(
        "/suggestions/track/rate",
        data={"number": suggestion.number, "rating": "2", "comment": payload},
    )
    item = fresh(suggestion.id)
    assert item.rating == 2
    assert item.status == Status.CLOSED

    pages = {
        "inbox": staff.get("/suggestions/manage/"),
        "item": staff.get(f"/suggestions/manage/{suggestion.id}"),
        "duplicate": staff.get(f"/suggestions/manage/{duplicate.id}"),
        "rejected": staff.get(f"/suggestions/manage/{rejected.id}"),
        "tasks": handler.get("/suggestions/manage/tasks?all=1"),
        "task": handler.get(f"/suggestions/manage/tasks/{suggestion.id}"),
        "task-before": handler_page,
        "status": public.get("/suggestions/track/current"),
        "rejected-status": track(app.test_client(), rejected.number, rejected_code),
    }
    for label, response in pages.items():
        assert response.status_code == 200, label
        page = response.get_data(as_text=True)
        for raw in XSS:
            assert raw not in page, (label, raw)
    for label in ("item", "task", "status", "rejected-status", "duplicate"):
        assert "&lt;script&gt;" in pages[label].get_data(as_text=True), label
    # The publish page (prefilled editor) escapes too.
    suggestion2, _, _ = _assigned(app, world)
    reply_text = "答复" + payload
    handler.post(
        f"/suggestions/manage/tasks/{suggestion2.id}/reply",
        data={"version": str(fresh(suggestion2.id).version), "text": reply_text},
        content_type="multipart/form-data",
    )
    post(staff, suggestion2, "approve")
    publish = staff.get(f"/suggestions/manage/{suggestion2.id}/publish")
    page = publish.get_data(as_text=True)
    for raw in XSS:
        assert raw not in page
    assert "&lt;script&gt;" in page


def test_extension_request_texts_are_inert(app, world):
    """Are the handler's extension reason and the staff refusal note escaped on
    the staff page and the handler's page?"""
    suggestion, _, staff = _assigned(app, world)
    handler = login(app, "agency_handler")
    payload = " ".join(XSS)
    handler.post(
        f"/suggestions/manage/tasks/{suggestion.id}/extension",
        data={"version": str(fresh(suggestion.id).version), "reason": payload},
    )
    staff_page = staff.get(f"/suggestions/manage/{suggestion.id}").get_data(
        as_text=True
    )
    post(staff, suggestion, "extension/refuse", note=payload)
    task_page = handler.get(f"/suggestions/manage/tasks/{suggestion.id}").get_data(
        as_text=True
    )
    for page in (staff_page, task_page):
        for raw in XSS:
            assert raw not in page
        assert "&lt;script&gt;" in page
    assert [r.status for r in fresh(suggestion.id).extension_requests] == ["refused"]
