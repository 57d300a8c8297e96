"""Law library reads (Select objects, STYLE R5)."""

from dataclasses import dataclass, field

import sqlalchemy as sa

from portal.extensions import db
from portal.laws.models import LEVELS, Law, LawArticle, LawChange


def level_rank():
    """法律 before 行政法规 before 地方性法规 … (``LEVELS`` order)."""
    return sa.case(
        *((Law.level == level, rank) for rank, level in enumerate(LEVELS)),
        else_=len(LEVELS),
    )


def search_laws(q="", status=""):
    """Laws whose full or short name contains ``q``: the exact name first, then
    names starting with it, then by level (法律 first), in force first, shorter
    names first (not by code point)."""
    stmt = sa.select(Law)
    q = (q or "").strip()
    order = []
    if q:
        like = f"%{q}%"
        stmt = stmt.where(sa.or_(Law.name.like(like), Law.short_name.like(like)))
        order.append(
            sa.case(
                (sa.or_(Law.short_name == q, Law.name == q), 0),
                (Law.short_name.like(f"{q}%"), 1),
                else_=2,
            )
        )
    if status in ("in_force", "repealed"):
        stmt = stmt.where(Law.status == status)
    order += [
        level_rank(),
        sa.case((Law.status == "in_force", 0), else_=1),
        sa.func.length(Law.short_name),
        Law.id,
    ]
    return stmt.order_by(*order)


@dataclass
class ArticleQuery:
    """An article search understood: the law it is limited to (chosen or typed),
    the article number, the keywords (all must occur) and an error, if any."""

    stmt: object
    law: Law | None = None
    number: int | None = None
    keywords: list = field(default_factory=list)
    error: str | None = None


def search_articles(q="", law_id=None):
    """Articles by reference and keywords.

    Understands 第三十三条, 三十三, 第33条, 33, 行政处罚法第三十三条, 处罚法33条 (one
    parser, :func:`nlp.citations.parse_reference`), a law name on its own
    (limits the search to it) and several keywords separated by spaces, all of
    which must occur (AND). Results: laws by level (法律 first) and in force
    first, articles in number order.

    :return: an :class:`ArticleQuery`.
    """
    from nlp.citations import parse_reference
    from portal.laws.references import find_law

    law = db.session.get(Law, law_id) if law_id else None
    result = ArticleQuery(stmt=None, law=law)
    for token in (q or "").split():
        reference = parse_reference(token)
        if reference is not None and (reference.article or reference.law):
            named = None
            if reference.law:
                named, error = find_law(reference.law)
                if named is None:
                    if reference.article is not None:
                        result.error = error
                    else:  # not a law name: an ordinary keyword
                        result.keywords.append(token)
                    continue
            if named is not None:
                result.law = named
            if reference.article is not None:
                result.number = reference.article
            continue
        result.keywords.append(token)
    stmt = sa.select(LawArticle).join(Law)
    if result.law is not None:
        stmt = stmt.where(LawArticle.law_id == result.law.id)
    if result.number is not None:
        stmt = stmt.where(LawArticle.number == result.number)
    for keyword in result.keywords:
        stmt = stmt.where(LawArticle.text.contains(keyword, autoescape=True))
    if result.error:
        stmt = stmt.where(sa.false())
    result.stmt = stmt.order_by(
        level_rank(),
        sa.case((Law.status == "in_force", 0), else_=1),
        Law.id,
        LawArticle.number,
    )
    return result


def recent_changes():
    """Recorded import changes, newest first."""
    return sa.select(LawChange).order_by(LawChange.id.desc())
