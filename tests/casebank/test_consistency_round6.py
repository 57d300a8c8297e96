"""同案不同罚, sixth round (issue #13) in the portal: the reason names stored with
the comparison key are canonical (the reason classifier's nearest labelled
reason), so a reason every peer states in its own words is recognised as shared
and explains no fine at the bottom, while a reason of the case's own still does;
`flask casebank fill-reason-names --all` rewrites names stored by an older
checker."""

import sqlalchemy as sa

from casebank.consistency.models import CasePeerKey
from casebank.consistency.services import split_names
from portal.extensions import db
from tests.casebank.consistency_texts import (
    ORDINARY_FINES,
    add_cases,
    assert_one_group,
    assert_ordinary_not_flagged,
    decision,
    inconsistency,
    open_inconsistency,
)

# Each peer states that it paid for the damage, in its own words.
PAYMENTS = [
    "当事人已向受损商户支付了全部修理费用",
    "当事人与受害车主达成和解并赔付了维修款",
    "当事人已按价赔偿了被损坏的花木",
    "事后当事人主动承担了全部修复费用",
    "当事人已向邻居赔偿了全部损失",
    "当事人已经全额赔偿了受损车辆的维修费",
]
BOTTOM = "当事人已向受害村民赔付了全部青苗损失"
OWN = BOTTOM + "；当事人系低保户，家庭生活困难"


def _reasons(words: str) -> str:
    return f"本局综合考虑以下情节：{words}。据此，对当事人在罚款幅度内予以处罚。"


def _batch():
    cases = [
        (f"o{i}.txt", decision(i + 1, fine, reasons=_reasons(PAYMENTS[i])))
        for i, fine in enumerate(ORDINARY_FINES)
    ]
    cases.append(("bottom.txt", decision(60, 5000, reasons=_reasons(BOTTOM))))
    cases.append(("own.txt", decision(61, 5000, reasons=_reasons(OWN))))
    return cases


def test_reason_every_peer_states_in_its_own_words_is_shared(
    app, world, chengguan, runner, tmp_path
):
    """Is a bottom fine whose only reason is the payment every peer states (each
    in other words) flagged, and the same fine with a reason of its own not?"""
    out = add_cases(runner, tmp_path, _batch())
    assert_one_group(out)
    names = [
        split_names(db.session.get(CasePeerKey, obj["case_id"]).reason_names)
        for obj in out.values()
    ]
    common = frozenset.intersection(*names)
    assert common
    assert all(name.startswith("-") for name in common)
    bottom = db.session.get(CasePeerKey, out["bottom.txt"]["case_id"])
    assert bottom.is_mitigating is True
    assert inconsistency(out["bottom.txt"]) is not None
    own = db.session.get(CasePeerKey, out["own.txt"]["case_id"])
    assert split_names(own.reason_names) > split_names(bottom.reason_names)
    assert inconsistency(out["own.txt"]) is None
    assert_ordinary_not_flagged(out)


def test_fill_reason_names_all_rewrites_old_names(
    app, world, chengguan, runner, tmp_path
):
    """Names stored by the fifth round's checker (each reason by its own words)
    share nothing, so the bottom fine was explained; `fill-reason-names --all`
    rewrites them canonically and the recomputation flags it."""
    out = add_cases(runner, tmp_path, _batch())
    bottom = out["bottom.txt"]["case_id"]
    assert open_inconsistency(bottom) is not None
    for obj in out.values():  # as the fifth round stored them: words as names
        row = db.session.get(CasePeerKey, obj["case_id"])
        row.reason_names = f"-旧名{obj['case_id']}"
    db.session.commit()
    plain = runner.invoke(args=["casebank", "fill-reason-names"])
    assert plain.exit_code == 0, plain.output
    assert "已补写 0 条" in plain.output  # only NULL names without --all
    assert open_inconsistency(bottom) is None
    result = runner.invoke(args=["casebank", "fill-reason-names", "--all"])
    assert result.exit_code == 0, result.output
    assert f"已补写 {len(out)} 条" in result.output
    db.session.expire_all()
    stored = db.session.scalars(sa.select(CasePeerKey.reason_names)).all()
    assert not any("旧名" in names for names in stored)
    assert open_inconsistency(bottom) is not None
