"""Review sheets: score, grade and veto; drafts, submit, read-only, stale saves."""

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from casebank.reviews import scoring
from casebank.reviews.defaults import DEFAULT_TEMPLATE
from casebank.reviews.models import CaseReview, Grade
from casebank.reviews.services import ensure_template
from casebank.reviews.template_text import parse
from portal.actor import Actor
from portal.audit.models import AuditLog
from portal.extensions import db
from tests.casebank.review_support import add_case, login


class _Item:
    def __init__(self, id, max_deduction, veto=False):
        self.id, self.max_deduction, self.veto = id, Decimal(max_deduction), veto


def _template():
    """A parsed default template with item ids 1.. (pure: no database)."""
    parsed = parse(DEFAULT_TEMPLATE)
    n = 0
    for section in parsed.sections:
        items = []
        for item in section.items:
            n += 1
            items.append(_Item(n, item.max_deduction, item.veto))
        section.items = items
    return parsed


def _item(template, section, index=0, veto=False):
    s = next(s for s in template.sections if s.name == section)
    return [i for i in s.items if i.veto == veto][index]


def test_score_is_100_minus_capped_deductions_and_grades_follow_thresholds():
    t = _template()
    E = scoring.Entry
    assert scoring.compute(t, {}).score == 100
    assert scoring.compute(t, {}).grade == Grade.EXCELLENT
    # 执法主体 (10 points): 4 + 3 + 3 = 10, a fourth item could not add more.
    subject = [i for i in t.sections[0].items if not i.veto]
    entries = {i.id: E(i.max_deduction) for i in subject}
    result = scoring.compute(t, entries)
    assert result.section_deductions["执法主体"] == 10
    assert (result.score, result.grade) == (Decimal(90), Grade.EXCELLENT)
    # A value above the item's maximum counts as the maximum.
    one = _item(t, "程序")
    assert scoring.compute(t, {one.id: E(Decimal(99))}).score == 100 - one.max_deduction
    entries[_item(t, "证据").id] = E(Decimal("0.5"))
    assert scoring.compute(t, entries).score == Decimal("89.5")
    assert scoring.compute(t, entries).grade == Grade.PASS
    # Everything deducted: 0, never negative; below 60 is 不合格.
    every = {i.id: E(Decimal(100)) for s in t.sections for i in s.items}
    result = scoring.compute(t, every)
    assert result.score == 0
    assert result.grade == Grade.FAIL
    assert scoring.grade_for(Decimal("59.5"), 90, 60) == Grade.FAIL
    assert scoring.grade_for(Decimal(60), 90, 60) == Grade.PASS


def test_a_veto_item_forces_zero_and_fail():
    t = _template()
    veto = _item(t, "法律适用", veto=True)
    result = scoring.compute(t, {veto.id: scoring.Entry(vetoed=True)})
    assert (result.score, result.grade, result.vetoed) == (0, Grade.FAIL, True)
    # A veto flag on an ordinary item means nothing.
    plain = _item(t, "法律适用")
    result = scoring.compute(t, {plain.id: scoring.Entry(vetoed=True)})
    assert result.grade == Grade.EXCELLENT


@pytest.fixture
def sheet(app, world):
    """A case, the current template and the supervision staff's client."""
    case = add_case(
        world.agency, text="甲区城管局\n行政处罚决定书\n罚款500元。\n", check=False
    )
    template = ensure_template(Actor.system())
    db.session.commit()
    return case, template, login(app, "supervision_staff")


def _post(client, case, template, entries, version, action="save", opinion=""):
    data = {
        "version": str(version),
        "template_id": str(template.id),
        "action": action,
        "opinion": opinion,
    }
    for item, (points, note) in entries.items():
        if points == "veto":
            data[f"veto-{item.id}"] = "y"
        else:
            data[f"points-{item.id}"] = str(points)
        data[f"note-{item.id}"] = note
    return client.post(f"/casebank/cases/{case.id}/review", data=data)


def test_draft_then_submit_computes_score_grade_and_is_read_only(sheet, world):
    case, template, client = sheet
    items = [i for i in template.items if not i.veto]
    r = _post(client, case, template, {items[0]: ("2", "印章缺失")}, 0)
    assert r.status_code == 302
    review = db.session.scalar(sa.select(CaseReview))
    assert (review.status, review.score, review.grade) == ("draft", 98, "excellent")
    assert review.version == 1
    page = client.get(f"/casebank/cases/{case.id}/review").get_data(as_text=True)
    assert "印章缺失" in page
    assert "草稿" in page

    # Submitting needs an opinion.
    r = _post(client, case, template, {items[0]: ("2", "印章缺失")}, 1, "submit")
    assert r.status_code == 400
    assert "提交前请填写评查意见" in r.get_data(as_text=True)
    r = _post(
        client,
        case,
        template,
        {items[0]: ("2", "印章缺失"), items[1]: ("3", "无身份证明")},
        1,
        "submit",
        "主体材料不全。",
    )
    assert r.status_code == 302
    db.session.expire_all()
    review = db.session.scalar(sa.select(CaseReview))
    assert (review.status, review.score, review.grade) == ("submitted", 95, "excellent")
    assert review.opinion == "主体材料不全。"
    audit = db.session.scalar(
        sa.select(AuditLog).where(AuditLog.action == "case_review_submitted")
    )
    assert audit is not None
    assert '"grade": "优秀"' in audit.after

    page = client.get(f"/casebank/cases/{case.id}/review").get_data(as_text=True)
    assert "已提交" in page
    assert "保存草稿" not in page
    assert " disabled" in page
    r = _post(client, case, template, {}, review.version, "save")
    assert r.status_code == 409
    assert "已提交，不能再修改" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(sa.select(CaseReview)).score == 95


