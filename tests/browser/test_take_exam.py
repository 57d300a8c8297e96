"""An officer takes an exam in real Chromium, at desktop width and at 375 px:
start, answer (autosaved), flag a question and see it in the navigator (答题卡),
reload (answers and flag kept, timer continues from the server), leave the page
(warning, event stored), submit after a confirmation that counts unanswered and
flagged questions, result. And another browser is refused when the arrangement
forbids changing device."""

import itertools
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
_serial = itertools.count(1)


@pytest.fixture
def make_exam(live_app):
    """Return a callable creating an arrangement open now, with the world's officer
    enrolled (results released immediately); returns its id."""
    from exams.banks.services import commit_import, ensure_bank, plan_import
    from exams.formats.model import ImportedQuestion, ImportResult
    from exams.papers.services import (
        create_arrangement,
        create_blueprint_paper,
        enrol_candidates,
    )
    from portal.actor import Actor
    from portal.auth.models import User
    from portal.extensions import db
    from portal.timeutil import utcnow

    def make(name, allow_device_change=True):
        n = next(_serial)
        with live_app.app_context():
            bank = ensure_bank(f"BROWSER-TAKE-{n}")
            rows = [
                ImportedQuestion(
                    type="true_false",
                    stem=f"判断题{n}-{k}：行政处罚应当公开（第{k}种情形）。",
                    key=["对"],
                )
                for k in range(3)
            ]
            commit_import(
                plan_import(ImportResult(questions=rows, format="xlsx"), bank),
                bank,
                Actor.system(),
            )
            paper = create_blueprint_paper(
                f"判断练习卷{n}",
                [
                    {
                        "bank_id": bank.id,
                        "type": "true_false",
                        "count": 3,
                        "score_each": Decimal(30),
                    }
                ],
                total=Decimal(90),
                pass_mark=Decimal(60),
                pool_factor=Decimal(1),
            )
            now = utcnow()
            arrangement = create_arrangement(
                paper,
                name=name,
                kind="training",
                window_start=now - timedelta(hours=1),
                window_end=now + timedelta(hours=3),
                release_policy="immediate",
                tab_switch_limit=5,
                allow_device_change=allow_device_change,
            )
            officer = db.session.scalar(
                db.select(User).where(User.username == "officer")
            )
            enrol_candidates(arrangement, users=[officer])
            db.session.commit()
            return arrangement.id

    return make


def _query(live_app, stmt):
    from portal.extensions import db

    with live_app.app_context():
        try:
            return db.session.execute(stmt).all()
        finally:
            db.session.remove()


def _seconds(text):
    """'1:29:58' / '89:58' → seconds."""
    total = 0
    for part in text.split(":"):
        total = total * 60 + int(part)
    return total


def _sign_in(context, live_server):
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server, "officer")
    expect(page.get_by_test_id("current-user")).to_be_attached()
    return page


def _start(page, live_server, name, button="开始考试"):
    """开始考试 leads to the 考试须知, whose 开始答题 starts the clock; 继续答题
    resumes directly."""
    page.goto(f"{live_server}/exams/")
    card = page.locator(".card", has_text=name)
    if button == "开始考试":
        card.get_by_role("link", name=button).click()
        page.get_by_test_id("confirm-start").click()
    else:
        card.get_by_role("button", name=button).click()


