"""Question banks, papers, exams and training (issues #4 and #5)."""


def init_app(app):
    """Register the exam models, the authoring screens and ``flask exams``."""
    import exams.monitor_views  # noqa: F401 - attempt monitoring routes
    from exams import (  # noqa: F401
        admin_views,
        arrangement_views,
        cli,
        models,
        paper_views,
        result_views,
        services,
        views,
    )
    from exams.certs import bp as certs_bp
    from exams.certs import models as certs_models  # noqa: F401
    from exams.certs import views as certs_views  # noqa: F401
    from exams.practice import admin_views as practice_admin  # noqa: F401
    from exams.practice import models as practice_models  # noqa: F401
    from exams.practice import views as practice_views
    from portal.laws.hooks import on_law_changes

    app.register_blueprint(admin_views.bp, url_prefix="/admin/exams")
    app.register_blueprint(views.bp, url_prefix="/exams")
    app.register_blueprint(certs_bp)
    app.register_blueprint(practice_views.bp, url_prefix="/practice")
    app.cli.add_command(cli.exams_cli)
    on_law_changes(services.flag_questions_for_law_changes)

    from exams.training import admin_views as training_admin
    from exams.training import models as training_models  # noqa: F401
    from exams.training import views as training

    app.register_blueprint(training.bp, url_prefix="/training")
    app.register_blueprint(training_admin.bp, url_prefix="/admin/training")
