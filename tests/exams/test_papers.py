"""Blueprint papers, pool validation, reproducible per-candidate papers, eligibility."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from exams.banks.models import QuestionVersion
from exams.banks.services import commit_import, edit_question, ensure_bank, plan_import
from exams.formats.model import ImportedQuestion, ImportResult
from exams.papers.models import CandidatePaper
from exams.papers.services import (
    create_arrangement,
    create_blueprint_paper,
    draw,
    enrol_candidates,
    exempt_candidate,
    generate_candidate_paper,
    may_take,
    pregenerate,
    validate_paper,
)
from portal.actor import Actor
from portal.auth.models import Role
from portal.exceptions import InvalidState
from portal.extensions import db


def fill_bank(code, singles=20, judgements=10):
    bank = ensure_bank(code)
    rows = [
        ImportedQuestion(
            type="single",
            stem=f"单选题{n}：第{n}种情形应当如何处理？",
            options={"A": f"甲{n}", "B": f"乙{n}", "C": f"丙{n}", "D": f"丁{n}"},
            key=["A"],
            difficulty=1 + n % 5,
            knowledge_point="公共法律知识/行政处罚法",
            source=f"第{n + 2}行",
        )
        for n in range(singles)
    ] + [
        ImportedQuestion(
            type="true_false",
            stem=f"判断题{n}：第{n}项陈述是否正确？",
            key=["对"],
            difficulty=3,
            knowledge_point="专业法律知识/城管",
            source=f"第{n + 100}行",
        )
        for n in range(judgements)
    ]
    plan = plan_import(ImportResult(questions=rows, format="xlsx"), bank)
    assert plan.errors == []
    return bank, commit_import(plan, bank, Actor.system())


def paper_for(bank, singles=5, judgements=5):
    return create_blueprint_paper(
        "测试试卷",
        [
            {
                "bank_id": bank.id,
                "type": "single",
                "count": singles,
                "score_each": Decimal(10),
            },
            {
                "bank_id": bank.id,
                "type": "true_false",
                "count": judgements,
                "score_each": Decimal(10),
            },
        ],
    )


def arrangement_for(paper, **fields):
    now = datetime(2026, 12, 1, 9, 0)
    return create_arrangement(
        paper,
        name="2026年行政执法证资格考试",
        kind=fields.pop("kind", "qual_special"),
        window_start=now,
        window_end=now + timedelta(days=3),
        **fields,
    )


def test_pool_must_be_twice_the_draw(app):
    """A rule whose pool is smaller than pool_factor × count is reported; totals
    must add up to the paper's total score."""
    bank, _ = fill_bank("P1", singles=9, judgements=10)
    paper = paper_for(bank)  # 5 singles need 10 in the pool; there are 9
    errors = validate_paper(paper)
    assert any("只有 9 道" in e and "至少需要 10 道" in e for e in errors)
    paper.pool_factor = Decimal(1)
    assert validate_paper(paper) == []
    paper.total_score = Decimal(90)
    paper.pass_mark = Decimal(54)
    assert any("与试卷总分" in e for e in validate_paper(paper))


def test_knowledge_point_rules_draw_from_the_subtree(app):
    """A rule on 公共法律知识 draws questions filed under its children."""
    from exams.banks.models import KnowledgePoint

    bank, _ = fill_bank("P2", singles=12, judgements=0)
    root = db.session.scalar(
        sa.select(KnowledgePoint).where(KnowledgePoint.path == "公共法律知识")
    )
    paper = create_blueprint_paper(
        "按知识点",
        [
            {
                "knowledge_point_id": root.id,
                "type": "single",
                "count": 5,
                "score_each": Decimal(20),
            }
        ],
    )
    assert validate_paper(paper) == []
    assert len(draw(paper, "seed")) == 5


