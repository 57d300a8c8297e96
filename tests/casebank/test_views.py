"""Catalogue screens: browse, search, show tiers, import preview/commit, export."""

import io
import json
import re

import sqlalchemy as sa
from openpyxl import load_workbook

from casebank.models import CatalogueVersion
from portal.audit.models import AuditLog
from portal.extensions import db
from tests.factories import signed_in

XSS = '<script>alert("x")</script>'


_login = signed_in


def _count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_list_search_and_show_render_tiers_as_tables(app, world, spec, importer):
    """Does an officer find a catalogue by an item's text and see its tiers?"""
    version = importer(spec, code="CG")
    other = json.loads(json.dumps(spec))
    other["name"], other["items"][0]["domain"] = "某市市场监管裁量基准", "市场监管"
    other["items"][0]["violation"] = "销售不符合标准的商品"
    importer(other, code="SC")
    client = _login(app.test_client(), "officer")

    page = client.get("/casebank/catalogues?q=路灯").get_data(as_text=True)
    assert "某市城市管理行政处罚裁量基准" in page
    assert "某市市场监管裁量基准" not in page
    market = db.session.scalar(sa.text("SELECT id FROM domains WHERE code = 'market'"))
    page = client.get(f"/casebank/catalogues?domain_id={market}").get_data(as_text=True)
    assert "某市市场监管裁量基准" in page
    assert "某市城市管理行政处罚裁量基准" not in page
    page = client.get("/casebank/catalogues?on=2020-01-01").get_data(as_text=True)
    assert "没有符合条件" in page
    page = client.get("/casebank/catalogues?on=2024-01-01&issuer=城市管理局").get_data(
        as_text=True
    )
    assert "2023-12-01 至 长期" in page

    page = client.get(f"/casebank/versions/{version.id}").get_data(as_text=True)
    assert re.search(r"<th[^>]*>裁量阶次</th>", page)
    assert "0～5,000 元" in page
    assert "1～3 倍（违法所得）" in page
    assert "有违法所得的" in page
    assert "5～10 元/平方米" in page
    assert "单位：" in page
    assert "0.5 %（工程造价）以上" in page
    assert "不予处罚" in page  # the general rule's kind
    page = client.get(f"/casebank/versions/{version.id}?q=不存在的事项").get_data(
        as_text=True
    )
    assert "没有符合条件的事项" in page
    page = client.get(f"/casebank/catalogues/{version.catalogue_id}").get_data(
        as_text=True
    )
    assert "版本历史" in page
    assert "已发布" in page


def test_anonymous_visitors_and_drafts(app, world, spec, importer):
    """The public sees nothing; a draft is 404 to readers, visible to managers."""
    draft = importer(spec, code="CG", publish=False)
    assert app.test_client().get("/casebank/catalogues").status_code == 302
    officer = _login(app.test_client(), "officer")
    assert officer.get(f"/casebank/versions/{draft.id}").status_code == 404
    assert officer.get(f"/casebank/versions/{draft.id}/export.json").status_code == 404
    history = officer.get(f"/casebank/catalogues/{draft.catalogue_id}").get_data(
        as_text=True
    )
    assert "没有可查看的版本" in history
    staff = _login(app.test_client(), "supervision_staff")
    assert staff.get(f"/casebank/versions/{draft.id}").status_code == 200


def test_xss_in_name_and_condition_is_escaped(app, world, spec, importer):
    """Is a script in a catalogue name or a tier condition shown as text?"""
    spec["name"] = f"恶意{XSS}"
    spec["items"][0]["tiers"][0]["condition"] = XSS
    spec["items"][0]["tiers"][1]["fines"][0]["condition"] = XSS
    version = importer(spec, code="XSS")
    client = _login(app.test_client(), "officer")
    for url in (
        "/casebank/catalogues",
        f"/casebank/catalogues/{version.catalogue_id}",
        f"/casebank/versions/{version.id}",
    ):
        page = client.get(url).get_data(as_text=True)
        assert XSS not in page, url
        assert "&lt;script&gt;" in page, url


def _upload(client, data, filename, **fields):
    form = {"file": (io.BytesIO(data), filename), **fields}
    return client.post(
        "/casebank/import", data=form, content_type="multipart/form-data"
    )


