"""Practice pages (issue #5, practice): a set through the forms with immediate
feedback, the 错题本 and mastery pages, other users' objects → 404, CSRF, the
bank switch and the dashboard links."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from exams.banks.models import QuestionVersion
from exams.banks.services import ensure_default_knowledge_points
from exams.practice.models import AnswerRecord, MistakeEntry, PracticeSession
from portal.audit.models import AuditLog
from portal.extensions import db
from tests.exams.practice_helpers import (
    PUNISH,
    exam_over,
    four_types,
    key_response,
    law,
    make_questions,
    open_bank,
    sit_exam,
    wrong_response,
)


@pytest.fixture
def bank(world):
    ensure_default_knowledge_points()
    law()
    bank = open_bank("VIEWS")
    make_questions(bank, four_types("页", legal_basis="《练习测试条例》第三条"))
    return bank


def _page(response):
    return response.get_data(as_text=True)


def _point_id(path):
    from exams.banks.models import KnowledgePoint

    return db.session.scalar(
        sa.select(KnowledgePoint.id).where(KnowledgePoint.path == path)
    )


def _start(client, **form):
    response = client.post("/practice/sessions", data=form)
    assert response.status_code == 302
    return response


def _shown(session, position):
    item = session.items[position]
    return db.session.get(QuestionVersion, item["version_id"]), item


def test_a_set_through_the_pages(app, client, auth, world, bank):
    """The officer starts a set by knowledge point, answers one question wrongly
    and sees at once that it is wrong, the key in the set's letters, the
    explanation and the article text; a second submit changes nothing; the
    mistake is in the 错题本 and can be removed."""
    auth.login("officer")
    home = _page(client.get("/practice/"))
    assert "行政处罚法（4 题）" in home
    assert "可练习 4 题" in home
    started = _start(
        client,
        mode="knowledge_point",
        knowledge_point_id=str(_point_id(PUNISH)),
        count="10",
    )
    session = db.session.scalar(sa.select(PracticeSession))
    assert started.headers["Location"].endswith(f"/practice/sessions/{session.id}")
    assert len(session.items) == 4
    page = _page(client.get(f"/practice/sessions/{session.id}"))
    assert "提交答案" in page
    assert "第 1 题" in page
    single_position = next(
        p for p in range(4) if _shown(session, p)[0].type == "single"
    )
    version, item = _shown(session, single_position)
    reply = client.post(
        f"/practice/sessions/{session.id}/answer",
        data={"position": str(single_position), "response": "A"},
    )
    assert reply.headers["Location"].endswith(f"?q={single_position}")
    page = _page(client.get(reply.headers["Location"]))
    assert "回答错误" in page
    letter = "ABCD"[item["options"].index("B")]
    assert f'<span class="key">{letter}. 县级以上</span>' in page
    assert "县级以上地方人民政府具有行政处罚权的部门管辖" in page  # explanation
    assert "《练习测试条例》第三条" in page
    assert "没有造成危害后果的，不予行政处罚" in page  # the article's text
    again = client.post(
        f"/practice/sessions/{session.id}/answer",
        data={"position": str(single_position), "response": "B"},
        follow_redirects=True,
    )
    assert "本题已作答，以第一次提交的答案为准" in _page(again)
    assert db.session.scalar(sa.select(sa.func.count(AnswerRecord.id))) == 1
    empty = client.post(
        f"/practice/sessions/{session.id}/answer",
        data={"position": str((single_position + 1) % 4)},
        follow_redirects=True,
    )
    assert "请先作答再提交" in _page(empty)
    listing = _page(client.get(f"/practice/sessions/{session.id}?view=list"))
    assert listing.count('class="card mb-3 practice-question"') == 4

    mistakes = _page(client.get("/practice/mistakes"))
    assert "页单选：行政处罚由哪一级机关管辖？" in mistakes
    assert "来源：练习" in mistakes
    assert "重练错题（1）" in mistakes
    entry = db.session.scalar(sa.select(MistakeEntry))
    client.post(f"/practice/mistakes/{entry.id}/remove", data={"status": "active"})
    assert db.session.scalar(sa.select(MistakeEntry)) is None

    finished = client.post(f"/practice/sessions/{session.id}/finish")
    assert finished.headers["Location"].endswith(f"/sessions/{session.id}/summary")
    summary = _page(client.get(finished.headers["Location"]))
    assert "共 4 题，已答 1 题，答对 <strong>0</strong> 题" in summary


def test_fill_blank_and_true_false_through_the_form(app, client, auth, world, bank):
    """填空 sends one field per blank; 判断 sends 对/错; both graded at once."""
    auth.login("officer")
    _start(client, mode="random", count="10", types=["fill_blank", "true_false"])
    session = db.session.scalar(sa.select(PracticeSession))
    assert len(session.items) == 2
    for position in range(2):
        version, _ = _shown(session, position)
        field = "blank" if version.type == "fill_blank" else "response"
        client.post(
            f"/practice/sessions/{session.id}/answer",
            data={"position": str(position), field: key_response(version)},
        )
    records = db.session.scalars(sa.select(AnswerRecord)).all()
    assert [r.correct for r in records] == [True, True]
    db.session.refresh(session)
    assert session.status == "finished"
    assert client.get(f"/practice/sessions/{session.id}").status_code == 302


def test_other_users_sets_and_entries_are_404(app, client, auth, world, bank):
    """The auxiliary officer gets 404 on the officer's set and 错题本 entry, and
    nothing of the officer's changes."""
    auth.login("officer")
    _start(client, mode="random", count="4")
    session = db.session.scalar(sa.select(PracticeSession))
    version, _ = _shown(session, 0)
    field = "blank" if version.type == "fill_blank" else "response"
    client.post(
        f"/practice/sessions/{session.id}/answer",
        data={"position": "0", field: wrong_response(version)},
    )
    entry = db.session.scalar(sa.select(MistakeEntry))
    assert entry is not None
    auth.logout()
    auth.login("auxiliary")
    sid = session.id
    assert client.get(f"/practice/sessions/{sid}").status_code == 404
    assert client.get(f"/practice/sessions/{sid}/summary").status_code == 404
    assert (
        client.post(
            f"/practice/sessions/{sid}/answer", data={"position": "1", "response": "A"}
        ).status_code
        == 404
    )
    assert client.post(f"/practice/sessions/{sid}/finish").status_code == 404
    assert client.post(f"/practice/mistakes/{entry.id}/remove").status_code == 404
    assert "页单选" not in _page(client.get("/practice/mistakes"))
    db.session.expire_all()
    assert db.session.get(PracticeSession, sid).status == "in_progress"
    assert db.session.scalar(sa.select(sa.func.count(AnswerRecord.id))) == 1
    assert db.session.get(MistakeEntry, entry.id) is not None


