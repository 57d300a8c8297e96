"""The checker's running score (issue #14): supervisors' labels measure precision
per finding code, agency and catalogue; codes below the floor are shown as 提示
(reversible by configuration, audited); hints are stored apart from findings;
``flask nlp evaluate --from-portal`` scores the current checker on the labels."""

import json

import pytest
import sqlalchemy as sa

from casebank.reviews import stats
from casebank.reviews.models import CheckerPrecisionState
from casebank.reviews.precision import demoted_codes, evaluate_portal, refresh_states
from casebank.reviews.services import label_finding
from portal.actor import Actor
from portal.audit.models import AuditLog
from portal.extensions import db
from tests.casebank.review_support import add_case, chengguan_document, login


@pytest.fixture
def labelled(app, world, importer):
    """Two cases flagged FINE_OUTSIDE_TIER / AMOUNT_INCONSISTENT; the first is
    dismissed by two reviewers, the second confirmed by one."""
    app.config.update(CHECKER_PRECISION_FLOOR=0.5, CHECKER_MIN_LABELS=2)
    importer(chengguan_document(), code="CG-DEMO")
    tier_case = add_case(world.agency, "cg-002.txt")
    amount_case = add_case(world.agency, "cg-012.txt")
    staff, admin = world.users["supervision_staff"], world.users["sys_admin"]
    actor = Actor.system()
    finding = tier_case.findings[0]
    label_finding(tier_case, finding, staff, "dismissed", "误报", actor)
    label_finding(tier_case, finding, admin, "dismissed", "误报", actor)
    label_finding(amount_case, amount_case.findings[0], admin, "confirmed", "", actor)
    db.session.commit()
    return tier_case, amount_case


def test_precision_with_wilson_interval_per_code_agency_and_catalogue(world, labelled):
    figures = stats.dashboard(world.users["supervision_staff"], stats.Filters())
    rows = {(r["code"], r["scope"]): r for r in figures["precision"]}
    tier_agency = rows["FINE_OUTSIDE_TIER", "执法部门"]
    assert (tier_agency["confirmed"], tier_agency["labelled"]) == (0, 2)
    assert tier_agency["precision"] == 0.0
    assert tier_agency["low"] == 0.0
    assert 0.6 < tier_agency["high"] < 0.7  # Wilson 95 % upper bound for 0/2
    assert tier_agency["demoted"] is True
    assert tier_agency["scope_name"] == world.agency.name
    assert rows["FINE_OUTSIDE_TIER", "裁量基准目录"]["labelled"] == 2
    amount = rows["AMOUNT_INCONSISTENT", "执法部门"]
    assert (amount["precision"], amount["demoted"]) == (1.0, False)
    codes = {c["code"]: c for c in figures["codes"]}
    assert codes["FINE_OUTSIDE_TIER"]["precision"] == 0.0


def test_low_precision_code_is_shown_as_hint_reversibly_and_audited(
    app, world, labelled
):
    tier_case, amount_case = labelled
    assert demoted_codes(tier_case) == {"FINE_OUTSIDE_TIER"}
    state = db.session.scalar(
        sa.select(CheckerPrecisionState).where(
            CheckerPrecisionState.code == "FINE_OUTSIDE_TIER",
            CheckerPrecisionState.scope == "agency",
        )
    )
    assert state.demoted is True
    actions = db.session.scalars(
        sa.select(AuditLog.action).where(AuditLog.action.like("checker_code_%"))
    ).all()
    # Demoted once in the agency and once in the catalogue, on the second label.
    assert actions.count("checker_code_demoted") == 2
    client = login(app, "supervision_staff")
    page = client.get(f"/casebank/cases/{tier_case.id}").get_data(as_text=True)
    assert "finding-demoted" in page
    assert "罚款超出裁量档次且未说明理由" in page  # the Chinese label, not the code
    assert "FINE_OUTSIDE_TIER</" not in page
    # Reversible: a floor of 0 shows it as a 问题 again, nothing deleted.
    app.config["CHECKER_PRECISION_FLOOR"] = 0
    assert demoted_codes(tier_case) == set()
    page = client.get(f"/casebank/cases/{tier_case.id}").get_data(as_text=True)
    assert "finding-demoted" not in page
    changed = refresh_states(Actor.system())
    db.session.commit()
    assert {s.code for s in changed} == {"FINE_OUTSIDE_TIER"}
    assert all(not s.demoted for s in changed)
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditLog.id)).where(
                AuditLog.action == "checker_code_restored"
            )
        )
        == 2
    )
    # Nothing changes twice: a second refresh audits nothing.
    assert refresh_states(Actor.system()) == []


def test_evaluate_from_portal_scores_the_current_checker(app, labelled):
    metrics = evaluate_portal(app)
    assert metrics["documents"] == 2
    by_code = metrics["findings_by_code"]
    assert by_code["FINE_OUTSIDE_TIER"]["predicted"] == 1
    assert by_code["FINE_OUTSIDE_TIER"]["precision"] == 0.0
    assert by_code["AMOUNT_INCONSISTENT"]["precision"] == 1.0
    assert metrics["finding_precision"] == 0.5
    assert metrics["finding_recall"] == 1.0
    runner = app.test_cli_runner()
    result = runner.invoke(args=["nlp", "evaluate", "--from-portal"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["finding_precision"] == 0.5


def test_hints_are_stored_apart_from_findings(app, world, importer):
    importer(chengguan_document(), code="CG-DEMO")
    text = (
        "某县公安局交通警察大队\n行政处罚决定书\n当事人：张某，身份证号码：110101199001011234\n"
        "经查，当事人驾驶小型汽车违反禁令标志指示通行。"
        "上述行为违反了《中华人民共和国道路交通安全法》第三十八条的规定，"
        "依据《中华人民共和国道路交通安全法》第九十条的规定，罚款100元。\n"
    )
    case = add_case(world.agency, text=text)
    assert case.matched_item_id is None
    assert case.finding_count == 0
    assert [h["code"] for h in case.hints] == ["NO_ITEM_MATCHED"]
    assert "hints" not in case.review
    client = login(app, "supervision_staff")
    page = client.get(f"/casebank/cases/{case.id}").get_data(as_text=True)
    assert 'id="no-item"' in page
    assert "未匹配到裁量基准事项" in page
    assert 'id="hints"' in page
