"""Random sampling: periods, the reproducible draw, the draw log, refusals, CLI, UI."""

import random
from datetime import date

import pytest
import sqlalchemy as sa

from casebank.supervision import queries, sampling, services
from casebank.supervision.models import SampledCase, SampleDraw
from portal.actor import Actor
from portal.audit.models import AuditLog
from portal.exceptions import ValidationFailed
from portal.extensions import db
from tests.casebank.supervision_util import login, make_case

# Pure ---------------------------------------------------------------------------


def test_parse_period_months_and_quarters():
    """Are months and quarters parsed to their first and last day, and junk refused?"""
    feb = sampling.parse_period("2024-02")
    assert (feb.start, feb.end, feb.label) == (
        date(2024, 2, 1),
        date(2024, 2, 29),
        "2024年2月",
    )
    q4 = sampling.parse_period("2026-q4")
    assert (q4.key, q4.start, q4.end) == (
        "2026-Q4",
        date(2026, 10, 1),
        date(2026, 12, 31),
    )
    for bad in ("2026-13", "2026-Q5", "26-01", "", "2026/03"):
        with pytest.raises(sampling.PeriodError, match="格式不正确"):
            sampling.parse_period(bad)


def test_draw_is_determined_by_seed_and_candidates():
    """Does the same seed with the same candidates (in any order) give the same
    sample, another seed another one, with ceil(rate × n) cases?"""
    ids = list(range(1, 201))
    first = sampling.draw(ids, 0.05, 12345)
    shuffled = ids[:]
    random.Random(1).shuffle(shuffled)
    assert sampling.draw(shuffled, 0.05, 12345) == first
    assert len(first) == 10
    assert first == sorted(first)
    assert set(first) <= set(ids)
    assert sampling.draw(ids, 0.05, 12346) != first
    assert sampling.sample_size(21, 0.05) == 2  # ceil(1.05)
    assert sampling.sample_size(3, 0.05) == 1  # at least one
    assert sampling.sample_size(0, 0.05) == 0
    assert sampling.sample_size(20, 0.05) == 1  # 0.05 × 20 is exactly 1
    assert sampling.draw(ids, 1.0, 1) == ids


def test_adding_a_candidate_moves_at_most_one_case():
    """Is the bottom-k draw stable when one more candidate appears?"""
    ids = list(range(1, 101))
    before = set(sampling.draw(ids, 0.1, 99))
    after = set(sampling.draw(ids + [101], 0.1, 99))  # k grows from 10 to 11
    assert before <= after
    assert len(after) == 11


# Service --------------------------------------------------------------------------


@pytest.fixture
def march_cases(world):
    """20 clean checked March cases of world.agency, plus cases that must not count."""
    clean = [make_case(world.agency, decided=date(2026, 3, 1 + i)) for i in range(20)]
    make_case(world.agency, decided=date(2026, 3, 5), severity=3)  # flagged
    make_case(world.agency, decided=date(2026, 3, 5), status="pending")
    make_case(world.agency, decided=date(2026, 4, 1))  # other month
    make_case(world.other_agency, decided=date(2026, 3, 5))  # other agency
    return clean


def test_draw_is_logged_reproducible_and_audited(world, march_cases):
    """Does a draw take ceil(5 % × 20) = 1 clean case of the agency and month, log
    agency, period, rate, seed, candidates and drawn ids, mark the case sampled,
    and write an audit entry? Re-running the algorithm gives the same ids."""
    staff = world.users["supervision_staff"]
    draw = services.draw_sample(
        world.agency, "2026-03", Actor(user=staff), rate=0.05, seed=424242
    )
    db.session.commit()
    candidates = sorted(c.id for c in march_cases)
    assert (
        queries.sample_candidates(world.agency.id, date(2026, 3, 1), date(2026, 3, 31))
        == candidates
    )
    stored = db.session.get(SampleDraw, draw.id)
    assert (stored.agency_id, stored.period, stored.rate, stored.seed) == (
        world.agency.id,
        "2026-03",
        0.05,
        424242,
    )
    assert stored.candidate_count == 20
    assert stored.candidate_digest == sampling.candidate_digest(candidates)
    assert stored.drawn_ids == sampling.draw(candidates, 0.05, 424242)
    assert len(stored.drawn_ids) == 1
    assert stored.drawn_ids[0] in candidates
    assert stored.created_by_id == staff.id
    assert stored.created_at is not None
    marked = db.session.scalars(
        sa.select(SampledCase.case_id).where(SampledCase.draw_id == draw.id)
    ).all()
    assert marked == stored.drawn_ids
    entry = db.session.scalar(
        sa.select(AuditLog).where(AuditLog.action == "case_sample_drawn")
    )
    assert entry.actor_id == staff.id
    assert "424242" in entry.after


