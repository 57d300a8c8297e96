"""Writing questions by hand (issue #12) through the web: the editor (rows without
JavaScript, preview, legal-basis confirmation), the question page, copy/retire,
knowledge points, 更正答案 with its regrade preview, and the import preview."""

import io
import re
from datetime import datetime

import sqlalchemy as sa
from openpyxl import load_workbook

from exams.banks import knowledge
from exams.banks.models import Question
from exams.banks.services import ensure_bank
from exams.formats.model import ImportedQuestion
from exams.formats.xlsx import write_xlsx
from portal.actor import Actor
from portal.extensions import db
from portal.laws.services import add_provision
from portal.notifications.models import Notification
from tests.exams.cert_setup import arrangement, sit

START = datetime(2027, 3, 1, 1, 0)


def provision():
    add_provision(
        Actor.system(),
        name="中华人民共和国行政处罚法",
        level="法律",
        issuer="全国人民代表大会常务委员会",
        effective_date=None,
        articles=[(33, "违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚。")],
    )
    db.session.commit()


def text(response):
    return response.get_data(as_text=True)


def test_write_a_question_by_hand(app, client, auth, world):
    """新增: type chooser, rows added without JS, preview as the candidate sees it,
    the legal basis normalised and confirmed, then saved; the question page shows
    it; copy and 停用/启用 work; an unknown basis is a Chinese error."""
    provision()
    bank = ensure_bank("HAND", "手工题库", world.district)
    db.session.commit()
    auth.login("training_admin")
    base = f"/admin/exams/banks/{bank.id}/questions/new"
    assert "单选题" in text(client.get(base))
    page = text(client.get(base + "?type=single"))
    assert page.count('name="option-') >= 4 * 4
    fields = {
        "type": "single",
        "stem": '<p>违法行为轻微并及时改正的，应当？</p><img src="https://tracker.example/x.png">',
        "option-0-text": "不予行政处罚",
        "option-0-correct": "1",
        "option-1-text": "从重处罚",
        "option-2-text": "",
        "option-3-text": "",
        "score": "2",
        "difficulty": "2",
        "knowledge_point_id": "",
        "tags": "处罚、程序",
        "explanation": "见第三十三条",
        "legal_basis": "处罚法33条",
    }
    more = client.post(base, data={**fields, "action": "add_option"})
    assert more.status_code == 200
    assert 'name="option-4-text"' in text(more)
    preview = text(client.post(base, data={**fields, "action": "preview"}))
    assert "预览（考生所见）" in preview
    shown = preview[
        preview.index("预览（考生所见）") : preview.index("question-editor")
    ]
    assert "违法行为轻微" in shown
    assert "tracker.example" not in shown
    first = client.post(base, data={**fields, "action": "save"})
    assert first.status_code == 200  # shown for confirmation, not saved
    page = text(first)
    assert "请核对法律依据" in page
    assert "《行政处罚法》第三十三条" in page
    assert "没有造成危害后果的" in page
    assert db.session.scalar(sa.select(sa.func.count(Question.id))) == 0
    article_id = re.search(r'name="basis_article" value="(\d+)"', page).group(1)
    saved = client.post(
        base,
        data={
            **fields,
            "legal_basis": "《行政处罚法》第三十三条",
            "basis_article": article_id,
            "action": "save",
        },
    )
    assert saved.status_code == 302
    question = db.session.scalars(sa.select(Question)).one()
    assert saved.headers["Location"].endswith(f"/admin/exams/questions/{question.id}")
    version = question.current
    assert version.spec == {
        "type": "single",
        "options": {"A": "不予行政处罚", "B": "从重处罚"},
        "key": ["A"],
    }
    assert version.legal_basis == "《行政处罚法》第三十三条"
    assert version.law_article.number == 33
    assert version.tags == ["处罚", "程序"]
    assert "tracker.example" not in version.stem
    show = text(client.get(f"/admin/exams/questions/{question.id}"))
    assert "预览（考生所见）" in show
    assert "不予行政处罚" in show

    unknown = client.post(
        f"/admin/exams/questions/{question.id}/edit",
        data={**fields, "legal_basis": "不存在的法第3条", "action": "save"},
    )
    assert unknown.status_code == 400
    assert "法规库中没有《不存在的法》" in text(unknown)

    copied = client.post(f"/admin/exams/questions/{question.id}/copy")
    assert "/edit" in copied.headers["Location"]
    client.post(f"/admin/exams/questions/{question.id}/retire")
    db.session.refresh(question)
    assert question.is_active is False
    retired = text(client.get(f"/admin/exams/banks/{bank.id}?state=retired"))
    assert f'/admin/exams/questions/{question.id}"' in retired
    client.post(f"/admin/exams/questions/{question.id}/enable")
    db.session.refresh(question)
    assert question.is_active is True


