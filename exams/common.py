"""Names shared by the exam sub-packages' administrator screens."""

# Roles allowed on every exam authoring screen (/admin/exams/...).
from portal.auth.roles import TRAINING_ADMINS as ADMINS  # noqa: F401

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
