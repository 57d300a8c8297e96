"""Question banks, papers, exams and training (issues #4 and #5)."""


def init_app(app):
    """Register the exam models, the authoring screens and ``flask exams``."""
    from exams import (  # noqa: F401
        admin_views,
        cli,
        models,
        paper_views,
        result_views,
        views,
    )

    app.register_blueprint(admin_views.bp, url_prefix="/admin/exams")
    app.register_blueprint(views.bp, url_prefix="/exams")
    app.cli.add_command(cli.exams_cli)
