"""Catalogue import/export, validation, versions in force and the checker glue."""

import io
import json
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from casebank import documents, queries, services
from casebank.models import (
    BenchmarkCatalogue,
    BenchmarkFine,
    BenchmarkTier,
    CatalogueVersion,
)
from casebank.xlsx import build_template, write_xlsx
from nlp.catalogue import load_catalogue, parse_catalogue
from portal.actor import Actor
from portal.audit.models import AuditLog
from portal.exceptions import Conflict
from portal.extensions import db
from tests.casebank.conftest import DEMO_FILES


def _count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _normal(document):
    """The document as the format defines it (unknown keys ignored, defaults filled)."""
    return parse_catalogue(document).to_json()


@pytest.mark.parametrize("path", DEMO_FILES, ids=lambda p: p.stem)
def test_json_round_trip_of_every_demo_catalogue(app, world, path):
    """Does import → export give back the demo file, rows and note included?"""
    raw = path.read_bytes()
    plan = documents.read_document(path.name, raw)
    version = services.import_catalogue(
        plan, Actor.system(), jurisdiction=world.city, filename=path.name
    )
    db.session.commit()
    db.session.expire_all()
    source = json.loads(raw)
    exported = queries.export_document(version)
    assert _normal(exported) == _normal(source)
    assert exported.get("note") == source.get("note")
    assert version.source_json == raw.decode("utf-8")
    tiers = sum(len(i["tiers"]) for i in source["items"])
    assert _count(BenchmarkTier) == tiers
    assert [i.code for i in version.items] == [i["id"] for i in source["items"]]


@pytest.mark.parametrize("path", DEMO_FILES, ids=lambda p: p.stem)
def test_xlsx_export_imports_back_to_the_same_catalogue(app, world, path):
    """Does the .xlsx written from a demo catalogue read back to the same JSON?"""
    source = json.loads(path.read_bytes())
    data = write_xlsx(_normal(source) | {"note": source.get("note")})
    plan = documents.read_document("c.xlsx", data)
    assert plan.catalogue.to_json() == _normal(source)
    version = services.import_catalogue(
        plan, Actor.system(), jurisdiction=world.city, source_format="xlsx"
    )
    db.session.commit()
    assert _normal(queries.export_document(version)) == _normal(source)
    assert queries.export_document(version).get("note") == source.get("note")


