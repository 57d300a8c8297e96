"""Archive comparison (#13): add-cases CLI, flags with reference cases, the
incremental re-evaluation, closing (labels survive), the nightly recomputation,
scopes and the peer chart's anonymisation."""

import json

import sqlalchemy as sa

from casebank.cases.models import CaseFile, CaseFinding
from casebank.consistency import services
from casebank.consistency.models import CaseOfficer, CasePeerKey
from casebank.reviews.models import FindingLabel
from portal.extensions import db
from tests.casebank.consistency_texts import (
    CODE,
    MITIGATING,
    NO_REASON,
    ORDINARY,
    ORDINARY_FINES,
    decision,
)
from tests.casebank.supervision_util import login


def _write(folder, cases):
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in cases:
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def _add(runner, *paths, agency="甲区城管局"):
    result = runner.invoke(
        args=["casebank", "add-cases", *map(str, paths), "--agency", agency]
        + ["--format", "json"]
    )
    assert result.exit_code == 0, result.output
    return {
        obj["source"].rsplit("/", 1)[-1]: obj
        for obj in map(json.loads, result.output.strip().splitlines())
    }


def _codes(obj):
    return [f["code"] for f in obj["findings"]]


def _batch(tmp_path, name="batch"):
    cases = [
        (f"ordinary-{i}.txt", decision(i + 1, fine))
        for i, fine in enumerate(ORDINARY_FINES)
    ]
    cases.append(("outlier.txt", decision(50, 11900, reasons=ORDINARY)))
    cases.append(("mitigated.txt", decision(51, 5100, reasons=MITIGATING)))
    return _write(tmp_path / name, cases)


def test_add_cases_flags_the_unexplained_outlier_with_references(
    app, world, chengguan, runner, tmp_path
):
    """Does add-cases import a folder, check it, compare with the archive and
    print one JSON object per file: the top-of-tier fine without a reason flagged
    with five reference cases, the explained low fine and ordinary ones not, a
    bad file reported in Chinese without stopping the others?"""
    paths = _batch(tmp_path)
    bad = tmp_path / "batch" / "broken.pdf"
    bad.write_bytes(b"not a pdf at all")
    out = _add(runner, tmp_path / "batch")
    assert set(out) == {p.name for p in paths} | {"broken.pdf"}
    flagged = out["outlier.txt"]
    assert flagged["item_id"] == "CG-003"
    assert flagged["tier"] == "一般"
    assert flagged["fine_yuan"] == 11900
    assert flagged["document_number"] == "江临城管罚决字〔2025〕第050号"
    finding = next(f for f in flagged["findings"] if f["code"] == CODE)
    assert "明显偏高" in finding["message"]
    assert "从重" in finding["message"]
    refs = finding["reference_cases"]
    assert len(refs) == 5
    ordinary_numbers = {out[f"ordinary-{i}.txt"]["document_number"] for i in range(6)}
    for ref in refs:
        assert ref["document_number"] in ordinary_numbers
        assert ref["agency"] == "甲区城管局"
        assert ref["decision_date"] == "2025-05-20"
        assert 7000 <= ref["fine_yuan"] <= 9000
        assert 0.28 <= ref["position"] <= 0.58
    assert CODE not in _codes(out["mitigated.txt"])
    for i in range(6):
        assert CODE not in _codes(out[f"ordinary-{i}.txt"])
    assert out["broken.pdf"]["case_id"] is None
    assert "PDF" in out["broken.pdf"]["error"] or "文件" in out["broken.pdf"]["error"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseFile)) == 8
    stored = db.session.get(CaseFile, flagged["case_id"])
    assert stored.finding_count == len(flagged["findings"])
    assert stored.max_severity_rank >= 2


