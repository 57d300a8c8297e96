"""Helpers of the case-review tests (test_reviews_*.py)."""

import json
from pathlib import Path

from flask import current_app

from casebank import CATALOGUE_DIR
from casebank.cases.checks import check_cases
from casebank.cases.intake import Entry
from casebank.cases.models import CaseFile
from casebank.cases.services import add_cases
from portal.actor import Actor
from portal.extensions import db
from tests.factories import signed_in

DATA = Path(__file__).resolve().parents[1] / "data"


def chengguan_document():
    return json.loads((CATALOGUE_DIR / "chengguan.json").read_text())


def decision(name):
    return (DATA / "decisions" / name).read_text(encoding="utf-8")


login = signed_in  # a fresh client of ``app`` signed in as ``username``


def add_case(agency, name=None, text=None, check=True) -> CaseFile:
    """Add one decision (a dev-set file or a text) to ``agency``; check it."""
    text = text if text is not None else decision(name)
    batch = add_cases(
        [Entry(name or "pasted.txt", data=text.encode(), text=text)],
        Actor.system(),
        agency=agency,
        agencies=[agency],
        upload_dir=current_app.config["UPLOAD_DIR"],
    )
    db.session.commit()
    case_id = batch.results[0]["case_id"]
    if check:
        check_cases([case_id])
    return db.session.get(CaseFile, case_id)
