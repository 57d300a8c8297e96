"""Chinese and Arabic numerals and money amounts, parsed exactly into ``Decimal``.

Handles the forms found in penalty decisions: Arabic (``5000``, ``100,000``,
``5,000.50``), Arabic with a multiplier (``1.5万``), 小写 Chinese (``十万``,
``一百零五``, ``两千``), digit-by-digit years (``二〇二三``) and 大写 money
(``人民币壹拾万元整``, ``伍仟陆佰肆拾元贰角伍分``). Nothing here raises on bad input:
the parsers return ``None`` for text that is not a number.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Character tables. 〇 and 零 are both zero; 两 is the colloquial two.
DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "贰": 2,
    "貳": 2,
    "两": 2,
    "兩": 2,
    "三": 3,
    "叁": 3,
    "參": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "陸": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG_UNITS = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
CN_DIGIT_CHARS = "".join(DIGITS)
CN_NUMBER_CHARS = CN_DIGIT_CHARS + "".join(SMALL_UNITS) + "".join(BIG_UNITS)
# Characters that only occur in the 大写 (anti-forgery) writing of amounts.
DAXIE_CHARS = "壹贰貳叁參肆伍陆陸柒捌玖拾佰仟"

_DAXIE_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_DAXIE_SMALL = ("", "拾", "佰", "仟")

# Full-width digits and signs map one-to-one onto ASCII, so offsets are preserved.
FULLWIDTH = str.maketrans("０１２３４５６７８９，．％", "0123456789,.%")

# Longer inputs are not plausible amounts; the cap also keeps int()/Decimal cheap.
MAX_NUMBER_CHARS = 40

_ARABIC_INT_RE = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")
_ARABIC_NUMBER_RE = re.compile(
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?P<mult>[十百千万萬亿億]{0,2})"
)
_CN_DECIMAL_RE = re.compile(
    rf"(?P<int>[{CN_NUMBER_CHARS}]+)点(?P<frac>[{CN_DIGIT_CHARS}]+)(?P<mult>[万萬亿億]?)"
)
_FEN_DIGIT = rf"[{CN_DIGIT_CHARS}0-9]"
_SUBUNIT_RE = re.compile(
    rf"零?(?:(?P<jiao>{_FEN_DIGIT})[角毛])?零?(?:(?P<fen>{_FEN_DIGIT})分)?"
)
_MONEY_PREFIXES = ("人民币", "RMB", "rmb", "￥", "¥")


def _normalise(text: str) -> str:
    """Return *text* with full-width digits mapped to ASCII and whitespace removed."""
    return "".join(text.translate(FULLWIDTH).split())


def _clean(value: Decimal) -> Decimal:
    """Return *value* without a spurious exponent or trailing zeros (15000.0 → 15000)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def _multiplier(units: str) -> int | None:
    """Return the product of the unit characters (``千万`` → 10**7), None if invalid."""
    result = 1
    for char in units:
        value = SMALL_UNITS.get(char) or BIG_UNITS.get(char)
        if value is None:
            return None
        result *= value
    return result