def test_below_minimum_group_no_flag_and_incremental_flag(
    app, world, chengguan, runner, tmp_path
):
    """Is a case never flagged while its group is below the minimum size (5), and
    flagged as soon as new cases arriving in its group complete it?"""
    first = _write(
        tmp_path / "a",
        [
            ("outlier.txt", decision(50, 11900)),
            ("o1.txt", decision(1, 7000)),
            ("o2.txt", decision(2, 7600)),
        ],
    )
    out = _add(runner, *first)
    assert CODE not in _codes(out["outlier.txt"])
    case_id = out["outlier.txt"]["case_id"]
    _add(
        runner,
        *_write(
            tmp_path / "b",
            [("o3.txt", decision(3, 8000)), ("o4.txt", decision(4, 8400))],
        ),
    )
    db.session.expire_all()
    case = db.session.get(CaseFile, case_id)
    assert [f.code for f in case.findings].count(CODE) == 1


def test_disappearing_finding_is_closed_and_its_label_survives(
    app, world, chengguan, runner, tmp_path
):
    """When later cases move the group so that the flagged fine is no longer an
    outlier, is the finding closed with its reason (not deleted), the label kept,
    and the case's counts updated; does the nightly recomputation agree?"""
    _batch(tmp_path)
    out = _add(runner, tmp_path / "batch")
    case_id = out["outlier.txt"]["case_id"]
    finding = db.session.scalar(
        sa.select(CaseFinding).where(
            CaseFinding.case_id == case_id, CaseFinding.code == CODE
        )
    )
    staff = world.users["supervision_staff"]
    from casebank.reviews import services as review_services
    from portal.actor import Actor

    review_services.label_finding(
        finding.case, finding, staff, "confirmed", "", Actor.system()
    )
    db.session.commit()
    count_before = db.session.get(CaseFile, case_id).finding_count
    # Eight more cases at the top of the tier: fines there are usual now.
    high = [
        (f"high-{i}.txt", decision(60 + i, fine))
        for i, fine in enumerate(
            [11700, 11750, 11800, 11850, 11900, 11950, 12000, 11800]
        )
    ]
    _add(runner, *_write(tmp_path / "more", high))
    db.session.expire_all()
    closed = db.session.get(CaseFinding, finding.id)
    assert closed is not None
    assert closed.closed_at is not None
    assert closed.closed_reason == "重新比对后不再偏离同类案件"
    case = db.session.get(CaseFile, case_id)
    assert CODE not in [f.code for f in case.findings]
    assert [f.id for f in case.closed_findings] == [finding.id]
    assert case.finding_count == count_before - 1
    label = db.session.scalar(
        sa.select(FindingLabel).where(FindingLabel.case_id == case_id)
    )
    assert label is not None
    assert label.code == CODE
    assert label.decision == "confirmed"
    # The nightly job finds nothing to change, and keeps the closed row.
    counts = services.recompute_all()
    db.session.commit()
    assert counts.get("opened", 0) == 0
    assert counts.get("closed", 0) == 0
    assert db.session.get(CaseFinding, finding.id).closed_at is not None
    page = login(app, "supervision_staff").get(f"/casebank/cases/{case_id}")
    html = page.get_data(as_text=True)
    assert 'data-testid="closed-findings"' in html
    assert "重新比对后不再偏离同类案件" in html


def test_control_with_stated_reason_is_not_flagged(
    app, world, chengguan, runner, tmp_path
):
    """Is a fine at the top of the tier that states 拒不改正/再次违法 (an
    aggravating reason) left unflagged, while the same fine without reason is?"""
    cases = [(f"o{i}.txt", decision(i + 1, f)) for i, f in enumerate(ORDINARY_FINES)]
    cases.append(("bare.txt", decision(70, 11900, reasons=NO_REASON)))
    out = _add(runner, *_write(tmp_path / "c", cases))
    assert CODE in _codes(out["bare.txt"])
    key = db.session.get(CasePeerKey, out["bare.txt"]["case_id"])
    assert key.is_reasoned is False
    # An aggravating reason: the checker infers the 严重 tier for this text, so the
    # control is judged in the same group by giving the stated reason directly.
    key.is_aggravating = True
    db.session.flush()
    services.evaluate_group(services.group_of(key))
    db.session.commit()
    case = db.session.get(CaseFile, out["bare.txt"]["case_id"])
    assert CODE not in [f.code for f in case.findings]


