"""Practice, 错题本 and mastery per knowledge point (issue #5, practice).

Registered by :func:`exams.init_app`: the ``practice`` blueprint at ``/practice``
and the bank practice switch on the exams admin blueprint.
"""