def test_filled_template_imports_as_the_equivalent_json(app, world, spec):
    """A person fills the downloaded template (a new item over two tier rows, a
    rule); the import equals the JSON document written by hand."""
    book = load_workbook(io.BytesIO(build_template()))
    info = book["目录信息"]
    for row in info.iter_rows(min_row=2):
        if row[0].value == "生效日期":
            row[1].value = date(2024, 3, 1)  # Excel stores a date, not text
    book["通用规则"].append(
        ["G-32", "从轻/减轻", "《行政处罚法》第三十二条", "主动消除危害后果"]
    )
    sheet = book["裁量基准"]
    sheet.append(
        [
            "CG-020",
            "城市管理",
            "擅自占用城市道路",
            "《城市道路管理条例》第二十七条",
            "《城市道路管理条例》第四十二条",
            "责令限期改正",
            "不分：0~20000元",
            "轻微",
            "占道1日以内",
            "责令限期改正",
            "个人：0~500元\n单位：500~2000元",
        ]
    )
    sheet.append(
        [
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "严重",
            "占道3日以上",
            "责令限期改正\n没收",
            "不分：1~3倍（违法所得）【有违法所得的】；不分：5~10元/平方米",
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    plan = documents.read_document("filled.xlsx", buffer.getvalue())

    expected = json.loads(json.dumps(spec))
    expected["effective_from"] = "2024-03-01"
    expected["general_rules"].append(
        {
            "id": "G-32",
            "kind": "mitigate",
            "basis": "《行政处罚法》第三十二条",
            "condition": "主动消除危害后果",
        }
    )
    expected["items"][0]["tiers"][1]["condition"] = (
        "单体面积2平方米以上10平方米以下，或者3处以上10处以下"
    )
    expected["items"][0]["tiers"][1]["fines"] = [
        {"party": "any", "min": 5000, "max": 10000, "unit": "yuan"}
    ]
    expected["items"].append(
        {
            "id": "CG-020",
            "domain": "城市管理",
            "violation": "擅自占用城市道路",
            "violated_provisions": ["《城市道路管理条例》第二十七条"],
            "penalty_provisions": ["《城市道路管理条例》第四十二条"],
            "statutory": {
                "measures": ["责令限期改正"],
                "fines": [{"party": "any", "min": 0, "max": 20000, "unit": "yuan"}],
            },
            "tiers": [
                {
                    "level": "轻微",
                    "condition": "占道1日以内",
                    "measures": ["责令限期改正"],
                    "fines": [
                        {"party": "individual", "min": 0, "max": 500, "unit": "yuan"},
                        {
                            "party": "organization",
                            "min": 500,
                            "max": 2000,
                            "unit": "yuan",
                        },
                    ],
                },
                {
                    "level": "严重",
                    "condition": "占道3日以上",
                    "measures": ["责令限期改正", "没收"],
                    "fines": [
                        {
                            "party": "any",
                            "min": 1,
                            "max": 3,
                            "unit": "multiple",
                            "base": "违法所得",
                            "condition": "有违法所得的",
                        },
                        {
                            "party": "any",
                            "min": 5,
                            "max": 10,
                            "unit": "yuan_per_unit",
                            "base": "平方米",
                        },
                    ],
                },
            ],
        }
    )
    assert plan.catalogue.to_json() == _normal(expected)


def test_xlsx_neutralises_formulas_and_reads_them_back(app, spec):
    """Is a condition starting with '=' written as text and read back unchanged?"""
    spec["items"][0]["tiers"][0]["condition"] = '=HYPERLINK("http://x","点我")'
    data = write_xlsx(_normal(spec))
    sheet = load_workbook(io.BytesIO(data))["裁量基准"]
    assert sheet["I2"].data_type != "f"
    assert sheet["I2"].value.startswith("'=")
    plan = documents.read_document("x.xlsx", data)
    assert plan.catalogue.items[0].tiers[0].condition == '=HYPERLINK("http://x","点我")'


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda d: d["items"][0].pop("violation"),
            "事项 CG-012：缺少必填字段 violation",
        ),
        (
            lambda d: d["items"][0]["tiers"][0]["fines"][0].update(unit="jin"),
            "事项 CG-012 第1档 fines[0]：unit “jin”",
        ),
        (
            lambda d: d["items"][0]["tiers"][0]["fines"][0].update(min=9000),
            "事项 CG-012 第1档 fines[0]：min 大于 max",
        ),
        (
            lambda d: d.update(effective_from="2023-13-01"),
            "effective_from “2023-13-01”",
        ),
        (lambda d: d.update(format="zhifa.benchmarks/2"), "format 必须为"),
        (
            lambda d: d["items"][0]["tiers"][1].pop("level"),
            "事项 CG-012 第2档：缺少必填字段 level",
        ),
    ],
    ids=[
        "missing-key",
        "bad-unit",
        "min-above-max",
        "bad-date",
        "unknown-format",
        "no-level",
    ],
)
def test_errors_name_item_and_field_and_nothing_is_saved(
    app, world, spec, mutate, expected
):
    """Is every invalid document refused with the item and the field named, and is
    nothing stored?"""
    mutate(spec)
    raw = json.dumps(spec, ensure_ascii=False).encode()
    with pytest.raises(documents.CatalogueImportError) as caught:
        documents.read_document("bad.json", raw)
    assert any(expected in e for e in caught.value.errors), caught.value.errors
    db.session.commit()
    assert _count(CatalogueVersion) == 0
    assert _count(BenchmarkCatalogue) == 0


def test_every_error_is_listed_at_once(app, spec):
    """Does one upload report the errors of several items and tiers together?"""
    second = json.loads(json.dumps(spec["items"][0]))
    second["id"] = "CG-013"
    second["statutory"]["fines"][0]["unit"] = "两"
    spec["items"].append(second)
    spec["items"][0]["tiers"][0]["fines"][0]["min"] = 9000
    spec["items"][0]["tiers"][1]["fines"][0].pop("base")
    spec.pop("issuer")
    with pytest.raises(documents.CatalogueImportError) as caught:
        documents.validate_document(spec)
    errors = caught.value.errors
    assert len(errors) == 4, errors
    assert "裁量基准：缺少必填字段 issuer" in errors
    assert any(e.startswith("事项 CG-013 statutory fines[0]：unit") for e in errors)
    assert any("CG-012 第1档" in e and "min 大于 max" in e for e in errors)
    assert any("CG-012 第2档" in e and "base" in e for e in errors)


