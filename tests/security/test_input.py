"""Low items: autosave checked against the item type and size; concurrent starts;
no remote images in stems; formulas refused in the user import; bidi controls
removed from uploaded file names."""

import io
import json
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from freezegun import freeze_time
from itsdangerous import URLSafeSerializer
from openpyxl import Workbook
from werkzeug.datastructures import FileStorage

from exams.attempts.models import Answer, Attempt
from exams.attempts.views import DEVICE_COOKIE
from exams.banks.models import QuestionVersion
from exams.banks.services import sanitise_stem
from exams.papers.models import CandidatePaper
from portal.admin.imports import COLUMNS, read_rows
from portal.attachments import Attachments
from portal.exceptions import ValidationFailed
from portal.extensions import db
from tests.exams.practice_helpers import (
    EXAM_START,
    exam_over,
    four_types,
    make_questions,
    open_bank,
)
from tests.security.conftest import login_client
from tests.suggestions.support import pdf_bytes

NOW = EXAM_START + timedelta(minutes=5)


@pytest.fixture
def exam(app, world):
    bank = open_bank("INPUT", None, is_open=False)
    make_questions(bank, four_types("输入"))
    return exam_over(world, bank)


def _started(app, arrangement):
    client = login_client(app, "officer")
    response = client.post(f"/exams/{arrangement.id}/start")
    attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
    attempt = db.session.get(Attempt, attempt_id)
    positions = {}
    for position, item in enumerate(attempt.candidate_paper.items):
        positions[db.session.get(QuestionVersion, item["version_id"]).type] = position
    return client, attempt_id, positions


def _save(client, attempt_id, body, raw=False):
    return client.post(
        f"/exams/attempts/{attempt_id}/answers",
        data=body if raw else json.dumps(body),
        content_type="application/json",
    )


def test_autosave_refuses_wrong_shapes_with_chinese_400(app, exam):
    with freeze_time(NOW):
        client, attempt_id, pos = _started(app, exam)
        bad = [
            ("[1, 2]", True),
            ('"text"', True),
            ("42", True),
            ({"position": pos["single"], "response": 3, "seq": 1}, False),
            ({"position": pos["single"], "response": ["Z"], "seq": 1}, False),
            ({"position": pos["single"], "response": ["A", "B"], "seq": 1}, False),
            ({"position": pos["multiple"], "response": "A", "seq": 1}, False),
            ({"position": pos["true_false"], "response": ["也许"], "seq": 1}, False),
            ({"position": pos["fill_blank"], "response": [1, 2], "seq": 1}, False),
            ({"position": pos["fill_blank"], "response": {"a": 1}, "seq": 1}, False),
            ('{"position": 0, "response": ["A"], "seq": 1e20}', True),
            ({"position": 0, "response": ["A"], "seq": -1}, False),
            ({"position": "0", "response": ["A"], "seq": 1}, False),
            ({"position": pos["single"], "flagged": "yes", "seq": 1}, False),
        ]
        for body, raw in bad:
            response = _save(client, attempt_id, body, raw)
            assert response.status_code == 400, body
            error = response.get_json()["error"]
            assert any("\u4e00" <= ch <= "\u9fff" for ch in error), error
        assert db.session.scalar(sa.select(sa.func.count(Answer.id))) == 0
        assert client.get(f"/exams/attempts/{attempt_id}").status_code == 200


def test_autosave_accepts_what_the_page_sends_and_limits_size(app, exam):
    app.config["EXAM_ANSWER_MAX_CHARS"] = 1000
    with freeze_time(NOW):
        client, attempt_id, pos = _started(app, exam)
        good = [
            {"position": pos["single"], "response": ["B"], "seq": 1},
            {"position": pos["multiple"], "response": ["A", "C"], "seq": 1},
            {"position": pos["true_false"], "response": ["对"], "seq": 1},
            {"position": pos["fill_blank"], "response": ["复议", "诉讼"], "seq": 1},
            {"position": pos["single"], "response": None, "seq": 2},
            {"position": pos["single"], "flagged": True, "seq": 3},
        ]
        for body in good:
            assert _save(client, attempt_id, body).status_code == 200, body
        big = {"position": pos["fill_blank"], "response": ["字" * 1001], "seq": 5}
        response = _save(client, attempt_id, big)
        assert response.status_code == 400
        assert "过长" in response.get_json()["error"]
        assert client.get(f"/exams/attempts/{attempt_id}").status_code == 200


@pytest.mark.committed_db
def test_two_tabs_starting_at_once_do_not_fail(app, exam, db_url):
    """Six simultaneous starts of an exam whose paper is not pre-generated: no 500,
    one attempt and one paper (PostgreSQL: real concurrent transactions)."""
    if db_url.startswith("sqlite"):
        pytest.skip("concurrency is tested on PostgreSQL")
    frozen = freeze_time(NOW)
    frozen.start()
    first = login_client(app, "officer")
    cookie = first.get_cookie("session").value
    device = URLSafeSerializer(app.secret_key, salt="exam-device").dumps("d" * 40)
    clients = []
    for _ in range(6):
        # A plain client: each thread's request pushes its own app context.
        tab = FlaskClient(app, app.response_class, use_cookies=True)
        tab.set_cookie("session", cookie)
        tab.set_cookie(DEVICE_COOKIE, device)
        clients.append(tab)
    exam_id = exam.id
    barrier = threading.Barrier(len(clients))
    statuses, errors = [], []

    def start(tab):
        barrier.wait()
        try:
            with app.app_context():  # its own context, so its own DB session
                reply = tab.post(f"/exams/{exam_id}/start")
                statuses.append((reply.status_code, reply.headers.get("Location", "")))
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=start, args=(tab,)) for tab in clients]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        frozen.stop()
    assert errors == []
    assert [code for code, _ in statuses] == [302] * 6
    assert len({where for _, where in statuses}) == 1
    assert "/exams/attempts/" in statuses[0][1]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(CandidatePaper.id))) == 1


@pytest.mark.parametrize(
    "src",
    [
        "https://tracker.example/pixel.png",
        "http://tracker.example/p.gif",
        "//tracker.example/p.gif",
        "/\\tracker.example/p.gif",
        "data:image/svg+xml;base64,PHN2Zz4=",
    ],
)
def test_stems_do_not_load_remote_images(src):
    cleaned = sanitise_stem(f'<p>题干</p><img src="{src}" alt="图">')
    assert "tracker" not in cleaned
    assert "src=" not in cleaned
    assert "<p>题干</p>" in cleaned


def test_stems_keep_local_and_inline_images():
    inline = "data:image/png;base64,iVBORw0KGgo="
    assert f'src="{inline}"' in sanitise_stem(f'<img src="{inline}">')
    assert 'src="/static/img/a.png"' in sanitise_stem('<img src="/static/img/a.png">')


def test_user_import_refuses_formula_cells(app):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([header for _, header, _ in COLUMNS])
    sheet.append(["u1", '=HYPERLINK("http://x","点我")', "110101199003071234"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ValidationFailed, match="B2 含有公式"):
        read_rows(buffer.getvalue())


def test_uploaded_file_names_lose_bidi_controls(app):
    rules = Attachments("sec-test", "SUGGESTION_MAX_FILES", "SUGGESTION_FILE_MAX_MB")
    upload = FileStorage(
        io.BytesIO(pdf_bytes()), filename="发票\u202efdp.exe\u2066x\u200f.pdf"
    )
    (prepared,) = rules.prepare([upload])
    assert prepared.original_name == "发票fdp.exex.pdf"
