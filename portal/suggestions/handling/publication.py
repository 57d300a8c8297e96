"""What publication may show: the submitter's name removed wherever it appears,
phone and ID numbers masked, and what is left to check listed for staff."""

import re

from portal.masking import mask_pii

STAND_IN = "反映人"
_MASKED = re.compile(r"[0-9]{3}\*{4}[0-9]{4}|[0-9]{6}\*{8,}[0-9Xx*]*")
_DIGITS = re.compile(r"(?<![0-9])[0-9]{7,}(?![0-9])")


def _names(suggestion):
    name = (suggestion.contact_name or "").strip()
    if len(name) < 2:
        return []
    names = [name]
    if len(name) >= 3:
        names.append(name[1:])  # the given name alone, as people write it
    return names


def depersonalise(text, suggestion):
    """``text`` with the submitter's name replaced and phone/ID numbers masked."""
    text = text or ""
    for name in _names(suggestion):
        text = text.replace(name, STAND_IN)
    return mask_pii(text)


def personal_data(text, suggestion):
    """Personal data staff must check before publishing: ``[(what, snippet)]``."""
    found = []
    for name in _names(suggestion):
        if name in text:
            found.append(("反映人姓名", name))
    for match in _MASKED.finditer(text):
        found.append(("已隐去的号码（确认是否需要保留）", match.group(0)))
    for match in _DIGITS.finditer(text):
        found.append(("较长的数字（可能是电话、证件或账号）", match.group(0)))
    return found