def test_xlsx_layout_errors_name_row_and_item(app, spec):
    """Is an unreadable fine in the sheet reported with its row and item?"""
    book = load_workbook(io.BytesIO(write_xlsx(_normal(spec))))
    book["裁量基准"]["K3"].value = "五千到一万元"
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(documents.CatalogueImportError) as caught:
        documents.read_document("x.xlsx", buffer.getvalue())
    assert any(
        "第3行（事项 CG-012）" in e and "五千到一万元" in e for e in caught.value.errors
    )


def test_non_xlsx_and_non_json_uploads_are_refused(app):
    """Are a renamed file and a zip that is not a workbook refused in Chinese?"""
    with pytest.raises(documents.CatalogueImportError, match="不是有效的 .xlsx"):
        documents.read_document("x.xlsx", b"not a zip at all")
    with pytest.raises(documents.CatalogueImportError, match="UTF-8"):
        documents.read_document("x.json", "{}".encode("gbk") + b"\xff\xfe")
    with pytest.raises(documents.CatalogueImportError, match="不是 JSON"):
        documents.read_document("x.json", build_template())


def _period(spec, start, end=None, name=None):
    doc = json.loads(json.dumps(spec))
    doc["effective_from"], doc["effective_to"] = start, end
    if name:
        doc["name"] = name
    return doc


def test_version_in_force_by_date(app, world, spec, importer):
    """Before, inside and after a closed period, and on an open-ended one."""
    old = importer(_period(spec, "2020-01-01", "2022-12-31"), code="CG")
    catalogue = old.catalogue
    new = importer(_period(spec, "2023-01-01"), catalogue=catalogue)
    assert queries.version_in_force(catalogue, date(2019, 12, 31)) is None
    assert queries.version_in_force(catalogue, date(2020, 1, 1)) == old
    assert queries.version_in_force(catalogue, date(2022, 12, 31)) == old
    assert queries.version_in_force(catalogue, date(2023, 1, 1)) == new
    assert queries.version_in_force(catalogue, date(2099, 1, 1)) == new
    draft = importer(
        _period(spec, "2030-01-01", name="草稿版"), catalogue=catalogue, publish=False
    )
    assert queries.version_in_force(catalogue, date(2031, 1, 1)) == new  # drafts never
    services.withdraw_version(new, Actor.system())
    db.session.commit()
    assert queries.version_in_force(catalogue, date(2024, 1, 1)) is None
    assert draft.status == "draft"


def test_publishing_closes_the_open_ended_edition_it_supersedes(
    app, world, spec, importer
):
    """A new edition closes the open-ended one the day before it starts (audited)."""
    first = importer(_period(spec, "2023-01-01"), code="CG")
    second = importer(
        _period(spec, "2025-07-01", name="2025年版"), catalogue=first.catalogue
    )
    db.session.expire_all()
    assert first.effective_to == date(2025, 6, 30)
    assert queries.version_in_force(first.catalogue, date(2025, 6, 30)) == first
    assert queries.version_in_force(first.catalogue, date(2025, 7, 1)) == second
    assert first.catalogue.name == "2025年版"
    entry = db.session.scalar(
        sa.select(AuditLog)
        .where(AuditLog.action == "catalogue_published")
        .order_by(AuditLog.id.desc())
    )
    assert "2025-06-30" in entry.after


def test_overlapping_publication_is_refused_and_saves_nothing(
    app, world, spec, importer
):
    """Is a version overlapping a closed or later published period refused, with a
    Chinese message, leaving the catalogue unchanged?"""
    first = importer(_period(spec, "2023-01-01", "2024-12-31"), code="CG")
    catalogue = first.catalogue
    for start, end in (
        ("2024-06-01", None),
        ("2022-01-01", "2023-02-01"),
        ("2022-01-01", None),
    ):
        with pytest.raises(Conflict, match="重叠"):
            services.import_catalogue(
                documents.validate_document(_period(spec, start, end)),
                Actor.system(),
                jurisdiction=world.city,
                catalogue=catalogue,
                publish=True,
            )
        db.session.rollback()
    assert _count(CatalogueVersion) == 1
    # As a draft it may be stored, but publishing it later is refused too.
    draft = importer(_period(spec, "2024-06-01"), catalogue=catalogue, publish=False)
    with pytest.raises(Conflict, match="重叠"):
        services.publish_version(draft, Actor.system())
    db.session.rollback()
    assert draft.status == "draft"
    assert first.effective_to == date(2024, 12, 31)