def test_a_veto_submits_as_zero_and_fail(sheet):
    case, template, client = sheet
    veto = next(i for i in template.items if i.veto)
    r = _post(
        client, case, template, {veto: ("veto", "无主体资格")}, 0, "submit", "不合格。"
    )
    assert r.status_code == 302
    review = db.session.scalar(sa.select(CaseReview))
    assert (review.score, review.grade) == (0, "fail")


def test_bad_values_are_refused_with_the_input_shown_back(sheet):
    case, template, client = sheet
    items = [i for i in template.items if not i.veto]
    r = _post(
        client,
        case,
        template,
        {items[0]: ("abc", "x"), items[1]: ("99", "y"), items[2]: ("1", "")},
        0,
        opinion="我的意见草稿",
    )
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "扣分应为数字" in page
    assert "扣分应在0到3分之间" in page
    assert "扣分或否决时请填写说明" in page
    assert 'value="abc"' in page
    assert "我的意见草稿" in page
    assert db.session.scalar(sa.select(CaseReview)) is None


def test_a_stale_save_from_a_second_tab_is_refused_and_nothing_lost(sheet):
    """Two tabs open the same draft (version 1); the first save wins, the second
    is refused with a Chinese message, its input shown back, the first kept."""
    case, template, client = sheet
    items = [i for i in template.items if not i.veto]
    assert _post(client, case, template, {items[0]: ("1", "a")}, 0).status_code == 302
    # Tab A and tab B both loaded version 1.
    assert (
        _post(client, case, template, {items[0]: ("2", "tab A")}, 1).status_code == 302
    )
    r = _post(client, case, template, {items[0]: ("4", "tab B 的说明")}, 1)
    page = r.get_data(as_text=True)
    assert r.status_code == 409
    assert "已在其他页面或窗口中保存过，本次保存未生效" in page
    assert "tab B 的说明" in page
    assert 'value="4"' in page
    db.session.expire_all()
    review = db.session.scalar(sa.select(CaseReview))
    assert review.version == 2
    assert review.deductions[0].note in ("tab A", "")
    assert {d.note for d in review.deductions if d.note} == {"tab A"}
    assert 'data-testid="saved-version"' in page
    assert "tab A" in page  # the saved state is shown next to the refused input
    # Saving again from the refused page (now on version 2) is a deliberate
    # overwrite and succeeds.
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page)
    assert version.group(1) == "2"
    r = _post(client, case, template, {items[0]: ("4", "tab B 的说明")}, 2)
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(CaseReview)).score == 96
    # A double click (the same content posted twice on one version) is harmless.
    assert (
        _post(client, case, template, {items[0]: ("4", "tab B 的说明")}, 2).status_code
        == 302
    )
    # Two tabs creating the sheet at once: the second creation is refused too.
    other = add_case(case.agency, text="甲区城管局\n另一份\n罚款1元。\n", check=False)
    assert _post(client, other, template, {}, 0).status_code == 302
    r = _post(client, other, template, {items[0]: ("1", "late")}, 0)
    assert r.status_code == 409
    assert "late" in r.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(CaseReview.id))) == 2


def test_only_reviewers_who_see_the_case_get_the_sheet(app, world, factories):
    case = add_case(
        world.other_agency, text="乙县市场监管局\n决定\n罚款1元。\n", check=False
    )
    assert (
        login(app, "agency_handler")
        .get(f"/casebank/cases/{case.id}/review")
        .status_code
        == 403
    )
    assert (
        login(app, "sys_admin").get(f"/casebank/cases/{case.id}/review").status_code
        == 200
    )
    # Supervision staff of another district do not see it (404).
    from portal.auth.models import Role

    factories.user(
        username="district-supervisor",
        role=Role.SUPERVISION_STAFF,
        scope=world.district,
        organisation=world.agency,
    )
    client = login(app, "district-supervisor")
    assert client.get(f"/casebank/cases/{case.id}/review").status_code == 404


def test_the_sheet_carries_a_csrf_token_and_a_post_without_it_saves_nothing(app, world):
    """With CSRF on, the sheet has a token; a post without it is refused by the
    app-wide CSRF handler (Chinese message) and saves nothing."""
    case = add_case(world.agency, text="甲区城管局\n决定书\n罚款9元。\n", check=False)
    template = ensure_template(Actor.system())
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post(
        "/login",
        data={
            "login": "supervision_staff",
            "password": "Passw0rd!",
            "csrf_token": token,
        },
    )
    page = client.get(f"/casebank/cases/{case.id}/review").get_data(as_text=True)
    assert 'name="csrf_token"' in page
    item = next(i for i in template.items if not i.veto)
    r = _post(client, case, template, {item: ("2", "过期前填写的说明")}, 0)
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "页面已过期或表单校验失败（CSRF）" in page
    assert db.session.scalar(sa.select(CaseReview)) is None
