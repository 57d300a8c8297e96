"""Writing questions by hand (issue #12), service level: the editor's draft and
spec for every type, create/copy/retire/enable, the knowledge-point tree, the key
correction's preview, and import planning of new knowledge points and rows."""

from datetime import datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from exams.banks import authoring, knowledge
from exams.banks.services import (
    commit_import,
    edit_question,
    ensure_bank,
    ensure_default_knowledge_points,
    plan_import,
)
from exams.formats.model import ImportedQuestion, ImportIssue, ImportResult
from exams.grading import get_question_type
from exams.papers.services import create_blueprint_paper, rule_pool
from portal.actor import Actor
from portal.audit.models import AuditLog
from portal.exceptions import InvalidState, ValidationFailed
from portal.extensions import db
from portal.notifications.models import Notification
from tests.exams.cert_setup import arrangement, sit

START = datetime(2027, 3, 1, 1, 0)


def actions():
    return db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)).all()


def form(**fields):
    return MultiDict(fields)


def test_every_type_builds_a_valid_spec():
    """A draft of each of the six types gives a spec the grading registry accepts;
    options follow their 顺序 numbers and 删除 boxes; blanks take several answers."""
    single = authoring.draft_from_form(
        "single",
        form(
            **{
                "stem": "当场处罚的罚款上限？",
                "option-0-text": "二百元",
                "option-0-order": "2",
                "option-1-text": "五十元",
                "option-1-order": "1",
                "option-1-correct": "1",
                "option-2-text": "要删掉",
                "option-2-remove": "1",
                "option-3-text": "一千元",
                "option-3-order": "3",
            }
        ),
    )
    spec, errors = authoring.build_spec(single, Decimal(1))
    assert errors == []
    assert spec["options"] == {"A": "五十元", "B": "二百元", "C": "一千元"}
    assert spec["key"] == ["A"]

    fill = authoring.draft_from_form(
        "fill_blank",
        form(
            **{
                "stem": "申请____或者提起____。",
                "blank-0-answers": "行政复议|复议",
                "blank-1-answers": "行政诉讼 | 诉讼",
                "blank-1-score": "1",
            }
        ),
    )
    spec, errors = authoring.build_spec(fill, Decimal(2))
    assert errors == []
    assert spec["blanks"] == [
        {"accepted": ["行政复议", "复议"], "score": None},
        {"accepted": ["行政诉讼", "诉讼"], "score": "1"},
    ]
    grade = get_question_type("fill_blank").grade(
        spec, ["复议", "诉讼"], Decimal(2), {}
    )
    assert grade.score == Decimal(2)

    tf = authoring.draft_from_form("true_false", form(stem="对吗", tf_key="错"))
    assert authoring.build_spec(tf)[0] == {"type": "true_false", "key": False}

    for qtype in ("essay", "case"):
        draft = authoring.draft_from_form(
            qtype,
            form(
                **{
                    "stem": "简述",
                    "reference_answer": "要点……",
                    "rubric-0-point": "说明程序",
                    "rubric-0-score": "4",
                    "rubric-1-point": "说明依据",
                    "rubric-1-score": "6",
                }
            ),
        )
        spec, errors = authoring.build_spec(draft, Decimal(10))
        assert errors == [], qtype
        assert get_question_type(qtype).validate(spec) == []
        # The scoring points must add up to the question's score.
        assert "评分要点合计 10 分" in authoring.build_spec(draft, Decimal(8))[1][0]

    multiple = authoring.draft_from_form(
        "multiple",
        form(
            **{
                "option-0-text": "警告",
                "option-0-correct": "1",
                "option-1-text": "罚款",
                "option-1-correct": "1",
                "option-2-text": "拘留",
            }
        ),
    )
    assert authoring.build_spec(multiple)[0]["key"] == ["A", "B"]


def test_draft_errors_are_chinese():
    """Missing key, empty option, blank count mismatch, bad score are refused."""
    no_key = authoring.draft_from_form(
        "single", form(**{"option-0-text": "甲", "option-1-text": "乙"})
    )
    assert "缺少正确答案" in authoring.build_spec(no_key)[1]
    blanks = authoring.draft_from_form(
        "fill_blank",
        form(
            **{"stem": "只有____一空", "blank-0-answers": "甲", "blank-1-answers": "乙"}
        ),
    )
    assert any("空位" in e for e in authoring.build_spec(blanks)[1])
    fields, errors = authoring.build(
        authoring.Draft(type="true_false", stem=" ", tf_key="对", score="abc"), set()
    )
    assert errors["stem"] == ["题干不能为空"]
    assert "不是有效的数字" in errors["score"][0]


