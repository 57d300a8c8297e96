"""Reads for the public suggestion pages."""

import sqlalchemy as sa
from wtforms import SelectChoice

from portal.auth.passwords import burn_verify_time, verify_password
from portal.extensions import db
from portal.orgs.models import Organisation
from portal.suggestions.models import Suggestion
from portal.suggestions.services import normalise_code


def suggestion_by_number(number):
    """The suggestion with this 受理编号, or None."""
    return db.session.scalar(
        sa.select(Suggestion).where(Suggestion.number == (number or "").strip().upper())
    )


def find_for_tracking(number, code):
    """The suggestion when ``number`` and query ``code`` match, else None.

    An unknown number costs the same hash verification as a wrong code, so the
    answer time does not tell which of the two was wrong.
    """
    code = normalise_code(code)
    suggestion = suggestion_by_number(number)
    if suggestion is None:
        burn_verify_time(code)
        return None
    if not verify_password(suggestion.query_code_hash, code):
        return None
    return suggestion


def organisation_choices():
    """Choices ``(id, indented label)`` for every organisation, in tree order (the public
    picker: regions and the agencies under them)."""
    rows = db.session.scalars(sa.select(Organisation).order_by(Organisation.path))
    return [SelectChoice(org.id, "\u3000" * org.depth + org.name) for org in rows]


def suggestion_by_form_token(token):
    """The suggestion created from the form carrying ``token``, or None."""
    if not token:
        return None
    return db.session.scalar(
        sa.select(Suggestion).where(Suggestion.form_token == token)
    )
