"""同案不同罚, fifth round (issue #13) in the portal: the names of the stated
reasons are stored with the comparison key, and a reason that every peer of the
group states too (here: the spill happened in front of a school, a template
sentence of the whole district) explains no fine at the tier's top; a reason of
the case's own still does."""

import sqlalchemy as sa

from casebank.consistency.models import CasePeerKey
from casebank.consistency.services import join_names, recompute_all, split_names
from portal.extensions import db
from tests.casebank.consistency_texts import (
    add_cases,
    assert_one_group,
    assert_ordinary_not_flagged,
    decision,
    inconsistency,
    open_inconsistency,
    ordinary_cases,
)

SHARED = (
    "本局综合考虑以下情节：当事人车辆遗撒发生在学校门前的道路上。"
    "据此，对当事人在罚款幅度内予以处罚。"
)
OWN = (
    "本局综合考虑以下情节：当事人车辆遗撒发生在学校门前的道路上；沿线居民为此"
    "投诉11次。据此，对当事人在罚款幅度内予以处罚。"
)


def test_reason_every_peer_states_explains_no_top_fine(
    app, world, chengguan, runner, tmp_path
):
    """Is a top fine whose only stated reason is the one every peer states
    flagged, and the same fine with a reason of its own not?"""
    cases = ordinary_cases(SHARED)
    cases.append(("shared-only.txt", decision(60, 12000, reasons=SHARED)))
    cases.append(("own-reason.txt", decision(61, 12000, reasons=OWN)))
    out = add_cases(runner, tmp_path, cases)
    assert_one_group(out)
    shared = db.session.get(CasePeerKey, out["shared-only.txt"]["case_id"])
    assert shared.is_aggravating is True
    names = split_names(shared.reason_names)
    assert names
    assert all(name.startswith("+") for name in names)
    assert inconsistency(out["shared-only.txt"]) is not None
    own = db.session.get(CasePeerKey, out["own-reason.txt"]["case_id"])
    assert split_names(own.reason_names) > names
    assert inconsistency(out["own-reason.txt"]) is None
    assert_ordinary_not_flagged(out)


def test_names_are_stored_within_the_column():
    many = {f"+{'很长的情节' * 4}{i}" for i in range(60)}
    stored = join_names(many)
    assert len(stored) <= 500
    assert split_names(stored) <= many
    assert split_names(stored)
    assert join_names(set()) == ""
    assert split_names("") == frozenset()
    assert split_names(None) == frozenset()


def test_keys_stored_before_the_names_are_filled(
    app, world, chengguan, runner, tmp_path
):
    """Does `flask casebank fill-reason-names` give the keys stored before the
    upgrade (names NULL) their names, so the shared reason stops explaining the
    top fine, without touching keys that have them?"""
    cases = ordinary_cases(SHARED)
    cases.append(("shared-only.txt", decision(60, 12000, reasons=SHARED)))
    out = add_cases(runner, tmp_path, cases)
    assert inconsistency(out["shared-only.txt"]) is not None
    kept = db.session.get(CasePeerKey, out["o0.txt"]["case_id"])
    kept_names = kept.reason_names
    db.session.execute(
        sa.update(CasePeerKey)
        .where(CasePeerKey.case_id != kept.case_id)
        .values(reason_names=None)
    )
    db.session.commit()
    # keys without names: the flags alone decide, the top fine is explained
    recompute_all()
    db.session.commit()
    top = out["shared-only.txt"]["case_id"]
    assert open_inconsistency(top) is None
    result = runner.invoke(args=["casebank", "fill-reason-names"])
    assert result.exit_code == 0, result.output
    assert "已补写 6 条" in result.output
    db.session.expire_all()
    assert db.session.get(CasePeerKey, top).reason_names
    assert db.session.get(CasePeerKey, kept.case_id).reason_names == kept_names
    assert open_inconsistency(top) is not None