def test_fill_blank_and_case_in_the_editor(app, client, auth, world):
    """A 填空 with two blanks and several answers, a 案例分析 with scoring points
    that must add up to the score."""
    bank = ensure_bank("HAND2", "手工题库二", world.district)
    db.session.commit()
    auth.login("training_admin")
    base = f"/admin/exams/banks/{bank.id}/questions/new"
    fill = client.post(
        base,
        data={
            "type": "fill_blank",
            "stem": "可以申请____或者提起____。",
            "blank-0-answers": "行政复议|复议",
            "blank-1-answers": "行政诉讼",
            "score": "2",
            "difficulty": "3",
        },
    )
    assert fill.status_code == 302
    bad = client.post(
        base,
        data={
            "type": "case",
            "stem": "案例：……",
            "reference_answer": "应当不予处罚。",
            "rubric-0-point": "指出适用条款",
            "rubric-0-score": "3",
            "score": "10",
            "difficulty": "4",
        },
    )
    assert bad.status_code == 400
    assert "评分要点合计 3 分，应等于本题分值 10 分" in text(bad)


def test_knowledge_point_routes(app, client, auth, world):
    auth.login("training_admin")
    client.get("/admin/exams/knowledge-points")
    root = knowledge.by_path("公共法律知识")
    done = client.post(
        "/admin/exams/knowledge-points/create",
        data={"name": "当场处罚", "target": root.id},
        follow_redirects=True,
    )
    assert "已新建知识点 公共法律知识/当场处罚" in text(done)
    point = knowledge.by_path("公共法律知识/当场处罚")
    cycle = client.post(
        "/admin/exams/knowledge-points/move",
        data={"point": root.id, "target": point.id},
        follow_redirects=True,
    )
    assert "不能把知识点移到它自己或它的下级知识点之下" in text(cycle)
    target = knowledge.by_path("公共法律知识/行政处罚法")
    client.post(
        "/admin/exams/knowledge-points/move",
        data={"point": point.id, "target": target.id},
    )
    db.session.refresh(point)
    assert point.path == "公共法律知识/行政处罚法/当场处罚"


def test_correct_key_page(app, client, auth, world, factories):
    """更正答案: the preview table (masked names, old → new, pass changes) saves
    nothing; confirming regrades and notifies."""
    officer = world.users["officer"]
    exam = arrangement("training", [officer], START)
    attempt = sit(exam, officer, START)
    exam.question.bank.organisation = world.district
    db.session.commit()
    auth.login("training_admin")
    url = f"/admin/exams/questions/{exam.question.id}/correct-key"
    assert "更正答案" in text(client.get(url))
    preview = client.post(url, data={"tf_key": "错", "action": "preview"})
    page = text(preview)
    assert preview.status_code == 200
    assert "受影响答卷 1 份" in page
    assert "通过 → 不通过" in page
    assert officer.name not in page
    assert officer.name[0] + "*" in page
    db.session.refresh(attempt)
    assert attempt.passed is True
    applied = client.post(url, data={"tf_key": "错", "action": "apply"})
    assert applied.status_code == 302
    db.session.refresh(attempt)
    assert attempt.passed is False
    assert db.session.scalar(
        sa.select(Notification.id).where(
            Notification.user_id == officer.id, Notification.kind == "score_changed"
        )
    )


def test_import_preview_rows_formula_and_exclusion(app, client, auth, world):
    """Every row in order with its errors (failed field checks too), a formula
    cell reported, 共读取 N 道 counting rows read, new knowledge points listed;
    the commit imports the rows not excluded."""
    bank = ensure_bank("IMPV", "导入预览", world.district)
    db.session.commit()
    rows = [
        ImportedQuestion(
            type="true_false", stem="甲题", key=["对"], knowledge_point="新知识点/子点"
        ),
        ImportedQuestion(type="true_false", stem="乙题", key=["对"]),
        ImportedQuestion(type="true_false", stem="丙题", key=["对"]),
    ]
    workbook = load_workbook(io.BytesIO(write_xlsx(rows)))
    sheet = workbook["试题"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=3, column=header.index("分值") + 1).value = "=1+1"
    sheet.cell(row=4, column=header.index("法律依据") + 1).value = "《不存在法》第1条"
    buffer = io.BytesIO()
    workbook.save(buffer)
    auth.login("training_admin")
    page = text(
        client.post(
            f"/admin/exams/banks/{bank.id}/import",
            data={"file": (io.BytesIO(buffer.getvalue()), "bank.xlsx")},
            content_type="multipart/form-data",
        )
    )
    assert "共读取 3 道" in page
    assert "单元格是公式" in page
    assert "法规库中没有《不存在法》" in page
    assert 'value="第4行" id="exclude-3" checked' in page
    assert "将新建知识点" in page
    assert "新知识点/子点" in page
    table = page[page.index("<tbody>") :]
    assert table.index("第2行") < table.index("第3行") < table.index("第4行")
    assert "新知识点" not in {p.path for p in knowledge.active_points()}
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
    form = {"token": token, "filename": "bank.xlsx"}
    refused = client.post(f"/admin/exams/banks/{bank.id}/import/commit", data=form)
    assert "/import" in refused.headers["Location"]
    done = client.post(
        f"/admin/exams/banks/{bank.id}/import/commit",
        data={**form, "exclude": ["第4行"]},
    )
    assert done.status_code == 302
    (question,) = db.session.scalars(
        sa.select(Question).where(Question.bank_id == bank.id)
    ).all()
    assert question.current.knowledge_point.path == "新知识点/子点"
