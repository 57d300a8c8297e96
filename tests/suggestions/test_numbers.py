"""受理编号 allocation under concurrency and the query-code format."""

import threading
from datetime import date

import pytest

from portal.extensions import db
from portal.suggestions.services import (
    CODE_ALPHABET,
    new_query_code,
    next_number,
    normalise_code,
)


@pytest.mark.committed_db
def test_concurrent_numbers_are_unique_and_gapless(app, db_url):
    """Do 6 threads drawing numbers at once on PostgreSQL get 30 distinct,
    consecutive numbers of the day (the counter is one atomic upsert)?"""
    if db_url.startswith("sqlite"):
        pytest.skip("an in-memory SQLite database is one connection: no concurrency")
    day = date(2026, 12, 6)
    numbers, errors = [], []
    barrier = threading.Barrier(6)

    def draw():
        try:
            with app.app_context():
                barrier.wait()
                for _ in range(5):
                    numbers.append(next_number(day))
                    db.session.commit()
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=draw) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(numbers) == [f"JC-20261206-{n:04d}" for n in range(1, 31)]


def test_query_codes_are_random_and_typed_back_loosely():
    """Are codes 10 characters of the unambiguous alphabet, different each time,
    and normalised from what people type (case, spaces, dashes)?"""
    codes = {new_query_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == 10 and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert not set("01ILO") & set(CODE_ALPHABET)
    assert normalise_code(" abcd-efgh jk ") == "ABCDEFGHJK"
