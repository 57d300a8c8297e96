"""Law library reads (Select objects, STYLE R5)."""

import re

import sqlalchemy as sa

from portal.laws.models import Law, LawArticle, LawChange

_ARTICLE_NO = re.compile(r"^第?\s*(\d+)\s*条?$")


def search_laws(q="", status=""):
    """Laws whose full or short name contains ``q``, current first, by name."""
    stmt = sa.select(Law)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(sa.or_(Law.name.like(like), Law.short_name.like(like)))
    if status in ("in_force", "repealed"):
        stmt = stmt.where(Law.status == status)
    return stmt.order_by(Law.status, Law.name)


def search_articles(q="", law_id=None):
    """Articles by keyword in the text, or by number ("32" / "第32条") within a law."""
    stmt = sa.select(LawArticle).join(Law)
    if law_id:
        stmt = stmt.where(LawArticle.law_id == law_id)
    q = (q or "").strip()
    number = _ARTICLE_NO.match(q)
    if number:
        stmt = stmt.where(LawArticle.number == int(number.group(1)))
    elif q:
        stmt = stmt.where(LawArticle.text.like(f"%{q}%"))
    return stmt.order_by(Law.name, LawArticle.number)


def recent_changes():
    """Recorded import changes, newest first."""
    return sa.select(LawChange).order_by(LawChange.id.desc())
