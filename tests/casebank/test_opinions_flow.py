"""Reply (with attachments), accept / return, stale forms, access and audit."""

import gc
import os
import threading
from datetime import date

import pytest
import sqlalchemy as sa
from flask import current_app

from casebank.opinions import services
from casebank.opinions.models import (
    OpinionAttachment,
    OpinionReply,
    OpinionStatus,
    SupervisionOpinion,
)
from portal.actor import Actor
from portal.audit.models import AuditLog
from portal.exceptions import Conflict
from portal.extensions import db
from tests.casebank.opinions_support import (
    issue,
    login,
    make_case,
    pdf_bytes,
    png_bytes,
    reply_data,
)

XSS = '<script>alert("x")</script>'


@pytest.fixture
def opinion(world):
    return issue(
        make_case(world.agency),
        world.users["supervision_staff"],
        today=date(2026, 11, 2),
    )


def _stored():
    folder = os.path.join(current_app.config["UPLOAD_DIR"], "opinions")
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def _reply(client, opinion, **kwargs):
    return client.post(
        f"/casebank/opinions/{opinion.id}/reply",
        data=reply_data(opinion, **kwargs),
        content_type="multipart/form-data",
    )


def test_handler_replies_with_attachments_and_staff_download_them(
    app, world, client, opinion
):
    """Does the handler's reply (an image and a PDF) move the opinion to 已回复待审核,
    store both files under random names in UPLOAD_DIR/opinions/, and can staff
    and the handler download them while another agency's handler gets 404?"""
    login(client, "agency_handler")
    todo = client.get("/casebank/opinions/todo").get_data(as_text=True)
    assert opinion.number in todo
    assert "待整改的监督意见书" in todo
    page = client.get(f"/casebank/opinions/{opinion.id}").get_data(as_text=True)
    assert 'data-testid="opinion-reply-form"' in page
    assert 'data-testid="opinion-accept"' not in page
    response = _reply(
        client,
        opinion,
        files=[("整改照片.png", png_bytes()), ("整改报告.pdf", pdf_bytes())],
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert opinion.status == OpinionStatus.REPLIED
    reply = opinion.latest_reply
    assert [a.original_name for a in reply.attachments] == [
        "整改照片.png",
        "整改报告.pdf",
    ]
    stored = _stored()
    assert stored == sorted(a.stored_name for a in reply.attachments)
    assert all(len(name.split(".")[0]) == 32 for name in stored)

    pdf = reply.attachments[1]
    url = f"/casebank/opinions/{opinion.id}/attachments/{pdf.id}"
    own = client.get(url)
    assert own.data == pdf_bytes()
    own.close()  # a file response holds the file open
    staff = login(app.test_client(), "supervision_staff")
    downloaded = staff.get(url)
    assert downloaded.status_code == 200
    assert downloaded.headers["Content-Type"] == "application/pdf"
    downloaded.close()
    stranger = factories_handler(world)
    assert login(app.test_client(), stranger.username).get(url).status_code == 404
    wrong_pair = f"/casebank/opinions/{opinion.id + 1}/attachments/{pdf.id}"
    assert staff.get(wrong_pair).status_code == 404


def factories_handler(world):
    from tests.factories import Factories

    return Factories().user(
        role="agency_handler",
        scope=world.other_agency,
        organisation=world.other_agency,
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.png", png_bytes() + b"<script>alert(1)</script>", "网页或脚本代码"),
        (
            "a.pdf",
            pdf_bytes(b"<< /S /JavaScript /JS (app.alert(1)) >>"),
            "PDF 含有脚本",
        ),
        ("notes.jpg", b"plain text, not an image", "只接受"),
    ],
)
def test_a_bad_file_refuses_the_whole_reply(
    app, world, client, opinion, name, content, message
):
    """Is a reply with one bad file (a polyglot, an active PDF, a text file named
    .jpg) refused with a Chinese message, keeping the typed text, storing no file
    and no reply, the opinion still waiting for its reply?"""
    login(client, "agency_handler")
    response = _reply(
        client,
        opinion,
        text="整改情况草稿",
        files=[("ok.png", png_bytes()), (name, content)],
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert "未保存任何内容" in html
    assert "整改情况草稿" in html
    assert _stored() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OpinionReply)) == 0
    db.session.expire_all()
    assert opinion.status == OpinionStatus.ISSUED


