"""考试统计 (exams.results.reports) against figures computed by hand, on both databases,
with attempts made through the real exams.attempts.services services."""

import math
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from exams.attempts.services import save_answer, start_attempt, submit_attempt
from exams.banks.models import QuestionVersion
from exams.papers.services import enrol_candidates, exempt_candidate
from exams.results.reports import NO_DOMAIN, arrangement_report
from portal.actor import Actor
from portal.extensions import db
from portal.orgs.models import Domain
from tests.exams.test_attempts import START, key_for, setup_exam


def answer(attempt, right_types=(), now=START, right_singles=0):
    """Answer every item: correctly for the types in ``right_types`` (and the first
    ``right_singles`` 单选), wrongly otherwise (a letter that is no option; a blank
    nobody accepts)."""
    singles = 0
    for position, item in enumerate(attempt.candidate_paper.items):
        version = db.session.get(QuestionVersion, item["version_id"])
        if version.type == "single":
            singles += 1
        if version.type in right_types or (
            version.type == "single" and singles <= right_singles
        ):
            response = key_for(attempt, position)
        elif version.type == "fill_blank":
            response = ["不知道"]
        else:
            response = ["Z"]
        save_answer(attempt, position, response, seq=1, now=now)


def sit(arrangement, user, right_types=(), minutes=5, right_singles=0):
    attempt = start_attempt(arrangement, user, START)
    answer(attempt, right_types, right_singles=right_singles)
    submit_attempt(attempt, START + timedelta(minutes=minutes))
    return attempt


def build_report_world(world, factories):
    """Six candidates in three units (see the test docstring for who did what).

    :return: (arrangement, {short name: user}).
    """
    arrangement = setup_exam(world)  # 3 单选 × 20, 1 多选 × 30, 1 填空 × 10
    arrangement.makeup_attempts = 1
    arrangement.organisation_id = world.district.id
    domains = {d.code: d for d in db.session.scalars(sa.select(Domain))}
    people = {
        "a1": factories.user(
            name="城管甲", organisation=world.agency, domains=[domains["chengguan"]]
        ),
        "a2": factories.user(
            name="城管乙",
            organisation=world.agency,
            domains=[domains["chengguan"], domains["market"]],
        ),
        "t1": factories.user(name="街道甲", organisation=world.town),
        "t2": factories.user(
            name="街道乙",
            organisation=world.town,
            domains=[domains["market"]],
            phone="13812345678",
        ),
        "o1": factories.user(
            name="县局甲",
            organisation=world.other_agency,
            domains=[domains["market"]],
        ),
        "e1": factories.user(
            name="免考甲", organisation=world.agency, domains=[domains["chengguan"]]
        ),
    }
    # The world's officer from setup_exam is not part of this report.
    arrangement.candidates.clear()
    db.session.flush()
    enrol_candidates(arrangement, users=list(people.values()))
    exempt_candidate(arrangement, people["e1"], "已取得法律职业资格", Actor.system())

    everything = ("single", "multiple", "fill_blank")
    sit(arrangement, people["a1"], everything)  # 100, passed
    sit(arrangement, people["a2"])  # 0, failed …
    # A 补考 starts only once the failed result is released (issue #12): the
    # office released the graded results by hand during the window.
    release_policy = arrangement.release_policy
    arrangement.release_policy = "manual"
    arrangement.results_released_at = START + timedelta(minutes=6)
    sit(arrangement, people["a2"], ("single",), minutes=30)  # … 补考 60, passed
    arrangement.release_policy, arrangement.results_released_at = release_policy, None
    sit(arrangement, people["t1"], right_singles=1)  # 20, failed
    start_attempt(arrangement, people["t2"], START)  # still sitting
    db.session.commit()
    return arrangement, people


