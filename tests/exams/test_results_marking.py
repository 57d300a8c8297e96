"""Issue #12 (results): one definition of a candidate's result used by every page
and export, 双评 with tolerance and 仲裁, 改分 with a reason, 成绩复核, marking by
question, and the item-analysis minimum N. Real services on SQLite and
PostgreSQL; pages through the test client."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from freezegun import freeze_time
from openpyxl import load_workbook

from exams.attempts.services import start_attempt
from exams.certs.models import Certificate
from exams.results import appeals, marking
from exams.results.analysis import (
    CandidateResult,
    ItemResponse,
    item_statistics,
)
from exams.results.definition import counted_attempt
from exams.results.models import AnswerMark, ResultAppeal
from exams.results.queries import arrangement_results
from exams.results.reports import arrangement_report
from exams.results.services import update_result_settings
from portal.actor import Actor
from portal.audit.models import AuditLog
from portal.auth.models import Role
from portal.exceptions import InvalidState
from portal.extensions import db
from portal.notifications.models import Notification
from tests.exams.test_attempts import START
from tests.exams.test_reports import answer, setup_exam
from tests.exams.test_result_views import END, as_user, essay_attempt, result_of


def sit(arrangement, user, right_types=(), right_singles=0, minutes=5):
    attempt = start_attempt(arrangement, user, START + timedelta(minutes=minutes))
    answer(attempt, right_types, right_singles=right_singles)
    from exams.attempts.services import submit_attempt

    submit_attempt(attempt, START + timedelta(minutes=minutes + 5))
    return attempt


def consistency_world(world, factories, policy):
    """A 资格考试（通用） with four candidates (3 单选 × 20, 多选 30, 填空 10; pass 60):

    p1 100 合格 at the first sitting; p2 0 then 补考 60 合格; p3 40 then 补考 20;
    p4 0 and no 补考.
    """
    arrangement = setup_exam(world)
    arrangement.kind = "qual_general"
    arrangement.makeup_attempts = 1
    arrangement.result_policy = policy
    arrangement.organisation_id = world.district.id
    people = {
        k: factories.user(name=f"考生{k}", organisation=world.agency)
        for k in ("p1", "p2", "p3", "p4")
    }
    arrangement.candidates.clear()
    db.session.flush()
    from exams.papers.services import enrol_candidates

    enrol_candidates(arrangement, users=list(people.values()))
    everything = ("single", "multiple", "fill_blank")
    sit(arrangement, people["p1"], everything)
    sit(arrangement, people["p2"])
    sit(arrangement, people["p2"], ("single",), minutes=30)
    sit(arrangement, people["p3"], right_singles=2)
    sit(arrangement, people["p3"], right_singles=1, minutes=30)
    sit(arrangement, people["p4"])
    db.session.commit()
    return arrangement, people


EXPECTED = {
    # policy: (passed, graded, p3's score)
    "best": (2, 4, Decimal("40.00")),
    "last": (2, 4, Decimal("20.00")),
    "first": (1, 4, Decimal("40.00")),
}


@pytest.mark.parametrize("policy", ["best", "last", "first"])
def test_every_page_agrees_on_the_result(app, client, auth, world, factories, policy):
    """One data set; the report, the report page, the 成绩单 export, item analysis
    (service and page) and certificates count the same passes and rates."""
    arrangement, people = consistency_world(world, factories, policy)
    passed, graded, p3_score = EXPECTED[policy]
    now = END + timedelta(hours=1)

    report = arrangement_report(arrangement, now)
    assert (report.participation.passed, report.participation.graded) == (
        passed,
        graded,
    )
    assert report.participation.pass_rate == pytest.approx(passed / graded)
    p3 = next(o for o in report.candidates if o.user_id == people["p3"].id)
    assert p3.score == p3_score

    results, _ = arrangement_results(arrangement)
    assert len(results) == graded
    assert sum(1 for r in results if r.total >= arrangement.paper.pass_mark) == passed
    assert {r.candidate: r.total for r in results}[str(people["p3"].id)] == p3_score

    certificates = db.session.scalars(
        sa.select(Certificate).where(
            Certificate.holder_id.in_([u.id for u in people.values()])
        )
    ).all()
    assert len(certificates) == passed

    base = f"/admin/exams/arrangements/{arrangement.id}"
    with freeze_time(now):
        as_user(auth, "training_admin")
        page = client.get(f"{base}/report").get_data(as_text=True)
        assert f'data-stat="合格">{passed}<' in page
        assert f'data-stat="已评分">{graded}<' in page
        assert f"{passed / graded * 100:.1f}%" in page
        analysis = client.get(f"{base}/analysis").get_data(as_text=True)
        assert f'<span id="analysis-passed">{passed}</span>' in analysis
        sheet = load_workbook(
            io.BytesIO(client.get(f"{base}/results.xlsx").data)
        ).active
    headers = [c.value for c in sheet[1]]
    verdicts = [
        row[headers.index("结果")] for row in sheet.iter_rows(2, values_only=True)
    ]
    assert verdicts.count("合格") == passed
    assert verdicts.count("合格") + verdicts.count("不合格") == graded


def test_counted_attempt_rules():
    """best: highest score, earlier on a tie, pending while any closed attempt waits;
    last/first: the last/first closed attempt, pending while it waits."""

    class A:
        def __init__(self, number, status, score=None):
            self.number, self.status, self.score = number, status, score

    a1, a2 = A(1, "graded", Decimal(50)), A(2, "graded", Decimal(50))
    assert counted_attempt([a2, a1], "best") is a1
    a3 = A(3, "graded", Decimal(40))
    assert counted_attempt([a1, a3], "last") is a3
    assert counted_attempt([a3, a1], "first") is a1
    pending = A(2, "submitted")
    assert counted_attempt([a1, pending], "best") is None
    assert counted_attempt([a1, pending], "first") is a1
    assert counted_attempt([a1, pending], "last") is None
    assert counted_attempt([a1, A(2, "in_progress")], "last") is a1
    assert counted_attempt([], "best") is None


def _marker(factories, world, name):
    return factories.user(
        name=name,
        role=Role.TRAINING_ADMIN,
        scope=world.district,
        organisation=world.district,
    )


def _essay(attempt):
    return next(a for a in attempt.answers if a.version.type == "essay")


def test_double_marking_mean_and_arbitration(app, world, factories):
    """双评: the second mark needs another marker; within the tolerance the score is
    the mean (half up to 0.01); beyond it the answer waits for a third marker,
    whose score is final."""
    m1, m2, m3 = (_marker(factories, world, n) for n in ("阅卷甲", "阅卷乙", "阅卷丙"))
    attempt = essay_attempt(world, "依法立案、调查取证")
    attempt.arrangement.double_marking = True
    attempt.arrangement.marking_tolerance = Decimal(5)
    essay = _essay(attempt)

    state = marking.mark_answer(essay, Decimal(30), Actor(m1))
    assert (state.stage, essay.score, attempt.status) == ("second", None, "submitted")
    with pytest.raises(InvalidState, match="另一位阅卷人"):
        marking.mark_answer(essay, Decimal(31), Actor(m1))
    assert [e.answer.id for e in marking.markable(m1.id)] == []
    assert [e.stage for e in marking.markable(m2.id)] == ["second"]
    state = marking.mark_answer(essay, Decimal("34.25"), Actor(m2))
    assert state.stage is None
    assert essay.score == Decimal("32.13")  # (30 + 34.25) / 2 = 32.125 → 32.13
    assert attempt.status == "graded"
    assert attempt.score == Decimal("82.13")

    other = essay_attempt(world, "另一份答案")
    other.arrangement.double_marking = True
    other.arrangement.marking_tolerance = Decimal(5)
    essay = _essay(other)
    marking.mark_answer(essay, Decimal(10), Actor(m1))
    state = marking.mark_answer(essay, Decimal("15.01"), Actor(m2))
    assert state.stage == "arbitration"
    assert essay.score is None
    for marker in (m1, m2):
        with pytest.raises(InvalidState):
            marking.mark_answer(essay, Decimal(12), Actor(marker))
    (entry,) = marking.markable(m3.id, arrangement_id=other.arrangement_id)
    assert entry.stage == "arbitration"
    assert len(entry.marks) == 2
    marking.mark_answer(essay, Decimal(14), Actor(m3))
    assert essay.score == Decimal(14)
    assert other.score == Decimal(64)
    kinds = db.session.scalars(
        sa.select(AnswerMark.kind).where(AnswerMark.answer_id == essay.id)
    ).all()
    assert sorted(kinds) == ["arbitration", "first", "second"]


def test_revision_needs_a_reason_and_is_audited(app, world, factories):
    """改分 of a subjective answer: reason required, audited before/after, the
    candidate notified of the new score; objective items are refused."""
    admin = _marker(factories, world, "改分人")
    attempt = essay_attempt(world, "依法立案")
    essay = _essay(attempt)
    marking.mark_answer(essay, Decimal(20), Actor(admin))
    assert attempt.score == Decimal(70)
    with pytest.raises(InvalidState, match="理由"):
        marking.revise_grade(essay, Decimal(30), Actor(admin), " ")
    objective = next(a for a in attempt.answers if a.version.type != "essay")
    with pytest.raises(InvalidState, match="客观题"):
        marking.revise_grade(objective, Decimal(0), Actor(admin), "错判")
    marking.revise_grade(essay, Decimal(30), Actor(admin), "漏看要点二")
    assert attempt.score == Decimal(80)
    assert attempt.passed
    entry = db.session.scalar(
        sa.select(AuditLog).where(AuditLog.action == "answer_grade_revised")
    )
    assert "漏看要点二" in str(entry.after)
    assert "20" in str(entry.before)
    note = db.session.scalar(
        sa.select(Notification).where(Notification.kind == "score_changed")
    )
    assert note is not None
    assert "80" in note.body


def test_appeal_accepted_remarked_and_rejected(app, world, factories):
    """成绩复核: within the period, one per attempt; rejection needs a reason;
    acceptance re-marks by a marker who had not marked the answer; the candidate
    is told of each decision and of the score before and after."""
    first, second = (_marker(factories, world, n) for n in ("初评人", "复核人"))
    officer = world.users["officer"]
    attempt = essay_attempt(world, "依法立案")
    essay = _essay(attempt)
    marking.mark_answer(essay, Decimal(5), Actor(first))
    assert attempt.score == Decimal(55)
    assert attempt.passed is False
    now = START + timedelta(hours=1)
    with pytest.raises(InvalidState, match="理由"):
        appeals.file_appeal(attempt, officer, "", Actor(officer), now)
    late = START + timedelta(days=8)
    assert appeals.appeal_blocker(attempt, late) == "已超过成绩复核申请期限"
    appeal = appeals.file_appeal(attempt, officer, "简答题漏评", Actor(officer), now)
    with pytest.raises(InvalidState, match="只能申请一次"):
        appeals.file_appeal(attempt, officer, "再次", Actor(officer), now)
    with pytest.raises(InvalidState, match="理由"):
        appeals.decide_appeal(appeal, False, "", Actor(first), now)
    appeals.decide_appeal(appeal, True, "", Actor(first), now)
    assert appeal.status == "accepted"
    with pytest.raises(InvalidState, match="未评过"):
        appeals.remark(appeal, essay, Decimal(20), Actor(first), "", now)
    appeals.remark(appeal, essay, Decimal(20), Actor(second), "要点齐全", now)
    assert appeal.status == "resolved"
    assert (appeal.score_before, appeal.score_after) == (Decimal(55), Decimal(70))
    assert attempt.passed is True
    bodies = db.session.scalars(
        sa.select(Notification.body).where(
            Notification.user_id == officer.id, Notification.kind == "appeal_decided"
        )
    ).all()
    assert len(bodies) == 2
    assert any("复核后 70" in b for b in bodies)

    other = essay_attempt(world, "另一份")
    marking.mark_answer(_essay(other), Decimal(5), Actor(first))
    rejected = appeals.file_appeal(other, officer, "不服", Actor(officer), now)
    appeals.decide_appeal(rejected, False, "评分无误", Actor(first), now)
    assert rejected.status == "rejected"
    assert other.score == Decimal(55)


def test_item_analysis_flags_only_from_the_minimum_n():
    """Below min N an item says 样本不足 and gets no 过难/过易/区分度 flag; at min N
    the flags appear; N is reported per item."""

    def results(n):
        return [
            CandidateResult(
                candidate=str(i),
                total=Decimal(i),
                items={"Q": ItemResponse(score=1.0, max_score=1.0)},
            )
            for i in range(n)
        ]

    small = item_statistics(results(29), min_n=30, low_discrimination=0.2)["Q"]
    assert small.n == 29
    assert small.flags == ["样本不足（作答 29 人，少于 30 人不判断难度和区分度）"]
    full = item_statistics(results(30), min_n=30, low_discrimination=0.2)["Q"]
    assert full.n == 30
    assert "过易（难度系数高于0.9）" in full.flags
    assert "区分度低（低于0.2）" in full.flags


def test_result_settings_locked_once_used(app, world, factories):
    """The result rule locks at the first graded attempt, 双评 at the first mark;
    changes are audited."""
    attempt = essay_attempt(world, "依法立案")
    arrangement = attempt.arrangement
    kwargs = {
        "double_marking": True,
        "marking_tolerance": Decimal(3),
        "appeal_days": 10,
    }
    update_result_settings(arrangement, Actor.system(), result_policy="best", **kwargs)
    assert arrangement.double_marking
    assert arrangement.appeal_days == 10
    marking.mark_answer(_essay(attempt), Decimal(10), Actor.system())
    with pytest.raises(InvalidState, match="双评"):
        update_result_settings(
            arrangement,
            Actor.system(),
            result_policy="best",
            double_marking=False,
            marking_tolerance=Decimal(3),
            appeal_days=10,
        )
    graded = essay_attempt(world, None)  # graded at submit
    with pytest.raises(InvalidState, match="成绩认定"):
        update_result_settings(
            graded.arrangement,
            Actor.system(),
            result_policy="last",
            double_marking=False,
            marking_tolerance=Decimal(2),
            appeal_days=7,
        )


def test_sheet_marking_and_appeal_pages(app, client, auth, world, factories):
    """Pages: marking by question with filters and the 已评 list; the answer sheet
    with response, key, points and grader; 改分 through the form; the candidate's
    appeal from the result page; the admin accepts it on the sheet and another
    administrator re-marks; the candidate sees the outcome."""
    attempt = essay_attempt(world, "依法立案、调查取证")
    arrangement = attempt.arrangement
    arrangement.organisation_id = world.district.id
    db.session.commit()
    essay = _essay(attempt)
    as_user(auth, "training_admin")
    page = client.get(
        f"/admin/exams/grading?arrangement_id={arrangement.id}"
        f"&question_id={essay.version.question_id}"
    ).get_data(as_text=True)
    assert "依法立案、调查取证" in page
    assert "初评" in page
    assert "question-group" in page
    client.post(
        "/admin/exams/grading",
        data={"answer_id": essay.id, "score": "5", "arrangement_id": arrangement.id},
    )
    db.session.refresh(attempt)
    assert attempt.status == "graded"
    assert attempt.score == Decimal(55)
    graded = client.get("/admin/exams/grading?tab=graded").get_data(as_text=True)
    assert f"<td>{essay.id}</td>" in graded
    assert "初评" in graded

    sheet = client.get(f"/admin/exams/attempts/{attempt.id}/sheet")
    text = sheet.get_data(as_text=True)
    assert sheet.status_code == 200
    assert "参考答案" in text
    assert "立案……" in text
    assert "系统自动评分" in text
    assert "初评" in text
    reply = client.post(
        f"/admin/exams/attempts/{attempt.id}/sheet/{essay.position}/revise",
        data={"score": "8", "reason": "复查加分"},
        follow_redirects=True,
    )
    assert "已改分" in reply.get_data(as_text=True)
    db.session.refresh(attempt)
    assert attempt.score == Decimal(58)

    as_user(auth, "officer")
    page = result_of(client, attempt)
    assert "申请成绩复核" in page
    client.post(f"/exams/attempts/{attempt.id}/appeal", data={"reason": "简答漏评"})
    appeal = db.session.scalar(
        sa.select(ResultAppeal).where(ResultAppeal.attempt_id == attempt.id)
    )
    assert appeal is not None
    assert appeal.status == "pending"
    assert "待处理" in result_of(client, attempt)

    as_user(auth, "training_admin")
    listing = client.get(f"/admin/exams/arrangements/{arrangement.id}/sheets")
    assert "简答漏评" in listing.get_data(as_text=True)
    client.post(f"/admin/exams/appeals/{appeal.id}/decide", data={"decision": "accept"})
    db.session.refresh(appeal)
    assert appeal.status == "accepted"
    refused = client.post(
        f"/admin/exams/appeals/{appeal.id}/remark/{essay.id}",
        data={"score": "30"},
        follow_redirects=True,
    )
    assert "未评过" in refused.get_data(as_text=True)

    _marker(factories, world, "复核人")
    reviewer = db.session.scalar(
        sa.select(AnswerMark.marker_id).where(AnswerMark.answer_id == essay.id)
    )
    assert reviewer is not None
    from portal.auth.models import User

    second = db.session.scalar(sa.select(User).where(User.name == "复核人"))
    auth.logout()
    auth.login(second.username)
    client.post(
        f"/admin/exams/appeals/{appeal.id}/remark/{essay.id}", data={"score": "30"}
    )
    db.session.refresh(appeal)
    assert appeal.status == "resolved"
    assert appeal.score_after == Decimal(80)

    as_user(auth, "officer")
    page = result_of(client, attempt)
    assert "复核前 58.00 分，复核后 80.00 分" in page
