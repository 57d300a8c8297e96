"""Decision date and party type of a penalty decision."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from nlp.numerals import parse_int

_ARABIC_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CHINESE_DATE = re.compile(
    r"([〇○零一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月"
    r"\s*([一二三四五六七八九十]{1,3})\s*日"
)
_ISO_DATE = re.compile(r"(?<![\d.])(\d{4})([-./])(\d{1,2})\2(\d{1,2})(?![\d.])")
# A line that holds only a date (and perhaps the agency name before it, or a seal
# note after it) closes a decision: that is the decision date.
_CLOSING = re.compile(
    r"(?:^|\n)[^\n]{0,30}?(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|"
    r"[〇○零一二三四五六七八九]{4}\s*年[^\n]{1,8}?日|"
    r"(?<![\d.])\d{4}([-./])\d{1,2}\2\d{1,2}(?![\d.]))"
    r"\s*(?:[（(](?:印章|盖章|公章|章|签章)[）)])?\s*(?:\n|$)"
)
_DATE_LABEL = re.compile(
    r"(?:决定日期|作出日期|处罚日期|决定时间)[：:]\s*|(?:行政)?处罚决定书[（(]\s*(?=\d{4}年)"
)

_ORG_CUES = re.compile(
    r"统一社会信用代码|法定代表人|负责人[：:]|有限公司|有限责任公司|股份公司|合作社|"
    r"企业名称|单位名称|（单位）|厂[（(，,：:]|公司[（(，,：:]"
)
# Anonymised personal names as published: 王某, 曾某某, 张某甲.
_PERSON_NAME = re.compile(
    r"^\s*(?:(?:当事人|被处罚人|违法行为人)[：:])?\s*(?:村民|居民|个人|自然人)?"
    r"[\u4e00-\u9fa5]{1,2}某[某甲乙丙丁]?"
    r"(?:[（(，,。\s]|$)"
)
_PARTY_LINE = re.compile(r"(?m)^\s*(?:当事人|被处罚人|违法行为人)[：:][^\n]*")
_SOLE_TRADER = re.compile(r"个体工商户|[（(]个体")
_INDIVIDUAL_CUES = re.compile(
    r"身份证(?:号码?|件号码)|公民身份号码|性别[：:]|出生(?:日期|年月)|住址[：:]|男，|女，"
)


def find_dates(text: str) -> list[tuple[date, int, int]]:
    """Return every valid calendar date written in ``text`` with its span.

    :param text: any text.
    :return: (date, start, end) in textual order.
    """
    found = []
    for pattern in (_ARABIC_DATE, _CHINESE_DATE, _ISO_DATE):
        for match in pattern.finditer(text):
            groups = match.groups()
            if pattern is _ISO_DATE:  # 2025-06-30, 2025.6.30, 2025/6/30
                groups = (groups[0], groups[2], groups[3])
            parsed = _to_date(*groups)
            if parsed is not None:
                found.append((parsed, match.start(), match.end()))
    found.sort(key=lambda row: row[1])
    return found


def reference_date(text: str) -> date | None:
    """The date at which to judge the law: the decision date, else the latest date
    mentioned (a decision follows every step it records).

    :param text: the decision text.
    :return: a date, or None when the text holds no date at all.
    """
    explicit = decision_date(text)
    if explicit is not None:
        return explicit
    dates = find_dates(text)
    return max(d for d, _, _ in dates) if dates else None


def decision_date(text: str) -> date | None:
    """Return the decision date as the document states it.

    An explicit label (决定日期：…) wins; then a closing date line at the end of the
    document. Condensed extracts without either have no decision date.

    :param text: the decision text.
    :return: the date, or None.
    """
    label = _DATE_LABEL.search(text)
    if label:
        dates = find_dates(text[label.end() : label.end() + 20])
        if dates:
            return dates[0][0]
    tail_start = max(0, len(text) - 600)
    closing = list(_CLOSING.finditer(text, tail_start))
    if closing:
        dates = find_dates(closing[-1].group(1))
        if dates:
            return dates[-1][0]
    return None


def party_type(text: str, party_section: str | None = None) -> str | None:
    """Return ``"individual"``, ``"organization"`` or None.

    :param text: the decision text.
    :param party_section: the 当事人 section when known; it is looked at first.
    :return: the party type, or None when it cannot be told.
    """
    if party_section is None:
        found = _PARTY_LINE.search(text[:800])
        party_section = found.group(0) if found else None
    if party_section:
        body = re.sub(r"^【[^】]*】", "", party_section.strip())
        if _PERSON_NAME.match(body) or _SOLE_TRADER.search(body[:60]):
            return "individual"
    for scope in (party_section, text[:600], text):
        if not scope:
            continue
        org = _ORG_CUES.search(scope)
        person = _INDIVIDUAL_CUES.search(scope)
        if org and (not person or org.start() <= person.start()):
            return "organization"
        if person:
            return "individual"
    return None


def _to_date(year: str, month: str, day: str) -> date | None:
    values = []
    for part in (year, month, day):
        if part.isdigit():
            values.append(int(part))
        elif len(part) == 4:  # 二〇二三: digit by digit
            values.append(parse_int(part))
        else:
            values.append(parse_int(part))
    if any(v is None for v in values):
        return None
    try:
        result = date(*values)
    except ValueError:
        return None
    return result if 1949 <= result.year <= 2100 else None


_DOMAINS = (
    ("城市管理", re.compile(r"城市管理|城管|综合行政执法|综合执法")),
    ("市场监管", re.compile(r"市场监督|市场监管|工商行政|食品药品|价格")),
    ("生态环境", re.compile(r"生态环境|环境保护|环保")),
    ("交通运输", re.compile(r"交通运输|交通局|运输管理|道路运输")),
    ("自然资源", re.compile(r"自然资源|国土资源|规划")),
    ("水利", re.compile(r"水利|水务")),
)


def agency_domain(text: str) -> str | None:
    """The enforcement domain of the issuing agency, read from the document head.

    :param text: the decision text.
    :return: a domain name as catalogues write it (城市管理, 市场监管 …) or None.
    """
    head = text[:300]
    best: tuple[int, str] | None = None
    for domain, pattern in _DOMAINS:
        match = pattern.search(head)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), domain)
    return best[1] if best else None


# 文号: issuer abbreviation, the year in 〔〕 (or [] 【】 （）), the serial, 号.
_DOC_NUMBER = re.compile(
    r"[\u4e00-\u9fa5A-Za-z]{2,24}\s*[〔［\[【（(]\s*(?:19|20)\d{2}\s*[〕］\]】）)]"
    r"\s*第?\s*[0-9０-９]{1,8}\s*号"
)


def document_number(text: str) -> str | None:
    """The decision's own number (文号), e.g. ``江城城管罚〔2024〕12号``.

    Numbers of other documents quoted in the text (《事先告知书》（…〔2023〕第12号）)
    are skipped: a number alone on its line wins, then the first one not inside
    brackets, looking at the head of the document first.

    :param text: the decision text.
    :return: the number as written (spaces removed), or None.
    """
    found = list(_DOC_NUMBER.finditer(text))
    if not found:
        return None

    def alone(match) -> bool:
        start = text.rfind("\n", 0, match.start()) + 1
        end = text.find("\n", match.end())
        line = text[start : len(text) if end == -1 else end]
        return line.strip() == match.group(0).strip()

    def quoted(match) -> bool:
        before = text[max(0, match.start() - 1) : match.start()]
        return before in ("（", "(", "《", "“")

    best = (
        next((m for m in found if alone(m)), None)
        or next((m for m in found if m.start() < 400 and not quoted(m)), None)
        or next((m for m in found if not quoted(m)), None)
    )
    return re.sub(r"\s+", "", best.group(0)) if best else None


# ---------------------------------------------------------------- date window

# 送达 of the decision itself: the decision was made on or before that day.
_SERVED = re.compile(
    r"(?:本|该)?(?:行政)?(?:处罚)?决定书[^。\n；]{0,20}?送达|送达(?:日期|时间)[：:]|"
    r"(?:直接|留置|邮寄)?送达(?:了)?(?:本|该)?(?:行政)?(?:处罚)?决定书"
)
_BEFORE_DEADLINE = re.compile(r"\s*(?:前|之前|以前|止|为止|届满)")
_NOTICE_WORDS = ("告知书", "听证", "陈述", "申辩")


def _sentence_around(text: str, start: int, end: int, limit: int = 40) -> str:
    """The sentence holding ``text[start:end]``, at most ``limit`` chars each side."""
    lo = max(0, start - limit)
    head = max(text.rfind(sep, lo, start) for sep in "。；;\n")
    hi = min(len(text), end + limit)
    stops = [i for i in (text.find(sep, end, hi) for sep in "。；;\n") if i >= 0]
    return text[max(lo, head + 1) : min(stops) if stops else hi]


@dataclass(frozen=True)
class DateWindow:
    """What a decision's text tells about its date.

    ``low`` and ``high`` bound the decision date (inclusive; None = unbounded);
    ``exact`` is set when the decision states its date; ``basis`` says where each
    bound came from (落款, 送达, 文号年份, 文书所载最晚日期).
    """

    low: date | None
    high: date | None
    exact: date | None = None
    basis: tuple[str, ...] = ()

    @property
    def known(self) -> bool:
        return self.low is not None or self.high is not None

    def reference(self) -> date | None:
        """One date to judge by when a single one is needed (catalogue in force)."""
        return self.exact or self.low or self.high


def decision_window(text: str, stated: date | None = None) -> DateWindow:
    """Bound the decision date from every place a decision carries it.

    The stated date (a date supplied by the user, the 决定日期 label or the closing
    落款) is exact. Otherwise: every step the text records (立案, 检查, 告知书 …)
    happened on or before the decision, so the latest of them is a lower bound;
    a 送达 of the decision itself is an upper bound; the year in the 文号
    (〔2024〕) bounds both ends as a last resort. Deadlines (…前缴纳) are not steps.

    :param text: the decision text.
    :param stated: a decision date known from elsewhere (e.g. entered by staff).
    :return: the window.
    """
    exact = stated or decision_date(text)
    if exact is not None:
        return DateWindow(exact, exact, exact, ("落款",) if stated is None else ())
    low: date | None = None
    high: date | None = None
    basis: list[str] = []
    served: list[date] = []
    for value, start, end in find_dates(text):
        if _BEFORE_DEADLINE.match(text, end):
            continue
        around = _sentence_around(text, start, end)
        if _SERVED.search(around) and not any(w in around for w in _NOTICE_WORDS):
            served.append(value)
            continue
        if low is None or value > low:
            low = value
    if low is not None:
        basis.append("文书所载最晚日期")
    if served:
        high = min(served)
        basis.append("送达")
    number = document_number(text)
    year = re.search(r"(?:19|20)\d{2}", number) if number else None
    if year:
        first, last = date(int(year.group(0)), 1, 1), date(int(year.group(0)), 12, 31)
        if low is None or low < first:
            low = first
        if high is None or high > last:
            high = last
        basis.append("文号年份")
    if low is not None and high is not None and low > high:
        # Contradictory bounds (a typo somewhere): trust nothing but the low one.
        high = None
    return DateWindow(low, high, None, tuple(basis))
