"""Handling rules: reject, merge and duplicate hints, the one extension, the
optimistic lock, deadline flags, automatic closing, scope (issue #7, part 2)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.actor import Actor
from portal.extensions import db
from portal.locking import StaleForm
from portal.suggestions.handling import services
from portal.suggestions.handling.jobs import close_unrated_suggestions
from portal.suggestions.models import Status, Suggestion
from portal.timeutil import utcnow
from portal.workdays.queries import calendar
from tests.suggestions.handling_support import (
    audit_actions,
    fresh,
    login,
    make_suggestion,
    post,
    track,
)


def _processing(app, world, staff=None):
    suggestion, code = make_suggestion(world.agency)
    staff = staff or login(app, "supervision_staff")
    post(staff, suggestion, "accept")
    post(staff, suggestion, "assign", agency_id=str(world.agency.id), handler_id="0")
    assert fresh(suggestion.id).status == Status.PROCESSING
    return suggestion, code, staff


def test_reject_needs_a_reason_shown_to_the_submitter(app, world):
    """Is 不予受理 refused without a reason, and is the reason on the public page?"""
    suggestion, code = make_suggestion(world.agency)
    staff = login(app, "supervision_staff")
    response = post(staff, suggestion, "reject", reason="  ")
    assert response.status_code == 400
    assert "请填写不予受理的理由" in response.get_data(as_text=True)
    assert fresh(suggestion.id).status == Status.PENDING
    reason = "所反映问题不属于行政执法监督范围，请向人民法院起诉。"
    assert post(staff, suggestion, "reject", reason=reason).status_code == 302
    item = fresh(suggestion.id)
    assert item.status == Status.REJECTED
    assert item.public_reason == reason
    # Final: the de-identification job's retention period starts now.
    assert item.closed_at is not None
    page = track(app.test_client(), suggestion.number, code).get_data(as_text=True)
    assert reason in page
    assert "不予受理" in page
    assert "suggestion_rejected" in audit_actions(suggestion.id)


def test_processing_item_cannot_be_rejected_or_accepted_again(app, world):
    """Do actions that do not fit the status give a Chinese message and change
    nothing?"""
    suggestion, _, staff = _processing(app, world)
    response = post(staff, suggestion, "reject", reason="不予受理")
    assert response.status_code == 409
    assert "尚未转交办理" in response.get_data(as_text=True)
    assert post(staff, suggestion, "accept").status_code == 409
    assert fresh(suggestion.id).status == Status.PROCESSING


def test_merge_duplicate_into_main_item(app, world):
    """Does merging mark the duplicate, note it on both timelines, and point the
    duplicate's public page to the main number and its published reply?"""
    main, _ = make_suggestion(world.agency)
    duplicate, code = make_suggestion(world.agency)
    staff = login(app, "supervision_staff")
    page = staff.get(f"/suggestions/manage/{duplicate.id}").get_data(as_text=True)
    assert main.number in page
    assert "相似度" in page
    response = post(
        staff, duplicate, "merge", target_number=main.number.lower(), note="同一摊位"
    )
    assert response.status_code == 302
    item, target = fresh(duplicate.id), fresh(main.id)
    assert item.status == Status.MERGED
    assert item.merged_into_id == main.id
    assert item.closed_at is not None  # final for this submission
    assert target.closed_at is None
    assert item.events[-1].kind == "merged"
    assert item.events[-1].is_public
    assert main.number in item.events[-1].note
    assert target.events[-1].kind == "merged"
    assert not target.events[-1].is_public
    assert duplicate.number in target.events[-1].note
    assert "同一摊位" in target.events[-1].note
    assert target.status == Status.PENDING

    target.published_reply = "主件的答复内容"
    db.session.commit()
    public = track(app.test_client(), duplicate.number, code).get_data(as_text=True)
    assert f"<strong>{main.number}</strong>" in public
    assert "主件的答复内容" in public
    assert "同一摊位" not in public  # the merge note is internal