def test_draw_is_reproducible_and_shuffles(app):
    """Same seed → same questions, order and option order; other seeds differ;
    no question is drawn twice."""
    bank, _ = fill_bank("P3")
    paper = paper_for(bank)
    first, again = draw(paper, "abc"), draw(paper, "abc")
    assert first == again
    assert len({d.version_id for d in first}) == 10
    others = [draw(paper, f"seed-{n}") for n in range(5)]
    assert any(o != first for o in others)
    options = [d.options for d in first if d.options]
    assert all(sorted(o) == ["A", "B", "C", "D"] for o in options)
    assert any(
        list(o) != ["A", "B", "C", "D"]
        for other in others
        for o in (d.options for d in other)
        if o
    )


def test_candidate_paper_is_stored_once_and_versions_are_frozen(app, world):
    """Generation is idempotent; drawn versions are marked used, so editing a drawn
    question creates a new version and the stored paper keeps the old one."""
    bank, questions = fill_bank("P4")
    arrangement = arrangement_for(paper_for(bank))
    officer = world.users["officer"]
    paper = generate_candidate_paper(arrangement, officer.id)
    db.session.commit()
    assert generate_candidate_paper(arrangement, officer.id).id == paper.id
    version_id = paper.items[0]["version_id"]
    version = db.session.get(QuestionVersion, version_id)
    assert version.is_used
    question = version.question
    new = edit_question(question, {"stem": "修改后的题干"}, Actor.system())
    assert new.id != version_id
    db.session.commit()
    stored = db.session.get(CandidatePaper, paper.id)
    assert stored.items[0]["version_id"] == version_id


def test_enrolment_exemption_and_pregeneration(app, world):
    """Candidates by organisation and role; exempt ones get no paper; pre-generation
    is idempotent; 资格-通用 opens only after 资格-专门 is passed."""
    bank, _ = fill_bank("P5")
    special = arrangement_for(paper_for(bank))
    added = enrol_candidates(
        special, organisation=world.city, roles=[Role.OFFICER, Role.AUXILIARY]
    )
    assert added == 2
    aux = world.users["auxiliary"]
    with pytest.raises(InvalidState):
        exempt_candidate(special, aux, "  ", Actor.system())
    exempt_candidate(special, aux, "长期病假", Actor.system())
    assert pregenerate(special, Actor.system()) == 1
    assert pregenerate(special, Actor.system()) == 0
    officer = world.users["officer"]
    assert may_take(special, officer.id)
    assert not may_take(special, aux.id)

    general = arrangement_for(
        paper_for(bank), kind="qual_general", prerequisite_id=special.id
    )
    enrol_candidates(general, users=[officer])
    assert not may_take(general, officer.id)
    assert may_take(general, officer.id, passed_arrangement_ids={special.id})


def test_fixed_paper_by_hand(app, client, auth, world):
    """A fixed paper is built from question numbers; unknown numbers are refused;
    its validation and sample use the hand-picked versions."""
    bank, questions = fill_bank("P6", singles=5, judgements=0)
    db.session.commit()
    auth.login("training_admin")
    response = client.post(
        "/admin/exams/papers",
        data={
            "name": "固定卷",
            "kind": "fixed",
            "total_score": "100",
            "pass_mark": "60",
            "pool_factor": "1",
            "multiple_policy": "all_or_nothing",
        },
    )
    assert response.status_code == 302
    url = response.headers["Location"]
    wrong = client.post(url, data={"question_ids": "999999", "score": "20"})
    assert wrong.status_code == 400
    assert "找不到试题" in wrong.get_data(as_text=True)
    ids = ",".join(str(q.id) for q in questions)
    assert (
        client.post(url, data={"question_ids": ids, "score": "20"}).status_code == 302
    )
    page = client.get(url).get_data(as_text=True)
    assert "试卷校验通过" in page
    assert page.count("<li>[20.00分]") == 5
    assert "一、单项选择题" in page  # the sample is grouped by type


