"""Working-day deadlines of 监督意见书 and their yellow/red flags (frozen clock)."""

import re
from datetime import date

import sqlalchemy as sa
from freezegun import freeze_time

from casebank.opinions import queries, services
from portal.actor import Actor
from portal.audit.models import AuditLog
from portal.extensions import db
from portal.workdays.calendar import DeadlineFlag
from tests.casebank.opinions_support import issue, load_2026, login, make_case


def _flags(html):
    return re.findall(r'data-testid="opinion-flag" data-flag="(\w+)"', html)


def test_deadline_skips_the_national_day_holiday(app, world):
    """Is an opinion sent on Thursday 24 September 2026 with 15 working days due on
    Thursday 22 October 2026 (weekend, 1–7 October off, 10 October worked)?"""
    load_2026()
    opinion = issue(
        make_case(world.agency),
        world.users["supervision_staff"],
        today=date(2026, 9, 24),
        workdays=15,
    )
    assert opinion.issued_on == date(2026, 9, 24)
    assert opinion.due_on == date(2026, 10, 22)
    without_calendar = issue(
        make_case(world.agency, "测城管罚〔2026〕6号"),
        world.users["supervision_staff"],
        today=date(2026, 9, 24),
        workdays=5,
    )
    assert without_calendar.due_on == date(2026, 10, 9)  # 25, 28, 29, 30 Sep, 9 Oct


def test_issue_date_is_the_china_date(app, world, client):
    """Does an opinion issued at 23:30 UTC on 23 September carry 24 September (China
    time) as its issue date and count its deadline from there?"""
    load_2026()
    case = make_case(world.agency)
    with freeze_time("2026-09-23 23:30:00"):
        login(client, "supervision_staff")
        page = client.get(f"/casebank/cases/{case.id}/opinions/new").get_data(
            as_text=True
        )
        token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', page)[1]
        response = client.post(
            f"/casebank/cases/{case.id}/opinions/new",
            data={
                "form_token": token,
                "problems": "问题",
                "opinion": "意见",
                "deadline_workdays": "15",
            },
        )
    assert response.status_code == 302
    opinion = queries.opinion_by_form_token(token)
    assert (opinion.issued_on, opinion.due_on) == (
        date(2026, 9, 24),
        date(2026, 10, 22),
    )


def test_flags_turn_yellow_then_red_and_show_in_lists(app, world, client):
    """Is an opinion due 22 October green on 16 October, yellow (即将到期) from 19
    October (3 working days before), red (已逾期) on 23 October, on its page and in
    both lists, and done once accepted?"""
    load_2026()
    staff = world.users["supervision_staff"]
    opinion = issue(make_case(world.agency), staff, today=date(2026, 9, 24))
    opinion_id = opinion.id
    for moment, flag in (
        ("2026-10-16 02:00", DeadlineFlag.OK),
        ("2026-10-18 02:00", DeadlineFlag.OK),  # Sunday: 19, 20, 21, 22 ahead
        ("2026-10-19 02:00", DeadlineFlag.WARNING),
        ("2026-10-22 15:00", DeadlineFlag.WARNING),  # 23:00 China, the due day
        ("2026-10-22 16:30", DeadlineFlag.OVERDUE),  # 00:30 China on the 23rd
    ):
        with freeze_time(moment):
            # Signed in at the frozen time (the session's idle limit is 30 minutes).
            staff_client = login(app.test_client(), "supervision_staff")
            handler_client = login(app.test_client(), "agency_handler")
            assert queries.flag_of(opinion) == flag, moment
            show = staff_client.get(f"/casebank/opinions/{opinion_id}")
            assert _flags(show.get_data(as_text=True)) == [flag.value], moment
            assert flag.label in show.get_data(as_text=True)
            listing = staff_client.get("/casebank/opinions").get_data(as_text=True)
            assert _flags(listing) == [flag.value], moment
            todo = handler_client.get("/casebank/opinions/todo").get_data(as_text=True)
            assert _flags(todo) == [flag.value], moment
            only = staff_client.get(f"/casebank/opinions?flag={flag.value}")
            assert f"/casebank/opinions/{opinion_id}" in only.get_data(as_text=True)
            others = [f for f in DeadlineFlag if f != flag]
            for other in others:
                page = staff_client.get(f"/casebank/opinions?flag={other.value}")
                assert f'data-opinion-id="{opinion_id}"' not in page.get_data(
                    as_text=True
                ), (moment, other)


