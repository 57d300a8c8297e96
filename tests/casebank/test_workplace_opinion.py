"""Issuing a 监督意见书: problems prefilled without scoring artefacts, shown in full,
and the due date shown before issuing."""

import re

from tests.casebank.supervision_util import make_case


def _login(app, username):
    client = app.test_client()
    response = client.post("/login", data={"login": username, "password": "Passw0rd!"})
    assert response.status_code == 302
    return client


def test_issue_form_from_a_review(app, world):
    case = make_case(world.agency, severity=3)
    staff = _login(app, "supervision_staff")
    page = staff.get(f"/casebank/cases/{case.id}/review").get_data(as_text=True)
    template_id = re.search(r'name="template_id"[^>]*value="(\d+)"', page).group(1)
    items = re.findall(r'name="points-(\d+)"', page)
    notes = ["未写明参照的裁量基准", "签名缺漏"]
    data = {
        "version": "0",
        "template_id": template_id,
        "action": "submit",
        "opinion": "请依法纠正。",
        f"points-{items[0]}": "2",
        f"note-{items[0]}": notes[0],
        f"points-{items[1]}": "1",
        f"note-{items[1]}": notes[1],
    }
    response = staff.post(f"/casebank/cases/{case.id}/review", data=data)
    assert response.status_code == 302
    page = staff.get(f"/casebank/cases/{case.id}/review").get_data(as_text=True)
    review_id = re.search(r'issue-from-review-(\d+)"', page).group(1)
    page = staff.get(
        f"/casebank/cases/{case.id}/opinions/new?review_id={review_id}"
    ).get_data(as_text=True)
    problems = re.search(
        r'<textarea[^>]*name="problems"[^>]*>(.*?)</textarea>', page, re.S
    )
    assert problems
    text = problems.group(1)
    for note in notes:
        assert note in text
    assert "扣" not in text
    assert "分）" not in text
    rows = int(re.search(r'name="problems"[^>]*rows="(\d+)"', page).group(1))
    assert rows >= len(text.strip().splitlines())
    # The due date is shown before issuing; the script updates it on change.
    preview = re.search(
        r'data-testid="opinion-due-preview">整改期限至 <strong data-due-date>([^<]+)<',
        page,
    )
    assert preview
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", preview.group(1))
    assert "js/opinion_due.js" in page
    assert "发文机关：测试市司法局" in page