def test_draft_round_trips_a_version(app):
    """An imported question's version gives back the same spec through the editor."""
    bank = ensure_bank("RT")
    rows = [
        ImportedQuestion(
            type="multiple",
            stem="种类？",
            options={"A": "警告", "B": "罚款", "C": "拘留"},
            key=["A", "B"],
            source="第2行",
        ),
        ImportedQuestion(
            type="fill_blank",
            stem="____和____",
            blanks=[["甲", "子"], ["乙"]],
            source="第3行",
        ),
    ]
    created = commit_import(
        plan_import(ImportResult(questions=rows, format="xlsx"), bank),
        bank,
        Actor.system(),
    )
    for question in created:
        version = question.current
        draft = authoring.draft_from_version(version)
        spec, errors = authoring.build_spec(draft, version.score)
        assert errors == []
        assert spec == version.spec


def test_create_copy_retire_enable_and_versioning(app):
    """Create v1 (audited); editing a used version makes v2; a copy is a new
    unused question; a retired question is not drawn into new papers and can be
    enabled again."""
    bank = ensure_bank("AUTH")
    actor = Actor.system()
    fields, errors = authoring.build(
        authoring.Draft(
            type="true_false", stem="行政处罚应当公开。", tf_key="对", score="2"
        ),
        set(),
    )
    assert errors == {}
    question = authoring.create_question(
        bank, "true_false", {**fields, "legal_basis": "", "law_article_id": None}, actor
    )
    assert question.current.version == 1
    question.current.is_used = True
    edit_question(question, {"stem": "行政处罚决定应当公开。"}, actor)
    assert [v.version for v in question.versions] == [1, 2]
    copy = authoring.copy_question(question, actor)
    assert copy.current.version == 1
    assert copy.current.is_used is False
    assert copy.current.stem == "行政处罚决定应当公开。"

    authoring.retire_question(question, actor)
    with pytest.raises(InvalidState):
        authoring.retire_question(question, actor)
    paper = create_blueprint_paper(
        "停用检查",
        [
            {
                "bank_id": bank.id,
                "type": "true_false",
                "count": 1,
                "score_each": Decimal(100),
            }
        ],
        pool_factor=Decimal(1),
    )
    (rule,) = paper.rules

    def pool():
        return {v.question_id for v in db.session.scalars(rule_pool(rule))}

    assert pool() == {copy.id}
    authoring.enable_question(question, actor)
    assert question.is_active
    assert pool() == {question.id, copy.id}
    assert [a for a in actions() if a.startswith("question_")] == [
        "question_created",
        "question_edited",
        "question_copied",
        "question_retired",
        "question_enabled",
    ]


def test_knowledge_point_tree(app):
    """Create, rename (subtree paths follow), move (no cycles), merge (questions
    follow, the source is retired), retire (not with active children), enable."""
    actor = Actor.system()
    root = knowledge.create("执法程序", None, actor)
    child = knowledge.create("简易程序", root, actor)
    leaf = knowledge.create("当场处罚", child, actor)
    with pytest.raises(InvalidState, match="已存在"):
        knowledge.create("简易程序", root, actor)
    with pytest.raises(ValidationFailed):
        knowledge.create("a/b", root, actor)

    knowledge.rename(root, "行政执法程序", actor)
    assert leaf.path == "行政执法程序/简易程序/当场处罚"
    with pytest.raises(InvalidState, match="下级"):
        knowledge.move(root, leaf, actor)
    other = knowledge.create("普通程序", None, actor)
    knowledge.move(child, other, actor)
    assert leaf.path == "普通程序/简易程序/当场处罚"

    bank = ensure_bank("KP")
    fields, _ = authoring.build(
        authoring.Draft(
            type="true_false", stem="题", tf_key="对", knowledge_point_id=leaf.id
        ),
        {leaf.id},
    )
    question = authoring.create_question(
        bank, "true_false", {**fields, "legal_basis": "", "law_article_id": None}, actor
    )
    target = knowledge.create("当场处罚", root, actor)
    moved = knowledge.merge(leaf, target, actor)
    db.session.refresh(question.current)
    assert moved == 1
    assert question.current.knowledge_point_id == target.id
    assert leaf.is_active is False
    with pytest.raises(InvalidState, match="下级"):
        knowledge.retire(other, actor)
    knowledge.retire(child, actor)
    knowledge.retire(other, actor)
    with pytest.raises(InvalidState, match="上级"):
        knowledge.enable(child, actor)
    knowledge.enable(other, actor)
    assert [a for a in actions() if a.startswith("knowledge_point_")].count(
        "knowledge_point_created"
    ) == 5