def _token(page):
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match
    return match.group(1)


def test_forms_need_the_csrf_token(app, client, auth, world, bank):
    """With CSRF on (as in production), a start or answer without the token is
    refused and stores nothing; with the token from the page it works."""
    auth.login("officer")
    app.config["WTF_CSRF_ENABLED"] = True
    refused = client.post("/practice/sessions", data={"mode": "random", "count": "4"})
    assert refused.status_code == 400
    assert db.session.scalar(sa.select(PracticeSession)) is None
    token = _token(_page(client.get("/practice/")))
    ok = client.post(
        "/practice/sessions",
        data={"mode": "random", "count": "4", "csrf_token": token},
    )
    assert ok.status_code == 302
    session = db.session.scalar(sa.select(PracticeSession))
    version, _ = _shown(session, 0)
    field = "blank" if version.type == "fill_blank" else "response"
    no_token = client.post(
        f"/practice/sessions/{session.id}/answer",
        data={"position": "0", field: key_response(version)},
    )
    assert no_token.status_code == 400
    assert db.session.scalar(sa.select(AnswerRecord)) is None
    page = _page(client.get(f"/practice/sessions/{session.id}"))
    answered = client.post(
        f"/practice/sessions/{session.id}/answer",
        data={
            "position": "0",
            field: key_response(version),
            "csrf_token": _token(page),
        },
    )
    assert answered.status_code == 302
    assert db.session.scalar(sa.select(AnswerRecord)).correct is True


def test_exam_mistakes_pages_follow_release_and_show_answers(
    app, client, auth, world, bank
):
    """Before the release the 错题本 and mastery pages show nothing of the exam;
    after it, the wrong items appear with “本场考试未公开答案” and without the key
    or explanation when the arrangement hides answers."""
    closed = open_bank("SECRET", is_open=False)
    make_questions(closed, four_types("密"))
    arrangement = exam_over(world, closed, release="after_window")
    sit_exam(arrangement, world.users["officer"])
    # Sign in inside each frozen time: the session's absolute timeout follows it.
    with freeze_time(arrangement.window_end - timedelta(minutes=5)):
        auth.login("officer")
        page = _page(client.get("/practice/mistakes"))
        assert "密单选" not in page
        assert "错题本是空的" in page
        assert "%（" not in _page(client.get("/practice/mastery"))  # no rate yet
    assert db.session.scalar(sa.select(AnswerRecord)) is None
    with freeze_time(arrangement.window_end + timedelta(minutes=5)):
        auth.login("officer")
        page = _page(client.get("/practice/mistakes"))
    assert "密单选：行政处罚由哪一级机关管辖？" in page
    assert "密填空" in page
    assert page.count("本场考试未公开答案") == 2
    assert 'class="key"' not in page
    assert "县级以上地方人民政府具有行政处罚权的部门管辖" not in page
    assert "来源：考试" in page
    assert "重练错题（0）" in page
    with freeze_time(arrangement.window_end + timedelta(minutes=5)):
        auth.login("officer")
        assert "50%（2/4）" in _page(client.get("/practice/mastery"))


