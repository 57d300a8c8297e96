"""Auxiliary-staff training (培训): courses with materials, required yearly hours,
completion by time on material plus a 结业测验, and the per-unit progress report."""


def init_app(app):
    """Register the training models, pages and administrator screens."""
    from exams.training import admin_views, models, views  # noqa: F401 - models

    app.register_blueprint(views.bp, url_prefix="/training")
    app.register_blueprint(admin_views.bp, url_prefix="/admin/training")