def test_import_plans_new_knowledge_points_and_rows(app):
    """Missing points are listed and created only on commit (and only for rows
    committed); rows come in file order with their errors, failed rows included;
    an excluded row is not imported; a row with an error must be excluded."""
    ensure_default_knowledge_points()
    bank = ensure_bank("IMP")
    result = ImportResult(
        questions=[
            ImportedQuestion(
                type="true_false",
                stem="甲",
                key=["对"],
                knowledge_point="新根/新叶",
                source="第2行",
            ),
            ImportedQuestion(
                type="true_false",
                stem="乙",
                key=["对"],
                knowledge_point="另一个新点",
                source="第10行",
            ),
            ImportedQuestion(
                type="single",
                stem="丙",
                options={"A": "x", "B": "y"},
                key=["C"],
                source="第4行",
            ),
        ],
        issues=[ImportIssue("第3行", "缺少题干")],
        format="xlsx",
    )
    plan = plan_import(result, bank)
    assert plan.new_knowledge_points == ["新根/新叶", "另一个新点"]
    assert [r.where for r in plan.rows] == ["第2行", "第3行", "第4行", "第10行"]
    assert plan.rows_read == 4
    assert plan.rows[1].planned is None
    assert plan.rows[1].errors == ["缺少题干"]
    assert knowledge.by_path("新根/新叶") is None
    with pytest.raises(ValueError, match="未保存"):
        commit_import(plan, bank, Actor.system(), exclude={"第3行"})
    created = commit_import(
        plan, bank, Actor.system(), exclude={"第3行", "第4行", "第10行"}
    )
    assert len(created) == 1
    assert created[0].current.knowledge_point.path == "新根/新叶"
    assert knowledge.by_path("新根") is not None
    assert knowledge.by_path("另一个新点") is None


def test_retired_knowledge_point_is_an_import_error(app):
    ensure_default_knowledge_points()
    point = knowledge.by_path("公共法律知识/宪法")
    knowledge.retire(point, Actor.system())
    plan = plan_import(
        ImportResult(
            questions=[
                ImportedQuestion(
                    type="true_false",
                    stem="甲",
                    key=["对"],
                    knowledge_point="公共法律知识/宪法",
                    source="第2行",
                )
            ],
            format="xlsx",
        ),
        ensure_bank("RET"),
    )
    assert plan.errors == [("第2行", "知识点已停用：公共法律知识/宪法")]


def test_key_correction_preview_then_regrade(app, world, factories):
    """The preview lists every affected attempt with old → new score and the pass
    change, and changes nothing; the correction then regrades in one go, is
    audited and notifies the candidates whose score changed."""
    officer = world.users["officer"]
    other = factories.user(role="officer", organisation=world.agency, name="李四")
    exam = arrangement("training", [officer, other], START)
    right = sit(exam, officer, START)
    wrong = sit(exam, other, START, good=False)
    db.session.commit()
    assert (right.passed, wrong.passed) == (True, False)
    version = exam.question.current
    new_key = {"type": "true_false", "key": False}

    rows = authoring.preview_key_correction(version, new_key, Actor.system())
    by_id = {row.attempt_id: row for row in rows}
    assert by_id[right.id].old_score == Decimal(100)
    assert by_id[right.id].new_score == Decimal(0)
    assert by_id[right.id].pass_change == "通过 → 不通过"
    assert by_id[wrong.id].pass_change == "不通过 → 通过"
    assert by_id[wrong.id].candidate == "李四"
    db.session.expire_all()
    assert version.spec["key"] is True
    assert right.score == Decimal(100)
    assert "key_corrected" not in actions()
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Notification.id)).where(
                Notification.kind == "score_changed"
            )
        )
        == 0
    )

    from exams.attempts.services import correct_key

    assert correct_key(version, new_key, Actor.system()) == 2
    db.session.commit()
    assert (right.passed, wrong.passed) == (False, True)
    assert "key_corrected" in actions()
    notified = db.session.scalars(
        sa.select(Notification.user_id).where(Notification.kind == "score_changed")
    ).all()
    assert sorted(notified) == sorted([officer.id, other.id])
    assert authoring.answered_versions(exam.question) == [version]
