"""``flask seed demo`` adds suggestions in every handling state, once."""

import sqlalchemy as sa

from portal.extensions import db
from portal.seed import seed_demo
from portal.suggestions.models import Suggestion


def test_demo_suggestions_cover_the_states(app):
    """Does the demo create items pending, merged, in 办理中, answered and closed,
    with a deadline and a published reply where they belong, and nothing on a
    second run?"""
    created = seed_demo(users=12)
    db.session.commit()
    assert created["suggestions"] == 5
    items = db.session.scalars(sa.select(Suggestion).order_by(Suggestion.id)).all()
    assert [s.status for s in items] == [
        "pending",
        "merged",
        "processing",
        "replied",
        "closed",
    ]
    assert items[1].merged_into_id == items[0].id
    assert all(s.due_on for s in items[2:])
    assert items[3].published_reply
    assert items[4].rating == 5
    assert seed_demo(users=12)["suggestions"] == 0
