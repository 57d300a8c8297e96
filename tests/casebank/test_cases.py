"""Case files: add (formats, batches, zips, paste), metadata, checks, scope, XSS."""

import io
import json
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from casebank import CATALOGUE_DIR
from casebank.cases.models import CaseBatch, CaseFile
from nlp.codes import finding_label
from portal.audit.models import AuditLog
from portal.extensions import db
from tests.factories import signed_in

DATA = Path(__file__).resolve().parents[1] / "data"
LABELS = {
    d["file"]: d for d in json.loads((DATA / "labels.json").read_text())["documents"]
}
XSS = '<script>alert("x")</script>'


def _decision(name):
    return (DATA / "decisions" / name).read_text(encoding="utf-8")


_login = signed_in


def _post(client, files=(), agency_id=None, text=""):
    data = {"text": text, "files": [(io.BytesIO(b), n) for n, b in files]}
    if agency_id is not None:
        data["agency_id"] = str(agency_id)
    return client.post(
        "/casebank/cases/new", data=data, content_type="multipart/form-data"
    )


def _cases():
    return list(db.session.scalars(sa.select(CaseFile).order_by(CaseFile.id)))


def _docx(text):
    import docx

    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _pdf(lines):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.setFont("STSong-Light", 10)
    for i, line in enumerate(lines):
        page.drawString(40, 800 - 14 * i, line)
    page.save()
    return buffer.getvalue()


