"""Similar cases for the case page (同类案件比对).

A bounded candidate set (cases the viewer may open: up to ``PEER_POOL`` of the case's
peer group of the archive comparison — same catalogue item and tier in the comparison
scope, see :mod:`casebank.consistency` — and up to ``PER_POOL`` newest with the same
matched benchmark item, of the same agency, and of the whole scope) is
ranked by "same matched item first, then TF-IDF cosine similarity over character
bigrams of the first ``TEXT_CHARS`` characters" in the project's one TF-IDF set-up,
:class:`nlp.similarity.TfidfSpace` (bigrams only, no jieba words, sublinear tf).
Character bigrams need no word segmentation and catch near-duplicate decisions
(same facts, other party) well.
The pool bounds the cost: at most 3 × ``PER_POOL`` short texts are vectorised per
page view (about 50–120 ms on the 2-core development machine; bench figures in
docs/case-supervision.md); 2–3-grams over 2,000 characters cost three times more
for no gain on the development set.
"""

from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from casebank.cases.models import CaseFile
from casebank.supervision.queries import case_visibility
from nlp.similarity import TfidfSpace
from portal.extensions import db
from portal.orgs.models import Organisation

PER_POOL = 80
PEER_POOL = 200
TEXT_CHARS = 1200
LIMIT = 5


@dataclass(frozen=True)
class SimilarCase:
    case: CaseFile
    score: float  # cosine similarity of the texts, 0–1
    same_item: bool


def _pool(user, case: CaseFile, extra, limit=PER_POOL) -> list[tuple[int, str]]:
    stmt = (
        sa.select(CaseFile.id, sa.func.substr(CaseFile.text, 1, TEXT_CHARS))
        .join(Organisation, CaseFile.agency_id == Organisation.id)
        .where(case_visibility(user), CaseFile.id != case.id, *extra)
        .order_by(CaseFile.id.desc())
        .limit(limit)
    )
    return list(db.session.execute(stmt).all())


def _peer_group_ids(case: CaseFile):
    """A subquery of the ids in the case's peer group, or None without a key."""
    from casebank.consistency.models import CasePeerKey, scope_column
    from casebank.consistency.services import configured_scope, group_of

    row = db.session.get(CasePeerKey, case.id)
    if row is None:
        return None
    key = group_of(row, configured_scope())
    return sa.select(CasePeerKey.case_id).where(
        CasePeerKey.item_code == key.item_code,
        CasePeerKey.tier_level == key.tier_level,
        scope_column(key.scope) == key.scope_id,
    )


def rank(target: str, candidates: list[tuple[int, str]]) -> list[tuple[int, float]]:
    """Cosine similarity of ``target`` with each candidate text, best first.

    :param candidates: (id, text) pairs.
    :return: (id, similarity) pairs, highest similarity first (ties by id).
    """
    if not candidates or not target.strip():
        return []
    texts = [target] + [text or "" for _, text in candidates]
    space = TfidfSpace(char_ngrams=(2, 2), use_words=False, sublinear_tf=True)
    try:
        matrix = space.fit(texts)
    except ValueError:  # not one bigram anywhere (one-character texts)
        return sorted((cid, 0.0) for cid, _ in candidates)
    scores = (matrix[1:] @ matrix[0].T).toarray().ravel()
    ranked = [(cid, float(s)) for (cid, _), s in zip(candidates, scores, strict=True)]
    return sorted(ranked, key=lambda pair: (-pair[1], pair[0]))


def similar_cases(user, case: CaseFile, limit: int = LIMIT) -> list[SimilarCase]:
    """Up to ``limit`` cases similar to ``case`` that ``user`` may open.

    Cases with the same matched benchmark item come first, each group by text
    similarity.
    """
    pools = []
    group = _peer_group_ids(case)
    if group is not None:
        # The whole peer group of the archive comparison (same item and tier in
        # the comparison scope), not only the newest cases.
        pools.append(_pool(user, case, [CaseFile.id.in_(group)], PEER_POOL))
    if case.matched_item_id is not None:
        pools.append(
            _pool(user, case, [CaseFile.matched_item_id == case.matched_item_id])
        )
    pools.append(_pool(user, case, [CaseFile.agency_id == case.agency_id]))
    pools.append(_pool(user, case, []))
    texts = {}
    for pool in pools:
        for cid, text in pool:
            texts.setdefault(cid, text)
    if not texts:
        return []
    same_item_ids = set()
    if case.matched_item_id is not None:
        same_item_ids = set(
            db.session.scalars(
                sa.select(CaseFile.id).where(
                    CaseFile.id.in_(list(texts)),
                    CaseFile.matched_item_id == case.matched_item_id,
                )
            )
        )
    ranked = rank(case.text[:TEXT_CHARS], list(texts.items()))
    ranked.sort(key=lambda pair: (pair[0] not in same_item_ids, -pair[1], pair[0]))
    top = ranked[:limit]
    loaded = {
        c.id: c
        for c in db.session.scalars(
            sa.select(CaseFile)
            .where(CaseFile.id.in_([cid for cid, _ in top]))
            .options(
                so.joinedload(CaseFile.agency),
                so.joinedload(CaseFile.matched_tier),
            )
        )
    }
    return [
        SimilarCase(loaded[cid], round(score, 3), cid in same_item_ids)
        for cid, score in top
        if cid in loaded
    ]
