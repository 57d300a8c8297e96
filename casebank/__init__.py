"""Case-file review (案卷评查) and benchmark catalogues (issue #6)."""


def init_app(app):
    """Nothing to register yet: case review arrives with its issue."""