def test_replied_but_not_accepted_stays_red_accepted_is_done(app, world):
    """Is an opinion overdue while its reply waits for review or was returned, and
    flagged done (no longer counted as overdue) once a reply is accepted?"""
    load_2026()
    staff, handler = world.users["supervision_staff"], world.users["agency_handler"]
    opinion = issue(make_case(world.agency), staff, today=date(2026, 9, 24))
    today = date(2026, 10, 26)
    services.submit_reply(opinion, opinion.version, "已整改", [], Actor(user=handler))
    db.session.commit()
    assert queries.flag_of(opinion, today) == DeadlineFlag.OVERDUE
    assert queries.overdue_by_agency(today) == {world.agency.id: 1}
    services.return_reply(opinion, opinion.version, "证据不足", Actor(user=staff))
    db.session.commit()
    assert queries.flag_of(opinion, today) == DeadlineFlag.OVERDUE
    services.submit_reply(opinion, opinion.version, "补充证据", [], Actor(user=handler))
    services.accept_reply(opinion, opinion.version, Actor(user=staff))
    db.session.commit()
    assert queries.flag_of(opinion, today) == DeadlineFlag.DONE
    assert queries.overdue_by_agency(today) == {}
    assert queries.flag_counts(today=today)["done"] == 1


def test_dashboard_counts(app, world, factories):
    """Do overdue_by_agency and flag_counts count each agency's open opinions by
    flag, and does a staff member of another county see none of them?"""
    load_2026()
    staff = world.users["supervision_staff"]
    today = date(2026, 10, 19)
    issue(make_case(world.agency, "A1"), staff, today=date(2026, 9, 1))  # due 9-22
    issue(make_case(world.agency, "A2"), staff, today=date(2026, 9, 24))  # due 10-22
    issue(make_case(world.other_agency, "B1"), staff, today=date(2026, 9, 2))  # overdue
    issue(make_case(world.other_agency, "B2"), staff, today=date(2026, 10, 16))  # ok
    assert queries.overdue_by_agency(today) == {
        world.agency.id: 1,
        world.other_agency.id: 1,
    }
    assert queries.flag_counts(today=today) == {
        "ok": 1,
        "warning": 1,
        "overdue": 2,
        "done": 0,
    }
    county = factories.user(
        role="supervision_staff",
        scope=world.other_district,
        organisation=world.other_district,
    )
    assert queries.flag_counts(county, today=today) == {
        "ok": 1,
        "warning": 0,
        "overdue": 1,
        "done": 0,
    }


def test_staff_change_the_deadline_within_bounds(app, world, client):
    """Can staff change the working days (recounted from the issue date, with a
    reason, on the timeline and in the audit log), and is a value out of bounds
    refused with a Chinese message?"""
    load_2026()
    opinion = issue(
        make_case(world.agency),
        world.users["supervision_staff"],
        today=date(2026, 9, 24),
    )
    login(client, "supervision_staff")
    url = f"/casebank/opinions/{opinion.id}/deadline"
    bad = client.post(
        url, data={"version": "1", "deadline_workdays": "0", "reason": "延期"}
    )
    assert bad.status_code == 400
    assert "整改期限应为 1 至 60 个工作日" in bad.get_data(as_text=True)
    no_reason = client.post(url, data={"version": "1", "deadline_workdays": "20"})
    assert no_reason.status_code == 400
    ok = client.post(
        url,
        data={
            "version": "1",
            "deadline_workdays": "20",
            "reason": "涉及多个部门，需延期",
        },
    )
    assert ok.status_code == 302
    db.session.expire_all()
    assert (opinion.deadline_workdays, opinion.due_on) == (20, date(2026, 10, 29))
    assert opinion.events[-1].kind == "deadline_changed"
    assert "涉及多个部门" in opinion.events[-1].note
    entry = db.session.scalar(
        sa.select(AuditLog).where(AuditLog.action == "opinion_deadline_changed")
    )
    assert entry.target_label == f"监督意见书 {opinion.number}"
    assert '"deadline_workdays": 20' in entry.after
    assert '"deadline_workdays": 15' in entry.before
    stale = client.post(
        url,
        data={"version": "1", "deadline_workdays": "25", "reason": "再延期"},
        follow_redirects=True,
    )
    assert "页面已过期" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert opinion.deadline_workdays == 20


def test_demo_seed_issues_an_answered_and_an_open_opinion(app, demo_seeded):
    """Does `seed demo` issue two opinions to the 东湖区城市管理局 demo cases, one
    accepted (with its reply) and one waiting for the agency, only once?"""
    from casebank.opinions.models import SupervisionOpinion
    from portal.seed import seed_demo

    assert demo_seeded["opinions"] == 2
    opinions = db.session.scalars(
        sa.select(SupervisionOpinion).order_by(SupervisionOpinion.seq)
    ).all()
    assert [o.status for o in opinions] == ["accepted", "issued"]
    assert opinions[0].replies[0].decision == "accepted"
    assert {o.agency.code for o in opinions} == {"JC-DH-CG"}
    assert seed_demo(users=8)["opinions"] == 0