def _parse_cn_int(text: str) -> int | None:
    """Parse a Chinese integer (小写 or 大写); None if *text* is not well formed.

    Units must decrease inside each 万 section, and a digit may not follow a digit
    except in the digit-by-digit form (``二〇二三``). A final digit directly after a
    unit is the colloquial shortening: ``一万五`` is 15000, ``一千二`` is 1200.
    """
    if not text or len(text) > MAX_NUMBER_CHARS:
        return None
    if all(char in DIGITS for char in text):
        return int("".join(str(DIGITS[char]) for char in text))
    yi_part = wan_part = section = number = 0
    have_number = False
    seen_wan = seen_yi = False
    last_small = 10**4
    prev = ""  # "d" digit, "z" zero, "u" small unit, "U" big unit
    unit_before_digit = 0
    for char in text:
        if char in DIGITS:
            digit = DIGITS[char]
            if digit == 0:
                number, have_number, prev = 0, False, "z"
                continue
            if prev == "d":
                return None
            unit_before_digit = 0
            if prev == "u":
                unit_before_digit = last_small
            elif prev == "U":
                unit_before_digit = 10**8 if seen_yi and not seen_wan else 10**4
            number, have_number, prev = digit, True, "d"
        elif char in SMALL_UNITS:
            unit = SMALL_UNITS[char]
            if not have_number:
                # A bare 十 means ten (十二, 一万十五); a bare 百 or 千 is not a number.
                if unit != 10 or prev == "u":
                    return None
                number = 1
            if unit >= last_small:
                return None
            section += number * unit
            number, have_number, last_small, prev = 0, False, unit, "u"
        elif char in BIG_UNITS:
            unit = BIG_UNITS[char]
            part = section + number
            if unit == 10**4:
                if seen_wan or part == 0:
                    return None
                wan_part, seen_wan = part * unit, True
            else:
                if seen_yi or part + wan_part == 0:
                    return None
                yi_part = (wan_part + part) * unit
                wan_part, seen_yi, seen_wan = 0, True, False
            section = number = 0
            have_number, last_small, prev = False, 10**4, "U"
        else:
            return None
    if prev == "d" and unit_before_digit >= 100:
        number *= unit_before_digit // 10
    return yi_part + wan_part + section + number


def parse_int(text: str) -> int | None:
    """Parse an integer written in Arabic or Chinese numerals.

    :param text: e.g. ``"1,234"``, ``"一千二百三十四"``, ``"两千"``, ``"二〇二三"``,
        ``"3万"``.
    :return: the integer, or ``None`` when *text* is not an integer.
    """
    if not isinstance(text, str):
        return None
    s = _normalise(text)
    if not s or len(s) > MAX_NUMBER_CHARS or "." in s or "点" in s:
        return None
    if _ARABIC_INT_RE.fullmatch(s):
        return int(s.replace(",", ""))
    value = parse_number(s)
    if value is None or value != value.to_integral_value():
        return None
    return int(value)


def parse_number(text: str) -> Decimal | None:
    """Parse a number, with decimals and 万/亿 multipliers, exactly.

    :param text: e.g. ``"2.5"``, ``"一点五"``, ``"1.5万"``, ``"十万"``, ``"100,000"``.
    :return: the value as a ``Decimal``, or ``None`` when *text* is not a number.
    """
    if not isinstance(text, str):
        return None
    s = _normalise(text)
    if not s or len(s) > MAX_NUMBER_CHARS:
        return None
    match = _ARABIC_NUMBER_RE.fullmatch(s)
    if match:
        multiplier = _multiplier(match["mult"])
        if multiplier is None:
            return None
        try:
            return _clean(Decimal(match["num"].replace(",", "")) * multiplier)
        except InvalidOperation:
            return None
    match = _CN_DECIMAL_RE.fullmatch(s)
    if match:
        whole = _parse_cn_int(match["int"])
        if whole is None:
            return None
        frac = "".join(str(DIGITS[char]) for char in match["frac"])
        multiplier = _multiplier(match["mult"]) or 1
        return _clean(Decimal(f"{whole}.{frac}") * multiplier)
    value = _parse_cn_int(s)
    return None if value is None else Decimal(value)