def test_merge_refuses_self_unknown_and_merged_targets(app, world):
    """Are a merge into itself, into an unknown number and into an item that is
    itself merged refused with a message?"""
    a, _ = make_suggestion(world.agency)
    b, _ = make_suggestion(world.agency)
    c, _ = make_suggestion(world.agency)
    staff = login(app, "supervision_staff")
    assert post(staff, a, "merge", target_number=a.number).status_code == 400
    response = post(staff, a, "merge", target_number="JC-20000101-0001")
    assert response.status_code == 400
    assert "找不到该受理编号" in response.get_data(as_text=True)
    assert post(staff, b, "merge", target_number=c.number).status_code == 302
    response = post(staff, a, "merge", target_number=b.number)
    assert response.status_code == 400
    assert "不能作为主件" in response.get_data(as_text=True)
    assert fresh(a.id).status == Status.PENDING


def test_similar_suggestions_are_ranked_and_bounded(app, world):
    """Does the duplicate hint list similar texts about the same agency (or none)
    from the last 180 days, and leave out different texts, other agencies and
    old items?"""
    from portal.suggestions.handling.queries import similar_suggestions

    text = "城管队员在东湖路菜市场没收了我的三轮车，没有开具任何扣押清单。"
    item, _ = make_suggestion(world.agency, description=text)
    same, _ = make_suggestion(
        world.agency, description="东湖路菜市场城管队员没收三轮车，不开扣押清单。"
    )
    unknown_org, _ = make_suggestion(
        None, description="城管在东湖路菜市场没收三轮车，没有扣押清单。"
    )
    different, _ = make_suggestion(
        world.agency, description="建议在公园增加公共厕所和休息座椅，方便老人。"
    )
    other_agency, _ = make_suggestion(world.other_agency, description=text)
    old, _ = make_suggestion(world.agency, description=text)
    old.submitted_at = utcnow() - timedelta(days=200)
    db.session.commit()
    ranked = similar_suggestions(item, world.users["supervision_staff"])
    numbers = [s.number for s, _ in ranked]
    assert same.number in numbers
    assert unknown_org.number in numbers
    assert different.number not in numbers
    assert other_agency.number not in numbers
    assert old.number not in numbers
    scores = [score for _, score in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < score <= 1 for score in scores)


def test_one_extension_only(app, world):
    """Does the extension add 7 working days to the deadline once, require a
    reason, and refuse a second one?"""
    suggestion, _, staff = _processing(app, world)
    due = fresh(suggestion.id).due_on
    assert post(staff, suggestion, "extend", reason="").status_code == 400
    assert post(staff, suggestion, "extend", reason="需现场复核").status_code == 302
    item = fresh(suggestion.id)
    assert item.due_on == calendar().add_workdays(due, 7)
    assert item.extension_days == 7
    assert item.extension_reason == "需现场复核"
    response = post(staff, suggestion, "extend", reason="再延一次")
    assert response.status_code == 409
    assert "只能延期一次" in response.get_data(as_text=True)
    assert fresh(suggestion.id).due_on == calendar().add_workdays(due, 7)
    assert "suggestion_extended" in audit_actions(suggestion.id)


