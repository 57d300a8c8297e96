"""The one masking rule for personal numbers (身份证号 and mobile phones).

Every page, export, PDF and audit summary masks alike: an ID number keeps its
first three and last four characters, a phone its first three and last four
digits; everything between becomes ``*`` (the length is kept, so offsets into a
text stay valid). :func:`mask_pii` applies the same rule to numbers that people
type into free text. Templates use the filters ``mask_id``, ``mask_phone`` and
``mask_pii`` registered by :func:`init_app`.
"""

import re

# Digit-only look-arounds: a number glued to letters (“身份证420…”, “ID420…”)
# is still masked. ``\d`` also accepts full-width digits people type.
_ID_IN_TEXT = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
_PHONE_IN_TEXT = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def mask_id_number(value):
    """``110101199003071234`` → ``110***********1234``."""
    if not value:
        return ""
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value):
    """``13812341234`` → ``138****1234``."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_pii(text):
    """Mask the ID and mobile numbers inside free text (idempotent, keeps length)."""
    text = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), text or "")
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)


def mask_name(value):
    """``张三丰`` → ``张**``: a person named on a list shown to several people
    (a regrade preview) keeps the family name's first character only."""
    if not value:
        return ""
    return value[0] + "*" * max(len(value) - 1, 1)


def init_app(app):
    app.add_template_filter(mask_name, "mask_name")
    app.add_template_filter(mask_phone, "mask_phone")
    app.add_template_filter(mask_id_number, "mask_id")
    app.add_template_filter(mask_pii, "mask_pii")
