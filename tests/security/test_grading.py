"""A lone surrogate in one answer must not break the grading queue for everyone:
removed on input, and rendered safely if one is already stored."""

from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from freezegun import freeze_time

from exams.attempts.models import Answer
from exams.attempts.services import save_answer, start_attempt, submit_attempt
from exams.banks.models import QuestionVersion
from exams.banks.services import commit_import, ensure_bank, plan_import
from exams.formats.model import ImportedQuestion, ImportResult
from exams.papers.services import (
    create_arrangement,
    create_blueprint_paper,
    enrol_candidates,
)
from portal.actor import Actor
from portal.extensions import db
from tests.security.conftest import login_client

START = datetime(2027, 3, 1, 1, 0)


def _essay_exam(world):
    bank = ensure_bank("SURR")
    rows = [
        ImportedQuestion(
            type="essay",
            stem="简述行政处罚的种类。",
            reference_answer="警告",
            source="e",
        )
    ]
    commit_import(
        plan_import(ImportResult(questions=rows, format="xlsx"), bank),
        bank,
        Actor.system(),
    )
    paper = create_blueprint_paper(
        "简答",
        [{"bank_id": bank.id, "type": "essay", "count": 1, "score_each": Decimal(10)}],
        pool_factor=Decimal(1),
    )
    arrangement = create_arrangement(
        paper,
        name="简答考试",
        kind="training",
        window_start=START,
        window_end=START + timedelta(hours=2),
    )
    enrol_candidates(arrangement, users=[world.users["officer"]])
    db.session.commit()
    return arrangement


def test_lone_surrogate_from_autosave_is_cleaned(app, world):
    arrangement = _essay_exam(world)
    with freeze_time(START + timedelta(minutes=1)):
        candidate = login_client(app, "officer")
        response = candidate.post(f"/exams/{arrangement.id}/start")
        attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
        saved = candidate.post(
            f"/exams/attempts/{attempt_id}/answers",
            data='{"position": 0, "response": "罚款\\ud800警告", "seq": 1}',
            content_type="application/json",
        )
        assert saved.status_code == 200
        candidate.post(f"/exams/attempts/{attempt_id}/submit")
    answer = db.session.scalar(sa.select(Answer))
    assert answer.response == "罚款\ufffd警告"
    grader = login_client(app, "training_admin")
    page = grader.get("/admin/exams/grading")
    assert page.status_code == 200
    assert "罚款\ufffd警告" in page.get_data(as_text=True)


def test_stored_lone_surrogate_renders(app, world):
    """An answer stored before the fix (the service bypassed) still renders."""
    arrangement = _essay_exam(world)
    attempt = start_attempt(arrangement, world.users["officer"], START)
    save_answer(attempt, 0, "占位", seq=1, now=START)
    submit_attempt(attempt, START + timedelta(minutes=5))
    db.session.commit()
    db.session.execute(sa.update(Answer).values(response="旧答案\ud800"))
    db.session.commit()
    assert db.session.scalar(sa.select(QuestionVersion.type)) == "essay"
    grader = login_client(app, "training_admin")
    page = grader.get("/admin/exams/grading")
    assert page.status_code == 200
    assert "旧答案\ufffd" in page.get_data(as_text=True)
