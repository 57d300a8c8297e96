"""监督意见书 numbers: format, per-year sequence, no gaps, concurrency, double submit."""

import secrets
import threading
from datetime import date

import pytest
import sqlalchemy as sa

from casebank.opinions import numbers, services
from casebank.opinions.models import SupervisionOpinion
from portal.actor import Actor
from portal.extensions import db
from tests.casebank.opinions_support import OPINION, PROBLEMS, issue, login, make_case


def test_numbers_count_per_year_in_the_configured_format(app, world):
    """Are numbers 执法监督〔year〕第n号, consecutive within a year and restarted in
    the next, with the prefix from OPINION_NUMBER_PREFIX?"""
    staff = world.users["supervision_staff"]
    case = make_case(world.agency)
    first = issue(case, staff, today=date(2026, 3, 2))
    second = issue(case, staff, today=date(2026, 12, 31))
    assert (first.number, second.number) == (
        "执法监督〔2026〕第1号",
        "执法监督〔2026〕第2号",
    )
    app.config["OPINION_NUMBER_PREFIX"] = "测市司监"
    third = issue(case, staff, today=date(2027, 1, 4))
    assert third.number == "测市司监〔2027〕第1号"
    assert (third.year, third.seq) == (2027, 1)


def test_a_failed_issue_takes_its_number_back(app, world):
    """Does an issue that is rolled back (a bad deadline, a failed commit) leave no
    gap in the year's numbers?"""
    staff = world.users["supervision_staff"]
    case = make_case(world.agency)
    issue(case, staff, today=date(2026, 5, 6))
    draft = services.Draft(secrets.token_urlsafe(24), PROBLEMS, OPINION, None, 15)
    services.issue_opinion(case, draft, Actor(user=staff), today=date(2026, 5, 6))
    db.session.rollback()  # e.g. the commit failed
    assert numbers.last_seq(2026) == 1
    again = issue(case, staff, today=date(2026, 5, 7))
    assert again.number == "执法监督〔2026〕第2号"


def test_double_submit_of_the_issue_form_makes_one_opinion(app, world, client):
    """Does posting the same issue form twice create one opinion and send the second
    post to the first one's page?"""
    case = make_case(world.agency)
    login(client, "supervision_staff")
    page = client.get(f"/casebank/cases/{case.id}/opinions/new").get_data(as_text=True)
    marker = 'id="form_token" name="form_token" type="hidden" value="'
    token = page[page.index(marker) + len(marker) :].split('"', 1)[0]
    data = {
        "form_token": token,
        "problems": PROBLEMS,
        "opinion": OPINION,
        "deadline_workdays": "15",
    }
    first = client.post(f"/casebank/cases/{case.id}/opinions/new", data=data)
    second = client.post(f"/casebank/cases/{case.id}/opinions/new", data=data)
    opinions = db.session.scalars(sa.select(SupervisionOpinion)).all()
    assert len(opinions) == 1
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert first.headers["Location"].endswith(f"/casebank/opinions/{opinions[0].id}")
    follow = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "请勿重复提交" in follow
    with pytest.raises(services.AlreadyIssued):
        services.issue_opinion(
            case,
            services.Draft(token, PROBLEMS, OPINION, None, 15),
            Actor(user=world.users["supervision_staff"]),
        )
    db.session.rollback()


@pytest.mark.committed_db
def test_concurrent_issues_get_distinct_gapless_numbers(app, world, db_url):
    """Do 6 staff issuing 4 opinions each at the same moment on PostgreSQL get 24
    distinct, consecutive numbers of the year (nothing shared, nothing skipped)?"""
    if db_url.startswith("sqlite"):
        pytest.skip("an in-memory SQLite database is one connection: no concurrency")
    case_id = make_case(world.agency).id
    staff_id = world.users["supervision_staff"].id
    results, errors = [], []
    barrier = threading.Barrier(6)

    def work():
        try:
            with app.app_context():
                from casebank.cases.models import CaseFile
                from portal.auth.models import User

                case = db.session.get(CaseFile, case_id)
                staff = db.session.get(User, staff_id)
                barrier.wait()
                for _ in range(4):
                    opinion = issue(case, staff, today=date(2026, 11, 2))
                    results.append(opinion.number)
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(results, key=lambda n: int(n.split("第")[1][:-1])) == [
        f"执法监督〔2026〕第{n}号" for n in range(1, 25)
    ]
    assert numbers.last_seq(2026) == 24