def test_officers_are_parsed_into_the_archive(app, world, chengguan, runner, tmp_path):
    """Are the 执法人员 with 执法证号 of an added decision stored for the report?"""
    text = decision(
        9, 8000, officers=(("邵某某", "33010023061"), ("葛某某", "33010023094"))
    )
    out = _add(runner, *_write(tmp_path / "d", [("x.txt", text)]))
    rows = db.session.scalars(
        sa.select(CaseOfficer).where(CaseOfficer.case_id == out["x.txt"]["case_id"])
    ).all()
    assert sorted((r.name, r.cert_no) for r in rows) == [
        ("葛某某", "33010023094"),
        ("邵某某", "33010023061"),
    ]


def test_scope_setting_and_peer_chart_anonymisation(
    app, world, factories, chengguan, runner, tmp_path
):
    """With the city scope, cases of another district's agency are peers; the
    agency handler sees them anonymised on the chart (no number, agency, fine or
    link) and supervision staff of the city see them with links. With the agency
    scope they are not peers any more."""
    from portal.orgs.models import Domain

    domain = db.session.scalar(sa.select(Domain).where(Domain.code == "chengguan"))
    other = factories.org(
        "乙县城管局", "agency", world.other_district, code="C-B-CG", domains=[domain]
    )
    db.session.commit()
    mine = _add(
        runner,
        *_write(
            tmp_path / "m",
            [("m1.txt", decision(1, 7000)), ("m2.txt", decision(2, 8000))],
        ),
    )
    theirs = _add(
        runner,
        *_write(
            tmp_path / "t",
            [(f"t{i}.txt", decision(10 + i, 7500 + 200 * i)) for i in range(4)],
        ),
        agency="乙县城管局",
    )
    case_id = mine["m1.txt"]["case_id"]
    html = (
        login(app, "agency_handler")
        .get(f"/casebank/cases/{case_id}")
        .get_data(as_text=True)
    )
    panel = html[html.index('data-testid="peer-group"') :]
    assert "共 6 件（含本案）" in panel
    assert panel.count("其他单位案件") >= 4
    for obj in theirs.values():
        assert obj["document_number"] not in panel
        assert f'/casebank/cases/{obj["case_id"]}"' not in panel
    assert "乙县城管局" not in panel
    assert mine["m2.txt"]["document_number"] in panel
    staff = login(app, "supervision_staff").get(f"/casebank/cases/{case_id}")
    staff_panel = staff.get_data(as_text=True)
    for obj in theirs.values():
        assert f"/casebank/cases/{obj['case_id']}" in staff_panel
    assert "js/peer_chart.js" in staff_panel
    app.config["CONSISTENCY_SCOPE"] = "agency"
    html = (
        login(app, "agency_handler")
        .get(f"/casebank/cases/{case_id}")
        .get_data(as_text=True)
    )
    assert "共 2 件（含本案）" in html
    assert "同类案件不足 5 件" in html
    assert other.id


def test_boundary_fine_and_undecided_tier_enter_the_peer_group(
    app, world, chengguan, runner, tmp_path
):
    """A top-of-tier fine (12,000 元 = top of 一般 and bottom of 严重) in a
    decision whose facts decide no tier gets the tier 一般 and is flagged; a case
    whose text decides no tier and whose fine lies inside one tier keeps tier
    None in the review but is compared in that tier's group."""

    def vague(n, fine):
        text = decision(n, fine, reasons=NO_REASON)
        return text.replace("遗撒路面面积约20平方米", "遗撒路面若干")

    cases = [
        (f"o{i}.txt", decision(i + 1, fine)) for i, fine in enumerate(ORDINARY_FINES)
    ]
    cases += [("top.txt", vague(60, 12000)), ("inside.txt", vague(61, 8000))]
    out = _add(runner, *_write(tmp_path / "edge", cases))
    assert out["top.txt"]["tier"] == "一般"
    assert CODE in _codes(out["top.txt"])
    assert out["inside.txt"]["tier"] is None
    key = db.session.get(CasePeerKey, out["inside.txt"]["case_id"])
    assert key is not None
    assert key.tier_level == "一般"
    assert CODE not in _codes(out["inside.txt"])
