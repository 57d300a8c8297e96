"""Question banks, papers, exams and training (issues #4 and #5)."""


def init_app(app):
    """Register the exam models, the authoring screens and ``flask exams``."""
    from exams import admin_views, cli, models, paper_views, views  # noqa: F401

    app.register_blueprint(admin_views.bp, url_prefix="/admin/exams")
    app.register_blueprint(views.bp, url_prefix="/exams")
    app.cli.add_command(cli.exams_cli)

    from exams.training import admin_views as training_admin
    from exams.training import models as training_models  # noqa: F401
    from exams.training import views as training

    app.register_blueprint(training.bp, url_prefix="/training")
    app.register_blueprint(training_admin.bp, url_prefix="/admin/training")
