"""Question banks, papers, exams and training (issues #4 and #5).

One sub-package per sub-feature, each registering its own models, blueprint(s)
and commands through ``init_app``: banks, papers, attempts, results, grading,
certs, practice, training (and formats, the import/export file formats). The
templates of each sub-package live in its own ``templates/`` folder under their
unchanged names (``exams/...``, ``exams/admin/...``). ``queries`` holds the
cross-feature reads of the portal home page; ``seed`` the demo data; ``common``
names shared by the administrator screens.
"""


def init_app(app):
    """Register every exam sub-package (models, screens and ``flask exams``)."""
    from exams import (
        attempts,
        banks,
        certs,
        grading,
        papers,
        practice,
        results,
        training,
    )
    from exams.banks.services import flag_questions_for_law_changes
    from portal.laws.hooks import on_law_changes

    for sub in (banks, papers, attempts, results, grading, certs, practice, training):
        sub.init_app(app)
    on_law_changes(flag_questions_for_law_changes)
