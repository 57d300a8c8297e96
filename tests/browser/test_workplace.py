"""Issue #15 in Chromium, per role: the work appears on the 工作台, the notification
arrives (in the 站内信 centre and in a real SMTP server's mailbox), following it
leads to the object, and acting clears it. Each page passes axe-core with no
critical or serious violation."""

import secrets
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import sign_in
from tests.smtp_support import SmtpServer

pytestmark = pytest.mark.browser


@pytest.fixture
def smtp(live_app):
    server = SmtpServer().start()
    saved = {k: live_app.config.get(k) for k in server.config()}
    live_app.config.update(server.config())
    yield server
    live_app.config.update(saved)
    server.stop()


def _axe(page, where):
    """No critical or serious axe-core violation on the current page (the shared
    audit of tests/browser/axe.py; it also runs on every load)."""
    assert_accessible(page)


def _login(browser, live_server, username):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server, username)
    page.wait_for_url("**/dashboard")
    return context, page


def _work_count(page, key):
    return int(page.locator(f'[data-testid="work-{key}"]').get_attribute("data-count"))


@pytest.fixture
def issued(live_app):
    """An opinion issued to 甲区城管局; its handler and the staff receive e-mail."""
    import sqlalchemy as sa

    from casebank.cases.models import CaseFile
    from casebank.opinions import services
    from portal.actor import Actor
    from portal.auth.models import User
    from portal.extensions import db
    from portal.notifications.models import NotificationPreference
    from portal.notifications.service import dispatch_ready
    from portal.orgs.models import Organisation

    with live_app.app_context():
        users = {u.username: u for u in db.session.scalars(sa.select(User))}
        agency = db.session.scalar(
            sa.select(Organisation).where(Organisation.code == "C-A-CG")
        )
        for username, address in (
            ("agency_handler", "handler@example.cn"),
            ("supervision_staff", "staff@example.cn"),
        ):
            # Set (not only create): another browser test on this worker's live
            # server may have stored a preference for the same user already.
            pref = db.session.get(NotificationPreference, users[username].id)
            if pref is None:
                pref = NotificationPreference(user_id=users[username].id)
                db.session.add(pref)
            pref.email, pref.email_enabled = address, True
        number = f"测城管罚〔2026〕{secrets.randbelow(10**6)}号"
        case = CaseFile(
            agency_id=agency.id,
            source_kind="paste",
            sha256=secrets.token_hex(32),
            text=f"{agency.name}\n行政处罚决定书\n{number}\n当事人：王某。罚款500元。",
            doc_number=number,
            decision_date=date(2026, 9, 1),
            check_status="checked",
        )
        db.session.add(case)
        db.session.commit()
        opinion = services.issue_opinion(
            case,
            services.Draft(
                form_token=secrets.token_urlsafe(24),
                problems="未告知当事人陈述申辩权利。",
                opinion="请重新审查并纠正。",
                legal_basis="",
                deadline_workdays=10,
                review_id=None,
            ),
            Actor(user=users["supervision_staff"]),
            today=date.today() - timedelta(days=1),
        )
        db.session.commit()
        result = opinion.id, opinion.number
        dispatch_ready()
        db.session.remove()
        return result


def test_handler_and_staff_loop(browser, live_server, smtp, issued, screenshot):
    opinion_id, number = issued
    # The handler: the work is on the dashboard, the notice in the centre and
    # the mailbox; following it opens the opinion; replying clears the work.
    mails = smtp.mailbox.to("handler@example.cn")
    assert any(number in m["Subject"] for m in mails)
    context, page = _login(browser, live_server, "agency_handler")
    try:
        assert _work_count(page, "opinions_to_answer") >= 1
        expect(page.locator('[data-testid="work-opinions_to_answer"]')).to_contain_text(
            number
        )
        expect(page.locator('[data-testid="unread-count"]')).to_be_visible()
        _axe(page, "handler dashboard")
        page.click('[data-testid="nav-notifications"]')
        notice = page.locator('[data-testid="notification"]', has_text=number).first
        expect(notice).to_be_visible()
        _axe(page, "notification centre")
        before = _work_count_after(page, live_server, "opinions_to_answer")
        page.goto(f"{live_server}/notifications/")
        page.locator('[data-testid="notification"]', has_text=number).first.locator(
            '[data-testid="open-notification"]'
        ).click()
        page.wait_for_url(f"**/casebank/opinions/{opinion_id}")
        _axe(page, "opinion page")
        page.fill(
            '[data-testid="opinion-reply-form"] textarea',
            "已重新审查并撤销原处罚决定。",
        )
        page.click('[data-testid="opinion-reply-submit"]')
        page.wait_for_url(f"**/casebank/opinions/{opinion_id}")
        assert _work_count_after(page, live_server, "opinions_to_answer") == before - 1
        screenshot(page, "workplace-handler-dashboard.png")
    finally:
        context.close()
    # The staff: told by 站内信 and e-mail that a reply waits; it is on their
    # dashboard; accepting it clears it.
    expect_mail(smtp, "staff@example.cn", number)
    context, page = _login(browser, live_server, "supervision_staff")
    try:
        replied = page.locator('[data-testid="work-opinions_replied"]')
        expect(replied).to_contain_text(number)
        _axe(page, "staff dashboard")
        count = _work_count(page, "opinions_replied")
        replied.get_by_role("link", name=number, exact=False).first.click()
        page.wait_for_url(f"**/casebank/opinions/{opinion_id}")
        page.click('[data-testid="opinion-accept"]')
        page.wait_for_url(f"**/casebank/opinions/{opinion_id}")
        assert _work_count_after(page, live_server, "opinions_replied") == count - 1
    finally:
        context.close()


def _work_count_after(page, live_server, key):
    page.goto(f"{live_server}/dashboard")
    return _work_count(page, key)


def expect_mail(smtp, address, text, timeout=60.0):
    """Wait for the mail sent after the response (delivery never blocks it)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(text in m["Subject"] for m in smtp.mailbox.to(address)):
            return
        time.sleep(0.2)
    raise AssertionError(f"no mail about {text} to {address}")