def test_oversize_file_is_refused(app, world, client, opinion):
    """Is a file over OPINION_FILE_MAX_MB refused with the limit in the message?"""
    app.config["OPINION_FILE_MAX_MB"] = 1
    login(client, "agency_handler")
    big = pdf_bytes(b"<< /Pad (" + b"x" * (1024 * 1024) + b") >>")
    response = _reply(client, opinion, files=[("big.pdf", big)])
    response.request.environ["wsgi.input"].close()  # the spooled request body
    gc.collect()
    assert response.status_code == 400
    assert "超过 1 MB 的大小限制" in response.get_data(as_text=True)
    assert _stored() == []


def test_return_then_accept_with_timeline_and_audit(app, world, client, opinion):
    """Does staff's return (reason required) send the opinion back to the handler,
    a second reply go to review again, and acceptance close it — each step on the
    timeline and in the audit log, text escaped?"""
    handler = login(client, "agency_handler")
    assert _reply(handler, opinion, text="已整改" + XSS).status_code == 302
    staff = login(app.test_client(), "supervision_staff")
    page = staff.get(f"/casebank/opinions/{opinion.id}").get_data(as_text=True)
    assert 'data-testid="opinion-accept"' in page
    assert 'data-testid="opinion-return"' in page
    assert XSS not in page
    assert "&lt;script&gt;" in page
    db.session.expire_all()
    no_reason = staff.post(
        f"/casebank/opinions/{opinion.id}/return", data={"version": opinion.version}
    )
    assert no_reason.status_code == 400
    assert "请填写退回理由" in no_reason.get_data(as_text=True)
    returned = staff.post(
        f"/casebank/opinions/{opinion.id}/return",
        data={"version": opinion.version, "reason": "未附整改证明材料"},
    )
    assert returned.status_code == 302
    db.session.expire_all()
    assert opinion.status == OpinionStatus.RETURNED
    page = handler.get(f"/casebank/opinions/{opinion.id}").get_data(as_text=True)
    assert "未附整改证明材料" in page
    assert 'data-testid="opinion-reply-form"' in page
    assert _reply(handler, opinion, text="补充整改证明").status_code == 302
    db.session.expire_all()
    accepted = staff.post(
        f"/casebank/opinions/{opinion.id}/accept",
        data={"version": opinion.version, "note": "整改到位"},
    )
    assert accepted.status_code == 302
    db.session.expire_all()
    assert opinion.status == OpinionStatus.ACCEPTED
    assert opinion.closed_at
    assert [r.decision for r in opinion.replies] == ["returned", "accepted"]
    assert [e.kind for e in opinion.events] == [
        "issued",
        "replied",
        "returned",
        "replied",
        "accepted",
    ]
    assert opinion.events[2].note == "未附整改证明材料"
    actions = db.session.scalars(
        sa.select(AuditLog.action)
        .where(AuditLog.target_type == "SupervisionOpinion")
        .order_by(AuditLog.id)
    ).all()
    assert actions == [
        "opinion_issued",
        "opinion_replied",
        "opinion_returned",
        "opinion_replied",
        "opinion_accepted",
    ]
    page = staff.get(f"/casebank/opinions/{opinion.id}").get_data(as_text=True)
    assert 'data-kind="returned"' in page
    assert "已办结" in page
    assert 'data-testid="opinion-accept"' not in page
    assert opinion.number not in handler.get("/casebank/opinions/todo").get_data(
        as_text=True
    )
    closed = _reply(handler, opinion, text="再次提交")
    assert closed.status_code == 302  # refused: flashed, nothing changed
    db.session.expire_all()
    assert len(opinion.replies) == 2


