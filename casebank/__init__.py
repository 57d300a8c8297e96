"""Case-file review (案卷评查) and benchmark catalogues (issue #6).

For now it hosts the glue between the portal and the framework-free NLP checker:
the ``flask nlp`` commands (issue #3).
"""


def init_app(app):
    """Register the ``flask nlp`` command group."""
    from casebank import cli

    cli.init_app(app)
