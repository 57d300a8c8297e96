"""Similar cases on the case page: ranking, same benchmark item first, visibility."""

from datetime import date
from pathlib import Path

from casebank.supervision.similar import rank, similar_cases
from portal.extensions import db
from tests.casebank.supervision_util import login, make_case

DECISIONS = Path(__file__).resolve().parents[1] / "data" / "decisions"


def _text(name):
    return (DECISIONS / name).read_text(encoding="utf-8")


def _near_duplicate(text):
    """The same decision for another party, with another number and date."""
    return (
        text.replace("鑫达土石方工程有限公司", "恒通建筑渣土运输有限公司")
        .replace("第031号", "第047号")
        .replace("3月21日", "4月2日")
        .replace("吴某某", "陈某某")
    )


def test_rank_puts_the_near_duplicate_first():
    """Does the TF-IDF ranking put a near-duplicate decision above other decisions
    of the same field (城管)?"""
    target = _text("cg-003.txt")
    others = [(i, _text(f"cg-{i:03d}.txt")) for i in range(1, 13) if i != 3]
    ranked = rank(target, others + [(99, _near_duplicate(target))])
    assert ranked[0][0] == 99
    assert ranked[0][1] > 0.8 > ranked[1][1]
    assert rank("", others) == []
    assert rank(target, []) == []


def test_rank_scores_are_sublinear_bigram_tfidf_cosines():
    """Does the ranking (now on nlp.similarity's TF-IDF space) give the same scores
    as its former set-up, scikit-learn's char-bigram TF-IDF with sublinear tf?"""
    from sklearn.feature_extraction.text import TfidfVectorizer

    target = _text("cg-003.txt")[:1200]
    others = [(i, _text(f"cg-{i:03d}.txt")[:1200]) for i in (1, 2, 4, 5)]
    matrix = TfidfVectorizer(
        analyzer="char", ngram_range=(2, 2), sublinear_tf=True
    ).fit_transform([target] + [t for _, t in others])
    expected = (matrix[1:] @ matrix[0].T).toarray().ravel()
    scores = dict(rank(target, others))
    for (cid, _), value in zip(others, expected, strict=True):
        assert abs(scores[cid] - float(value)) < 1e-9
    # Texts without a single bigram rank by id with no similarity (no error).
    assert rank("罚", [(2, "款"), (1, "")]) == [(1, 0.0), (2, 0.0)]


def test_near_duplicate_first_on_the_case_page(app, world):
    """Does the case page list the near-duplicate first among at most 5 similar
    cases, with 文号, agency, date and fine?"""
    target_text = _text("cg-003.txt")
    case = make_case(world.agency, text=target_text, severity=3)
    for i in range(1, 13):
        if i != 3:
            make_case(world.agency, text=_text(f"cg-{i:03d}.txt"))
    dup = make_case(
        world.agency,
        text=_near_duplicate(target_text),
        decided=date(2026, 4, 2),
        fine=5000.0,
    )
    staff = world.users["supervision_staff"]
    found = similar_cases(staff, case)
    assert len(found) == 5
    assert found[0].case.id == dup.id
    assert case.id not in [s.case.id for s in found]
    page = login(app, "supervision_staff").get(f"/casebank/cases/{case.id}")
    html = page.get_data(as_text=True)
    panel = html[html.index('data-testid="similar-cases"') :]
    first = panel.index(dup.doc_number)
    assert all(
        first < panel.index(s.case.doc_number) for s in found[1:] if s.case.doc_number
    )
    assert "5,000.00 元" in panel
    assert "2026-04-02" in panel


def test_same_benchmark_item_comes_first(world, importer, spec):
    """Does a case matched to the same benchmark item rank above a closer text
    without that item?"""
    version = importer(spec)
    item_id = version.items[0].id
    base = _text("cg-003.txt")
    case = make_case(world.agency, text=base, item_id=item_id)
    same_item = make_case(world.agency, text=_text("cg-010.txt"), item_id=item_id)
    closer = make_case(world.agency, text=_near_duplicate(base))
    found = similar_cases(world.users["supervision_staff"], case)
    assert [s.case.id for s in found[:2]] == [same_item.id, closer.id]
    assert found[0].same_item
    assert not found[1].same_item


def test_only_cases_the_viewer_may_open(world):
    """Are cases outside the viewer's scope (another agency for a handler) left out,
    even when they are the closest text?"""
    base = _text("cg-003.txt")
    case = make_case(world.agency, text=base)
    hidden = make_case(world.other_agency, text=_near_duplicate(base))
    visible = make_case(world.agency, text=_text("cg-004.txt"))
    handler_view = [
        s.case.id for s in similar_cases(world.users["agency_handler"], case)
    ]
    assert hidden.id not in handler_view
    assert visible.id in handler_view
    admin_view = [s.case.id for s in similar_cases(world.users["sys_admin"], case)]
    assert admin_view[0] == hidden.id
    db.session.rollback()