def test_stale_forms_are_refused(app, world, client, opinion):
    """Is a decision posted from a page older than the opinion's last change
    refused with a Chinese message, leaving the state as it was?"""
    handler = login(client, "agency_handler")
    _reply(handler, opinion)
    db.session.expire_all()
    seen_version = opinion.version
    staff = login(app.test_client(), "supervision_staff")
    assert (
        staff.post(
            f"/casebank/opinions/{opinion.id}/return",
            data={"version": seen_version, "reason": "材料不全"},
        ).status_code
        == 302
    )
    stale = staff.post(
        f"/casebank/opinions/{opinion.id}/accept",
        data={"version": seen_version},
        follow_redirects=True,
    )
    assert "已被他人处理或页面已过期" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert opinion.status == OpinionStatus.RETURNED
    # The handler's old reply form (of version 1) is stale as well.
    old = handler.post(
        f"/casebank/opinions/{opinion.id}/reply",
        data={"version": "1", "text": "重复提交"},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "页面已过期" in old.get_data(as_text=True)
    db.session.expire_all()
    assert len(opinion.replies) == 1
    assert _stored() == []


@pytest.mark.committed_db
def test_two_staff_deciding_at_once_make_one_transition(app, world, db_url, opinion):
    """Do two staff members, one accepting and one returning the same reply at the
    same moment on PostgreSQL, end with exactly one decision (the other refused)?"""
    if db_url.startswith("sqlite"):
        pytest.skip("an in-memory SQLite database is one connection: no concurrency")
    services.submit_reply(
        opinion,
        opinion.version,
        "已整改",
        [],
        Actor(user=world.users["agency_handler"]),
    )
    db.session.commit()
    opinion_id, version = opinion.id, opinion.version
    staff_id = world.users["supervision_staff"].id
    outcomes, errors = [], []
    barrier = threading.Barrier(2)

    def decide(kind):
        try:
            with app.app_context():
                from portal.auth.models import User

                target = db.session.get(SupervisionOpinion, opinion_id)
                actor = Actor(user=db.session.get(User, staff_id))
                target.replies  # noqa: B018 - loaded before the race, as a page would
                barrier.wait()
                try:
                    if kind == "accept":
                        services.accept_reply(target, version, actor)
                    else:
                        services.return_reply(target, version, "理由", actor)
                    db.session.commit()
                    outcomes.append(kind)
                except Conflict:
                    db.session.rollback()
                    outcomes.append("refused")
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=decide, args=(k,)) for k in ("accept", "return")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(outcomes) in (["accept", "refused"], ["refused", "return"])
    db.session.expire_all()
    decided = [r.decision for r in opinion.replies]
    assert len(decided) == 1
    assert decided[0] in ("accepted", "returned")
    kinds = [e.kind for e in opinion.events]
    assert kinds.count("accepted") + kinds.count("returned") == 1
    assert opinion.version == version + 1


def test_access_is_scoped(app, world, client, factories, opinion):
    """Does another agency's handler (and staff of another county) get 404 on the
    opinion, its exports and its reply route, a handler 403 on decisions, and may
    only staff of the case's region issue?"""
    stranger = factories_handler(world)
    county = factories.user(
        role="supervision_staff",
        scope=world.other_district,
        organisation=world.other_district,
    )
    for username in (stranger.username, county.username):
        other = login(app.test_client(), username)
        for suffix in ("", "/export.docx", "/export.pdf"):
            assert (
                other.get(f"/casebank/opinions/{opinion.id}{suffix}").status_code == 404
            )
        assert opinion.number not in other.get(
            "/casebank/opinions/todo"
            if username == stranger.username
            else "/casebank/opinions"
        ).get_data(as_text=True)
    assert (
        login(app.test_client(), stranger.username)
        .post(
            f"/casebank/opinions/{opinion.id}/reply",
            data={"version": "1", "text": "越权"},
            content_type="multipart/form-data",
        )
        .status_code
        == 404
    )
    county_client = login(app.test_client(), county.username)
    assert (
        county_client.get(f"/casebank/cases/{opinion.case_id}/opinions/new").status_code
        == 404
    )
    handler = login(client, "agency_handler")
    assert (
        handler.post(
            f"/casebank/opinions/{opinion.id}/accept", data={"version": "1"}
        ).status_code
        == 403
    )
    assert (
        handler.get(f"/casebank/cases/{opinion.case_id}/opinions/new").status_code
        == 403
    )
    db.session.expire_all()
    assert opinion.status == OpinionStatus.ISSUED
    assert opinion.replies == []


