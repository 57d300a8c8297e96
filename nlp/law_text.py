"""Reading the text of an article: paragraphs (款), items (项), headings and
appendices that leaked into it, and the titles a "…同时废止" clause repeals.

Pure functions over strings; used by :mod:`nlp.laws`.
"""

from __future__ import annotations

import re

_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NUM = "零一二三四五六七八九十百千"

# Items (项) of a paragraph: "（一）" / "(一)" and the older "一、" style.
_ITEM_LINE = re.compile(rf"^(?:[（(]([{_CN_NUM}]+)[）)]|([{_CN_NUM}]+)、)")
# Sub-items (目) such as "1." belong to the paragraph of their item.
_SUB_ITEM_LINE = re.compile(r"^\d+[.．、]")
# Inline enumeration "条件：（一）…；（二）…"; "第（一）项" is a reference, not an item.
_INLINE_ITEM = re.compile(rf"(?<!第)[（(]([{_CN_NUM}]+)[）)]")
# Part/chapter/section headings that leaked into the text of the preceding article.
_HEADING = re.compile(
    rf"^(?:第[{_CN_NUM}]+[编章节](?:\s*[^。；，：]{{0,30}})?|[附总分]\s*则)$"
)
# Appendices (附：…, 附件一) and tables attached to the last article are not 款.
_APPENDIX = re.compile(
    r"^(?:附(?:件[一二三四五六七八九十\d]*)?\s*[：:]?$|附[：:]|[|+])"
)
REPEAL_MARK = "同时废止"
COMMENCEMENT = re.compile(
    r"自\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*起\s*施行"
)


def _cn_int(numeral: str) -> int:
    """Convert a Chinese numeral such as 二十三 to an int."""
    total = digit = 0
    for char in numeral:
        if char in _CN_DIGITS:
            digit = _CN_DIGITS[char]
        else:
            total += (digit or 1) * _CN_UNITS[char]
            digit = 0
    return total + digit


def split_paragraphs(text: str) -> tuple[str, ...]:
    """Split an article's text into its paragraphs (款).

    Lines are separated by ``\\n``. An item line ("（一）…", "一、…") and a sub-item
    line ("1.…") belong to the paragraph above them, and so do the lines between
    two consecutive items (an item running over several lines). A line ending in
    "，"/"、" is wrapped and joins the next one. Chapter headings that leaked into
    the text are dropped; an appendix ("附：", "附件一", tables) ends the paragraphs.

    :param text: the article text
    :return: the paragraphs, items kept inside their paragraph separated by ``\\n``
    """
    paragraphs: list[list[str]] = []
    pending = ""
    enumerating: int | None = None  # index of the paragraph with an open item list
    last_item = 0
    for raw in text.split("\n"):
        line = raw.strip()
        if not line or _HEADING.match(line):
            continue
        if _APPENDIX.match(line):
            break
        line, pending = pending + line, ""
        if line.endswith(("，", "、")):
            pending = line
            continue
        number = _item_number(line)
        if number is not None and not line.startswith(("（", "(")):
            # "一、" items are taken only in a list introduced by "：", since a
            # paragraph may open with "二、三类动物疫病…".
            opens = number == 1 and paragraphs and paragraphs[-1][-1].endswith("：")
            if not opens and (enumerating is None or number != last_item + 1):
                number = None
        if number == 1:
            if not paragraphs:
                paragraphs.append([])
            enumerating, last_item = len(paragraphs) - 1, 1
        elif number is not None and enumerating is not None and number == last_item + 1:
            # Lines since the previous item continued it: fold them back.
            for extra in paragraphs[enumerating + 1 :]:
                paragraphs[enumerating].extend(extra)
            del paragraphs[enumerating + 1 :]
            last_item = number
        if paragraphs and (number is not None or _SUB_ITEM_LINE.match(line)):
            paragraphs[-1].append(line)
        else:
            paragraphs.append([line])
    if pending:
        paragraphs.append([pending])
    return tuple("\n".join(lines) for lines in paragraphs)


def _item_number(line: str) -> int | None:
    """Return the number of an item line ("（三）…" → 3), or None."""
    match = _ITEM_LINE.match(line)
    return _cn_int(match.group(1) or match.group(2)) if match else None


def item_count(paragraph: str) -> int | None:
    """Count the items of a paragraph; None unless they are clearly enumerated."""
    head, *rest = paragraph.split("\n")
    # A head line is an item only when an article opens with "（一）"; "一、" there
    # is more likely prose ("二、三类动物疫病…").
    lines = [head, *rest] if head.startswith(("（", "(")) else rest
    numbers = [n for n in map(_item_number, lines) if n is not None]
    if not numbers:
        numbers = [_cn_int(n) for n in _INLINE_ITEM.findall(head)]
        if len(numbers) < 2:
            return None
    # Items must run （一）（二）… without gaps, or the enumeration is not clear.
    if numbers != list(range(1, len(numbers) + 1)):
        return None
    return len(numbers)


def _titles(clause: str) -> list[str]:
    """Return the outermost 《…》 titles of a clause (titles may nest)."""
    titles, depth, start = [], 0, 0
    for i, char in enumerate(clause):
        if char == "《":
            if depth == 0:
                start = i + 1
            depth += 1
        elif char == "》" and depth:
            depth -= 1
            if depth == 0:
                titles.append(clause[start:i])
    return titles


def repealed_titles(text: str) -> list[str]:
    """Return the titles named in the "…同时废止" sentences of an article."""
    titles = []
    end = text.find(REPEAL_MARK)
    while end != -1:
        start = max(text.rfind(sep, 0, end) for sep in "。；\n") + 1
        titles.extend(_titles(text[start:end]))
        end = text.find(REPEAL_MARK, end + len(REPEAL_MARK))
    return titles


_CN_MONEY = r"[\d零〇一二两三四五六七八九十百千万亿.]{1,12}"
_YUAN_RANGE = re.compile(
    rf"(?:处|并处|处以)(?:警告(?:或者|、|，|并处)?)?(?:(?P<low>{_CN_MONEY})元?以上)?(?P<high>{_CN_MONEY})元以下(?:的)?罚款"
)
_MULTIPLE_FINE = re.compile(r"倍以[上下]|百分之|%")


def statutory_yuan_range(text: str) -> tuple[float, float] | None:
    """The one fine range in yuan a provision's text sets (…处X元以上Y元以下罚款).

    :param text: an article or paragraph of a law.
    :return: (low, high) in yuan, or None when the text sets no yuan range, sets
        several different ones (e.g. for individuals and organisations, or 情节严重),
        or also sets fines in multiples or percentages.
    """
    from nlp.numerals import parse_money

    if _MULTIPLE_FINE.search(text):
        return None
    ranges = set()
    for match in _YUAN_RANGE.finditer(text):
        high = parse_money(match["high"] + "元")
        low = parse_money(match["low"] + "元") if match["low"] else 0
        if high is None or low is None:
            return None
        ranges.add((float(low), float(high)))
    return ranges.pop() if len(ranges) == 1 else None