def _name_list(names):
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["用户名"])
    for name in names:
        book.active.append([name])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_candidate_list_and_adjustments_in_the_ui(app, client, auth, world):
    """An Excel list enrols only known, manageable users (all or nothing); exemption
    needs a reason; extra time and a make-up deadline are saved."""
    import io

    from exams.papers.models import ArrangementCandidate

    bank, _ = fill_bank("P7")
    arrangement = arrangement_for(paper_for(bank))
    arrangement.organisation_id = world.district.id
    db.session.commit()
    auth.login("training_admin")
    base = f"/admin/exams/arrangements/{arrangement.id}/candidates"

    def upload(names):
        return client.post(
            f"{base}/upload",
            data={"file": (io.BytesIO(_name_list(names)), "list.xlsx")},
            content_type="multipart/form-data",
            follow_redirects=True,
        ).get_data(as_text=True)

    page = upload(["officer", "nobody-here"])
    assert "第3行：找不到可管理的用户“nobody-here”" in page
    assert db.session.scalar(sa.select(sa.func.count(ArrangementCandidate.id))) == 0
    assert "新增考生 2 人" in upload(["officer", "auxiliary"])

    def adjust(**data):
        return client.post(
            f"{base}/adjust", data={"login": "officer", **data}, follow_redirects=True
        ).get_data(as_text=True)

    assert "请填写免考理由" in adjust(action="exempt", reason="")
    adjust(action="extra", extra_minutes="30")
    assert "补考截止时间必须晚于" in adjust(
        action="makeup", makeup_until="2026-12-01T10:00"
    )
    adjust(action="makeup", makeup_until="2026-12-20T10:00")
    entry = db.session.scalar(
        sa.select(ArrangementCandidate).where(
            ArrangementCandidate.user_id == world.users["officer"].id
        )
    )
    assert entry.extra_minutes == 30
    assert entry.makeup_until.isoformat() == "2026-12-20T02:00:00"  # stored in UTC
    assert not entry.is_exempt


def test_arrangement_form_prerequisite_and_domains(app, client, auth, world):
    """资格-通用 needs a 资格-专门 prerequisite; a domain filter enrols only officers
    of that enforcement domain."""
    from exams.papers.models import ExamArrangement
    from portal.orgs.models import Domain

    bank, _ = fill_bank("P8")
    paper = paper_for(bank)
    officer = world.users["officer"]
    chengguan = db.session.scalar(sa.select(Domain).where(Domain.code == "chengguan"))
    market = db.session.scalar(sa.select(Domain).where(Domain.code == "market"))
    officer.domains = [chengguan]
    db.session.commit()
    auth.login("training_admin")
    form = {
        "name": "资格考试（专门）",
        "kind": "qual_special",
        "paper_id": str(paper.id),
        "window_start": "2027-03-01T09:00",
        "window_end": "2027-03-02T17:00",
        "duration_minutes": "90",
        "attempts_allowed": "1",
        "makeup_attempts": "1",
        "tab_switch_limit": "3",
        "release_policy": "after_window",
        "prerequisite_id": "0",
        "organisation_id": str(world.district.id),
        "roles": ["officer"],
        "domain_ids": [str(market.id)],
    }
    response = client.post(
        "/admin/exams/arrangements", data=form, follow_redirects=True
    )
    assert "参考人员 0 人" in response.get_data(as_text=True)
    form["domain_ids"] = [str(chengguan.id)]
    response = client.post(
        "/admin/exams/arrangements", data=form, follow_redirects=True
    )
    assert "参考人员 1 人" in response.get_data(as_text=True)
    special = db.session.scalars(
        sa.select(ExamArrangement).order_by(ExamArrangement.id.desc())
    ).first()
    general = dict(form, name="资格考试（通用）", kind="qual_general")
    refused = client.post("/admin/exams/arrangements", data=general)
    assert refused.status_code == 400
    assert "须选择前置" in refused.get_data(as_text=True)
    general["prerequisite_id"] = str(special.id)
    assert client.post("/admin/exams/arrangements", data=general).status_code == 302
    created = db.session.scalars(
        sa.select(ExamArrangement).order_by(ExamArrangement.id.desc())
    ).first()
    assert created.prerequisite_id == special.id
