"""Suggestions in given handling states, written directly to the model (the
handling workflow lives on another branch), and a known data set for the
statistics tests."""

import itertools
from datetime import date, datetime

from portal.extensions import db
from portal.suggestions.models import Suggestion

_serial = itertools.count(1)


def make_suggestion(organisation=None, phone="13800000000", **fields):
    """Create and commit one suggestion; ``phone=None`` makes it anonymous."""
    n = next(_serial)
    submitted_at = fields.pop("submitted_at", datetime(2026, 10, 1, 2, 0))
    values = {
        "number": f"JC-{submitted_at:%Y%m%d}-{n:04d}",
        "query_code_hash": "not-a-real-hash",
        "form_token": f"oversight-test-{n}",
        "category": "fines",
        "organisation_id": organisation.id if organisation else None,
        "description": f"测试反映的问题 {n}，执法人员当场罚款。",
        "is_anonymous": phone is None,
        "contact_phone": phone,
        "contact_name": None if phone is None else "张三丰",
        "status": "pending",
        "submitted_at": submitted_at,
    }
    values.update(fields)
    if values.get("published_reply") and "published_description" not in values:
        # Staff publish the submitter's text as they edited it (issue #15); here
        # unedited, so the page's own masking and escaping are what is tested.
        values["published_description"] = values["description"]
    suggestion = Suggestion(**values)
    db.session.add(suggestion)
    db.session.commit()
    return suggestion


def _utc(y, m, d, h=2):
    return datetime(y, m, d, h, 0)


def known_data_set(world):
    """Twelve items; the figures of 2026-01-01..2026-12-06 (today 2026-12-06) are
    worked out by hand in the statistics tests. Returns name → Suggestion."""
    agency, other = world.agency, world.other_agency
    accepted = {"accepted_at": _utc(2026, 10, 8)}
    items = {}
    items["A"] = make_suggestion(
        agency, "13900000001", submitted_at=_utc(2026, 10, 1), status="closed",
        due_on=date(2026, 11, 10), replied_at=_utc(2026, 11, 9), rating=5,
        closed_at=_utc(2026, 11, 12), **accepted,
    )  # fmt: skip
    items["B"] = make_suggestion(
        # replied 2026-11-10 17:00 UTC = 2026-11-11 01:00 in China: one day late
        agency, "13900000002", submitted_at=_utc(2026, 10, 2), status="closed",
        due_on=date(2026, 11, 10), replied_at=datetime(2026, 11, 10, 17, 0),
        rating=2, closed_at=_utc(2026, 11, 12), **accepted,
    )  # fmt: skip
    items["C"] = make_suggestion(
        agency, "13900000003", submitted_at=_utc(2026, 10, 3), category="fees",
        status="processing", due_on=date(2026, 11, 20), **accepted,
    )  # fmt: skip
    items["D"] = make_suggestion(
        agency, "13900000004", submitted_at=_utc(2026, 11, 25), category="fees",
        status="processing", due_on=date(2026, 12, 20), **accepted,
    )  # fmt: skip
    items["E"] = make_suggestion(
        other, None, submitted_at=_utc(2026, 10, 5), category="inspections",
        status="replied", due_on=date(2026, 12, 1), replied_at=_utc(2026, 11, 30),
        rating=4, **accepted,
    )  # fmt: skip
    items["F"] = make_suggestion(
        agency, "13900000005", submitted_at=_utc(2026, 10, 6), status="merged",
        merged_into_id=items["A"].id, closed_at=_utc(2026, 10, 7),
    )  # fmt: skip
    # Same phone as A: same agency and category 19 days later (a repeat), then a
    # different category and a different agency (not repeats).
    items["H"] = make_suggestion(agency, "13900000001", submitted_at=_utc(2026, 10, 20))
    items["I"] = make_suggestion(
        agency, "13900000001", submitted_at=_utc(2026, 10, 21), category="fees"
    )
    items["J"] = make_suggestion(other, "13900000001", submitted_at=_utc(2026, 10, 22))
    # B's phone long before the window; L repeats M, which predates the period.
    items["K"] = make_suggestion(agency, "13900000002", submitted_at=_utc(2025, 1, 1))
    items["M"] = make_suggestion(agency, "13900000006", submitted_at=_utc(2025, 12, 1))
    items["L"] = make_suggestion(agency, "13900000006", submitted_at=_utc(2026, 1, 10))
    return items