def test_issue_form_prefill_and_validation(app, world, client):
    """Does the issue form take ?review_id= and texts from the review page, refuse
    empty texts and out-of-bounds deadlines with Chinese messages, and store the
    review id with the opinion?"""
    from casebank.reviews.services import ensure_template, save_review

    case = make_case(world.agency)
    actor = Actor.system()
    review = save_review(
        case,
        world.users["supervision_staff"],
        ensure_template(actor),
        {},
        "意见",
        0,
        actor,
        True,
    )
    db.session.commit()
    rid = review.id
    login(client, "supervision_staff")
    url = f"/casebank/cases/{case.id}/opinions/new"
    page = client.get(f"{url}?review_id={rid}&problems=未告知听证权利{XSS}").get_data(
        as_text=True
    )
    assert f'name="review_id" type="hidden" value="{rid}"' in page
    assert "未告知听证权利" in page
    assert XSS not in page
    assert 'value="15"' in page  # OPINION_DEADLINE_WORKDAYS
    for bad in ("99999999999", "-3", "abc", str(rid + 1)):
        page = client.get(f"{url}?review_id={bad}").get_data(as_text=True)
        assert 'name="review_id" type="hidden" value=""' in page, bad
    base = {"form_token": "t" * 24, "review_id": str(rid), "deadline_workdays": "15"}
    empty = client.post(url, data={**base, "problems": "", "opinion": ""})
    assert empty.status_code == 400
    assert "请填写发现的问题" in empty.get_data(as_text=True)
    too_long = client.post(
        url,
        data={**base, "problems": "问题", "opinion": "意见", "deadline_workdays": "61"},
    )
    assert too_long.status_code == 400
    assert "整改期限应为 1 至 60 个工作日" in too_long.get_data(as_text=True)
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(SupervisionOpinion))
        == 0
    )
    ok = client.post(
        url,
        data={**base, "problems": "问题", "opinion": "意见", "deadline_workdays": "10"},
    )
    assert ok.status_code == 302
    opinion = db.session.scalar(sa.select(SupervisionOpinion))
    assert (opinion.review_id, opinion.deadline_workdays) == (rid, 10)
    assert opinion.agency_id == world.agency.id
    case_page = client.get(f"/casebank/cases/{case.id}").get_data(as_text=True)
    assert opinion.number in case_page
    assert 'data-testid="opinion-new"' in case_page


def test_reply_needs_the_csrf_token(app, world, opinion):
    """With CSRF protection on, is a reply without the token refused (400)?"""
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert (
        client.post(
            "/login",
            data={
                "login": "agency_handler",
                "password": "Passw0rd!",
                "csrf_token": token,
            },
        ).status_code
        == 302
    )
    response = client.post(
        f"/casebank/opinions/{opinion.id}/reply",
        data={"version": "1", "text": "无令牌"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert opinion.status == OpinionStatus.ISSUED
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(OpinionAttachment))
        == 0
    )


def test_request_above_the_route_limit_is_refused(app, world, client, opinion):
    """Is a reply body larger than all files at their maximum refused (413) with a
    Chinese message, nothing stored?"""
    app.config["OPINION_MAX_FILES"] = 1
    app.config["OPINION_FILE_MAX_MB"] = 1
    login(client, "agency_handler")
    huge = b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024 + 10)
    response = _reply(client, opinion, files=[("huge.pdf", huge)])
    response.request.environ["wsgi.input"].close()  # the spooled request body
    gc.collect()
    assert response.status_code == 413
    assert "附件总大小超过限制" in response.get_data(as_text=True)
    assert _stored() == []
    db.session.expire_all()
    assert opinion.status == OpinionStatus.ISSUED
