"""同案不同罚, fourth round (issue #13) in the portal: a mitigating circumstance
that only restates the compared tier (a small spill in a tier bounded by
50 平方米以下) explains no fine at its bottom, while a circumstance the tier
does not state does; the finding says which rule set the fine apart; a fine
written behind a note on how it was set (罚款（…）人民币…元) is keyed."""

from casebank.consistency.models import CasePeerKey
from portal.extensions import db
from tests.casebank.consistency_texts import (
    ORDINARY_FINES,
    add_cases,
    assert_one_group,
    assert_ordinary_not_flagged,
    decision,
    inconsistency,
    ordinary_cases,
)

TIER_ONLY = (
    "本局综合考虑以下情节：当事人车辆遗撒范围较小。据此，对当事人在罚款幅度内予以处罚。"
)
OWN_REASON = (
    "本局综合考虑以下情节：当事人车辆遗撒范围较小，当日即主动消除违法行为的危害后果。"
    "据此，对当事人在罚款幅度内予以处罚。"
)


def test_tier_restating_reason_is_flagged_own_reason_is_not(
    app, world, chengguan, runner, tmp_path
):
    """Are a low fine whose only stated circumstance is the tier's own (遗撒范围
    较小 in 遗撒面积10平方米以上50平方米以下) flagged, with a message naming the
    rule that set it apart, and the same fine with a circumstance of its own not?"""
    cases = ordinary_cases()
    cases.append(("tier-only.txt", decision(60, 5100, reasons=TIER_ONLY)))
    cases.append(("own-reason.txt", decision(61, 5100, reasons=OWN_REASON)))
    out = add_cases(runner, tmp_path, cases)
    assert_one_group(out)
    tier_only = db.session.get(CasePeerKey, out["tier-only.txt"]["case_id"])
    assert tier_only.is_mitigating is False
    finding = inconsistency(out["tier-only.txt"])
    assert finding is not None
    # the message says which rule set it apart (here: outside the band)
    assert "超出同类案件的一致区间" in finding["message"]
    assert "明显偏低" in finding["message"]
    own = db.session.get(CasePeerKey, out["own-reason.txt"]["case_id"])
    assert own.is_mitigating is True
    assert inconsistency(out["own-reason.txt"]) is None
    assert_ordinary_not_flagged(out)


def test_band_rule_message_and_fine_behind_a_note(
    app, world, chengguan, runner, tmp_path
):
    """Is a fine written 罚款（按遗撒面积计）人民币…元 keyed like the others, and
    does a high outlier inside the tier (not at its end) say it left the
    consistent band of its peers?"""
    cases = ordinary_cases(
        edit=lambda text, fine: text.replace(
            f"处以罚款人民币{fine}元", f"处以罚款（按遗撒面积计）人民币{fine}元"
        )
    )
    cases.append(("high.txt", decision(70, 11000)))
    out = add_cases(runner, tmp_path, cases)
    for i, fine in enumerate(ORDINARY_FINES):
        obj = out[f"o{i}.txt"]
        assert obj["fine_yuan"] == fine
        assert db.session.get(CasePeerKey, obj["case_id"]) is not None
    finding = inconsistency(out["high.txt"])
    assert finding is not None
    assert "超出同类案件的一致区间" in finding["message"]


def test_message_names_the_rule():
    """The finding's words for each rule: the band with its edges, the tier end
    with the most extreme peer."""
    from casebank.consistency.services import _why
    from nlp.peers import PeerPoint, judge

    peers = [PeerPoint(i, v) for i, v in enumerate([0.2, 0.25, 0.3, 0.42, 0.5, 0.6])]
    near = judge(PeerPoint(99, 0.93), peers + [PeerPoint(7, 0.79)])
    assert near.at_end
    assert _why(near) == "处于幅度上限附近，同类案件最高为79%，很少处于该端"
    tight = [PeerPoint(i, 0.4 + 0.01 * i) for i in range(6)]
    band = judge(PeerPoint(99, 0.8), tight)
    assert not band.at_end
    assert _why(band).startswith("超出同类案件的一致区间（")
