"""Question banks, papers, exams and training (issues #4 and #5)."""


def init_app(app):
    """Register the exam models, the authoring screens and ``flask exams``."""
    import exams.monitor_views  # noqa: F401 - attempt monitoring routes
    from exams import admin_views, cli, models, paper_views, views  # noqa: F401

    app.register_blueprint(admin_views.bp, url_prefix="/admin/exams")
    app.register_blueprint(views.bp, url_prefix="/exams")
    app.cli.add_command(cli.exams_cli)
