"""Question banks, papers, exams and training (issues #4 and #5)."""


def init_app(app):
    """Register the exam models and the ``flask exams`` command group."""
    from exams import cli, models  # noqa: F401 - register models

    app.cli.add_command(cli.exams_cli)