def _open_navigator(page, phone):
    """On a phone the 答题卡 is an offcanvas behind a button in the sticky bar."""
    if phone:
        page.click("#navigator-toggle")
        expect(page.locator("#navigator")).to_have_class(re.compile(r"\bshow\b"))
    return page.locator("#navigator")


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_officer_takes_an_exam(
    browser, live_server, live_app, make_exam, screenshot, width
):
    """Autosave, flags and the navigator, reload, focus loss, confirmed submit."""
    from exams.attempts.models import Answer, Attempt, AttemptEvent
    from exams.papers.models import ExamArrangement

    phone = width == "phone"
    name = f"浏览器在线考试（{'手机' if phone else '电脑'}）"
    arrangement_id = make_exam(name)
    context = browser.new_context(viewport=PHONE if phone else DESKTOP, locale="zh-CN")
    context.set_default_timeout(10_000)
    try:
        page = _sign_in(context, live_server)
        _start(page, live_server, name)
        expect(page.locator("#countdown")).not_to_have_text("--:--")
        (attempt_id,) = _query(
            live_app,
            sa.select(Attempt.id)
            .join(ExamArrangement)
            .where(ExamArrangement.id == arrangement_id),
        )[0]

        # Answer two questions, flag the third (unanswered) one.
        for position in range(2):
            page.locator(f"label[for='q{position}对']").click()
        page.locator("#question-2 .flag-toggle").click()
        expect(page.locator("#question-2 .flag-toggle")).to_have_text("已标记")
        expect(page.locator("#save-state")).to_have_text("已保存", timeout=15_000)

        navigator = _open_navigator(page, phone)
        expect(navigator.locator("#nav-summary")).to_have_text("已答 2 / 共 3，标记 1")
        buttons = navigator.locator(".nav-q")
        expect(buttons.nth(0)).to_have_class(re.compile(r"\banswered\b"))
        expect(buttons.nth(2)).to_have_class(re.compile(r"\bflagged\b"))
        expect(buttons.nth(2)).not_to_have_class(re.compile(r"\banswered\b"))
        screenshot(page, f"exam-taking-navigator-{width}.png")
        buttons.nth(2).click()  # jump to question 3
        expect(buttons.nth(2)).to_have_class(re.compile(r"\bcurrent\b"))
        expect(page.locator("#question-2")).to_be_in_viewport()
        if phone:
            expect(page.locator("#navigator")).not_to_have_class(
                re.compile(r"\bshow\b")
            )
        flagged = _query(
            live_app,
            sa.select(Answer.position, Answer.response, Answer.flagged).where(
                Answer.attempt_id == attempt_id, Answer.flagged.is_(True)
            ),
        )
        assert [tuple(row) for row in flagged] == [(2, None, True)]

        # Reload: answers and flag kept, timer continues from the server.
        page.wait_for_timeout(1_100)
        before = _seconds(page.locator("#countdown").inner_text())
        page.reload()
        expect(page.locator("#countdown")).not_to_have_text("--:--")
        after = _seconds(page.locator("#countdown").inner_text())
        server = int(page.locator("#exam").get_attribute("data-remaining"))
        assert after <= before
        assert before - after < 60
        assert server < 90 * 60  # not restarted
        for position in range(2):
            expect(page.locator(f"#q{position}对")).to_be_checked()
        expect(page.locator("#q2对")).not_to_be_checked()
        expect(page.locator("#question-2 .flag-toggle")).to_have_attribute(
            "aria-pressed", "true"
        )

        # Leave the page (another tab), then come back.
        page.evaluate(
            "Object.defineProperty(document, 'hidden', {value: true, configurable: true});"
            "document.dispatchEvent(new Event('visibilitychange'));"
        )
        # The reload above left the page once (focused mode counts it too).
        expect(page.locator("#warning")).to_contain_text("检测到离开考试页面（第 2 次")
        page.evaluate(
            "Object.defineProperty(document, 'hidden', {value: false, configurable: true});"
            "document.dispatchEvent(new Event('visibilitychange'));"
        )

        def kinds():
            return [
                row[0]
                for row in _query(
                    live_app,
                    sa.select(AttemptEvent.kind)
                    .where(AttemptEvent.attempt_id == attempt_id)
                    .order_by(AttemptEvent.id),
                )
            ]

        for _ in range(50):  # the "visible" report is asynchronous
            if kinds() == ["leave", "hidden", "visible"]:
                break
            page.wait_for_timeout(100)
        assert kinds() == ["leave", "hidden", "visible"]

        # Submit: the confirmation counts the unanswered and flagged questions.
        page.click("#submit-exam")
        dialog = page.locator("#submit-confirm")
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text("已答 2 题，未答 1 题，标记 1 题")
        screenshot(page, f"exam-submit-confirm-{width}.png")
        dialog.get_by_role("button", name="返回检查").click()
        expect(dialog).to_be_hidden()
        page.locator("label[for='q2对']").click()
        page.click("#submit-exam")
        expect(dialog).to_contain_text("已答 3 题，未答 0 题，标记 1 题")
        page.click("#confirm-submit")
        expect(page.locator(".alert-success")).to_contain_text("90.00")
        screenshot(page, f"exam-result-{width}.png")
        ((status, score, reason),) = _query(
            live_app,
            sa.select(Attempt.status, Attempt.score, Attempt.submit_reason).where(
                Attempt.id == attempt_id
            ),
        )
        assert (status, score, reason) == ("graded", Decimal("90.00"), "manual")
    finally:
        context.close()


