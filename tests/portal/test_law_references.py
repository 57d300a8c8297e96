"""Provision references (one parser, nlp.citations.parse_reference) resolved
against the law library, and the article search that uses them (issue #12)."""

import pytest

from nlp.citations import Reference, parse_reference
from portal.actor import Actor
from portal.extensions import db
from portal.laws import queries, references
from portal.laws.services import add_provision


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("行政处罚法第三十三条", Reference("行政处罚法", 33)),
        ("《行政处罚法》第33条", Reference("行政处罚法", 33)),
        ("处罚法33条", Reference("处罚法", 33)),
        (
            "《中华人民共和国行政处罚法》第三十三条第一款",
            Reference("行政处罚法", 33, 1),
        ),
        (
            "中华人民共和国行政处罚法第三十三条第二款第（一）项",
            Reference("行政处罚法", 33, 2, 1),
        ),
        ("第三十三条", Reference("", 33)),
        ("三十三", Reference("", 33)),
        ("第33条", Reference("", 33)),
        ("行政处罚法", Reference("行政处罚法", None)),
        ("第十条之一", None),
        ("", None),
    ],
)
def test_parse_reference(typed, expected):
    assert parse_reference(typed) == expected


def laws():
    actor = Actor.system()
    penalty = add_provision(
        actor,
        name="中华人民共和国行政处罚法",
        level="法律",
        issuer="",
        effective_date=None,
        articles=[
            (33, "违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚。"),
            (
                51,
                "违法事实确凿并有法定依据，对公民处以二百元以下罚款的，可以当场作出行政处罚决定。",
            ),
        ],
    )
    public = add_provision(
        actor,
        name="治安管理处罚法",
        level="法律",
        issuer="",
        effective_date=None,
        articles=[(33, "有下列行为之一的，处十日以上十五日以下拘留。")],
    )
    local = add_provision(
        actor,
        name="江城市市容管理条例",
        level="地方性法规",
        issuer="",
        effective_date=None,
        articles=[(33, "违反本条例规定，当场处以罚款。")],
    )
    db.session.flush()
    return penalty, public, local


def test_resolve_forms_and_abbreviations(app):
    """Three ways of writing one provision give the same article; 处罚法 is the
    简称 of 行政处罚法 (not 治安管理处罚法); unknown laws and articles are Chinese
    errors."""
    penalty, public, _ = laws()
    for typed in ("行政处罚法第三十三条", "《行政处罚法》第33条", "处罚法33条"):
        result = references.resolve(typed)
        assert result.error is None, typed
        assert result.article.law_id == penalty.id
        assert result.citation == "《行政处罚法》第三十三条"
    assert references.resolve("治安管理处罚法第33条").article.law_id == public.id
    assert "没有第99条" in references.resolve("处罚法第99条").error
    assert "法规库中没有《道路交通安全法》" in references.resolve("道交法第90条").error
    article, error = references.resolve_legal_basis("行政处罚法")
    assert article is None
    assert "缺少条号" in error
    assert "无法识别" in references.resolve_legal_basis("第十条之一")[1]


def test_article_search(app):
    """Numbers in every form, a law name limits the search (and says so),
    several keywords are ANDed, 法律 comes before 地方性法规."""
    penalty, public, local = laws()

    def found(q, law_id=None):
        result = queries.search_articles(q, law_id)
        return result, db.session.scalars(result.stmt).all()

    for q in ("第三十三条", "三十三", "第33条", "33"):
        result, articles = found(q)
        assert result.number == 33
        assert [a.law.level for a in articles] == ["法律", "法律", "地方性法规"], q
    result, articles = found("行政处罚法第三十三条")
    assert result.law.id == penalty.id
    assert [a.law_id for a in articles] == [penalty.id]
    result, articles = found("当场 罚款")
    assert result.keywords == ["当场", "罚款"]
    assert {a.law_id for a in articles} == {penalty.id, local.id}
    result, articles = found("当场 罚款", law_id=local.id)
    assert [a.law_id for a in articles] == [local.id]
    result, articles = found("处罚法 当场")
    assert result.law.id == penalty.id
    assert [a.number for a in articles] == [51]
    result, articles = found("道交法第90条")
    assert result.error
    assert articles == []


def test_law_list_orders_by_relevance_and_level(app):
    laws()
    names = [
        law.short_name for law in db.session.scalars(queries.search_laws("处罚法"))
    ]
    assert names == ["行政处罚法", "治安管理处罚法"]
    names = [law.short_name for law in db.session.scalars(queries.search_laws(""))]
    assert names[-1] == "江城市市容管理条例"


def test_article_search_page(app, client, auth, world):
    laws()
    db.session.commit()
    auth.login("officer")
    page = client.get("/laws/articles?q=行政处罚法第三十三条").get_data(as_text=True)
    assert "仅在《行政处罚法》中检索" in page
    assert "不予行政处罚" in page
    page = client.get("/laws/articles?q=当场+罚款").get_data(as_text=True)
    assert "关键词：当场、罚款（须同时出现）" in page
