"""Hand-typed provision references resolved against the law library.

The text is parsed by :func:`nlp.citations.parse_reference` (the one parser of
provision references in the code base, shared with the checker's citation
finder); this module maps the law part to a :class:`Law` — the short name without
中华人民共和国, a common 简称 (处罚法 → 行政处罚法) or a unique suffix — and the
article number to its :class:`LawArticle`.

Used by question authoring and import (legal basis) and by the article search.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from nlp.citations import parse_reference
from portal.extensions import db
from portal.laws.models import Law, LawArticle
from portal.laws.queries import level_rank

# Common abbreviations used by enforcement staff and in training material. A 简称
# listed here wins over the suffix rule (处罚法 also ends 治安管理处罚法).
ABBREVIATIONS = {
    "处罚法": "行政处罚法",
    "行罚法": "行政处罚法",
    "许可法": "行政许可法",
    "强制法": "行政强制法",
    "复议法": "行政复议法",
    "诉讼法": "行政诉讼法",
    "行诉法": "行政诉讼法",
    "赔偿法": "国家赔偿法",
    "国赔法": "国家赔偿法",
    "治安处罚法": "治安管理处罚法",
    "治安法": "治安管理处罚法",
    "道交法": "道路交通安全法",
    "道路交通法": "道路交通安全法",
    "食安法": "食品安全法",
    "环保法": "环境保护法",
    "大气法": "大气污染防治法",
    "水污法": "水污染防治法",
    "固废法": "固体废物污染环境防治法",
    "消保法": "消费者权益保护法",
    "信息公开条例": "政府信息公开条例",
}


@dataclass
class Resolved:
    """What a reference resolved to: ``law`` and ``article`` (either may be
    ``None``) and ``error``, a Chinese message when it did not resolve."""

    text: str
    law: Law | None = None
    article: LawArticle | None = None
    error: str | None = None
    article_number: int | None = None

    @property
    def citation(self):
        """The normalised form stored on a question: 《行政处罚法》第三十三条."""
        return self.article.citation if self.article else ""


def _best(stmt):
    """The in-force law of the highest level first (a repealed law only when no
    in-force law has the name)."""
    return db.session.scalars(
        stmt.order_by(
            sa.case((Law.status == "in_force", 0), else_=1), level_rank(), Law.id
        )
    ).all()


def find_law(name):
    """A law by the name a user typed (full, short, 简称 or unique suffix).

    :return: (Law or None, error or None).
    """
    name = (name or "").strip()
    if not name:
        return None, None
    wanted = ABBREVIATIONS.get(name, name)
    exact = _best(
        sa.select(Law).where(sa.or_(Law.short_name == wanted, Law.name == wanted))
    )
    if exact:
        return exact[0], None
    if len(wanted) >= 2:
        ending = _best(
            sa.select(Law).where(Law.short_name.endswith(wanted, autoescape=True))
        )
        names = sorted({law.short_name for law in ending})
        if len(names) == 1:
            return ending[0], None
        if len(names) > 1:
            listed = "、".join(f"《{n}》" for n in names[:5])
            return None, f"“{name}”可能指 {listed}，请写出法规全称"
    empty = "" if db.session.scalar(sa.select(Law.id).limit(1)) else "（法规库为空）"
    return None, f"法规库中没有《{wanted}》{empty}"


def resolve(text, default_law=None):
    """Resolve a typed reference to a law and an article.

    :param text: e.g. 行政处罚法第三十三条, 《行政处罚法》第33条, 处罚法33条.
    :param default_law: the law an article number without a law name refers to.
    :return: a :class:`Resolved`; ``error`` is set when the law or the article is
        unknown or the text is not a reference.
    """
    result = Resolved(text=text)
    reference = parse_reference(text)
    if reference is None:
        result.error = f"无法识别法律依据“{text}”：应写作“《法规名称》第N条”，如《行政处罚法》第三十三条"
        return result
    result.article_number = reference.article
    if reference.law:
        result.law, result.error = find_law(reference.law)
        if result.error:
            return result
    else:
        result.law = default_law
    if reference.article is None or result.law is None:
        return result
    result.article = db.session.scalar(
        sa.select(LawArticle).where(
            LawArticle.law_id == result.law.id,
            LawArticle.number == reference.article,
        )
    )
    if result.article is None:
        result.error = f"《{result.law.short_name}》没有第{reference.article}条"
    return result


def resolve_legal_basis(text):
    """A question's legal basis: the law and the article are both required.

    :return: (LawArticle or None, error message or None).
    """
    result = resolve(text)
    if result.error:
        return None, f"法律依据未找到：{result.error}"
    if result.article is None:
        return None, f"法律依据“{text}”缺少条号：应写作“《法规名称》第N条”"
    return result.article, None
