"""同案不同罚 recall in the portal (issue #13, third round): decisions whose date
cannot be read still get their catalogue version (from the dates their text
holds, or the upload day), so an ordinary decision of a catalogue item enters
its peer group; a decision dated before every catalogue version does not."""

import re
from datetime import date, datetime

from casebank.cases.models import CaseFile
from casebank.cases.queries import catalogue_dates
from casebank.consistency.models import CasePeerKey
from portal.extensions import db
from tests.casebank.consistency_texts import (
    CODE,
    NO_REASON,
    ORDINARY_FINES,
    add_cases,
    decision,
)


def _undated(text: str, served: str | None = "2025年5月26日") -> str:
    """The decision without its 落款 date (a scan that lost it), with or without
    a 送达 note."""
    text = re.sub(r"\n\d{4}年\d{1,2}月\d{1,2}日\s*$", "\n", text.rstrip() + "\n")
    if served:
        text += f"本决定书已于{served}直接送达当事人。\n"
    return text


def _dateless(text: str) -> str:
    """The decision with no date at all (no steps, no 落款, no 文号 year)."""
    text = re.sub(r"\d{4}年\d{1,2}月\d{1,2}日", "", text)
    return text.replace("〔2025〕", "")


def test_undated_decisions_enter_their_peer_group(
    app, world, chengguan, runner, tmp_path
):
    """Are decisions without a readable decision date matched to their item
    (the version chosen from the dates in the text), keyed, and an undated
    unexplained outlier flagged — as its dated control is?"""
    cases = [
        (f"o{i}.txt", _undated(decision(i + 1, fine)))
        for i, fine in enumerate(ORDINARY_FINES)
    ]
    cases.append(("outlier.txt", _undated(decision(50, 11900, reasons=NO_REASON))))
    cases.append(("dated.txt", decision(51, 8100)))
    out = add_cases(runner, tmp_path, cases)
    for name, obj in out.items():
        assert obj["item_id"] == "CG-003", name
        assert db.session.get(CasePeerKey, obj["case_id"]) is not None, name
    assert CODE in [f["code"] for f in out["outlier.txt"]["findings"]]
    assert CODE not in [f["code"] for f in out["o0.txt"]["findings"]]
    undated = db.session.get(CaseFile, out["o0.txt"]["case_id"])
    assert undated.decision_date is None  # unknown stays unknown
    assert undated.matched_version_id == chengguan.id


def test_catalogue_dates_rule(app, world, chengguan, runner, tmp_path):
    """The days tried: a stated date alone; else the text's lower bound, then
    its upper bound (送达, 文号 year, capped by the upload day); the upload day
    only when the text holds no date at all."""
    out = add_cases(
        runner,
        tmp_path,
        [
            ("stated.txt", decision(1, 8000)),
            ("served.txt", _undated(decision(2, 8000))),
            ("nothing.txt", _dateless(decision(3, 8000))),
        ],
    )
    stated = db.session.get(CaseFile, out["stated.txt"]["case_id"])
    assert catalogue_dates(stated) == [date(2025, 5, 20)]
    served = db.session.get(CaseFile, out["served.txt"]["case_id"])
    assert catalogue_dates(served) == [date(2025, 5, 10), date(2025, 5, 26)]
    nothing = db.session.get(CaseFile, out["nothing.txt"]["case_id"])
    nothing.created_at = datetime(2026, 3, 1, 9, 0)
    assert catalogue_dates(nothing) == [date(2026, 3, 1)]


def test_decision_dated_before_every_version_is_not_matched(
    app, world, chengguan, runner, tmp_path
):
    """Control: an undated decision whose text dates all lie before the
    catalogue's first version (2023-01-01) gets no version and no item; a
    later upload does not make it recent."""
    old = _undated(decision(3, 8000, decided=date(2021, 6, 1)), served="2021年6月9日")
    out = add_cases(runner, tmp_path, [("old.txt", old)])
    assert out["old.txt"]["item_id"] is None
    assert db.session.get(CasePeerKey, out["old.txt"]["case_id"]) is None
