"""Finding labels: confirm/dismiss, survive re-checks, export."""

import json

import pytest
import sqlalchemy as sa

from casebank.cases import services as case_services
from casebank.cases.checks import check_cases
from casebank.cases.models import CaseFinding
from casebank.reviews.models import FindingLabel
from portal.actor import Actor
from portal.audit.models import AuditLog
from portal.extensions import db
from tests.casebank.review_support import add_case, chengguan_document, login


@pytest.fixture
def flagged(world, importer):
    """cg-002 (FINE_OUTSIDE_TIER) and cg-012 (AMOUNT_INCONSISTENT), checked
    against the demo 城管 catalogue."""
    importer(chengguan_document(), code="CG-DEMO")
    return add_case(world.agency, "cg-002.txt"), add_case(world.agency, "cg-012.txt")


def _label(client, case, finding, decision, reason=""):
    return client.post(
        f"/casebank/cases/{case.id}/findings/{finding.id}/label",
        data={"decision": decision, "reason": reason},
    )


def test_labels_survive_a_recheck_and_show_on_the_case_page(app, flagged):
    case, _ = flagged
    assert [f.code for f in case.findings] == ["FINE_OUTSIDE_TIER"]
    finding = case.findings[0]
    client = login(app, "supervision_staff")
    page = client.get(f"/casebank/cases/{case.id}").get_data(as_text=True)
    assert 'data-testid="finding-label"' in page
    assert "已驳回" not in page

    r = _label(client, case, finding, "dismissed", "   ")
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert 'data-testid="label-error"' in page
    assert "驳回检查发现时请填写理由" in page
    r = _label(client, case, finding, "", "理由写了但没选")
    assert r.status_code == 400
    assert "请选择“确认”或“驳回”" in r.get_data(as_text=True)
    assert "理由写了但没选" in r.get_data(as_text=True)  # the input is kept
    assert db.session.scalar(sa.select(FindingLabel)) is None
    r = _label(client, case, finding, "dismissed", "档次认定有误，罚款在一般档内")
    assert r.status_code == 302
    label = db.session.scalar(sa.select(FindingLabel))
    assert (label.code, label.decision) == ("FINE_OUTSIDE_TIER", "dismissed")
    assert label.evidence == finding.evidence
    assert label.message == finding.message
    assert label.checker["item_id"] == case.review["match"]["item_id"]
    assert label.checker["catalogue_version_id"] == case.matched_version_id

    # A real re-check replaces the finding rows ...
    old_id = finding.id
    case_services.request_recheck(case, Actor.system())
    db.session.commit()
    check_cases([case.id])
    db.session.expire_all()
    rows = db.session.scalars(
        sa.select(CaseFinding).where(CaseFinding.case_id == case.id)
    ).all()
    assert [f.code for f in rows] == ["FINE_OUTSIDE_TIER"]
    assert rows[0].id != old_id
    # ... the label is still there and matched to the new row.
    assert db.session.scalar(sa.select(sa.func.count(FindingLabel.id))) == 1
    page = client.get(f"/casebank/cases/{case.id}").get_data(as_text=True)
    assert "已驳回" in page
    assert "档次认定有误，罚款在一般档内" in page
    # Labelling the old (replaced) row is refused with a message, nothing saved.
    r = _label(client, case, type("F", (), {"id": old_id})(), "confirmed")
    assert "检查结果已更新" in client.get(r.headers["Location"]).get_data(as_text=True)
    # Relabelling the new row replaces the label (one per reviewer and finding).
    _label(client, case, rows[0], "confirmed")
    db.session.expire_all()
    labels = db.session.scalars(sa.select(FindingLabel)).all()
    assert [(x.decision, x.reason) for x in labels] == [("confirmed", None)]
    actions = db.session.scalars(
        sa.select(AuditLog.action).where(AuditLog.action == "finding_labelled")
    ).all()
    assert len(actions) == 2


def test_agency_handlers_see_no_label_controls(app, flagged):
    case, _ = flagged
    client = login(app, "agency_handler")
    page = client.get(f"/casebank/cases/{case.id}").get_data(as_text=True)
    assert "finding-label" not in page
    assert "review-panel" not in page
    r = _label(client, case, case.findings[0], "confirmed")
    assert r.status_code == 403


def test_export_labels_command_and_download(app, flagged, tmp_path):
    """Do the CLI export and the download carry one JSON line per label with the
    snapshot, the label and the reason?"""
    first, second = flagged
    client = login(app, "supervision_staff")
    _label(client, first, first.findings[0], "dismissed", "误报")
    _label(client, second, second.findings[0], "confirmed")
    out = tmp_path / "labels.jsonl"
    result = app.test_cli_runner().invoke(
        args=["casebank", "export-labels", str(out), "--with-text"]
    )
    assert result.exit_code == 0, result.output
    assert "已导出 2 条标注" in result.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["code"], r["label"], r["reason"]) for r in records] == [
        ("FINE_OUTSIDE_TIER", "dismissed", "误报"),
        ("AMOUNT_INCONSISTENT", "confirmed", None),
    ]
    assert records[0]["case_id"] == first.id
    assert records[0]["evidence"] == first.findings[0].evidence
    assert records[0]["format"] == "zhifa.finding-labels/1"
    assert "text" in records[0]
    assert records[0]["text"] == first.text

    response = client.get("/casebank/labels.jsonl")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    lines = [json.loads(x) for x in response.get_data(as_text=True).splitlines()]
    assert [x["label"] for x in lines] == ["dismissed", "confirmed"]
    assert "text" not in lines[0]
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditLog.id)).where(
                AuditLog.action == "finding_labels_exported"
            )
        )
        == 2
    )