def test_report_figures_by_hand(app, world, factories):
    """Participation, pass rates by unit and by domain, the score distribution and
    the not-sat list match figures computed by hand:

    a1 (城管局, 城管) 100 合格; a2 (城管局, 城管+市场监管) 0 then 补考 60 合格;
    t1 (街道, no domain) 20 不合格; t2 (街道, 市场监管) still sitting; o1 (县局,
    市场监管) never started; e1 (城管局) exempt.
    """
    arrangement, people = build_report_world(world, factories)
    now = START + timedelta(hours=1)  # the window closes in 7 h
    report = arrangement_report(arrangement, now)

    p = report.participation
    assert (p.enrolled, p.exempt, p.expected) == (6, 1, 5)
    assert (p.started, p.submitted, p.graded, p.passed, p.not_sat) == (4, 3, 3, 2, 2)
    assert p.pass_rate == pytest.approx(2 / 3)

    units = {
        g.name: (g.expected, g.started, g.submitted, g.graded, g.passed, g.not_sat)
        for g in report.by_unit
    }
    assert [g.name for g in report.by_unit] == [
        "甲区一街道",
        "甲区城管局",
        "乙县市场监管局",
    ]
    assert units == {
        "甲区一街道": (2, 2, 1, 1, 0, 1),
        "甲区城管局": (2, 2, 2, 2, 2, 0),  # the exempt e1 is not counted
        "乙县市场监管局": (1, 0, 0, 0, 0, 1),
    }
    rates = {g.name: g.pass_rate for g in report.by_unit}
    assert rates == {"甲区一街道": 0.0, "甲区城管局": 1.0, "乙县市场监管局": None}

    domains = {
        g.name: (g.expected, g.started, g.submitted, g.graded, g.passed, g.not_sat)
        for g in report.by_domain
    }
    assert [g.name for g in report.by_domain] == ["城管", "市场监管", NO_DOMAIN]
    assert domains == {
        "城管": (2, 2, 2, 2, 2, 0),
        "市场监管": (3, 2, 1, 1, 1, 2),  # a2 counts in both of her domains
        NO_DOMAIN: (1, 1, 1, 1, 0, 0),
    }

    d = report.distribution
    assert d.n == 3
    assert (d.minimum, d.maximum) == (Decimal("20.00"), Decimal("100.00"))
    assert d.mean == pytest.approx(60.0)
    assert d.median == pytest.approx(60.0)
    assert d.std == pytest.approx(math.sqrt((40**2 + 0 + 40**2) / 3))
    assert d.bands == [
        ("60 分以下", 1),
        ("60–70 分", 1),  # 60 is in [60, 70)
        ("70–80 分", 0),
        ("80–90 分", 0),
        ("90–100 分", 1),  # the last band includes the total
    ]

    assert [(o.name, o.status_label, o.phone, o.urgent) for o in report.not_sat] == [
        ("街道乙", "考试中", "138****5678", True),
        ("县局甲", "未参考", "", True),
    ]
    assert report.window_state == "closing"
    by_name = {o.name: o for o in report.candidates}
    assert by_name["城管乙"].attempts_used == 2
    assert by_name["城管乙"].score == Decimal("60.00")  # the 补考 counts
    assert by_name["免考甲"].status_label == "免考"
    assert by_name["免考甲"].score is None


def test_highlight_follows_each_deadline(app, world, factories):
    """Far from the end nobody is highlighted; after the window only those without
    a personal make-up deadline more than 24 h away are."""
    arrangement, people = build_report_world(world, factories)
    early = arrangement_report(arrangement, START - timedelta(days=3))
    assert early.window_state == "open"
    assert not any(o.urgent for o in early.not_sat)

    entry = next(c for c in arrangement.candidates if c.user_id == people["o1"].id)
    entry.makeup_until = arrangement.window_end + timedelta(days=3)
    db.session.commit()
    late = arrangement_report(arrangement, arrangement.window_end + timedelta(hours=1))
    assert late.window_state == "closed"
    assert {o.name: o.urgent for o in late.not_sat} == {"街道乙": True, "县局甲": False}


def test_report_is_limited_to_the_viewers_units(app, world, factories):
    """A training administrator's report counts only candidates of their units."""
    arrangement, _ = build_report_world(world, factories)
    report = arrangement_report(arrangement, START, within_paths=[world.district.path])
    assert report.participation.enrolled == 5
    assert report.participation.expected == 4
    assert "乙县市场监管局" not in [g.name for g in report.by_unit]
    assert [o.name for o in report.not_sat] == ["街道乙"]
    assert arrangement_report(arrangement, START, within_paths=[]).candidates == []


def test_empty_arrangement_report(app, world):
    """With nobody graded the distribution is empty and rates are unknown."""
    arrangement = setup_exam(world)
    report = arrangement_report(arrangement, START)
    assert report.participation.expected == 1
    assert report.participation.pass_rate is None
    assert report.distribution.n == 0
    assert report.distribution.mean is None
    assert [count for _, count in report.distribution.bands] == [0, 0, 0, 0, 0]