def test_another_browser_is_refused_when_device_change_is_forbidden(
    browser, live_server, live_app, make_exam, screenshot
):
    """The officer starts on a phone; a laptop browser (other cookies) is refused
    with the Chinese message and the refusal is logged; the phone goes on. An
    administrator releases the binding from the timeline; then the laptop holds
    the attempt and the phone is refused."""
    from exams.attempts.models import Attempt, AttemptEvent

    name = "浏览器不许换设备考试"
    arrangement_id = make_exam(name, allow_device_change=False)
    phone = browser.new_context(viewport=PHONE, locale="zh-CN")
    laptop = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    admin_context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    for context in (phone, laptop, admin_context):
        context.set_default_timeout(10_000)
    try:
        first = _sign_in(phone, live_server)
        _start(first, live_server, name)
        first.locator("label[for='q0对']").click()
        expect(first.locator("#save-state")).to_have_text("已保存", timeout=15_000)

        second = _sign_in(laptop, live_server)
        _start(second, live_server, name, button="继续答题")
        expect(second.locator("#device-refused")).to_contain_text(
            "本次考试不允许更换设备作答，请使用开始考试的设备继续，或联系考试管理员"
        )
        screenshot(second, "exam-device-refused.png")
        ((attempt_id,),) = _query(
            live_app,
            sa.select(Attempt.id).where(Attempt.arrangement_id == arrangement_id),
        )
        refused = _query(
            live_app,
            sa.select(AttemptEvent.kind).where(
                AttemptEvent.attempt_id == attempt_id,
                AttemptEvent.kind == "device_refused",
            ),
        )
        assert len(refused) == 1

        first.reload()
        expect(first.locator("#q0对")).to_be_checked()
        expect(first.locator("#countdown")).not_to_have_text("--:--")

        # The administrator sees the refusal in the timeline and releases the
        # binding (允许更换设备); the laptop may then continue.
        admin = admin_context.new_page()
        admin.on("dialog", lambda dialog: dialog.accept())
        sign_in(admin, live_server, "sys_admin")
        admin.goto(f"{live_server}/admin/exams/arrangements/{arrangement_id}")
        admin.get_by_role("link", name="答卷监控").click()
        expect(admin.locator("#attempts")).to_contain_text("作答中")
        screenshot(admin, "exam-monitor-attempts.png")
        admin.get_by_role("link", name="时间线").click()
        expect(admin.locator("#timeline")).to_contain_text("设备拒绝")
        admin.get_by_role("button", name="允许更换设备").click()
        expect(admin.locator(".alert-success")).to_contain_text("已允许更换设备")
        expect(admin.locator("#timeline")).to_contain_text("管理员允许更换设备")
        screenshot(admin, "exam-monitor-timeline.png")

        _start(second, live_server, name, button="继续答题")
        expect(second.locator("#q0对")).to_be_checked()
        first.reload()
        expect(first.locator("#device-refused")).to_be_visible()
    finally:
        phone.close()
        laptop.close()
        admin_context.close()


def _shift_deadline(live_app, attempt_id, delta):
    """Move the server deadline (what a clock drift or a sleeping laptop looks like
    from the page: its own countdown is wrong, the server's is right)."""
    from exams.attempts.models import Attempt
    from portal.extensions import db

    with live_app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        attempt.started_at += delta
        attempt.deadline_at += delta
        db.session.commit()
        db.session.remove()


