"""Helpers of the case-supervision tests: checked case rows and signed-in clients."""

import hashlib
import itertools
from datetime import date

from casebank.cases.models import CaseFile
from portal.extensions import db
from tests.factories import signed_in

_serial = itertools.count(1)

SEVERITY = {0: None, 1: "low", 2: "medium", 3: "high"}


def make_case(
    agency,
    *,
    decided=date(2026, 3, 10),
    severity=0,
    status="checked",
    text=None,
    fine=None,
    item_id=None,
    commit=True,
):
    """A case row of ``agency`` as the checker leaves it (``severity`` 0 = clean)."""
    n = next(_serial)
    text = text or f"行政处罚决定书\n测罚〔2026〕{n}号\n当事人：某某{n}。罚款{n}元。"
    case = CaseFile(
        agency_id=agency.id,
        source_kind="paste",
        sha256=hashlib.sha256(f"{n}:{text}".encode()).hexdigest(),
        text=text,
        doc_number=f"测罚〔2026〕{n}号",
        decision_date=decided,
        fine_yuan=fine,
        check_status=status,
        finding_count=1 if severity else 0,
        max_severity_rank=severity,
        matched_item_id=item_id,
    )
    db.session.add(case)
    db.session.flush()
    if commit:
        db.session.commit()
    return case


login = signed_in  # a fresh client of ``app`` signed in as ``username``
