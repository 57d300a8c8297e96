"""Public (no login) pages: aggregate figures, published replies, open-data CSV.

Nothing personal is shown: no phone, no name, no place; free text is masked with
``mask_pii``. Both routes are rate limited per client IP.
"""

import sqlalchemy as sa
from flask import current_app, make_response, render_template, request

from portal.auth.decorators import public
from portal.extensions import db, limiter
from portal.suggestions.oversight import bp, export, queries, stats
from portal.suggestions.oversight.period import parse_period, today

PER_PAGE = 20


def _open_limit():
    return current_app.config["SUGGESTION_OPEN_RATE_LIMIT"]


def _open_data_limit():
    return current_app.config["SUGGESTION_OPEN_DATA_RATE_LIMIT"]


@bp.get("/open")
@public
@limiter.limit(_open_limit)
def show_open():
    """办理情况公开: figures of accepted items and the published replies."""
    period = parse_period(request.args)
    figures = received = None
    if period.error is None:
        figures = stats.load_figures(
            sa.true(), today(), period.date_from, period.date_to, accepted_only=True
        )
        received = stats.count_received(period.date_from, period.date_to)
    page = db.paginate(
        queries.published_items(), per_page=PER_PAGE, error_out=False, max_per_page=50
    )
    _, regions = stats.org_maps()
    return (
        render_template(
            "oversight/open.html",
            period=period,
            figures=figures,
            received=received,
            page=page,
            regions=regions,
        ),
        400 if period.error else 200,
    )


@bp.get("/open/data.csv")
@public
@limiter.limit(_open_data_limit)
def download_open_data():
    """The published items as CSV (UTF-8 with BOM), without personal data."""
    items = db.session.scalars(queries.published_items()).all()
    _, regions = stats.org_maps()
    response = make_response(export.open_data_csv(items, regions))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = (
        "attachment; filename=suggestions-open-data.csv"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