def test_countdown_resyncs_from_the_server(
    browser, live_server, live_app, make_exam, screenshot
):
    """The page's countdown follows the server: at each 30-second heartbeat, at
    once when the tab becomes visible again, and when the server has closed the
    attempt the page goes to the result. (And a paste is blocked and logged.)"""
    from exams.attempts.models import Attempt, AttemptEvent

    name = "浏览器计时同步考试"
    arrangement_id = make_exam(name)
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.clock.install()
        page.on("dialog", lambda dialog: dialog.accept())
        sign_in(page, live_server, "officer")
        _start(page, live_server, name)
        expect(page.locator("#countdown")).not_to_have_text("--:--")
        assert _seconds(page.locator("#countdown").inner_text()) > 89 * 60
        ((attempt_id,),) = _query(
            live_app,
            sa.select(Attempt.id).where(Attempt.arrangement_id == arrangement_id),
        )

        # Pasting into an answer is blocked, the candidate warned, the server told.
        page.evaluate(
            "document.querySelector('.question').dispatchEvent("
            "new ClipboardEvent('paste', {bubbles: true, cancelable: true}));"
        )
        expect(page.locator("#warning")).to_contain_text("考试中不能粘贴")
        for _ in range(50):
            pasted = _query(
                live_app,
                sa.select(AttemptEvent.kind).where(
                    AttemptEvent.attempt_id == attempt_id,
                    AttemptEvent.kind == "paste",
                ),
            )
            if pasted:
                break
            page.wait_for_timeout(100)
        assert len(pasted) == 1

        # Heartbeat: 20 minutes less on the server; 31 s later the page shows it.
        _shift_deadline(live_app, attempt_id, -timedelta(minutes=20))
        page.clock.fast_forward("00:31")
        expect(page.locator("#countdown")).to_have_text(re.compile(r"^1:(09|10):\d\d$"))

        # Back from a hidden tab: re-synced at once, no heartbeat needed.
        _shift_deadline(live_app, attempt_id, -timedelta(minutes=10))
        page.evaluate(
            "Object.defineProperty(document, 'hidden', {value: true, configurable: true});"
            "document.dispatchEvent(new Event('visibilitychange'));"
            "Object.defineProperty(document, 'hidden', {value: false, configurable: true});"
            "document.dispatchEvent(new Event('visibilitychange'));"
        )
        expect(page.locator("#countdown")).to_have_text(
            re.compile(r"^(59:\d\d|1:00:\d\d)$")
        )

        # The server deadline passes: the next heartbeat closes it, the page
        # goes to the result.
        _shift_deadline(live_app, attempt_id, -timedelta(minutes=61))
        page.clock.fast_forward("00:31")
        expect(page).to_have_url(re.compile(rf"/exams/attempts/{attempt_id}/result$"))
        screenshot(page, "exam-closed-by-server-phone.png")
        ((status, reason),) = _query(
            live_app,
            sa.select(Attempt.status, Attempt.submit_reason).where(
                Attempt.id == attempt_id
            ),
        )
        assert status in ("submitted", "graded")
        assert reason == "deadline"
    finally:
        context.close()


def test_busy_server_keeps_the_answer_and_saves_it_later(
    browser, live_server, live_app, make_exam
):
    """Every save slot of the server busy (503 + Retry-After): the page shows
    未保存/重试中, keeps the answer in the browser across a reload, backs off,
    and stores it once the server has room again (issue #17)."""
    from exams.attempts.admission import save_slots
    from exams.attempts.models import Answer, Attempt, AttemptEvent
    from exams.papers.models import ExamArrangement

    name = "浏览器繁忙重试考试"
    arrangement_id = make_exam(name)
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    context.set_default_timeout(10_000)
    slots = save_slots(live_app)
    taken = 0
    try:
        page = _sign_in(context, live_server)
        _start(page, live_server, name)
        expect(page.locator("#countdown")).not_to_have_text("--:--")
        (attempt_id,) = _query(
            live_app,
            sa.select(Attempt.id)
            .join(ExamArrangement)
            .where(ExamArrangement.id == arrangement_id),
        )[0]
        while slots.acquire(blocking=False):
            taken += 1
        busy = []
        page.on(
            "response",
            lambda r: (
                busy.append(r.headers.get("retry-after")) if r.status == 503 else None
            ),
        )
        page.locator("label[for='q1对']").click()
        expect(page.locator("#save-state")).to_contain_text("重试中", timeout=15_000)
        assert busy
        assert busy[0] == str(live_app.config["EXAM_SAVE_RETRY_AFTER"])
        stored = sa.select(Answer.position).where(Answer.attempt_id == attempt_id)
        assert _query(live_app, stored) == []

        # A reload while the server is still busy: the answer stays on the page.
        page.reload()
        expect(page.locator("#q1对")).to_be_checked()
        expect(page.locator("#save-state")).to_contain_text("未保存")
        assert _query(live_app, stored) == []

        # Leaving the page while the server is busy: the report is refused
        # (503) now and must be sent again later, not dropped.
        page.evaluate(
            "Object.defineProperty(document, 'hidden', {value: true, configurable: true});"
            "document.dispatchEvent(new Event('visibilitychange'));"
        )
        reports = sa.select(AttemptEvent.kind).where(
            AttemptEvent.attempt_id == attempt_id, AttemptEvent.kind == "hidden"
        )
        page.wait_for_timeout(500)
        assert _query(live_app, reports) == []

        for _ in range(taken):  # the server has room again
            slots.release()
        taken = 0
        expect(page.locator("#save-state")).to_have_text("已保存", timeout=30_000)
        rows = _query(
            live_app,
            sa.select(Answer.position, Answer.response).where(
                Answer.attempt_id == attempt_id
            ),
        )
        assert [tuple(row) for row in rows] == [(1, ["对"])]
        for _ in range(300):  # the focus-loss report is resent on its own timer
            if _query(live_app, reports):
                break
            page.wait_for_timeout(100)
        assert [row[0] for row in _query(live_app, reports)] == ["hidden"]
    finally:
        for _ in range(taken):
            slots.release()
        context.close()