def test_mastery_page_and_weak_points(app, client, auth, world, bank):
    """Exam 2/4 right plus one wrong practice answer = 2/5 = 40 % 薄弱 for
    行政处罚法; “练习薄弱知识点” starts a set from it."""
    closed = open_bank("EXAMB", is_open=False)
    make_questions(closed, four_types("考"))
    arrangement = exam_over(world, closed, release="immediate")
    sit_exam(arrangement, world.users["officer"])
    auth.login("officer")
    page = _page(client.get("/practice/mastery"))
    assert "50%（2/4）" in page
    assert "数据不足" in page
    assert "练习薄弱知识点" not in page
    _start(client, mode="random", count="1", types=["true_false"])
    session = db.session.scalar(sa.select(PracticeSession))
    version, _ = _shown(session, 0)
    client.post(
        f"/practice/sessions/{session.id}/answer",
        data={"position": "0", "response": wrong_response(version)},
    )
    page = _page(client.get("/practice/mastery"))
    assert "40%（2/5）" in page
    assert "薄弱" in page
    assert "练习薄弱知识点" in page
    weak = client.post(
        "/practice/sessions",
        data={"mode": "weak", "count": "20", "back": "mastery"},
    )
    assert weak.status_code == 302
    newest = db.session.scalars(
        sa.select(PracticeSession).order_by(PracticeSession.id.desc())
    ).first()
    assert newest.mode == "weak"
    assert "行政处罚法" in newest.title
    assert len(newest.items) == 4  # the open bank's 行政处罚法 questions


def test_bank_switch_is_scoped_and_audited(app, client, auth, world):
    """A district training admin opens a bank of the district (audited) but may
    not open a city-wide bank; the bank page shows the state."""
    district_bank = open_bank("D1", world.district, is_open=False)
    city_bank = open_bank("C1", is_open=False)
    auth.login("training_admin")
    page = _page(client.get(f"/admin/exams/banks/{district_bank.id}"))
    assert "未开放练习" in page
    reply = client.post(
        f"/admin/exams/banks/{district_bank.id}/practice", data={"open": "1"}
    )
    assert reply.status_code == 302
    db.session.expire_all()
    assert district_bank.is_practice_open is True
    entry = db.session.scalar(
        sa.select(AuditLog).where(AuditLog.action == "bank_practice_set")
    )
    assert entry.target_id == str(district_bank.id)
    assert '"is_practice_open": true' in entry.after
    assert "已开放练习" in _page(client.get(f"/admin/exams/banks/{district_bank.id}"))
    assert (
        client.post(
            f"/admin/exams/banks/{city_bank.id}/practice", data={"open": "1"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/admin/exams/banks/{district_bank.id}/practice", data={"open": "x"}
        ).status_code
        == 400
    )
    db.session.expire_all()
    assert city_bank.is_practice_open is False


def test_dashboard_links(app, client, auth, world):
    """The officer's panel links to 练习 and 错题本; nothing says “coming”."""
    auth.login("officer")
    page = _page(client.get("/dashboard"))
    assert 'href="/practice/"' in page
    assert 'href="/practice/mistakes"' in page
    assert "练习与错题本" not in page


def test_result_page_brings_released_mistakes_into_the_notebook(
    app, world, bank, client, auth
):
    """Opening a released exam result records its wrong answers in the 错题本;
    the same page before release records nothing."""
    officer = world.users["officer"]
    arrangement = exam_over(world, bank, release="after_window")
    attempt = sit_exam(arrangement, officer, wrong_types=("single",))
    with freeze_time(arrangement.window_end - timedelta(minutes=1)):
        auth.login("officer")
        assert client.get(f"/exams/attempts/{attempt.id}/result").status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(MistakeEntry.id))) == 0
    with freeze_time(arrangement.window_end + timedelta(minutes=1)):
        auth.login("officer")
        assert client.get(f"/exams/attempts/{attempt.id}/result").status_code == 200
    entries = db.session.scalars(sa.select(MistakeEntry)).all()
    assert [e.question.current.type for e in entries] == ["single"]
    assert entries[0].source == "exam"
