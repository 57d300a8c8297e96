"""Question import through the web (preview, commit, double submit) and the CLI."""

import io
import json
from decimal import Decimal

import sqlalchemy as sa

from exams.banks.models import Question, QuestionBank
from exams.banks.services import ensure_bank
from exams.formats.model import ImportedQuestion
from exams.formats.xlsx import read_xlsx, write_xlsx
from portal.actor import Actor
from portal.extensions import db
from portal.laws.services import add_provision


def provision():
    add_provision(
        Actor.system(),
        name="中华人民共和国行政处罚法",
        level="行政法规",
        issuer="",
        effective_date=None,
        articles=[(32, "当事人有下列情形之一，应当从轻或者减轻行政处罚……")],
    )
    db.session.commit()


def questions(bad=False):
    rows = [
        ImportedQuestion(
            type="single",
            stem="当事人主动消除违法行为危害后果的，应当如何处罚？",
            options={"A": "从轻或者减轻", "B": "从重", "C": "加倍", "D": "吊销"},
            key=["E" if bad else "A"],
            explanation="见行政处罚法第三十二条",
            difficulty=2,
            score=Decimal(2),
            knowledge_point="公共法律知识/行政处罚法",
            legal_basis="《行政处罚法》第三十二条",
            tags=["裁量"],
        ),
        ImportedQuestion(
            type="fill_blank",
            stem="公民对行政处罚不服的，可以申请____或者提起____。",
            blanks=[["行政复议", "复议"], ["行政诉讼"]],
            difficulty=3,
            score=Decimal(2),
            knowledge_point="公共法律知识/行政复议法",
        ),
    ]
    return rows


def upload(client, bank, content, name="bank.xlsx"):
    return client.post(
        f"/admin/exams/banks/{bank.id}/import",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def count(bank):
    return db.session.scalar(
        sa.select(sa.func.count(Question.id)).where(Question.bank_id == bank.id)
    )


def test_preview_errors_then_commit_once(app, client, auth, world):
    """A file with an error is previewed and saves nothing; the fixed file commits,
    and submitting the confirmation twice imports once."""
    provision()
    bank = ensure_bank("WEB1", "网页导入", world.district)  # the admin's own bank
    db.session.commit()
    auth.login("training_admin")

    page = upload(client, bank, write_xlsx(questions(bad=True))).get_data(as_text=True)
    assert "第2行" in page
    assert "未保存任何试题" in page
    assert count(bank) == 0

    response = upload(client, bank, write_xlsx(questions()))
    page = response.get_data(as_text=True)
    assert "确认导入" in page
    token = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    form = {"token": token, "filename": "bank.xlsx"}
    first = client.post(f"/admin/exams/banks/{bank.id}/import/commit", data=form)
    assert first.status_code == 302
    assert count(bank) == 2
    second = client.post(f"/admin/exams/banks/{bank.id}/import/commit", data=form)
    assert second.status_code == 302
    assert count(bank) == 2


def test_export_round_trips(app, client, auth, world):
    """Export to .xlsx and import again gives the same questions."""
    provision()
    bank = ensure_bank("WEB2", None, world.district)
    db.session.commit()
    auth.login("training_admin")
    page = upload(client, bank, write_xlsx(questions())).get_data(as_text=True)
    token = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    client.post(
        f"/admin/exams/banks/{bank.id}/import/commit",
        data={"token": token, "filename": "bank.xlsx"},
    )
    exported = client.get(f"/admin/exams/banks/{bank.id}/export.xlsx")
    assert exported.status_code == 200
    back = read_xlsx(exported.data)
    assert not [i for i in back.issues if i.severity == "error"]
    original = questions()
    for mine, theirs in zip(original, back.questions, strict=True):
        for name in (
            "type",
            "stem",
            "options",
            "key",
            "blanks",
            "explanation",
            "difficulty",
            "score",
            "knowledge_point",
            "legal_basis",
            "tags",
        ):
            assert getattr(mine, name) == getattr(theirs, name), name


def test_hostile_upload_is_refused(app, client, auth, world):
    """A file that is not what its name says gets a Chinese error and saves nothing."""
    bank = ensure_bank("WEB3", None, world.district)
    db.session.commit()
    auth.login("training_admin")
    response = upload(client, bank, b"<script>alert(1)</script>", name="bank.xlsx")
    assert response.status_code == 400
    assert count(bank) == 0
    wrong = upload(client, bank, b"MZ\x90\x00", name="virus.exe")
    assert wrong.status_code == 400
    assert "只接受" in wrong.get_data(as_text=True)


def test_cli_import_dry_run_and_commit(app, runner, tmp_path):
    """flask exams import prints one JSON object; --dry-run saves nothing; the bank
    is created when it does not exist; a file with errors saves nothing."""
    provision()
    good = tmp_path / "good.xlsx"
    good.write_bytes(write_xlsx(questions()))
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(write_xlsx(questions(bad=True)))

    dry = runner.invoke(
        args=["exams", "import", str(good), "--bank", "CLI1", "--dry-run"]
    )
    assert dry.exit_code == 0, dry.output
    report = json.loads(dry.output)
    assert report["counts_by_type"] == {"single": 1, "fill_blank": 1}
    assert report["saved"] == 0
    assert (
        db.session.scalar(sa.select(QuestionBank).where(QuestionBank.code == "CLI1"))
        is None
    )

    failed = runner.invoke(args=["exams", "import", str(bad), "--bank", "CLI1"])
    assert failed.exit_code == 0
    report = json.loads(failed.output)
    assert report["errors"][0]["where"] == "第2行"
    assert report["saved"] == 0

    done = runner.invoke(args=["exams", "import", str(good), "--bank", "CLI1"])
    assert json.loads(done.output)["saved"] == 2
    bank = db.session.scalar(sa.select(QuestionBank).where(QuestionBank.code == "CLI1"))
    assert count(bank) == 2

    unreadable = tmp_path / "x.xlsx"
    unreadable.write_bytes(b"not a workbook")
    result = runner.invoke(args=["exams", "import", str(unreadable), "--bank", "CLI1"])
    assert result.exit_code != 0


def test_editing_a_used_question_in_the_browser_form(app, client, auth, world):
    """Saving a question whose version a paper used creates version 2; a legal basis
    that is not in the law library is refused with a message."""
    from exams.banks.services import commit_import, plan_import
    from exams.formats.model import ImportResult

    provision()
    bank = ensure_bank("WEB4", None, world.district)
    plan = plan_import(ImportResult(questions=questions()[:1], format="xlsx"), bank)
    (question,) = commit_import(plan, bank, Actor.system())
    question.current.is_used = True
    db.session.commit()
    auth.login("training_admin")
    url = f"/admin/exams/questions/{question.id}/edit"
    assert "已被试卷使用" in client.get(url).get_data(as_text=True)
    bad = client.post(
        url,
        data={
            "stem": "新题干",
            "difficulty": "2",
            "score": "2",
            "legal_basis": "《行政处罚法》第九十九条",
        },
    )
    assert bad.status_code == 400
    assert "没有第99条" in bad.get_data(as_text=True)
    good = client.post(
        url,
        data={
            "stem": "新题干",
            "difficulty": "2",
            "score": "2",
            "legal_basis": "《行政处罚法》第三十二条",
        },
    )
    assert good.status_code == 302
    db.session.refresh(question)
    assert [v.version for v in question.versions] == [1, 2]
    assert question.current.stem == "新题干"
    assert question.versions[0].stem == questions()[0].stem
