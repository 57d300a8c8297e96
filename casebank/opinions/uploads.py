"""Attachments of a reply (整改情况) to a 监督意见书: the checks of
:mod:`portal.attachments` (type by content, images re-encoded without EXIF,
polyglots and active PDFs refused) with ``OPINION_MAX_FILES`` ×
``OPINION_FILE_MAX_MB`` under ``UPLOAD_DIR/opinions/``. Every file is checked before
any is written; on a refusal nothing is stored."""

from portal.attachments import Attachments

RULES = Attachments("opinions", "OPINION_MAX_FILES", "OPINION_FILE_MAX_MB")

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
