"""Practice, 错题本 and mastery per knowledge point (issue #5, practice).

Registered by :func:`init_app`: the ``practice`` blueprint at ``/practice`` and the
bank practice switch (``practice_admin``, at ``/admin/exams``).
"""


def init_app(app):
    """Register the practice models, pages and the bank practice switch."""
    from exams.practice import admin_views, models, views  # noqa: F401 - models

    app.register_blueprint(views.bp, url_prefix="/practice")
    app.register_blueprint(admin_views.bp, url_prefix="/admin/exams")