def test_same_file_twice_is_refused(app, world, spec, importer):
    """Does importing the identical document again into a catalogue save nothing?"""
    importer(spec, code="CG")
    with pytest.raises(Conflict, match="相同内容已导入"):
        importer(spec)
    db.session.rollback()
    assert _count(CatalogueVersion) == 1


def test_versions_in_force_by_domain_and_organisation(
    app, world, spec, importer, factories
):
    """The checker's lookup: domain, ancestors of the deciding agency, the date."""
    from portal.orgs.models import Domain

    city = importer(_period(spec, "2023-01-01"), code="CITY")
    district_doc = _period(spec, "2023-01-01", name="甲区城管裁量基准")
    district = importer(district_doc, code="DIST", jurisdiction=world.district)
    other = importer(
        _period(spec, "2023-01-01", name="乙县基准"),
        code="OTHER",
        jurisdiction=world.other_district,
    )
    chengguan = db.session.scalar(sa.select(Domain).where(Domain.code == "chengguan"))
    market = db.session.scalar(sa.select(Domain).where(Domain.code == "market"))
    assert [d.code for d in city.catalogue.domains] == ["chengguan"]  # 城市管理 → 城管
    found = queries.versions_in_force(date(2024, 1, 1), chengguan, world.agency)
    assert found == [district, city]  # most local first; 乙县's is not an ancestor
    assert other not in found
    assert queries.versions_in_force(date(2024, 1, 1), market, world.agency) == []
    assert queries.versions_in_force(date(2022, 1, 1), chengguan, world.agency) == []


def test_fine_rows_keep_units_and_condition(app, world, spec, importer):
    """Are multiple/percent/yuan-per-unit rows and the row condition stored?"""
    version = importer(spec)
    rows = db.session.scalars(sa.select(BenchmarkFine).order_by(BenchmarkFine.id)).all()
    labels = [(r.party_label, r.range_label, r.condition) for r in rows]
    assert ("个人", "1～3 倍（违法所得）", "有违法所得的") in labels
    assert ("单位", "5～10 元/平方米", None) in labels
    assert ("不分", "0.5 %（工程造价）以上", None) in labels
    assert ("不分", "0～20,000 元", None) in labels  # statutory
    assert version.items[0].statutory_fines[0].tier is None


def test_to_nlp_catalogue_reviews_like_the_files(app, world):
    """Does the checker give the same result from the database as from the files?"""
    from casebank.demo import load_demo_catalogues
    from casebank.reviewer import make_reviewer

    load_demo_catalogues(world.city, Actor.system())
    db.session.commit()
    db.session.expire_all()
    from_db = [
        queries.to_nlp_catalogue(v)
        for v in db.session.scalars(
            sa.select(CatalogueVersion).order_by(CatalogueVersion.id)
        )
    ]
    from_files = [load_catalogue(p) for p in DEMO_FILES]
    assert sorted(c.to_json()["name"] for c in from_db) == sorted(
        c.to_json()["name"] for c in from_files
    )
    app.config["NLP_EMBEDDING_MODEL"] = "none"
    db_reviewer = make_reviewer(from_db, app, embedding=False)
    file_reviewer = make_reviewer(from_files, app, embedding=False)
    data = DEMO_FILES[0].parents[3] / "tests" / "data" / "decisions"
    names = ["cg-001.txt", "cg-005.txt", "sc-002.txt", "st-003.txt", "jt-001.txt"]
    matched = 0
    for name in names:
        text = (data / name).read_text(encoding="utf-8")
        a = db_reviewer.review(text, name, use_embedding=False)
        b = file_reviewer.review(text, name, use_embedding=False)
        assert a == b, name
        matched += a["match"] is not None
    assert matched >= 3  # the comparison is about real matches, not empty results


def test_seed_loads_the_demo_catalogues_once(app, demo_seeded):
    """Does `seed_demo` publish the five demo catalogues, and nothing on a rerun?"""
    from portal.seed import seed_demo

    assert demo_seeded["catalogues"] == 5
    codes = db.session.scalars(
        sa.select(BenchmarkCatalogue.code).order_by(BenchmarkCatalogue.code)
    ).all()
    assert codes == ["JC-CG", "JC-JT", "JC-SC", "JC-ST", "JC-ZR"]
    cg = db.session.scalar(
        sa.select(BenchmarkCatalogue).where(BenchmarkCatalogue.code == "JC-CG")
    )
    assert queries.version_in_force(cg, date(2024, 5, 1)).status == "published"
    assert [d.code for d in cg.domains] == ["chengguan"]
    assert seed_demo(users=8)["catalogues"] == 0
    assert _count(CatalogueVersion) == 5