def test_stale_form_and_double_submit_are_refused_harmlessly(app, world):
    """Does a form rendered before someone else's change (or sent twice) get the
    Chinese stale message and change nothing?"""
    suggestion, _ = make_suggestion(world.agency)
    staff = login(app, "supervision_staff")
    other = login(app, "sys_admin")
    seen = fresh(suggestion.id).version
    assert post(other, suggestion, "accept").status_code == 302
    # Staff send the form they loaded before the admin acted (reject, old version).
    response = staff.post(
        f"/suggestions/manage/{suggestion.id}/reject",
        data={"version": str(seen), "reason": "重复"},
        follow_redirects=True,
    )
    assert "页面内容已过期" in response.get_data(as_text=True)
    item = fresh(suggestion.id)
    assert item.status == Status.ACCEPTED
    # The admin's double click: the same accept form again.
    response = other.post(
        f"/suggestions/manage/{suggestion.id}/accept",
        data={"version": str(seen)},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "页面内容已过期" in response.get_data(as_text=True)
    assert [e.kind for e in fresh(suggestion.id).events].count("accepted") == 1


def test_deadline_flags_and_filters(app, world):
    """Is an item due today yellow, one past its deadline red (and found by the
    flag filter), and an answered one neither?"""
    soon, _, staff = _processing(app, world)
    late, _, _ = _processing(app, world, staff)
    later, _, _ = _processing(app, world, staff)
    today = fresh(soon.id).assigned_at  # any item's assignment: today (UTC)
    from portal.timeutil import to_local

    local_today = to_local(today).date()
    fresh(soon.id).due_on = local_today
    fresh(late.id).due_on = local_today - timedelta(days=1)
    db.session.commit()

    def rows(flag):
        page = staff.get(f"/suggestions/manage/?flag={flag}").get_data(as_text=True)
        return {s.number for s in (soon, late, later) if s.number in page}

    assert rows("warning") == {soon.number}
    assert rows("overdue") == {late.number}
    inbox = staff.get("/suggestions/manage/").get_data(as_text=True)
    assert "已逾期" in inbox
    assert "即将到期" in inbox
    tasks = login(app, "agency_handler").get("/suggestions/manage/tasks")
    assert "已逾期" in tasks.get_data(as_text=True)


def test_unrated_items_close_automatically(app, world):
    """Does the periodic job close answered items whose reply was published 15 or
    more days ago without a rating, and leave recent ones open?"""
    old, _ = make_suggestion(world.agency)
    recent, _ = make_suggestion(world.agency)
    for item, age in ((old, 16), (recent, 3)):
        item.status = Status.REPLIED.value
        item.published_reply = "答复"
        item.reply_published_at = utcnow() - timedelta(days=age)
    db.session.commit()
    assert close_unrated_suggestions() == 1
    db.session.commit()
    assert fresh(old.id).status == Status.CLOSED
    assert fresh(old.id).closed_at
    assert fresh(old.id).events[-1].kind == "closed"
    assert fresh(recent.id).status == Status.REPLIED
    assert "suggestion_closed" in audit_actions(old.id)


def test_staff_scope_and_handler_scope(app, world, factories):
    """Do staff of another region and handlers of another agency get 404 (and not
    see the item listed); does only city-level staff see items with no
    organisation?"""
    suggestion, _, staff = _processing(app, world)
    factories.user(
        username="staff-b",
        role="supervision_staff",
        scope=world.other_district,
        organisation=world.other_district,
    )
    factories.user(
        username="handler-b",
        role="agency_handler",
        scope=world.other_agency,
        organisation=world.other_agency,
    )
    staff_b = login(app, "staff-b")
    assert staff_b.get(f"/suggestions/manage/{suggestion.id}").status_code == 404
    assert suggestion.number not in staff_b.get("/suggestions/manage/").get_data(
        as_text=True
    )
    assert post(staff_b, suggestion, "extend", reason="x").status_code == 404
    handler_b = login(app, "handler-b")
    assert (
        handler_b.get(f"/suggestions/manage/tasks/{suggestion.id}").status_code == 404
    )
    assert suggestion.number not in handler_b.get("/suggestions/manage/tasks").get_data(
        as_text=True
    )
    nowhere, _ = make_suggestion(None)
    assert staff.get(f"/suggestions/manage/{nowhere.id}").status_code == 200
    assert staff_b.get(f"/suggestions/manage/{nowhere.id}").status_code == 404
    # Handlers see nothing before assignment.
    pending, _ = make_suggestion(world.agency)
    handler = login(app, "agency_handler")
    assert handler.get(f"/suggestions/manage/tasks/{pending.id}").status_code == 404


def test_assignment_checks_agency_and_handler(app, world, factories):
    """Is a handler who does not cover the agency refused, and a region (not an
    agency) too?"""
    suggestion, _ = make_suggestion(world.agency)
    staff = login(app, "supervision_staff")
    post(staff, suggestion, "accept")
    outsider = factories.user(
        username="handler-c",
        role="agency_handler",
        scope=world.other_agency,
        organisation=world.other_agency,
    )
    response = post(
        staff,
        suggestion,
        "assign",
        agency_id=str(world.agency.id),
        handler_id=str(outsider.id),
    )
    assert response.status_code == 400
    assert "不是 甲区城管局 的部门经办人" in response.get_data(as_text=True)
    response = post(
        staff, suggestion, "assign", agency_id=str(world.district.id), handler_id="0"
    )
    assert response.status_code == 400
    assert fresh(suggestion.id).status == Status.ACCEPTED


def test_lock_is_enforced_by_the_database(app, world):
    """When another transaction bumped the version after this one loaded the item
    (the in-memory version still matches the form), does the conditional UPDATE
    refuse the change?"""
    suggestion, _ = make_suggestion(world.agency)
    item = fresh(suggestion.id)
    seen = item.version
    # The concurrent action, as another request would commit it.
    db.session.execute(
        sa.update(Suggestion)
        .where(Suggestion.id == item.id)
        .values(version=Suggestion.version + 1)
        .execution_options(synchronize_session=False)
    )
    assert item.version == seen
    staff = Actor(user=world.users["supervision_staff"])
    with pytest.raises(StaleForm):
        services.accept_suggestion(item, seen, staff)
    db.session.rollback()
    assert fresh(suggestion.id).status == Status.PENDING


def test_inbox_filters(app, world):
    """Do the status, category, agency and number filters narrow the inbox, with
    pending items listed first?"""
    fees, _ = make_suggestion(world.agency, category="fees")
    other, _ = make_suggestion(world.other_agency, category="fines")
    accepted, _ = make_suggestion(world.agency, category="fines")
    staff = login(app, "supervision_staff")
    post(staff, accepted, "accept")

    def listed(query):
        page = staff.get(f"/suggestions/manage/?{query}").get_data(as_text=True)
        return [s.number for s in (fees, other, accepted) if s.number in page]

    assert listed("") == [fees.number, other.number, accepted.number]
    assert listed("status=accepted") == [accepted.number]
    assert listed("category=fees") == [fees.number]
    assert listed(f"agency_id={world.other_agency.id}") == [other.number]
    assert listed(f"q={other.number[-4:]}") == [other.number]
    assert listed("status=bogus") == [fees.number, other.number, accepted.number]
    page = staff.get("/suggestions/manage/").get_data(as_text=True)
    assert page.index(fees.number) < page.index(accepted.number)


def _request_extension(handler, suggestion, reason):
    return handler.post(
        f"/suggestions/manage/tasks/{suggestion.id}/extension",
        data={"version": str(fresh(suggestion.id).version), "reason": reason},
    )


def test_handler_requests_and_staff_grant_the_extension(app, world):
    """Can the handler ask for the extension with a reason, staff see it (prefilled)
    and grant it, and is a further request then refused?"""
    suggestion, _, staff = _processing(app, world)
    due = fresh(suggestion.id).due_on
    handler = login(app, "agency_handler")
    assert _request_extension(handler, suggestion, " ").status_code == 400
    response = _request_extension(handler, suggestion, "需等待检测报告")
    assert response.status_code == 302
    assert fresh(suggestion.id).due_on == due  # nothing granted yet
    again = _request_extension(handler, suggestion, "再申请一次")
    assert again.status_code == 409
    assert "已有一份延期申请在等待批准" in again.get_data(as_text=True)
    page = staff.get(f"/suggestions/manage/{suggestion.id}").get_data(as_text=True)
    assert 'data-testid="extension-request"' in page
    assert page.count("需等待检测报告") >= 2  # shown and prefilled
    assert post(staff, suggestion, "extend", reason="需等待检测报告").status_code == 302
    item = fresh(suggestion.id)
    assert item.due_on == calendar().add_workdays(due, 7)
    (request,) = item.extension_requests
    assert request.status == "granted"
    response = _request_extension(handler, suggestion, "还要再延期")
    assert response.status_code == 409
    assert "只能延期一次" in response.get_data(as_text=True)
    actions = audit_actions(suggestion.id)
    assert "suggestion_extension_requested" in actions
    assert "suggestion_extended" in actions


def test_staff_refuse_an_extension_request(app, world):
    """Does a refusal (reason required) keep the deadline, show the reason to the
    handler and let them ask again?"""
    suggestion, _, staff = _processing(app, world)
    due = fresh(suggestion.id).due_on
    handler = login(app, "agency_handler")
    _request_extension(handler, suggestion, "人手不足")
    assert post(staff, suggestion, "extension/refuse", note="").status_code == 400
    response = post(staff, suggestion, "extension/refuse", note="理由不充分")
    assert response.status_code == 302
    item = fresh(suggestion.id)
    assert item.due_on == due
    assert item.extension_days == 0
    assert [r.status for r in item.extension_requests] == ["refused"]
    task = handler.get(f"/suggestions/manage/tasks/{suggestion.id}")
    page = task.get_data(as_text=True)
    assert "理由不充分" in page
    assert 'data-testid="request-extension"' in page
    assert "suggestion_extension_refused" in audit_actions(suggestion.id)
    assert post(staff, suggestion, "extension/refuse", note="x").status_code == 409
