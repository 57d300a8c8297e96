"""Issue #15 in Chromium for the roles test_workplace.py does not cover: the
candidate (执法人员), the training administrator and the invited supervisor. One
flow each: the work appears on the 工作台, the notification arrives (in the 站内信
centre and in a real SMTP server's mailbox), following it leads to the object, and
acting clears the work. axe-core audits every page (tests/browser/axe.py)."""

import itertools
import secrets
from datetime import date, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser.test_workplace import _login, _work_count, expect_mail
from tests.smtp_support import SmtpServer

pytestmark = pytest.mark.browser

INSPECTOR = "wp_inspector"
_serial = itertools.count(1)


@pytest.fixture
def smtp(live_app):
    server = SmtpServer().start()
    saved = {k: live_app.config.get(k) for k in server.config()}
    live_app.config.update(server.config())
    yield server
    live_app.config.update(saved)
    server.stop()


def _users():
    import sqlalchemy as sa

    from portal.auth.models import User
    from portal.extensions import db

    return {u.username: u for u in db.session.scalars(sa.select(User))}


def _mail_to(user, address):
    from portal.extensions import db
    from portal.notifications.models import NotificationPreference

    # Set (not only create): another browser test on this worker's live server
    # may have stored a preference for the same user already.
    pref = db.session.get(NotificationPreference, user.id)
    if pref is None:
        pref = NotificationPreference(user_id=user.id)
        db.session.add(pref)
    pref.email, pref.email_enabled = address, True


def _paper(name):
    """A one-question true/false paper (100 points, pass mark 60)."""
    from exams.banks.services import commit_import, ensure_bank, plan_import
    from exams.formats.model import ImportedQuestion, ImportResult
    from exams.papers.services import create_blueprint_paper
    from portal.actor import Actor

    bank = ensure_bank(f"WORKPLACE-{name}")
    commit_import(
        plan_import(
            ImportResult(
                questions=[
                    ImportedQuestion(
                        type="true_false",
                        stem=f"{name}：行政处罚决定应当依法公开。",
                        key=["对"],
                    )
                ],
                format="xlsx",
            ),
            bank,
        ),
        bank,
        Actor.system(),
    )
    return create_blueprint_paper(
        f"{name}试卷",
        [
            {
                "bank_id": bank.id,
                "type": "true_false",
                "count": 1,
                "score_each": Decimal(100),
            }
        ],
        total=Decimal(100),
        pass_mark=Decimal(60),
        pool_factor=Decimal(1),
    )


def _open_notification(page, live_server, text):
    """From the navbar to the centre, then follow the notification naming ``text``."""
    page.goto(f"{live_server}/dashboard")
    expect(page.get_by_test_id("unread-count")).to_be_visible()
    page.click('[data-testid="nav-notifications"]')
    # The title names the object (a digest lists it in its body, not its title).
    title = page.locator('[data-testid="open-notification"]', has_text=text).first
    expect(title).to_be_visible()
    title.click()


def test_candidate_exam_on_dashboard_notice_and_taken(
    browser, live_server, live_app, smtp
):
    """执法人员: a new exam is on the 工作台 and in the 站内信 and mailbox; the notice
    leads to 我的考试; taking the exam removes it from the 工作台."""
    from exams.papers.services import create_arrangement, enrol_candidates
    from portal.extensions import db
    from portal.notifications.service import dispatch_ready
    from portal.timeutil import utcnow

    name = f"工作台考试{next(_serial)}-{secrets.token_hex(2)}"
    with live_app.app_context():
        users = _users()
        _mail_to(users["officer"], "officer@example.cn")
        now = utcnow()
        arrangement = create_arrangement(
            _paper(name),
            name=name,
            kind="training",
            window_start=now - timedelta(hours=1),
            window_end=now + timedelta(hours=3),
            release_policy="immediate",
            organisation_id=users["officer"].organisation_id,
        )
        enrol_candidates(arrangement, users=[users["officer"]])
        db.session.commit()
        dispatch_ready()
        db.session.remove()
    expect_mail(smtp, "officer@example.cn", name)
    context, page = _login(browser, live_server, "officer")
    try:
        exam = page.locator('[data-testid="open-exam"]', has_text=name)
        expect(exam).to_be_visible()
        _open_notification(page, live_server, name)
        page.wait_for_url("**/exams/")
        # 开始考试 opens the 考试须知; the clock starts at 开始答题.
        page.locator(".card", has_text=name).get_by_role(
            "link", name="开始考试"
        ).click()
        # The 考试须知 page comes before the clock starts.
        expect(page.locator("h1")).to_contain_text("考试须知")
        page.get_by_test_id("confirm-start").click()
        # Answer once the exam page's script runs, and wait for the autosave (a
        # click before the script is ready would not be sent).
        page.wait_for_load_state("load")
        with page.expect_response(
            lambda r: r.url.endswith("/answers") and r.request.method == "POST"
        ):
            page.locator("label[for='q0对']").click()
        page.click("#submit-exam")
        page.click("#confirm-submit")
        expect(page.locator(".alert-success")).to_contain_text("100")
        page.goto(f"{live_server}/dashboard")
        expect(page.locator('[data-testid="open-exam"]', has_text=name)).to_have_count(
            0
        )
        expect(
            page.locator('[data-testid="recent-result"]', has_text=name)
        ).to_be_visible()
    finally:
        context.close()


