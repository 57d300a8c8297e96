"""监督意见书 exports: the .docx and .pdf carry the number, texts and dates."""

import io
from datetime import date

import docx
import pypdfium2

from tests.casebank.opinions_support import OPINION, PROBLEMS, issue, login, make_case


def _opinion(world):
    return issue(
        make_case(world.agency, "测城管罚〔2026〕88号"),
        world.users["supervision_staff"],
        today=date(2026, 11, 2),
        workdays=10,
    )


def _pdf_text(data):
    pdf = pypdfium2.PdfDocument(data)
    try:
        return "".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()


def test_docx_export(app, world, client):
    """Does the Word file carry the number, agency, case 文号, problems, opinion,
    legal basis, deadline, issuer and issue date?"""
    opinion = _opinion(world)
    login(client, "agency_handler")
    response = client.get(f"/casebank/opinions/{opinion.id}/export.docx")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    assert "attachment" in response.headers["Content-Disposition"]
    text = "\n".join(
        p.text for p in docx.Document(io.BytesIO(response.data)).paragraphs
    )
    for expected in (
        "行政执法监督意见书",
        "执法监督〔2026〕第1号",
        "甲区城管局：",
        "测城管罚〔2026〕88号",
        PROBLEMS,
        OPINION,
        "《中华人民共和国行政处罚法》第四十四条",
        "请于2026年11月16日前（10个工作日内）",
        "测试市司法局",  # 发文机关 (unconfigured: the city's 司法局)
        "（印章）",
        "2026年11月2日",  # 成文日期
    ):
        assert expected in text, expected
    # 签发人 is configured per organisation, never the account that clicked.
    assert "签发人" not in text
    assert world.users["supervision_staff"].name not in text


def test_pdf_export(app, world, client):
    """Does the PDF (CJK font) carry the number, the texts and the deadline, as
    text a reader can extract?"""
    opinion = _opinion(world)
    login(client, "supervision_staff")
    response = client.get(f"/casebank/opinions/{opinion.id}/export.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    text = _pdf_text(response.data).replace("\r", "").replace("\n", "")
    for expected in (
        "执法监督〔2026〕第1号",
        "甲区城管局",
        "测城管罚〔2026〕88号",
        "未告知当事人陈述申辩权利",
        "建立法制审核台账",
        "2026年11月16日",
        "测试市司法局",
        "2026年11月2日",
    ):
        assert expected in text, expected


def test_docx_export_survives_control_characters(app, world, client):
    """An opinion stored with a pasted "\\x08" (e.g. issued before the form filter)
    still exports as a readable Word file, the character dropped."""
    opinion = issue(
        make_case(world.agency, "测城管罚〔2026〕89号"),
        world.users["supervision_staff"],
        today=date(2026, 11, 2),
        problems="未告知\x08听证权利\x01。",
    )
    login(client, "agency_handler")
    response = client.get(f"/casebank/opinions/{opinion.id}/export.docx")
    assert response.status_code == 200
    text = "\n".join(
        p.text for p in docx.Document(io.BytesIO(response.data)).paragraphs
    )
    assert "未告知听证权利。" in text


def test_issue_form_strips_control_characters(app, world, client):
    """Does the issue form remove control characters from the texts on input
    (tabs and new lines kept)?"""
    import sqlalchemy as sa

    from casebank.opinions.models import SupervisionOpinion
    from portal.extensions import db

    case = make_case(world.agency, "测城管罚〔2026〕90号")
    login(client, "supervision_staff")
    response = client.post(
        f"/casebank/cases/{case.id}/opinions/new",
        data={
            "form_token": "x" * 24,
            "problems": "问题\x08一\n\t问题二\x1f",
            "opinion": "意见\x00",
            "legal_basis": "依据\x0c",
            "deadline_workdays": "10",
        },
    )
    assert response.status_code == 302
    stored = db.session.scalar(sa.select(SupervisionOpinion))
    assert stored.problems == "问题一\n\t问题二"
    assert (stored.opinion, stored.legal_basis) == ("意见", "依据")
    exported = client.get(f"/casebank/opinions/{stored.id}/export.docx")
    assert exported.status_code == 200


def test_configured_authority_and_signer(app, world, client):
    """Do the 发文机关 and 签发人 configured for an organisation above the agency
    appear on both exports (GB/T 9704 elements)?"""
    app.config["OPINION_ISSUERS"] = {
        "C-A": {"authority": "甲区司法局", "signer": "王某某"}
    }
    opinion = _opinion(world)
    login(client, "supervision_staff")
    response = client.get(f"/casebank/opinions/{opinion.id}/export.docx")
    text = "\n".join(
        p.text for p in docx.Document(io.BytesIO(response.data)).paragraphs
    )
    assert "甲区司法局" in text
    assert "签发人：王某某" in text
    assert "测试市司法局" not in text
    pdf = client.get(f"/casebank/opinions/{opinion.id}/export.pdf").data
    pdf_text = _pdf_text(pdf).replace("\r", "").replace("\n", "")
    assert "甲区司法局" in pdf_text
    assert "签发人：王某某" in pdf_text
