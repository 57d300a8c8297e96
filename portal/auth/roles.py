"""Named groups of roles: the one place that says who may do what kind of work.

Views use them in ``@roles_required(*GROUP)``, queries and services in
``user.has_role(*GROUP)``, the navigation in its menus. Add a group here rather
than spelling a tuple of roles in a feature.
"""

from portal.auth.models import Role

#: Manage exams, training, certificates, laws, users and organisations.
TRAINING_ADMINS = (Role.SYS_ADMIN, Role.TRAINING_ADMIN)
#: Take exams and training, practise, hold certificates.
LEARNERS = (Role.OFFICER, Role.AUXILIARY)
#: The supervision office: case review, opinions, suggestion oversight, calendar.
SUPERVISION_MANAGERS = (Role.SYS_ADMIN, Role.SUPERVISION_STAFF)
#: Work on case files, opinions and suggestions (the office and the agencies).
CASE_WORKERS = (Role.SYS_ADMIN, Role.SUPERVISION_STAFF, Role.AGENCY_HANDLER)
#: Case workers whose grant is bound to an organisation subtree.
SCOPED_CASE_WORKERS = (Role.SUPERVISION_STAFF, Role.AGENCY_HANDLER)
#: Review the cases assigned to them in consistency supervision.
REVIEWERS = (Role.INVITED_SUPERVISOR, Role.SUPERVISION_STAFF)
#: An agency's handler (opinions and suggestions addressed to the agency).
HANDLERS = (Role.AGENCY_HANDLER,)
#: Supervision-side roles that work within an area (负责范围) of organisations.
AREA_WORKERS = (Role.INVITED_SUPERVISOR, Role.SUPERVISION_STAFF, Role.AGENCY_HANDLER)
