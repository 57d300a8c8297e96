"""Consistency supervision (同案不同罚, 畸轻畸重, 选择性执法) across the archive (#13).

models (the comparison key of each checked case, officers), keys (key of a case
from its check result), services (compare, open/close findings), jobs (incremental
and nightly re-evaluation), peers_view (the peer chart data), report (the
selective-enforcement report), views (report page and downloads).
"""


def init_app(app):
    """Register the models, the report blueprint and the defaults."""
    from casebank.consistency import cli, models, views  # noqa: F401

    app.config.setdefault("CONSISTENCY_SCOPE", "city")
    app.config.setdefault("CONSISTENCY_MIN_GROUP", 5)
    app.register_blueprint(views.bp, url_prefix="/casebank/consistency")
