"""Attachments of public submissions and of handlers' replies: the checks of
:mod:`portal.attachments` with ``SUGGESTION_MAX_FILES`` × ``SUGGESTION_FILE_MAX_MB``
under ``UPLOAD_DIR/suggestions/``."""

from portal.attachments import (  # noqa: F401 - re-exported for callers and tests
    MARKUP,
    MIB,
    Attachments,
    PreparedFile,
    StoredFile,
    pdf_has_active_content,
    sniff,
)

RULES = Attachments("suggestions", "SUGGESTION_MAX_FILES", "SUGGESTION_FILE_MAX_MB")

max_files = RULES.max_files
file_limit = RULES.file_limit
request_limit = RULES.request_limit
prepare = RULES.prepare
folder = RULES.folder
file_path = RULES.file_path
key = RULES.key
send = RULES.send
store = RULES.store
remove = RULES.remove
