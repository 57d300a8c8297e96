"""Resident identity numbers (GB 11643-1999); masking is in :mod:`portal.masking`."""

import re
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
# ASCII only: \d would also accept full-width and other Unicode digits.
_PATTERN = re.compile(r"^[0-9]{17}[0-9X]$")


def normalise_id_number(value):
    """Strip spaces and upper-case the check character."""
    return (value or "").strip().replace(" ", "").upper()


def id_number_error(value):
    """Return a Chinese error message for an invalid ID number, or None if valid."""
    value = normalise_id_number(value)
    if not _PATTERN.match(value):
        return "身份证号应为18位，前17位为数字，最后一位为数字或X"
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "身份证号中的出生日期无效"
    total = sum(int(d) * w for d, w in zip(value[:17], _WEIGHTS, strict=True))
    if _CHECK_CHARS[total % 11] != value[17]:
        return "身份证号校验位错误"
    return None


def make_id_number(prefix17):
    """Complete a 17-digit prefix with its check character (used by demo data)."""
    total = sum(int(d) * w for d, w in zip(prefix17, _WEIGHTS, strict=True))
    return prefix17 + _CHECK_CHARS[total % 11]