def test_start_queue_shows_the_place_and_enters_by_itself(
    browser, live_server, live_app, make_exam
):
    """With the start gate at one candidate per 10 s and someone just let in, the
    officer's click lands on 排队中 with their position, and the page enters the
    exam by itself when the turn comes; the clock starts then (issue #17)."""
    from exams.attempts import gate
    from exams.attempts.models import Attempt
    from portal.auth.models import User
    from portal.extensions import db
    from portal.timeutil import utcnow

    name = "浏览器排队考试"
    arrangement_id = make_exam(name)
    saved = {k: live_app.config[k] for k in ("EXAM_START_RATE", "EXAM_START_BURST")}
    live_app.config.update(EXAM_START_RATE=0.1, EXAM_START_BURST=1)
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    context.set_default_timeout(10_000)
    try:
        page = _sign_in(context, live_server)
        with live_app.app_context():
            other = db.session.scalar(
                sa.select(User).where(User.username == "auxiliary")
            )
            gate.ticket(arrangement_id, other.id, utcnow())  # takes the burst
            db.session.commit()
            db.session.remove()
        asked = []
        page.on(
            "request",
            lambda r: (
                asked.append(r.url)
                if r.resource_type == "fetch" and r.url.endswith("/queue")
                else None
            ),
        )
        _start(page, live_server, name)
        expect(page.locator("#queue-state")).to_have_text("排队中")
        expect(page.locator("#queue-position")).to_have_text("1")
        clicked = utcnow()
        # The wait counts down on the page, without asking the server each time.
        first_wait = int(page.locator("#queue-wait").inner_text())
        expect(page.locator("#queue-wait")).not_to_have_text(str(first_wait))
        assert int(page.locator("#queue-wait").inner_text()) < first_wait
        expect(page.locator("#countdown")).not_to_have_text("--:--", timeout=30_000)
        assert "/exams/attempts/" in page.url
        assert 1 <= len(asked) <= 2, asked  # at the turn (once more if early)
        rows = _query(
            live_app,
            sa.select(Attempt.started_at).where(
                Attempt.arrangement_id == arrangement_id
            ),
        )
        assert len(rows) == 1
        assert rows[0][0] > clicked  # the clock started at admission, not the click
    finally:
        live_app.config.update(saved)
        context.close()


def test_start_click_turned_away_is_retried_by_the_notice_page(
    browser, live_server, make_exam
):
    """On exam day nginx answers first clicks beyond its start rate with 503 +
    Retry-After and its 排队中 page (portal/nginx.py). The notice page does not
    show that page: it says the candidate is waiting and sends the click again
    by itself, then enters the exam (issue #17). Here the first click is answered
    with nginx's own reply (a real nginx is in tests/reliability)."""
    from portal.nginx import start_busy_page

    name = "浏览器开始重试考试"
    arrangement_id = make_exam(name)
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.set_default_timeout(15_000)
    clicks = []

    def nginx_start_rate(route):
        clicks.append(route.request.headers.get("accept", ""))
        if len(clicks) == 1:
            route.fulfill(
                status=503,
                headers={"Retry-After": "1", "Cache-Control": "no-store"},
                content_type="text/html; charset=utf-8",
                body=start_busy_page(1, f"/exams/{arrangement_id}/notice"),
            )
        else:
            route.continue_()

    try:
        page = _sign_in(context, live_server)
        page.route(f"**/exams/{arrangement_id}/start", nginx_start_rate)
        _start(page, live_server, name)
        status = page.get_by_test_id("start-status")
        expect(status).to_contain_text("排队中")
        expect(status).to_contain_text("自动为您再次开始")
        expect(status).to_contain_text("秒后再次开始")
        expect(page.get_by_test_id("confirm-start")).to_be_disabled()
        assert "/notice" in page.url  # nginx's page was not shown
        expect(page.locator("#countdown")).not_to_have_text("--:--", timeout=30_000)
        assert "/exams/attempts/" in page.url
        assert len(clicks) == 2
        assert all(accept.startswith("application/json") for accept in clicks)
    finally:
        context.close()
