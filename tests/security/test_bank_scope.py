"""Question-bank write scope: the same rule as the practice switch, as a matrix.

A 区 training administrator reads city-wide banks but may not import into them,
edit or review their questions, or open them for practice; the banks of their own
subtree they may change; another district's banks they do not see (404).
"""

import io

import pytest

from portal.actor import Actor
from portal.admin.services import grant_role
from portal.auth.models import Role
from portal.extensions import db
from tests.exams.practice_helpers import four_types, make_questions, open_bank
from tests.security.conftest import login_client

ALLOWED, FORBIDDEN, HIDDEN = "allowed", "forbidden", "hidden"

# (user, bank) -> expected outcome of every write action.
MATRIX = {
    ("sys_admin", "city"): ALLOWED,
    ("sys_admin", "district"): ALLOWED,
    ("sys_admin", "other"): ALLOWED,
    ("city_trainer", "city"): ALLOWED,
    ("city_trainer", "district"): ALLOWED,
    ("city_trainer", "other"): ALLOWED,
    ("training_admin", "city"): FORBIDDEN,  # the 区 administrator
    ("training_admin", "district"): ALLOWED,
    ("training_admin", "other"): HIDDEN,
}


def _actions(bank, question):
    prefix = f"/admin/exams/banks/{bank.id}"
    return {
        "practice": ("POST", f"{prefix}/practice", {"open": "1"}),
        "import_page": ("GET", f"{prefix}/import", None),
        "import_upload": (
            "POST",
            f"{prefix}/import",
            {"file": (io.BytesIO(b"not a workbook"), "bank.xlsx")},
        ),
        "import_commit": (
            "POST",
            f"{prefix}/import/commit",
            {"token": "x" * 32, "filename": "bank.xlsx"},
        ),
        "edit_page": ("GET", f"/admin/exams/questions/{question.id}/edit", None),
        "edit_save": (
            "POST",
            f"/admin/exams/questions/{question.id}/edit",
            {"stem": "改过的题干", "difficulty": "2", "score": "2"},
        ),
        "reviewed": ("POST", f"/admin/exams/questions/{question.id}/reviewed", {}),
    }


@pytest.fixture
def setup(app, world, factories):
    city_trainer = factories.user(username="city_trainer", organisation=world.city)
    grant_role(city_trainer, Role.TRAINING_ADMIN, Actor.system(), scope=world.city)
    db.session.commit()
    banks = {
        "city": open_bank("CITY", None, is_open=False),
        "district": open_bank("DIST", world.district, is_open=False),
        "other": open_bank("OTHER", world.other_district, is_open=False),
    }
    questions = {
        key: make_questions(bank, four_types(key))[0] for key, bank in banks.items()
    }
    return banks, questions


@pytest.mark.parametrize(("username", "bank_key"), sorted(MATRIX))
def test_bank_write_matrix(app, setup, username, bank_key):
    banks, questions = setup
    bank, question = banks[bank_key], questions[bank_key]
    expected = MATRIX[(username, bank_key)]
    client = login_client(app, username)
    for name, (method, url, data) in _actions(bank, question).items():
        if method == "GET":
            status = client.get(url).status_code
        else:
            status = client.post(
                url, data=data, content_type="multipart/form-data"
            ).status_code
        label = f"{username} {bank_key} {name} -> {status}"
        if expected == ALLOWED:
            assert status not in (403, 404), label
        elif expected == FORBIDDEN:
            assert status == 403, label
        else:
            assert status == 404, label
    db.session.expire_all()
    if expected != ALLOWED:
        assert bank.is_practice_open is False
        assert question.current.stem != "改过的题干"
