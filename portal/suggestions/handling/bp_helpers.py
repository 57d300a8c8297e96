"""Small helpers shared by the handling views."""

from flask import current_app, make_response

from portal.suggestions.handling.services import china_today
from portal.workdays import queries as workday_queries


def no_store(response):
    """Pages with personal data must not be cached by browsers or proxies."""
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def deadline_context():
    """``(calendar, today, warn_workdays)`` for deadline arithmetic and flags."""
    return (
        workday_queries.calendar(),
        china_today(),
        current_app.config["SUGGESTION_WARN_WORKDAYS"],
    )