def _confirm_fields(page):
    return dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', page))


def test_import_preview_then_commit_once(app, world, spec):
    """Preview saves nothing; commit saves once; a second submit saves nothing more."""
    client = _login(app.test_client(), "supervision_staff")
    raw = json.dumps(spec, ensure_ascii=False).encode()
    response = _upload(
        client,
        raw,
        "cg.json",
        jurisdiction_id=world.city.id,
        catalogue_id=0,
        publish="y",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "CG-012" in page
    assert "新建目录" in page
    assert "城管" in page
    assert _count(CatalogueVersion) == 0
    fields = _confirm_fields(page)
    assert fields["publish"] == "1"
    first = client.post("/casebank/import/commit", data=fields)
    assert first.status_code == 302
    assert "/casebank/versions/" in first.headers["Location"]
    second = client.post("/casebank/import/commit", data=fields)
    assert second.status_code == 302
    assert second.headers["Location"].endswith("/casebank/catalogues")
    assert _count(CatalogueVersion) == 1
    version = db.session.scalar(sa.select(CatalogueVersion))
    assert version.status == "published"
    assert version.imported_by.username == "supervision_staff"
    actions = db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions[-2:] == ["catalogue_imported", "catalogue_published"]


def test_import_preview_lists_every_error_and_offers_no_commit(app, world, spec):
    """Does an invalid upload show each error (item + field) and no confirm button?"""
    spec["items"][0]["tiers"][0]["fines"][0]["unit"] = "jin"
    spec["items"][0]["tiers"][1].pop("level")
    client = _login(app.test_client(), "sys_admin")
    response = _upload(
        client,
        json.dumps(spec, ensure_ascii=False).encode(),
        "bad.json",
        jurisdiction_id=world.city.id,
        catalogue_id=0,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "发现 2 处错误" in page
    assert "事项 CG-012 第1档 fines[0]：unit “jin”" in page
    assert "事项 CG-012 第2档：缺少必填字段 level" in page
    assert "确认导入" not in page
    assert _count(CatalogueVersion) == 0


def test_xlsx_upload_and_exports_download(app, world, spec, importer):
    """Export .json/.xlsx; the .xlsx re-imports through the screens unchanged."""
    version = importer(spec, code="CG")
    client = _login(app.test_client(), "supervision_staff")
    exported = client.get(f"/casebank/versions/{version.id}/export.json")
    assert exported.status_code == 200
    assert "attachment" in exported.headers["Content-Disposition"]
    document = json.loads(exported.get_data())
    assert document["items"][0]["tiers"][1]["fines"][0]["base"] == "违法所得"
    xlsx = client.get(f"/casebank/versions/{version.id}/export.xlsx")
    assert xlsx.status_code == 200
    assert load_workbook(io.BytesIO(xlsx.get_data()))["裁量基准"].max_row == 3
    template = client.get("/casebank/import/template.xlsx")
    assert "说明" in load_workbook(io.BytesIO(template.get_data())).sheetnames

    # Same content, new period: a new version of the same catalogue, via .xlsx.
    book = load_workbook(io.BytesIO(xlsx.get_data()))
    for row in book["目录信息"].iter_rows(min_row=2):
        if row[0].value == "生效日期":
            row[1].value = "2026-01-01"
    buffer = io.BytesIO()
    book.save(buffer)
    response = _upload(
        client,
        buffer.getvalue(),
        "新版.xlsx",
        jurisdiction_id=world.city.id,
        catalogue_id=version.catalogue_id,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "已有目录 CG" in page
    client.post("/casebank/import/commit", data=_confirm_fields(page))
    new = db.session.scalar(
        sa.select(CatalogueVersion).order_by(CatalogueVersion.id.desc()).limit(1)
    )
    assert (new.catalogue_id, new.status, new.source_format) == (
        version.catalogue_id,
        "draft",
        "xlsx",
    )

    response = client.post(f"/casebank/versions/{new.id}/publish")
    assert response.status_code == 302
    db.session.expire_all()
    assert new.status == "published"
    assert version.effective_to.isoformat() == "2025-12-31"
    response = client.post(
        f"/casebank/versions/{new.id}/withdraw", data={"reason": "发布有误"}
    )
    db.session.expire_all()
    assert new.status == "withdrawn"
    again = client.post(f"/casebank/versions/{new.id}/withdraw", follow_redirects=True)
    assert "该版本已撤回" in again.get_data(as_text=True)


def test_supervision_staff_manage_only_their_scope(
    app, world, spec, importer, factories
):
    """A district's supervision staff cannot import for, publish or withdraw the
    city's catalogue, and are not offered the city as a jurisdiction."""
    from portal.auth.models import Role

    factories.user(
        username="district-staff",
        role=Role.SUPERVISION_STAFF,
        scope=world.district,
        organisation=world.agency,
    )
    draft = importer(spec, code="CG", publish=False)
    client = _login(app.test_client(), "district-staff")
    page = client.get("/casebank/import").get_data(as_text=True)
    options = re.search(r'name="jurisdiction_id".*?</select>', page, re.S).group(0)
    assert f'value="{world.district.id}"' in options
    assert f'value="{world.city.id}"' not in options
    assert client.post(f"/casebank/versions/{draft.id}/publish").status_code == 404
    response = _upload(
        client,
        json.dumps(spec).encode(),
        "c.json",
        jurisdiction_id=world.city.id,
        catalogue_id=0,
    )
    assert response.status_code == 400  # not a valid choice
    assert _count(CatalogueVersion) == 1


def test_forms_carry_csrf_tokens(app, world, spec, importer):
    """With CSRF on, the screens' forms carry a token and a POST without one fails."""
    draft = importer(spec, code="CG", publish=False)
    app.config["WTF_CSRF_ENABLED"] = True
    client = _login_csrf(app)
    page = client.get("/casebank/import").get_data(as_text=True)
    assert 'name="csrf_token"' in page
    page = client.get(f"/casebank/versions/{draft.id}").get_data(as_text=True)
    assert page.count('name="csrf_token"') >= 2  # publish and withdraw
    assert client.post(f"/casebank/versions/{draft.id}/publish").status_code == 400
    db.session.expire_all()
    assert draft.status == "draft"


def _login_csrf(app):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(
        "/login",
        data={
            "login": "supervision_staff",
            "password": "Passw0rd!",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    return client


def test_dashboard_links_supervision_staff_to_catalogues(app, world):
    """Does the 执法监督人员 panel link to the catalogue list instead of "coming"?"""
    client = _login(app.test_client(), "supervision_staff")
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/casebank/catalogues"' in page


def test_preview_shows_refusals_before_the_confirm_step(app, world, spec, importer):
    """Are a file already imported and an overlapping publication refused in the
    preview itself, with no confirm button?"""
    version = importer(spec, code="CG")
    client = _login(app.test_client(), "supervision_staff")
    raw = json.dumps(spec, ensure_ascii=False).encode()
    response = _upload(
        client, raw, "again.json", jurisdiction_id=world.city.id, catalogue_id=0
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "相同内容已导入" in page
    assert "确认导入" not in page

    overlapping = json.loads(raw)
    overlapping["effective_from"], overlapping["effective_to"] = "2022-01-01", None
    response = _upload(
        client,
        json.dumps(overlapping, ensure_ascii=False).encode(),
        "overlap.json",
        jurisdiction_id=world.city.id,
        catalogue_id=version.catalogue_id,
        publish="y",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "重叠" in page
    assert "确认导入" not in page
    assert _count(CatalogueVersion) == 1


def test_current_version_follows_the_china_date(app, world, spec, importer):
    """At 01:00 in Beijing on 1 January (still 31 December in UTC) the edition
    starting that day is shown as the current one."""
    from freezegun import freeze_time

    first = json.loads(json.dumps(spec))
    first["effective_from"] = "2024-01-01"
    old = importer(first, code="CG")
    second = json.loads(json.dumps(spec))
    second["effective_from"], second["name"] = "2025-01-01", "2025年版"
    new = importer(second, catalogue=old.catalogue)
    with freeze_time("2024-12-31 17:00:00"):
        client = _login(app.test_client(), "officer")
        page = client.get(f"/casebank/catalogues/{old.catalogue_id}").get_data(
            as_text=True
        )
    current = re.search(r"现行版本</dt><dd[^>]*>(.*?)</dd>", page).group(1)
    assert f"/casebank/versions/{new.id}" in current
    assert "2025-01-01 至 长期" in current
