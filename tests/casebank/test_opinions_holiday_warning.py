"""Deadlines counted in a year without holidays entered: issuing or changing the
deadline warns (does not block); the calendar page warns for a year with no
holiday even if it has a 调休 working day."""

from datetime import date

import sqlalchemy as sa
from freezegun import freeze_time

from casebank.opinions.models import SupervisionOpinion
from portal.extensions import db
from portal.workdays.models import CalendarDay
from portal.workdays.queries import missing_years
from tests.casebank.opinions_support import load_2026, login, make_case

WARNING = "年的节假日安排尚未录入，期限暂按周一至周五计算，请核对"


def _issue(client, case):
    return client.post(
        f"/casebank/cases/{case.id}/opinions/new",
        data={
            "form_token": "w" * 24,
            "problems": "问题",
            "opinion": "意见",
            "deadline_workdays": "15",
        },
        follow_redirects=True,
    )


def test_issue_and_deadline_change_warn_for_a_year_without_holidays(app, world, client):
    """Issued on 18 Dec 2026 with 15 working days (due in 2027): 2026 is entered,
    2027 only has a 调休 working day → warned about 2027, the opinion is issued;
    a later deadline change warns again; with a 2027 holiday entered, no warning."""
    load_2026()
    db.session.add(CalendarDay(day=date(2027, 2, 7), is_workday=True, note="调休"))
    db.session.commit()
    assert missing_years(2026, 2027) == [2027]
    case = make_case(world.agency)
    with freeze_time("2026-12-18 10:00:00"):
        login(client, "supervision_staff")
        page = _issue(client, case).get_data(as_text=True)
        assert "已签发" in page
        assert "2027 " + WARNING in page
        assert "2026 " + WARNING not in page
        opinion = db.session.scalar(sa.select(SupervisionOpinion))
        assert opinion.due_on.year == 2027
        url = f"/casebank/opinions/{opinion.id}/deadline"
        data = {"version": str(opinion.version), "deadline_workdays": "20"}
        changed = client.post(
            url, data={**data, "reason": "延期"}, follow_redirects=True
        ).get_data(as_text=True)
        assert "整改期限已变更" in changed
        assert "2027 " + WARNING in changed
        db.session.add(CalendarDay(day=date(2027, 1, 1), is_workday=False, note="元旦"))
        db.session.commit()
        db.session.expire_all()
        opinion = db.session.get(SupervisionOpinion, opinion.id)
        data = {"version": str(opinion.version), "deadline_workdays": "18"}
        again = client.post(
            url, data={**data, "reason": "再调整"}, follow_redirects=True
        ).get_data(as_text=True)
        assert "整改期限已变更" in again
        assert WARNING not in again


def test_calendar_page_warns_for_a_year_with_only_a_workday_entry(app, world, client):
    """The 'year missing' warning looks for holidays, not for any entry."""
    db.session.add(CalendarDay(day=date(2030, 2, 9), is_workday=True, note="调休"))
    db.session.commit()
    login(client, "sys_admin")
    page = client.get("/admin/workdays/?year=2030").get_data(as_text=True)
    assert 'data-testid="year-missing"' in page
    db.session.add(CalendarDay(day=date(2030, 1, 1), is_workday=False, note="元旦"))
    db.session.commit()
    page = client.get("/admin/workdays/?year=2030").get_data(as_text=True)
    assert 'data-testid="year-missing"' not in page
