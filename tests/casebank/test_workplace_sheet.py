"""The 评查表 beside the decision and the findings; confirmed findings pre-mark
their item; the page carries what the live score needs."""

import re

from casebank.cases.models import CaseFinding
from casebank.reviews.services import label_finding
from portal.actor import Actor
from portal.extensions import db
from tests.casebank.supervision_util import make_case


def _login(app, username):
    client = app.test_client()
    response = client.post("/login", data={"login": username, "password": "Passw0rd!"})
    assert response.status_code == 302
    return client


def _case_with_findings(world):
    text = "行政处罚决定书\n当事人：某某。罚款伍佰元（500元）。未说明裁量理由。"
    case = make_case(world.agency, severity=3, text=text)
    start = text.index("未说明裁量理由")
    findings = [
        CaseFinding(
            case_id=case.id,
            position=1,
            code="NO_DISCRETION_REASONING",
            severity="medium",
            severity_rank=2,
            message="有罚款但未说明裁量理由",
            evidence="未说明裁量理由",
            spans=[[start, start + 7]],
        ),
        CaseFinding(
            case_id=case.id,
            position=2,
            code="FINE_ABOVE_STATUTORY",
            severity="high",
            severity_rank=3,
            message="罚款超出法定幅度",
            evidence="罚款伍佰元",
            spans=[],
        ),
    ]
    db.session.add_all(findings)
    db.session.commit()
    return case, findings


def test_confirmed_finding_premarks_its_item_beside_the_decision(app, world):
    staff = world.users["supervision_staff"]
    case, (reasoning, above) = _case_with_findings(world)
    label_finding(case, reasoning, staff, "confirmed", "", Actor(user=staff))
    label_finding(case, above, staff, "dismissed", "金额在幅度内", Actor(user=staff))
    db.session.commit()
    page = (
        _login(app, staff.username)
        .get(f"/casebank/cases/{case.id}/review")
        .get_data(as_text=True)
    )
    # Split view: the decision and findings in one pane, the sheet in the other.
    assert 'id="pane-case"' in page
    assert 'id="pane-sheet"' in page
    assert 'data-testid="decision-text"' in page
    assert f'<span id="evidence-{reasoning.id}" tabindex="-1"></span>' in page
    assert f'href="#evidence-{reasoning.id}"' in page
    # Only the confirmed finding pre-marks its item (5 points, note = message).
    assert page.count('data-testid="prefilled"') == 1
    row = re.search(
        r'data-testid="prefilled">据检查发现预填</span> (有罚款但未说明裁量理由[^<]*)'
        r'.*?name="points-(\d+)"[^>]*value="([^"]*)"',
        page,
        re.S,
    )
    assert row, "pre-marked item not found"
    assert row.group(3) == "5"
    assert 'value="有罚款但未说明裁量理由"' in page
    # The preview already counts it and the live-score script is loaded.
    assert re.search(r'data-testid="review-score">95<', page)
    assert "js/review_sheet.js" in page
    assert "data-review-sheet" in page
    assert 'data-max="5' in page


def test_no_prefill_once_a_sheet_exists(app, world):
    """A reviewer's saved draft is shown as saved, not overwritten by findings."""
    staff = world.users["supervision_staff"]
    case, (reasoning, _) = _case_with_findings(world)
    client = _login(app, staff.username)
    page = client.get(f"/casebank/cases/{case.id}/review").get_data(as_text=True)
    template_id = re.search(r'name="template_id"[^>]*value="(\d+)"', page).group(1)
    saved = client.post(
        f"/casebank/cases/{case.id}/review",
        data={
            "version": "0",
            "template_id": template_id,
            "action": "save",
            "opinion": "草稿",
        },
    )
    assert saved.status_code == 302
    label_finding(case, reasoning, staff, "confirmed", "", Actor(user=staff))
    db.session.commit()
    page = client.get(f"/casebank/cases/{case.id}/review").get_data(as_text=True)
    assert 'data-testid="prefilled"' not in page


def test_review_sheet_script_is_served(client):
    response = client.get("/static/js/review_sheet.js")
    data = response.get_data()
    response.close()
    assert response.status_code == 200
    assert b"recompute" in data
