"""Question banks, papers, exams and training (issues #4 and #5)."""


def init_app(app):
    """Nothing to register yet: the exam features arrive with their issues."""