def _zip(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


SHORT = (
    "甲区城管局\n行政处罚决定书\n江城城管罚〔2024〕12号\n"
    "当事人：王某，男，身份证号码略。\n"
    "经查，当事人在人行道擅自设置广告牌。\n"
    "决定：罚款人民币伍仟元（￥5000元）。\n甲区城管局\n2024年3月5日\n"
)


def test_upload_each_format_prefills_metadata_and_keeps_the_original(app, world):
    """Are .txt (UTF-8 and GBK), .docx, .pdf and pasted text imported with the
    original kept (hash, random name), the text stored and metadata prefilled?"""
    client = _login(app.test_client(), "agency_handler")
    gbk = SHORT.replace("12号", "13号").encode("gbk")
    files = [
        ("utf8.txt", SHORT.encode("utf-8")),
        ("gbk.txt", gbk),
        ("word.docx", _docx(SHORT.replace("12号", "14号"))),
        ("scan.pdf", _pdf(SHORT.replace("12号", "15号").split("\n"))),
    ]
    response = _post(client, files, world.agency.id, text=SHORT.replace("12号", "16号"))
    assert response.status_code == 302
    assert "/casebank/cases/batches/" in response.headers["Location"]
    cases = _cases()
    assert [c.doc_number for c in cases] == [
        f"江城城管罚〔2024〕{n}号" for n in (12, 13, 14, 15, 16)
    ]
    for case in cases:
        assert case.agency_id == world.agency.id
        assert case.decision_date == date(2024, 3, 5)
        assert case.party_type == "individual"
        assert case.fine_yuan == 5000.0
        assert "擅自设置广告牌" in case.text
    stored = Path(app.config["UPLOAD_DIR"]) / "cases"
    assert cases[1].stored_name
    assert (stored / cases[1].stored_name).read_bytes() == gbk
    assert "gbk" not in cases[1].stored_name
    import hashlib

    assert cases[1].sha256 == hashlib.sha256(gbk).hexdigest()
    assert cases[4].source_kind == "paste"
    assert cases[4].stored_name is None
    with client.get(f"/casebank/cases/{cases[1].id}/original") as download:
        assert download.status_code == 200
        assert download.data == gbk
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert page.count("已导入") >= 5


def test_batch_with_bad_files_imports_the_rest(app, world):
    """Does one bad file get its own error while the others import?"""
    client = _login(app.test_client(), "agency_handler")
    files = [
        ("good.txt", SHORT.encode()),
        ("fake.pdf", b"this is not a pdf at all, just text pretending"),
        ("old.doc", b"\xd0\xcf\x11\xe0 binary"),
        ("empty.txt", b""),
    ]
    response = _post(client, files, world.agency.id)
    assert response.status_code == 302
    assert len(_cases()) == 1
    batch = db.session.scalar(sa.select(CaseBatch))
    outcomes = {r["name"]: (r["outcome"], r["message"]) for r in batch.results}
    assert outcomes["good.txt"][0] == "imported"
    assert outcomes["fake.pdf"] == ("error", "文件内容与扩展名“.pdf”不符")
    assert "不支持的文件类型" in outcomes["old.doc"][1]
    assert outcomes["empty.txt"][0] == "error"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "文件内容与扩展名" in page
    assert "未导入" in page


def test_zip_import_refuses_traversal_nested_and_bombs(app, world):
    """Are unsafe paths ignored, nested zips refused, zip bombs refused whole?"""
    client = _login(app.test_client(), "agency_handler")
    archive = _zip(
        [
            ("a/one.txt", SHORT.encode()),
            ("../../evil.txt", SHORT.replace("12号", "99号").encode()),
            ("inner.zip", _zip([("x.txt", SHORT.encode())])),
            ("b/two.txt", SHORT.replace("12号", "20号").encode("gbk")),
        ]
    )
    _post(client, [("batch.zip", archive)], world.agency.id)
    assert [c.doc_number for c in _cases()] == [
        "江城城管罚〔2024〕12号",
        "江城城管罚〔2024〕20号",
    ]
    batch = db.session.scalar(sa.select(CaseBatch))
    outcomes = {r["name"]: (r["outcome"], r["message"]) for r in batch.results}
    assert outcomes["batch.zip/../../evil.txt"] == ("ignored", "路径不安全，已忽略")
    assert outcomes["batch.zip/inner.zip"][1] == "不支持嵌套的压缩包，请解压后上传"
    assert not any(
        p.name == "evil.txt" for p in Path(app.config["UPLOAD_DIR"]).rglob("*")
    )

    app.config["CASE_ZIP_MAX_BYTES"] = 1024 * 1024
    bomb = _zip([("bomb.txt", b"0" * (5 * 1024 * 1024))])
    assert len(bomb) < 20 * 1024
    _post(client, [("bomb.zip", bomb)], world.agency.id)
    batch = db.session.scalars(
        sa.select(CaseBatch).order_by(CaseBatch.id.desc())
    ).first()
    assert batch.results[0]["outcome"] == "error"
    assert "超过 1 MB 上限，已拒绝" in batch.results[0]["message"]
    app.config["CASE_ZIP_MAX_ENTRIES"] = 3
    many = _zip(
        [(f"{i}.txt", SHORT.replace("12号", f"{i}号").encode()) for i in range(4)]
    )
    _post(client, [("many.zip", many)], world.agency.id)
    batch = db.session.scalars(
        sa.select(CaseBatch).order_by(CaseBatch.id.desc())
    ).first()
    assert "超过 3 个上限" in batch.results[0]["message"]
    assert len(_cases()) == 2


def test_duplicate_file_in_agency_is_reported_not_imported(app, world):
    """Is the same file uploaded twice (or twice in one batch) imported once?"""
    client = _login(app.test_client(), "agency_handler")
    _post(
        client,
        [("a.txt", SHORT.encode()), ("copy.txt", SHORT.encode())],
        world.agency.id,
    )
    _post(client, [("again.txt", SHORT.encode())], world.agency.id)
    assert len(_cases()) == 1
    batches = list(db.session.scalars(sa.select(CaseBatch).order_by(CaseBatch.id)))
    assert [r["outcome"] for r in batches[0].results] == ["imported", "duplicate"]
    assert batches[1].results[0]["outcome"] == "duplicate"
    assert batches[1].results[0]["case_id"] == _cases()[0].id


def test_agency_is_read_from_the_text_when_not_chosen(app, world):
    """Does supervision staff's "auto" choice file the case under the named agency,
    and report a text that names none?"""
    client = _login(app.test_client(), "supervision_staff")
    _post(
        client,
        [
            ("named.txt", SHORT.encode()),
            ("anon.txt", SHORT.replace("甲区城管局", "某局").encode()),
        ],
        0,
    )
    cases = _cases()
    assert len(cases) == 1
    assert cases[0].agency_id == world.agency.id
    batch = db.session.scalar(sa.select(CaseBatch))
    assert "无法从文书中识别执法部门" in batch.results[1]["message"]


def test_metadata_edit_is_audited_and_a_new_date_rechecks(app, world):
    client = _login(app.test_client(), "agency_handler")
    _post(client, [("a.txt", SHORT.encode())], world.agency.id)
    case = _cases()[0]
    assert case.check_status == "checked"  # inline job, no Redis
    first_check = case.checked_at
    response = client.post(
        f"/casebank/cases/{case.id}",
        data={
            "doc_number": "江城城管罚〔2024〕120号",
            "agency_id": str(world.agency.id),
            "decision_date": "2024-03-06",
            "party_type": "organization",
            "fine_yuan": "4000",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert case.doc_number == "江城城管罚〔2024〕120号"
    assert case.decision_date == date(2024, 3, 6)
    assert case.party_type == "organization"
    assert case.fine_yuan == 4000.0
    entry = db.session.scalar(
        sa.select(AuditLog).where(AuditLog.action == "case_metadata_edited")
    )
    assert entry is not None
    assert "2024-03-05" in entry.before
    assert "2024-03-06" in entry.after
    assert case.check_status == "checked"
    assert case.checked_at > first_check  # the new date re-checked the case
    checked = case.checked_at
    client.post(
        f"/casebank/cases/{case.id}",
        data={
            "doc_number": "江城城管罚〔2024〕121号",
            "agency_id": str(world.agency.id),
            "decision_date": "2024-03-06",
            "party_type": "organization",
            "fine_yuan": "4000",
        },
    )
    db.session.expire_all()
    assert case.doc_number == "江城城管罚〔2024〕121号"
    assert case.checked_at == checked  # a new 文号 alone does not re-check
    bad = client.post(
        f"/casebank/cases/{case.id}",
        data={"agency_id": str(world.agency.id), "fine_yuan": "-1"},
    )
    assert bad.status_code == 400
    assert "罚款金额不能为负数" in bad.get_data(as_text=True)
    moved = client.post(
        f"/casebank/cases/{case.id}",
        data={"agency_id": str(world.other_agency.id), "fine_yuan": "1"},
    )
    assert moved.status_code == 400  # not a choice of the handler
    db.session.expire_all()
    assert case.agency_id == world.agency.id


@pytest.mark.parametrize("name", ["decisions/cg-002.txt", "decisions/cg-001.txt"])
def test_check_stores_the_labelled_findings(app, world, chengguan, name):
    """Does the inline check store the dev-set labels' findings, item and tier?"""
    label = LABELS[name]
    client = _login(app.test_client(), "agency_handler")
    _post(
        client,
        [(Path(name).name, _decision(Path(name).name).encode())],
        world.agency.id,
    )
    case = _cases()[0]
    assert case.check_status == "checked", case.check_error
    assert case.decision_date.isoformat() == label["decision_date"]
    assert sorted(f.code for f in case.findings) == sorted(label["findings"])
    assert case.review["match"]["item_id"] == label["item_id"]
    assert case.matched_item.code == label["item_id"]
    assert case.matched_version_id == chengguan.id
    assert case.matched_tier.level == label["tier"]
    assert case.finding_count == len(label["findings"])
    for finding in case.findings:
        assert finding.item_id == case.matched_item_id
        assert finding.tier_id == case.matched_tier_id
        for start, end in finding.spans:
            assert case.text[start:end] in finding.evidence
    page = client.get(f"/casebank/cases/{case.id}").get_data(as_text=True)
    assert "本案" in page  # the matched tier row
    assert 'class="hl-citation"' in page
    for code in label["findings"]:
        # The Chinese label is shown, never the raw code (issue #14).
        assert finding_label(code) in page
        assert f">{code}<" not in page


def test_publishing_a_version_rechecks_the_cases_it_covers(app, world, importer):
    """Is a case checked without a catalogue re-checked against one published later?"""
    client = _login(app.test_client(), "agency_handler")
    text = _decision("cg-002.txt")
    _post(client, [("cg-002.txt", text.encode())], world.agency.id)
    case = _cases()[0]
    assert case.check_status == "checked"
    assert case.matched_item_id is None
    document = json.loads((CATALOGUE_DIR / "chengguan.json").read_text())
    draft = importer(document, code="CG-DEMO", publish=False)
    staff = _login(app.test_client(), "supervision_staff")
    assert staff.post(f"/casebank/versions/{draft.id}/publish").status_code == 302
    db.session.expire_all()
    case = db.session.get(CaseFile, case.id)
    assert case.check_status == "checked"
    assert case.matched_version_id == draft.id
    assert [f.code for f in case.findings] == ["FINE_OUTSIDE_TIER"]
    staff.post(f"/casebank/versions/{draft.id}/withdraw", data={"reason": "错误"})
    db.session.expire_all()
    case = db.session.get(CaseFile, case.id)
    assert case.matched_version_id is None
    assert case.check_status == "checked"


def test_scope_other_agency_and_region_get_404(app, world, factories):
    from portal.auth.models import Role

    client = _login(app.test_client(), "supervision_staff")
    _post(
        client,
        [("b.txt", SHORT.replace("甲区城管局", "乙县市场监管局").encode())],
        world.other_agency.id,
    )
    case = _cases()[0]
    assert case.agency_id == world.other_agency.id
    handler = _login(app.test_client(), "agency_handler")
    assert handler.get(f"/casebank/cases/{case.id}").status_code == 404
    assert handler.post(f"/casebank/cases/{case.id}/recheck").status_code == 404
    assert handler.get(f"/casebank/cases/{case.id}/original").status_code == 404
    assert str(case.doc_number) not in handler.get("/casebank/cases").get_data(
        as_text=True
    )
    factories.user(
        username="district-staff",
        role=Role.SUPERVISION_STAFF,
        scope=world.district,
        organisation=world.district,
    )
    db.session.commit()
    district = _login(app.test_client(), "district-staff")
    assert district.get(f"/casebank/cases/{case.id}").status_code == 404
    # The handler cannot add to another agency either.
    response = _post(handler, [("c.txt", SHORT.encode())], world.other_agency.id)
    assert response.status_code == 400
    assert len(_cases()) == 1


def test_pasted_script_is_rendered_inert_and_personal_numbers_masked(app, world):
    client = _login(app.test_client(), "agency_handler")
    text = SHORT.replace(
        "擅自设置广告牌",
        f"擅自设置广告牌{XSS}，身份证号码420111197903151234，电话13812345678",
    )
    _post(client, [], world.agency.id, text=text)
    case = _cases()[0]
    page = client.get(f"/casebank/cases/{case.id}").get_data(as_text=True)
    assert XSS not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "420111197903151234" not in page
    assert "420***********1234" in page
    assert "13812345678" not in page
    assert "138****5678" in page


def test_highlight_escapes_and_nests_overlapping_spans():
    from casebank.cases.highlight import highlight

    markup = str(highlight("a<b>罚款5000元", [(1, 4, "finding"), (3, 11, "amount")]))
    assert markup == (
        'a<mark class="hl-finding" title="检查发现的证据">&lt;b</mark>'
        '<mark class="hl-amount hl-finding" title="金额、检查发现的证据">&gt;</mark>'
        '<mark class="hl-amount" title="金额">罚款5000元</mark>'
    )


def test_failed_check_keeps_the_case(app, world, monkeypatch):
    """Does a check that raises mark the case 检查失败 with the error?"""
    from casebank import reviewer

    def broken(*args, **kwargs):
        raise RuntimeError("模型不可用")

    monkeypatch.setattr(reviewer, "make_reviewer", broken)
    client = _login(app.test_client(), "agency_handler")
    _post(client, [("a.txt", SHORT.encode())], world.agency.id)
    case = _cases()[0]
    assert case.check_status == "failed"
    assert "模型不可用" in case.check_error
    page = client.get(f"/casebank/cases/{case.id}").get_data(as_text=True)
    assert "检查失败" in page
    monkeypatch.undo()
    client.post(f"/casebank/cases/{case.id}/recheck")
    db.session.expire_all()
    assert db.session.get(CaseFile, case.id).check_status == "checked"


def test_list_filters(app, world, chengguan):
    client = _login(app.test_client(), "agency_handler")
    _post(
        client,
        [
            ("cg-002.txt", _decision("cg-002.txt").encode()),
            ("cg-001.txt", _decision("cg-001.txt").encode()),
        ],
        world.agency.id,
    )
    flagged = client.get("/casebank/cases?findings=yes").get_data(as_text=True)
    clean = client.get("/casebank/cases?findings=no").get_data(as_text=True)
    assert "江西城管罚决字〔2023〕第87号" in flagged
    assert "江西城管罚决字〔2023〕第87号" not in clean
    dated = client.get("/casebank/cases?from=2023-09-01&to=2023-09-30").get_data(
        as_text=True
    )
    assert "江西城管罚决字〔2023〕第87号" in dated
    assert _count_rows(dated) == 1


def _count_rows(page):
    return len(re.findall(r'href="/casebank/cases/\d+"', page))


def test_forms_carry_csrf_tokens(app, world):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post(
        "/login",
        data={"login": "agency_handler", "password": "Passw0rd!", "csrf_token": token},
    )
    page = client.get("/casebank/cases/new").get_data(as_text=True)
    assert 'name="csrf_token"' in page
    response = _post(client, [("a.txt", SHORT.encode())], world.agency.id)
    assert response.status_code == 400
    assert _cases() == []


def test_demo_cases_are_seeded_and_their_findings_match_the_labels(app, demo_seeded):
    """Does `seed demo` file 20 dev-set decisions and a peer group of ten
    (idempotently), does the check find exactly the labelled finding codes, and
    does the demo show 同案不同罚 computed in the portal: in the peer group (ten
    CG-002 一般 decisions of 江城市) the two fines at the ends of the tier with no
    stated reason are flagged, the two explained by stated facts are not, and the
    case page shows the peer chart and the finding's Chinese label (issue #13)?"""
    from casebank.cases.checks import check_cases
    from casebank.cases.queries import pending_case_ids
    from portal.seed import DEMO_PASSWORD, seed_demo

    assert demo_seeded["cases"] == 30
    assert check_cases(pending_case_ids()) == {"checked": 30, "failed": 0}
    db.session.expire_all()
    flagged = []
    for case in _cases():
        codes = {f.code for f in case.findings if f.closed_at is None}
        if case.original_filename.startswith("g01-"):
            if "INCONSISTENT_WITH_SIMILAR" in codes:
                flagged.append(case)
            continue
        label = LABELS[f"decisions/{case.original_filename}"]
        assert codes == set(label["findings"]), label["file"]
        assert case.decision_date.isoformat() == label["decision_date"]
        assert case.party_type == label["party"]
    # 05: 8,000 元, the top of 3,000–8,000, no reason; 07: 2,000 元, below the
    # group, no reason; 08 and 09 sit at the ends with stated facts.
    assert sorted(c.original_filename for c in flagged) == ["g01-05.txt", "g01-07.txt"]
    client = app.test_client()
    signed_in = client.post(
        "/login", data={"login": "supervisor", "password": DEMO_PASSWORD}
    )
    assert signed_in.status_code == 302
    page = client.get(f"/casebank/cases/{flagged[0].id}").get_data(as_text=True)
    assert "同类案件罚款比对" in page
    assert "与同类案件处罚明显不一致" in page  # the finding's Chinese label
    visible = re.sub(r"<[^>]+>", " ", page)
    assert "INCONSISTENT_WITH_SIMILAR" not in visible  # no English code shown
    assert seed_demo(users=8)["cases"] == 0


def test_dashboard_counts_flagged_cases_and_links_them(app, world, chengguan):
    client = _login(app.test_client(), "agency_handler")
    _post(client, [("cg-002.txt", _decision("cg-002.txt").encode())], world.agency.id)
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/casebank/cases"' in page
    assert 'href="/casebank/cases/new"' in page
    assert re.search(r"检查发现问题的案卷</dt><dd[^>]*>1</dd>", page)


def test_only_cases_a_version_covers_are_marked_and_the_sweep_checks_them(
    app, world, importer
):
    """Does publishing mark the cases of its domain, jurisdiction and period only,
    and does the periodic sweep check what was left pending?"""
    from casebank.cases.checks import check_pending_cases

    client = _login(app.test_client(), "agency_handler")
    _post(client, [("cg-002.txt", _decision("cg-002.txt").encode())], world.agency.id)
    case = _cases()[0]
    assert case.check_status == "checked"
    market = json.loads((CATALOGUE_DIR / "shichang.json").read_text())
    importer(market, code="SC-DEMO")  # 市场监管: not the 城管 agency's domain
    db.session.expire_all()
    assert db.session.get(CaseFile, case.id).check_status == "checked"
    later = json.loads((CATALOGUE_DIR / "chengguan.json").read_text())
    later["effective_from"] = "2024-01-01"  # after the decision (2023-09-05)
    importer(later, code="CG-LATER")
    db.session.expire_all()
    assert db.session.get(CaseFile, case.id).check_status == "checked"
    covering = json.loads((CATALOGUE_DIR / "chengguan.json").read_text())
    covering["name"] = "城管裁量基准（覆盖）"
    importer(covering, code="CG-COVER")  # committed by the fixture, not enqueued
    db.session.expire_all()
    assert db.session.get(CaseFile, case.id).check_status == "pending"
    assert check_pending_cases() == 1
    db.session.expire_all()
    case = db.session.get(CaseFile, case.id)
    assert case.check_status == "checked"
    assert case.matched_version.catalogue.code == "CG-COVER"
