"""Names shared by the exam sub-packages' administrator screens."""

from portal.auth.models import Role

# Roles allowed on every exam authoring screen (/admin/exams/...).
ADMINS = (Role.SYS_ADMIN, Role.TRAINING_ADMIN)
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