def test_training_admin_results_to_release(browser, live_server, live_app, smtp):
    """培训管理员: an exam released by hand has ended; it is on the 工作台, the daily
    job's notice arrives in the centre and the mailbox and leads to the
    arrangement; 公布成绩 clears the work (and tells the candidate)."""
    from exams.attempts.services import start_attempt, submit_attempt
    from exams.papers.services import create_arrangement, enrol_candidates
    from portal.extensions import db
    from portal.notifications.jobs import daily_digest
    from portal.notifications.service import dispatch_ready
    from portal.orgs.models import Organisation
    from portal.timeutil import utcnow

    name = f"待公布考试{next(_serial)}-{secrets.token_hex(2)}"
    with live_app.app_context():
        users = _users()
        _mail_to(users["training_admin"], "trainer@example.cn")
        district = db.session.scalar(
            db.select(Organisation).where(Organisation.code == "C-A")
        )
        now = utcnow()
        arrangement = create_arrangement(
            _paper(name),
            name=name,
            kind="training",
            window_start=now - timedelta(hours=3),
            window_end=now + timedelta(minutes=30),
            release_policy="manual",
            organisation_id=district.id,
        )
        enrol_candidates(arrangement, users=[users["officer"]])
        attempt = start_attempt(arrangement, users["officer"], now - timedelta(hours=2))
        submit_attempt(attempt, now - timedelta(hours=2) + timedelta(minutes=5))
        arrangement.window_end = now - timedelta(minutes=30)
        db.session.commit()
        arrangement_id = arrangement.id
        daily_digest()
        db.session.commit()
        dispatch_ready()
        db.session.remove()
    expect_mail(smtp, "trainer@example.cn", name)
    context, page = _login(browser, live_server, "training_admin")
    try:
        work = page.locator('[data-testid="work-results_to_release"]')
        expect(work).to_contain_text(name)
        before = _work_count(page, "results_to_release")
        _open_notification(page, live_server, name)
        page.wait_for_url(f"**/arrangements/{arrangement_id}")
        page.get_by_role("button", name="公布成绩").click()
        expect(page.locator("#results-release")).to_contain_text("已公布")
        page.goto(f"{live_server}/dashboard")
        assert _work_count(page, "results_to_release") == before - 1
        expect(
            page.locator('[data-testid="work-results_to_release"]')
        ).not_to_contain_text(name)
    finally:
        context.close()
    with live_app.app_context():
        import sqlalchemy as sa

        from portal.notifications.models import Notification

        told = db.session.scalar(
            sa.select(sa.func.count(Notification.id)).where(
                Notification.user_id == _users()["officer"].id,
                Notification.kind == "result_released",
                Notification.title.contains(name),
            )
        )
        db.session.remove()
    assert told == 1


def test_invited_supervisor_review_task(browser, live_server, live_app, smtp):
    """特邀监督员: an assigned case with a due date is on the 工作台 and in the
    centre and mailbox; the notice opens the 评查表; submitting it clears the task."""
    from casebank.cases.models import CaseFile
    from casebank.reviews.services import ensure_template
    from casebank.supervision.services import assign_case
    from portal.actor import Actor
    from portal.auth.models import Role
    from portal.extensions import db
    from portal.notifications.service import dispatch_ready
    from portal.orgs.models import Organisation
    from tests.factories import Factories

    with live_app.app_context():
        users = _users()
        orgs = {o.code: o for o in db.session.scalars(db.select(Organisation))}
        if INSPECTOR not in users:
            users[INSPECTOR] = Factories().user(
                username=INSPECTOR,
                name="赵监督",
                role=Role.INVITED_SUPERVISOR,
                scope=orgs["C-A"],
                organisation=orgs["C-B-SJ"],  # not the reviewed agency
            )
        _mail_to(users[INSPECTOR], "inspector@example.cn")
        number = f"测城管罚〔2026〕{secrets.randbelow(10**6)}号"
        case = CaseFile(
            agency_id=orgs["C-A-CG"].id,
            source_kind="paste",
            sha256=secrets.token_hex(32),
            text=f"甲区城管局\n行政处罚决定书\n{number}\n当事人：李某。罚款300元。",
            doc_number=number,
            decision_date=date(2026, 9, 1),
            check_status="checked",
        )
        db.session.add(case)
        db.session.flush()
        ensure_template(Actor.system())
        assign_case(
            case,
            users[INSPECTOR],
            Actor(user=users["supervision_staff"]),
            due_on=date.today() + timedelta(days=5),
        )
        db.session.commit()
        case_id = case.id
        dispatch_ready()
        db.session.remove()
    expect_mail(smtp, "inspector@example.cn", number)
    context, page = _login(browser, live_server, INSPECTOR)
    try:
        work = page.locator('[data-testid="work-review_tasks"]')
        expect(work).to_contain_text(number)
        before = _work_count(page, "review_tasks")
        _open_notification(page, live_server, number)
        page.wait_for_url(f"**/casebank/cases/{case_id}/review")
        first = page.locator("input[id^='points-']").first
        item_id = first.get_attribute("id").removeprefix("points-")
        first.fill("1")
        page.fill(f"#note-{item_id}", "未载明救济途径")
        page.fill("#opinion", "文书要素不全，建议补正。")
        page.get_by_role("button", name="提交评查").click()
        page.wait_for_url("**/casebank/supervision/my")
        page.goto(f"{live_server}/dashboard")
        assert _work_count(page, "review_tasks") == before - 1
        expect(page.locator('[data-testid="work-review_tasks"]')).not_to_contain_text(
            number
        )
    finally:
        context.close()