def test_second_draw_for_the_period_is_refused(world, march_cases):
    """Is a second draw for the same agency and month, or an overlapping quarter,
    refused with the existing draw, leaving one log row?"""
    first = services.draw_sample(world.agency, "2026-03", Actor.system(), rate=0.5)
    db.session.commit()
    for period in ("2026-03", "2026-Q1"):
        with pytest.raises(services.DrawExists, match="已抽取过") as caught:
            services.draw_sample(world.agency, period, Actor.system(), rate=0.5)
        assert caught.value.draw.id == first.id
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(SampleDraw.id))) == 1
    # Another agency, or another quarter, may still be drawn.
    services.draw_sample(world.other_agency, "2026-03", Actor.system(), rate=0.5)
    db.session.commit()


@pytest.mark.parametrize(
    ("period", "rate", "seed", "message"),
    [
        ("2026-05", 0.05, None, "没有可抽查的案卷"),
        ("2026-3", 0.05, None, "格式不正确"),
        ("2026-03", 0, None, "抽取比例"),
        ("2026-03", 1.5, None, "抽取比例"),
        ("2026-03", 0.05, -1, "随机种子"),
    ],
)
def test_bad_draws_are_refused_and_nothing_saved(
    world, march_cases, period, rate, seed, message
):
    """Are an empty period, a bad period, rate or seed refused in Chinese?"""
    with pytest.raises(ValidationFailed, match=message):
        services.draw_sample(world.agency, period, Actor.system(), rate=rate, seed=seed)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(SampleDraw.id))) == 0


def test_cli_draws_once_with_the_given_seed(app, runner, world, march_cases):
    """Does ``flask casebank sample`` draw with --rate/--seed, and refuse a re-draw?"""
    args = ["casebank", "sample", "--agency", "C-A-CG", "--period", "2026-03"]
    result = runner.invoke(args=[*args, "--rate", "0.25", "--seed", "7"])
    assert result.exit_code == 0, result.output
    draw = db.session.scalar(sa.select(SampleDraw))
    candidates = sorted(c.id for c in march_cases)
    assert draw.seed == 7
    assert draw.rate == 0.25
    assert draw.drawn_ids == sampling.draw(candidates, 0.25, 7)
    assert len(draw.drawn_ids) == 5
    assert "种子 7" in result.output
    again = runner.invoke(args=args)
    assert again.exit_code == 1
    assert "已抽取过" in again.output
    assert (
        runner.invoke(
            args=["casebank", "sample", "--agency", "NOPE", "--period", "2026-03"]
        ).exit_code
        == 2
    )


def test_cli_uses_the_configured_default_rate(app, runner, world, march_cases):
    """Without --rate the draw uses CASE_SAMPLE_RATE."""
    app.config["CASE_SAMPLE_RATE"] = 0.1
    result = runner.invoke(
        args=["casebank", "sample", "--agency", "C-A-CG", "--period", "2026-Q1"]
    )
    assert result.exit_code == 0, result.output
    draw = db.session.scalar(sa.select(SampleDraw))
    assert draw.rate == 0.1
    assert len(draw.drawn_ids) == 2


def test_draw_screen(app, world, march_cases):
    """Can supervision staff draw from the screen, see the draw, and is a second
    submit sent to the existing draw? Are bad inputs answered 400?"""
    client = login(app, "supervision_staff")
    page = client.get("/casebank/supervision/samples").get_data(as_text=True)
    assert 'value="5.00"' in page  # the configured default rate
    form = {
        "agency_id": str(world.agency.id),
        "period": "2026-03",
        "rate_percent": "10",
        "seed": "99",
    }
    response = client.post("/casebank/supervision/samples", data=form)
    assert response.status_code == 302
    draw = db.session.scalar(sa.select(SampleDraw))
    assert response.headers["Location"].endswith(f"/samples/{draw.id}")
    shown = client.get(f"/casebank/supervision/samples/{draw.id}").get_data(
        as_text=True
    )
    assert "99" in shown
    assert draw.candidate_digest in shown
    again = client.post(
        "/casebank/supervision/samples", data=form, follow_redirects=True
    )
    assert "已抽取过" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(SampleDraw.id))) == 1
    bad = client.post(
        "/casebank/supervision/samples",
        data={**form, "period": "2026-04", "rate_percent": "0"},
    )
    assert bad.status_code == 400
    empty = client.post(
        "/casebank/supervision/samples", data={**form, "period": "2027-01"}
    )
    assert empty.status_code == 400
    assert "没有可抽查的案卷" in empty.get_data(as_text=True)


def test_concurrent_double_draw_is_stopped_by_the_database(
    app, world, march_cases, monkeypatch
):
    """When two requests pass the "already drawn?" check at the same time, does the
    unique (agency, period) constraint stop the second, which is then sent to the
    first draw, with one log row?"""
    client = login(app, "supervision_staff")
    form = {"agency_id": str(world.agency.id), "period": "2026-03", "rate_percent": "5"}
    assert client.post("/casebank/supervision/samples", data=form).status_code == 302
    first = db.session.scalar(sa.select(SampleDraw))
    # The second request does not see the first one's row (the race window).
    monkeypatch.setattr(queries, "overlapping_draw", lambda *args: None)
    response = client.post("/casebank/supervision/samples", data=form)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/samples/{first.id}")
    assert db.session.scalar(sa.select(sa.func.count(SampleDraw.id))) == 1