def parse_money(text: str) -> Decimal | None:
    """Parse one money expression into yuan, exactly.

    Accepts an optional 人民币/RMB/￥ prefix, 元 or 圆, 角 and 分, and a final 整/正:
    ``"5,000.50元"``, ``"0.5万元"``, ``"五千元"``, ``"人民币壹拾万元整"``,
    ``"伍仟陆佰肆拾元贰角伍分"``, ``"伍角"``, ``"￥5000"``.

    :param text: the money expression and nothing else.
    :return: the amount in yuan, or ``None`` when *text* is not a money expression.
    """
    if not isinstance(text, str):
        return None
    s = _normalise(text)
    if not s or len(s) > 2 * MAX_NUMBER_CHARS:
        return None
    has_prefix = False
    for prefix in _MONEY_PREFIXES:
        if s.startswith(prefix):
            s, has_prefix = s[len(prefix) :].lstrip(":："), True
            break
    if s.endswith(("整", "正")):
        s = s[:-1]
        if not s.endswith(("元", "圆", "角", "分")):
            return None
    cut = min((i for i in (s.find("元"), s.find("圆")) if i >= 0), default=-1)
    if cut >= 0:
        whole = parse_number(s[:cut])
        rest = s[cut + 1 :]
        if whole is None:
            return None
    elif s.endswith(("角", "毛", "分")):
        whole, rest = Decimal(0), s
    elif has_prefix:
        return parse_number(s)
    else:
        return None
    match = _SUBUNIT_RE.fullmatch(rest)
    if match is None:
        return None
    cents = 0
    for name, factor in (("jiao", 10), ("fen", 1)):
        if match[name]:
            char = match[name]
            cents += (DIGITS[char] if char in DIGITS else int(char)) * factor
    if cut < 0 and not cents and not rest.startswith("零"):
        return None
    return _clean(whole + Decimal(cents) / 100)


def _daxie_group(value: int) -> str:
    """Write 1…9999 in 大写 with internal zeros collapsed (1005 → 壹仟零伍)."""
    out = []
    zero_pending = started = False
    for pos in (3, 2, 1, 0):
        digit = value // 10**pos % 10
        if digit == 0:
            zero_pending = zero_pending or started
            continue
        if zero_pending:
            out.append("零")
            zero_pending = False
        out.append(_DAXIE_DIGITS[digit] + _DAXIE_SMALL[pos])
        started = True
    return "".join(out)


def _daxie_int(value: int) -> str:
    """Write a positive integer in 大写 with 万/亿 groups (10500 → 壹万零伍佰)."""
    groups = (
        (value // 10**8, "亿"),
        (value // 10**4 % 10**4, "万"),
        (value % 10**4, ""),
    )
    out: list[str] = []
    zero_pending = False
    for group, unit in groups:
        if group == 0:
            zero_pending = bool(out)
            continue
        if out and (zero_pending or group < 1000):
            out.append("零")
        head = _daxie_int(group) if group >= 10**4 else _daxie_group(group)
        out.append(head + unit)
        zero_pending = False
    return "".join(out)


def to_daxie(amount: Decimal) -> str:
    """Write an amount in standard 大写 money form.

    Rounds to the fen (half up). 整 follows a whole-yuan amount, 零 marks a missing 角
    before a 分, and an amount below one yuan has no 元 part: 5640.25 →
    ``伍仟陆佰肆拾元贰角伍分``, 100000 → ``壹拾万元整``, 10500 → ``壹万零伍佰元整``,
    0.5 → ``伍角``, 3.05 → ``叁元零伍分``.

    :param amount: the amount in yuan (a ``Decimal``, ``int`` or numeric string).
    :return: the 大写 writing; negative amounts are prefixed with 负.
    :raises ValueError: when *amount* is not a finite number.
    """
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValueError(f"not an amount: {amount!r}") from exc
    if not value.is_finite():
        raise ValueError(f"not an amount: {amount!r}")
    value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "负" if value < 0 else ""
    value = abs(value)
    yuan = int(value)
    cents = int((value - yuan) * 100)
    jiao, fen = divmod(cents, 10)
    if yuan == 0 and cents == 0:
        return "零元整"
    out = [sign]
    if yuan:
        out.append(_daxie_int(yuan) + "元")
        if cents == 0:
            out.append("整")
        elif jiao == 0:
            out.append("零")
    if jiao:
        out.append(_DAXIE_DIGITS[jiao] + "角")
    if fen:
        out.append(_DAXIE_DIGITS[fen] + "分")
    return "".join(out)
