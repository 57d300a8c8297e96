"""Invited supervisors: items of their region (404 outside), read-only view with
the phone masked, observations and escalations (XSS-safe, audited, double
submits harmless); staff see and handle 监督员转办; the handler sees the notes."""

import sqlalchemy as sa
from flask import current_app

from casebank.cases.intake import Entry
from casebank.cases.services import add_cases
from portal.actor import Actor
from portal.audit.models import AuditLog
from portal.auth.models import Role
from portal.extensions import db
from portal.suggestions.oversight.models import Escalation, SupervisorObservation
from tests.factories import PASSWORD, signed_in
from tests.suggestions.oversight_support import make_suggestion

XSS = "<script>alert('x')</script><img src=x onerror=alert(1)>"


_login = signed_in


def _items(world):
    inside = make_suggestion(
        world.agency, "13912345678", description="东湖路罚款，电话 13912345678"
    )
    outside = make_suggestion(world.other_agency, "13811112222")
    unplaced = make_suggestion(None, "13833334444")
    return inside, outside, unplaced


def _actions(action):
    return db.session.scalars(
        sa.select(AuditLog).where(AuditLog.action == action)
    ).all()


def test_supervisor_lists_only_items_of_their_region(app, world):
    """Does the district supervisor's list hold the district's items only?"""
    inside, outside, unplaced = _items(world)
    client = _login(app, "invited_supervisor")
    html = client.get("/suggestions/supervise/").get_data(as_text=True)
    assert inside.number in html
    assert outside.number not in html
    assert unplaced.number not in html


def test_supervisor_outside_the_region_gets_404(app, world):
    """Is an item of another county (or with no organisation) a 404, on the view
    and on both posts, with nothing stored?"""
    _, outside, unplaced = _items(world)
    client = _login(app, "invited_supervisor")
    for item in (outside, unplaced):
        assert client.get(f"/suggestions/supervise/{item.id}").status_code == 404
        response = client.post(
            f"/suggestions/supervise/{item.id}/observations", data={"text": "越权"}
        )
        assert response.status_code == 404
        response = client.post(
            f"/suggestions/supervise/{item.id}/escalations", data={"reason": "越权"}
        )
        assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(SupervisorObservation.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Escalation.id))) == 0


def test_supervisor_view_masks_the_phone(app, world):
    """Does the read-only view show the phone masked (also inside the text), and
    never the name?"""
    inside, _, _ = _items(world)
    client = _login(app, "invited_supervisor")
    html = client.get(f"/suggestions/supervise/{inside.id}").get_data(as_text=True)
    assert "139****5678" in html
    assert "13912345678" not in html
    assert "张三丰" not in html


def test_observation_is_stored_escaped_audited_and_shown_to_staff_and_handler(
    app, world
):
    """Is an observation with markup stored as typed, shown escaped to the
    supervisor, staff and the handling agency, audited, and never public?"""
    inside, _, _ = _items(world)
    inside.assigned_org_id = world.agency.id
    db.session.commit()
    client = _login(app, "invited_supervisor")
    response = client.post(
        f"/suggestions/supervise/{inside.id}/observations",
        data={"text": XSS, "form_token": "tok-1"},
    )
    assert response.status_code == 302
    (observation,) = db.session.scalars(sa.select(SupervisorObservation)).all()
    assert observation.text == XSS
    assert observation.author_id == world.users["invited_supervisor"].id
    assert len(_actions("suggestion_observation_added")) == 1

    pages = [client.get(f"/suggestions/supervise/{inside.id}")]
    for role in ("supervision_staff", "agency_handler", "sys_admin"):
        staff = _login(app, role)
        pages.append(staff.get(f"/suggestions/manage/{inside.id}/oversight"))
    for page in pages:
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "&lt;script&gt;alert(" in html
        assert XSS not in html
    public = app.test_client().get("/suggestions/open").get_data(as_text=True)
    assert "alert(" not in public


def test_double_submit_adds_one_observation(app, world):
    """Does posting the same observation form twice store one note?"""
    inside, _, _ = _items(world)
    client = _login(app, "invited_supervisor")
    for _ in range(2):
        client.post(
            f"/suggestions/supervise/{inside.id}/observations",
            data={"text": "请核实执法证件", "form_token": "same-token"},
        )
    assert db.session.scalar(sa.select(sa.func.count(SupervisorObservation.id))) == 1


def test_empty_observation_is_refused_in_chinese(app, world):
    """Is an empty observation answered 400 with a Chinese message, nothing stored?"""
    inside, _, _ = _items(world)
    client = _login(app, "invited_supervisor")
    response = client.post(
        f"/suggestions/supervise/{inside.id}/observations", data={"text": "  "}
    )
    assert response.status_code == 400
    assert "请填写监督员意见" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(SupervisorObservation.id))) == 0


def _case(world, doc_number="测城管罚〔2026〕7号"):
    text = f"甲区城管局\n行政处罚决定书\n{doc_number}\n当事人：王某。罚款500元。\n"
    batch = add_cases(
        [Entry("a.txt", data=text.encode(), text=text)],
        Actor.system(),
        agency=world.agency,
        agencies=[world.agency],
        upload_dir=current_app.config["UPLOAD_DIR"],
    )
    db.session.commit()
    return batch.results[0]["case_id"]