def test_cli_import_and_export(app, world, runner, tmp_path, spec):
    """`flask casebank import-catalogue` stores and publishes; a bad file prints every
    error and saves nothing; `export-catalogue` writes the version in force."""
    good = tmp_path / "good.json"
    good.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(
        args=[
            "casebank",
            "import-catalogue",
            str(good),
            "--jurisdiction",
            "C",
            "--code",
            "CG-CLI",
            "--publish",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "已发布" in result.output

    bad_doc = json.loads(json.dumps(spec))
    bad_doc["items"][0]["tiers"][0]["fines"][0]["unit"] = "jin"
    bad_doc["items"][0].pop("violation")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(bad_doc, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(
        args=[
            "casebank",
            "import-catalogue",
            str(bad),
            "--jurisdiction",
            "C",
            "--code",
            "BAD",
        ]
    )
    assert result.exit_code == 2
    assert "violation" in result.stderr
    assert "jin" in result.stderr
    assert _count(CatalogueVersion) == 1

    out = tmp_path / "out.json"
    result = runner.invoke(
        args=[
            "casebank",
            "export-catalogue",
            "CG-CLI",
            "--on",
            "2024-01-01",
            "--out",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    assert _normal(json.loads(out.read_text(encoding="utf-8"))) == _normal(spec)
    result = runner.invoke(
        args=["casebank", "export-catalogue", "CG-CLI", "--on", "2020-01-01"]
    )
    assert result.exit_code == 2
    assert "没有有效" in result.stderr


def test_demo_catalogues_in_the_database_carry_the_real_rows(app, world):
    """Are real published rows (benchmarks_real.md A4, E2) stored as published?"""
    from casebank.demo import load_demo_catalogues
    from portal.orgs.models import Domain

    load_demo_catalogues(world.city, Actor.system())
    db.session.commit()
    on = date(2024, 6, 1)
    chengguan = db.session.scalar(sa.select(Domain).where(Domain.code == "chengguan"))
    (version,) = queries.versions_in_force(on, chengguan, world.agency)
    item = next(i for i in version.items if "桥梁或者路灯设施" in i.violation)
    # A4 登封市: 轻微 ≤5000, 一般 5000–10000, 严重 10000–20000 (统计上限 2 万).
    assert [
        (t.level, t.fines[0].min_value, t.fines[0].max_value) for t in item.tiers
    ] == [
        ("轻微", 0, 5000),
        ("一般", 5000, 10000),
        ("严重", 10000, 20000),
    ]
    assert "《城市道路管理条例》第四十二条" in item.penalty_provisions
    market = db.session.scalar(sa.select(Domain).where(Domain.code == "market"))
    (version,) = queries.versions_in_force(on, market, world.agency)
    item = next(
        i for i in version.items if "虚假的或者使人误解的价格手段" in i.violation
    )
    # E2 第七条: 从重 3–5 倍 / 25–50 万元; 一般 2–3 倍 / 10–25 万元.
    heaviest = item.tiers[-1]
    assert {(f.unit, f.min_value, f.max_value) for f in heaviest.fines} == {
        ("multiple", 3, 5),
        ("yuan", 250000, 500000),
    }
    ecology = db.session.scalar(sa.select(Domain).where(Domain.code == "ecology"))
    assert len(queries.versions_in_force(on, ecology, world.agency)) == 1


def test_hostile_xlsx_uploads_are_refused(app, spec):
    """Are a forged zip bomb, an oversized file and a workbook that is not the
    template refused with Chinese messages, before anything is stored?"""
    from casebank import xlsx
    from portal.uploads import FormatError
    from tests.exams.test_formats import _bomb

    with pytest.raises(documents.CatalogueImportError, match="解压后超过"):
        documents.read_document("bomb.xlsx", _bomb(True))
    big = write_xlsx(_normal(spec))
    with pytest.raises(FormatError, match="文件过大"):
        xlsx.read_xlsx(big, max_bytes=1000)
    from openpyxl import Workbook

    other = io.BytesIO()
    Workbook().save(other)
    with pytest.raises(documents.CatalogueImportError, match="不是裁量基准模板"):
        documents.read_document("other.xlsx", other.getvalue())