def test_escalation_links_the_case_with_that_number_and_staff_handle_it(app, world):
    """Does an escalation naming a 文号 of the agency link that case, appear in
    the staff list (escaped), and get marked handled once (a second staff
    action is refused), all audited?"""
    inside, _, _ = _items(world)
    case_id = _case(world)
    client = _login(app, "invited_supervisor")
    response = client.post(
        f"/suggestions/supervise/{inside.id}/escalations",
        data={"reason": XSS, "doc_number": "测城管罚〔2026〕7号", "form_token": "e1"},
    )
    assert response.status_code == 302
    (escalation,) = db.session.scalars(sa.select(Escalation)).all()
    assert escalation.case_file_id == case_id
    assert escalation.status == "open"
    assert len(_actions("suggestion_escalated")) == 1

    staff = _login(app, "supervision_staff")
    html = staff.get("/suggestions/manage/escalations").get_data(as_text=True)
    assert inside.number in html
    assert f"/casebank/cases/{case_id}" in html
    # The escalated case goes into review from here (a conflict-free reviewer).
    assert f'href="/casebank/supervision/cases/{case_id}/assign"' in html
    assign = staff.get(f"/casebank/supervision/cases/{case_id}/assign")
    assert assign.status_code == 200
    assert XSS not in html
    assert "&lt;script&gt;" in html

    url = f"/suggestions/manage/escalations/{escalation.id}/handle"
    assert staff.post(url, data={"note": ""}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Escalation, escalation.id).status == "open"  # no note
    assert staff.post(url, data={"note": "已列入本季度案卷评查"}).status_code == 302
    db.session.expire_all()
    handled = db.session.get(Escalation, escalation.id)
    assert handled.status == "handled"
    assert handled.handled_note == "已列入本季度案卷评查"
    assert handled.handled_by_id == world.users["supervision_staff"].id
    second = staff.post(url, data={"note": "再次处理"}, follow_redirects=True)
    assert "该转办事项已处理" in second.get_data(as_text=True)
    db.session.expire_all()
    assert (
        db.session.get(Escalation, escalation.id).handled_note == "已列入本季度案卷评查"
    )
    assert len(_actions("suggestion_escalation_handled")) == 1


def test_escalation_without_a_matching_case_is_kept_unlinked(app, world):
    """Is a 文号 with no case in the item's agency stored without a link (a case of
    another agency with that number does not count)?"""
    inside, _, _ = _items(world)
    _case(world, "测城管罚〔2026〕8号")
    client = _login(app, "invited_supervisor")
    client.post(
        f"/suggestions/supervise/{inside.id}/escalations",
        data={"reason": "处罚畸重", "doc_number": "乙市监罚〔2026〕8号"},
    )
    (escalation,) = db.session.scalars(sa.select(Escalation)).all()
    assert escalation.case_file_id is None
    assert escalation.doc_number == "乙市监罚〔2026〕8号"


def test_staff_of_another_region_cannot_see_or_handle(app, world, factories):
    """Is an escalation in 甲区 invisible (404 to handle) for 乙县's staff?"""
    inside, _, _ = _items(world)
    client = _login(app, "invited_supervisor")
    client.post(
        f"/suggestions/supervise/{inside.id}/escalations", data={"reason": "请评查"}
    )
    (escalation,) = db.session.scalars(sa.select(Escalation)).all()
    factories.user(
        username="other-staff",
        role=Role.SUPERVISION_STAFF,
        scope=world.other_district,
        organisation=world.other_agency,
    )
    other = _login(app, "other-staff")
    html = other.get("/suggestions/manage/escalations").get_data(as_text=True)
    assert inside.number not in html
    response = other.post(
        f"/suggestions/manage/escalations/{escalation.id}/handle", data={"note": "x"}
    )
    assert response.status_code == 404
    assert other.get(f"/suggestions/manage/{inside.id}/oversight").status_code == 404


def test_handler_sees_notes_only_of_items_assigned_to_their_agency(app, world):
    """Does the agency handler get 404 on an item merely naming their agency and
    not yet assigned to it?"""
    inside, _, _ = _items(world)
    handler = _login(app, "agency_handler")
    assert handler.get(f"/suggestions/manage/{inside.id}/oversight").status_code == 404
    inside.assigned_org_id = world.agency.id
    db.session.commit()
    assert handler.get(f"/suggestions/manage/{inside.id}/oversight").status_code == 200


def _csrf_token(page):
    marker = 'name="csrf_token" type="hidden" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def test_forms_check_csrf(app, world):
    """With CSRF on, are an observation and a handling post without the token
    refused (nothing stored), and accepted with the page's token?"""
    app.config["WTF_CSRF_ENABLED"] = True
    inside, _, _ = _items(world)
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login",
        data={
            "login": "invited_supervisor",
            "password": PASSWORD,
            "csrf_token": _csrf_token(login_page),
        },
    )
    url = f"/suggestions/supervise/{inside.id}"
    response = client.post(f"{url}/observations", data={"text": "无令牌"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(SupervisorObservation.id))) == 0
    token = _csrf_token(client.get(url).get_data(as_text=True))
    response = client.post(
        f"{url}/observations", data={"text": "有令牌", "csrf_token": token}
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(SupervisorObservation.id))) == 1


def test_concurrent_double_post_ends_in_one_row(app, world):
    """When the same form token is inserted twice (two posts racing past the
    look-up), does the second get the first row instead of an error?"""
    from portal.suggestions.oversight import services

    inside, _, _ = _items(world)
    supervisor = world.users["invited_supervisor"]
    first = SupervisorObservation(
        suggestion_id=inside.id, author_id=supervisor.id, text="一", form_token="t"
    )
    db.session.add(first)
    db.session.commit()
    racing = SupervisorObservation(
        suggestion_id=inside.id, author_id=supervisor.id, text="二", form_token="t"
    )
    row, created = services._insert_once(racing, SupervisorObservation)
    assert (row.id, created) == (first.id, False)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(SupervisorObservation.id))) == 1
