"""Money mentions in penalty decisions, the penalties imposed, and amount consistency.

``find_money`` scans a text once for numeral runs (Arabic, 小写 and 大写 Chinese,
``百分之…``) and classifies each by what follows it (元, 倍, %), then merges
neighbours into ranges (``二千元以上二万元以下``, ``二倍以上五倍以下``). Every
regex here matches either a single run of one character class or a short fixed
window, so the scan is linear in the text length and cannot backtrack
catastrophically; no public function raises on arbitrary text.
"""

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from nlp.numerals import (
    CN_DIGIT_CHARS,
    CN_NUMBER_CHARS,
    DAXIE_CHARS,
    FULLWIDTH,
    MAX_NUMBER_CHARS,
    parse_int,
    parse_money,
    parse_number,
)

KINDS = ("amount", "range", "multiple", "percent", "per_unit")

# Bases of multiples and percentages, longest alternatives first, and their
# normalised names.
_BASE_NAMES = {
    "违法所得": "违法所得",
    "违法收入": "违法所得",
    "非法所得": "违法所得",
    "违法获利": "违法所得",
    "非法获利": "违法所得",
    "货值金额": "货值金额",
    "货值": "货值金额",
    "货物价值": "货值金额",
    "商品价值": "货值金额",
    "产品价值": "货值金额",
    "违法经营额": "违法经营额",
    "违法经营数额": "违法经营额",
    "违法销售额": "违法经营额",
    "砂石价值": "砂石价值",
    "矿产品价值": "市场价值",
    "矿产品市场价值": "市场价值",
    "市场价值": "市场价值",
    "建设工程造价": "工程造价",
    "工程造价": "工程造价",
    "造价": "工程造价",
    "总投资额": "总投资额",
    "总投资": "总投资额",
    "投资总额": "总投资额",
    "广告费用": "广告费用",
    "广告费": "广告费用",
    "销售金额": "销售金额",
    "销售额": "销售金额",
    "罚款数额": "罚款数额",
}
# Weaker statements of a base, used only when the base itself is never stated.
_BASE_ALIASES = {"合同总价": "工程造价", "合同价款": "工程造价"}
_BASE_ALT = "|".join(sorted(_BASE_NAMES, key=len, reverse=True))
_BASE_TAIL_RE = re.compile(rf"(?:{_BASE_ALT})的?$")
_STATED_BASES = {
    name: key
    for name, key in {**_BASE_NAMES, **_BASE_ALIASES}.items()
    if key != "罚款数额"
}
_BASE_TOTAL_RE = re.compile(r"共计|合计|总计")
_PART_QUALIFIER_RE = re.compile(r"其中|部分|已售|已销售|未售|库存")
_LISTED_BASE_RE = re.compile(
    rf"(?P<name>{'|'.join(sorted(_STATED_BASES, key=len, reverse=True))})"
    r"(?:金额)?(?:分别为|分别是|各为)"
)
_BASE_STATEMENT_RE = re.compile(
    rf"(?P<name>{'|'.join(sorted(_STATED_BASES, key=len, reverse=True))})"
    r"(?:[为是约达共计合总：:\s（(]|人民币)*$"
)

_PER_UNIT_BASE_RE = re.compile(
    rf"(?P<name>{'|'.join(sorted(_STATED_BASES, key=len, reverse=True))})"
    r"(?:[为是约按：:\s]|认定为|计算为)*(?:每|单价)[^。；;\n]{0,20}?元[^。；;\n\d]{0,12}?"
    r"(?:共计|合计|总计)(?:人民币|金额)?[为是：:\s]*$"
)

_UNIT_NAMES = {
    "平方米": "平方米",
    "平米": "平方米",
    "㎡": "平方米",
    "m²": "平方米",
    "m2": "平方米",
    "立方米": "立方米",
    "m³": "立方米",
    "m3": "立方米",
    "延长米": "延长米",
    "公顷": "公顷",
    "亩": "亩",
    "千克": "千克",
    "公斤": "千克",
    "吨": "吨",
    "米": "米",
    "辆": "辆",
    "台": "台",
    "人": "人",
    "次": "次",
    "个": "个",
    "件": "件",
    "株": "株",
    "棵": "棵",
    "日": "日",
    "天": "天",
    "套": "套",
    "户": "户",
    "袋": "袋",
    "盒": "盒",
    "瓶": "瓶",
    "箱": "箱",
    "份": "份",
    "张": "张",
    "只": "只",
    "头": "头",
    "车": "车",
    "趟": "趟",
    "块": "块",
}
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(_UNIT_NAMES, key=len, reverse=True))
_PER_BEFORE_RE = re.compile(rf"每(?P<unit>{_UNIT_ALT})的?(?:处以|处|罚款|计|收取|按)?$")
_PER_AFTER_RE = re.compile(rf"(?:/|每)(?P<unit>{_UNIT_ALT})")
_AREA_UNIT_RE = re.compile(r"平方米|平米|㎡|m²|m2|亩")
_AREA_TOTAL_RE = re.compile(r"(?:合计|共计|总计)[^，。；;\d]{0,8}$")
_AREA_STATEMENT_RE = re.compile(r"面积(?:[为是约达共计合总：:\s])*$")
# 合计50平方米以上: a tier's bound quoted, not a stated area
_AREA_BOUND_RE = re.compile(r"(?:（含）)?(?:以上|以下|以内|之间|不等)")
_AREA_STATED_TOTAL_RE = re.compile(
    r"(?:总面积|面积(?:共计|合计|总计))(?:[为是约达：:\s])*$"
)
MU_IN_SQUARE_METRES = Decimal("666.67")
_SIDE_NUM = (
    r"\d+(?:\.\d+)?|[一二两三四五六七八九十百]+(?:点[一二三四五六七八九十零〇]+)?"
)
_SIDES_RE = re.compile(
    rf"(?:长(?:度)?(?:为|约)?)?(?P<a>{_SIDE_NUM})\s*(?:米|m)\s*"
    rf"(?:[×xX*＊乘]|[、，,]?\s*(?:宽|高)(?:度)?(?:为|约)?)\s*(?P<b>{_SIDE_NUM})\s*(?:米|m)(?![²2])"
)

_CN = CN_NUMBER_CHARS
_CND = CN_DIGIT_CHARS
_TOKEN_RE = re.compile(
    rf"(?P<pct>百分之(?P<pnum>[{_CN}]+(?:点[{_CND}]+)?|\d+(?:\.\d+)?))"
    # Thousands groups must be exactly three digits: 2000，3000元 is two numbers.
    r"|(?P<ar>\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<armult>[十百千万萬亿億]{0,2})"
    rf"|(?P<cn>[{_CN}]+(?:点[{_CND}]+[万萬亿億]?)?)"
)
_YUAN_SUFFIX_RE = re.compile(
    rf"[元圆](?:零?[{_CND}0-9][角毛](?!钱))?(?:零?[{_CND}0-9]分(?![之钟]))?"
    r"(?:整|正(?![在常式确当好规]))?"
)
_SUBUNIT_ONLY_RE = re.compile(rf"[角毛](?:零?[{_CND}]分(?![之钟]))?|分(?![之钟])")
_MONEY_PREFIX_RE = re.compile(r"(?:人民币|RMB|￥|¥)[:：]?\s?$")
_BOUND_BEFORE_RE = re.compile(
    r"(?P<high>不足|不满|不超过|未超过|未满|低于|少于|不高于)$"
    r"|(?P<low>不低于|不少于|超过|高于|多于)$"
)
_RANGE_CONNECTORS = frozenset("至到-－—–~～")
_BIG_UNIT_CHARS = "百千万萬亿億佰仟"

_CLAUSE_RE = re.compile(r"[^，,；;。\n、！？!?【】]*")
_FINE_BEFORE_RE = re.compile(
    # a note on how the fine was set may stand between the word and the amount:
    # 罚款（货值金额20000元的2.1倍）人民币42000元, 罚款人民币（大写）伍仟元整
    r"罚款(?:人民币)?(?:[（(][^（）()]{1,40}[）)])?"
    r"(?:金额|数额)?(?:大写|小写)?(?:金额)?[为是计共合总即：:\s]*$"
)
_FINE_AFTER_RE = re.compile(r"(?:\s*的)?\s*罚款")
_TOTAL_WORDS = ("合计", "共计", "总计")
_PAIR_GAP_RE = re.compile(r"\s*[（(]\s*(?:小写|大写)?(?:金额)?[:：]?\s*")
_PAIR_CLOSE_RE = re.compile(r"\s*[）)]")
_MONEY_PREFIX_STRIP_RE = re.compile(r"^(?:人民币|RMB|￥|¥)[:：]?\s?")
_TOTAL_BEFORE_RE = re.compile(
    r"(?:^|(?<=[，,；;。：:\n])|(?<=罚款)|(?<=罚没款)|(?<=以上)|(?<=上述))"
    r"(?P<word>合计|共计|总计)"
    r"(?:罚没款|罚款|金额|罚没金额|为|：|:|\s)*$"
)
_PART_WORDS = ("赔偿", "追缴", "退赔", "补缴")
_COUNT_RE = re.compile(
    r"(?:以上|上述|前述)(?P<n>[一二两三四五六七八九十\d]{1,3})项[^，。；\n]{0,3}$"
)

_SECTION_RE = re.compile(r"【\s*处(?:罚|理)决定\s*】")
# Where the decision part starts: explicit markers first, then 决定给予/决定对…处以.
_STRONG_START_RE = re.compile(
    r"作出如下(?:行政)?处(?:罚|理)|决定[^。；\n]{0,30}?如下|决定(?!书)[^。；\n]{0,40}?[:：]"
    r"|处罚决定(?!书)[^。；\n]{0,6}?[:：]|处罚决定(?:如下|为)|处罚决定[ \t]*\n"
)
_WEAK_START_RE = re.compile(
    r"决定给予|决定对[^。；\n]{0,40}?(?:处以|处|作出|给予|罚款|没收|警告)"
)
_END_RE = re.compile(
    r"履行方式|不服|救济途径|申请行政复议|提起行政诉讼"
    r"|(?:^|(?<=[。\n]))[^。；，,\n]{0,30}?(?:缴纳|缴至|缴入|缴到|缴交|交至|交到|汇入|汇至|缴款)"
)
# Who is ordered: 责令当事人/其/你公司/该单位… (short, no clause break).
_WHOM = "(?:当事人|其|你|该)?[^，。；;\\n责令]{0,4}?"
_MEASURE_PATTERNS = [
    (re.compile(r"警告"), "警告"),
    (re.compile(r"通报批评"), "通报批评"),
    (
        re.compile(rf"责令{_WHOM}限期(?:改正|整改|纠正)"),
        "责令限期改正",
    ),
    (
        re.compile(rf"责令{_WHOM}(?:立即|及时)?(?:改正|整改|纠正|采取改正措施)"),
        "责令改正",
    ),
    (re.compile(rf"责令{_WHOM}(?:立即)?停止"), "责令停止违法行为"),
    (re.compile(rf"责令{_WHOM}停产|停产整治"), "责令停产整治"),
    (re.compile(rf"责令{_WHOM}停业|停业整顿"), "责令停业整顿"),
    (
        re.compile(r"暂扣[^，。；;\n]{0,12}?(?:许可证|执照|证件|证书|驾驶证|运输证)"),
        "暂扣许可证件",
    ),
    (
        re.compile(r"吊销[^，。；;\n]{0,12}?(?:许可证|执照|证件|证书|驾驶证|运输证)"),
        "吊销许可证件",
    ),
    (re.compile(r"限制(?:开展)?生产经营活动|限制生产"), "限制开展生产经营活动"),
    (re.compile(rf"责令{_WHOM}关闭|予以关闭"), "责令关闭"),
    (re.compile(r"拆除"), "拆除"),
    (re.compile(r"恢复(?:土地)?原(?:状|貌|样)"), "恢复原状"),
]
_CONFISCATE_RE = re.compile(r"没收")
_NEGATION_RE = re.compile(r"(?:不予|免予|免于|未|不|无需|无须|没有)[^，。；;\n]{0,2}$")
_CONFISCATE_NOISE_RE = re.compile(
    rf"违法所得|违法收入|非法所得|人民币|[其的和及与并、共计合为：:\s]"
    rf"|[\d,.]+[万萬]?[元圆]整?|[{_CN}]+[元圆]整?"
)
_SENTENCE_BREAK = "。\n"


@dataclass(frozen=True)
class Money:
    """One money mention: an amount, a range, a multiple, a percentage or a unit rate.

    ``value`` is set for ``amount`` and ``per_unit`` (yuan); ``low``/``high`` for
    ``range`` (yuan), ``multiple`` (times the base) and ``percent`` (percent of the
    base) and for a ``per_unit`` range. ``base`` names the base of a multiple or a
    percentage when written (``违法所得``) and the unit of a ``per_unit`` rate.
    """

    kind: str
    value: Decimal | None
    low: Decimal | None
    high: Decimal | None
    base: str | None
    start: int
    end: int
    text: str


@dataclass
class Penalties:
    """What a decision imposes."""

    warning: bool
    fine_yuan: float | None
    confiscation: bool
    confiscated_yuan: float | None
    measures: list[str] = field(default_factory=list)
    fine_mentions: list[Money] = field(default_factory=list)
    # The total with the other writing of a fine whose 大写 and 小写 differ and
    # nothing in the text corroborates either (None otherwise): range checks
    # must hold for both readings.
    fine_alternative: float | None = None


@dataclass(frozen=True)
class AmountIssue:
    """An amount that contradicts another amount in the same text."""

    message: str
    evidence: str
    start: int
    end: int


@dataclass(slots=True)
class _Token:
    kind: str  # "money", "multiple", "percent" or "number"
    value: Decimal
    start: int
    end: int
    run: str


class _Group(NamedTuple):
    first: Money  # the amount as first written
    second: Money | None  # its bracketed repetition
    used: Money  # the one whose value counts (the 大写 writing)


class _Found(NamedTuple):
    fines: list[Money]
    totals: list[Money]
    confiscated: list[Money]


def _is_chinese(text: str) -> bool:
    """Return True when an amount is written in Chinese numerals (大写 or 小写)."""
    return any(char in CN_NUMBER_CHARS for char in text)


def _fmt(value: Decimal) -> str:
    """Format a Decimal without exponent or trailing zeros."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _tokens(norm: str) -> list[_Token]:
    """Scan *norm* (full-width mapped) for numeral runs and classify each."""
    tokens = []
    for match in _TOKEN_RE.finditer(norm):
        start = match.start()
        if tokens and start < tokens[-1].end:
            continue  # inside the previous amount's 元伍角 suffix
        if match["pct"]:
            value = parse_number(match["pnum"])
            if value is not None:
                tokens.append(_Token("percent", value, start, match.end(), match[0]))
            continue
        run = match["ar"] + match["armult"] if match["ar"] else match["cn"]
        end = start + len(run)
        if len(run) > MAX_NUMBER_CHARS:
            continue
        following = norm[end : end + 1]
        suffix = _YUAN_SUFFIX_RE.match(norm, end)
        if suffix is None and len(run) == 1 and run in DAXIE_CHARS:
            # 伍角 / 伍分: only 大写 digits, so that 十分 or 五分钟 are not money.
            suffix = _SUBUNIT_ONLY_RE.match(norm, end)
        prefix = _MONEY_PREFIX_RE.search(norm, max(0, start - 5), start)
        if suffix is not None:
            # Plain 元 (the common case) needs no 角/分 parsing.
            plain = suffix[0][0] in "元圆" and suffix[0][1:] in ("", "整", "正")
            value = parse_number(run) if plain else parse_money(run + suffix[0])
            kind, end = "money", suffix.end()
        elif following == "倍":
            value, kind, end = parse_number(run), "multiple", end + 1
        elif following == "%" and match["ar"]:
            value, kind, end = parse_number(run), "percent", end + 1
        elif prefix is not None:
            value, kind = parse_number(run), "money"
        else:
            value, kind = parse_number(run), "number"
        if value is None:
            continue
        if kind == "money" and prefix is not None:
            start = prefix.start()
        tokens.append(_Token(kind, value, start, end, run))
    return tokens


def _base_before(norm: str, pos: int) -> tuple[str | None, int]:
    """Return the base named right before *pos* and where it starts."""
    match = _BASE_TAIL_RE.search(norm, max(0, pos - 12), pos)
    if match is None:
        return None, pos
    name = match[0].removesuffix("的")
    return _BASE_NAMES[name], match.start()


def _inherit_unit(first: _Token, second: _Token) -> Decimal:
    """Scale a bare first bound by the second's 万/亿 (``2至3万元`` → 20000)."""
    if second.kind != "money" or any(c in _BIG_UNIT_CHARS for c in first.run):
        return first.value
    run = second.run
    if run.endswith(("万", "萬")):
        return first.value * 10**4
    if run.endswith(("亿", "億")):
        return first.value * 10**8
    return first.value


def _make(kind, low, high, value, start, end, base, norm, text, last_end) -> Money:
    """Build a Money, turning money amounts and ranges into unit rates when written."""
    if kind in ("amount", "range"):
        per = _PER_BEFORE_RE.search(norm, max(0, start - 8), start)
        after = _PER_AFTER_RE.match(norm, end)
        if per is not None and per.start() >= last_end:
            kind, base, start = "per_unit", _UNIT_NAMES[per["unit"]], per.start()
        elif after is not None:
            kind, base, end = "per_unit", _UNIT_NAMES[after["unit"]], after.end()
    start = max(start, last_end)
    return Money(kind, value, low, high, base, start, end, text[start:end])


# One decision is scanned by find_bases, extract_penalties and the consistency
# check in turn; caching the last few scans makes that a single pass.
@lru_cache(maxsize=8)
def _scan(text: str) -> tuple[str, tuple[_Token, ...], tuple[Money, ...]]:
    """Return the normalised text, its numeral tokens and its money mentions.

    The result is cached and shared: callers must not mutate it.
    """
    norm = text.translate(FULLWIDTH)
    tokens = _tokens(norm)
    mentions: list[Money] = []
    last_end = 0
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        gap = norm[tok.end : nxt.start] if nxt is not None else ""
        paired = (
            nxt is not None
            and nxt.kind != "number"
            and tok.kind in (nxt.kind, "number")
            and (
                (
                    gap.rstrip("、，,") == "以上"
                    and norm.startswith(("以下", "以内"), nxt.end)
                )
                or gap in _RANGE_CONNECTORS
            )
        )
        kind = nxt.kind if paired else tok.kind
        if kind == "number":
            i += 1
            continue
        start, end = tok.start, tok.end
        low = high = None
        if paired:
            low = _inherit_unit(tok, nxt) if tok.kind == "number" else tok.value
            high, end = nxt.value, nxt.end
            if norm.startswith(("以下", "以内", "之间"), end):
                end += 2
            i += 2
        else:
            i += 1
            bound = _BOUND_BEFORE_RE.search(norm, max(0, start - 3), start)
            if norm.startswith(("以下", "以内"), end):
                high, end = tok.value, end + 2
            elif norm.startswith("以上", end):
                low, end = tok.value, end + 2
            elif bound is not None:
                start = bound.start()
                if bound["high"]:
                    high = tok.value
                else:
                    low = tok.value
            elif kind != "money":
                low = high = tok.value
        if kind == "money":
            is_range = low is not None or high is not None
            value = None if is_range else tok.value
            kind = "range" if is_range else "amount"
            money = _make(
                kind, low, high, value, start, end, None, norm, text, last_end
            )
        else:
            base, base_start = _base_before(norm, start)
            if base is not None and base_start >= last_end:
                start = base_start
            money = _make(kind, low, high, None, start, end, base, norm, text, last_end)
        mentions.append(money)
        last_end = money.end
    return norm, tuple(tokens), tuple(mentions)


def find_money(text: str) -> list[Money]:
    """Find all money mentions in *text*, in order and non-overlapping.

    :param text: any text.
    :return: the mentions; offsets index into *text*.
    """
    if not isinstance(text, str) or not text:
        return []
    return list(_scan(text)[2])


def find_bases(text: str) -> dict[str, Decimal]:
    """Find the stated base amounts a multiple or percentage fine is computed on.

    Keys are ``违法所得``, ``货值金额``, ``违法经营额``, ``砂石价值``, ``工程造价``,
    ``总投资额`` (yuan) and ``面积`` (square metres; 亩 are converted at 666.67).
    The first clear statement of each wins (``违法所得1200元``, ``货值金额为3000元``,
    ``建筑面积35.5平方米``); for ``面积`` without the word 面积, the first area
    quantity that is not a unit rate.

    :param text: any text.
    :return: base name → amount.
    """
    if not isinstance(text, str) or not text:
        return {}
    norm, tokens, mentions = _scan(text)
    bases: dict[str, Decimal] = {}
    aliases: dict[str, Decimal] = {}
    totals: dict[str, Decimal] = {}
    partial: dict[str, Decimal] = {}
    for money in mentions:
        if money.kind != "amount" or money.value is None:
            continue
        match = _BASE_STATEMENT_RE.search(norm, max(0, money.start - 16), money.start)
        if match is None:
            continue
        name = match["name"]
        if _PART_QUALIFIER_RE.search(norm, max(0, match.start() - 8), match.start()):
            # 其中已销售部分货值为2000元: a part of the base, used only when no
            # statement of the whole is found
            partial.setdefault(_STATED_BASES[name], money.value)
            continue
        target = aliases if name in _BASE_ALIASES else bases
        target.setdefault(_STATED_BASES[name], money.value)
        # A part then the total (A款货值4200元，B款货值3100元，货值金额共计8300元):
        # the total is the base, not the first part.
        lead = norm[max(0, match.start() - 6) : money.start]
        if _BASE_TOTAL_RE.search(lead) and _STATED_BASES[name] not in totals:
            totals[_STATED_BASES[name]] = money.value
    # 货值分别为1200元、800元、500元，合计2500元: the total of a listed base
    for money in mentions:
        if money.kind != "amount" or money.value is None:
            continue
        lead = norm[max(0, money.start - 60) : money.start]
        listed = _LISTED_BASE_RE.search(lead)
        if listed and _BASE_TOTAL_RE.search(lead, listed.end()):
            if not re.search(r"[。；\n]|其中", lead[listed.end() :]):
                key = _STATED_BASES[listed["name"]]
                totals.setdefault(key, money.value)
    # 市场价值为每吨60元，共计人民币36000元: a base stated per unit, then its total
    for money in mentions:
        if money.kind != "amount" or money.value is None:
            continue
        per_unit = _PER_UNIT_BASE_RE.search(norm, max(0, money.start - 50), money.start)
        if per_unit is not None:
            totals.setdefault(_STATED_BASES[per_unit["name"]], money.value)
    bases.update(totals)
    for name, value in aliases.items():
        bases.setdefault(name, value)
    for name, value in partial.items():
        bases.setdefault(name, value)
    stated = fallback = total = None
    for tok in tokens:
        unit = _AREA_UNIT_RE.match(norm, tok.end)
        if (
            tok.kind != "number"
            or unit is None
            or norm[tok.start - 1 : tok.start] == "每"
        ):
            continue
        area = tok.value * MU_IN_SQUARE_METRES if unit[0] == "亩" else tok.value
        # 分别…320平方米和…180平方米，合计占用土地500平方米, and 一块面积15平方米；
        # 另一块面积8平方米；合计23平方米: a stated total wins over the parts.
        bound = _AREA_BOUND_RE.match(norm, unit.end())
        if (
            total is None
            and not bound
            and (
                _AREA_TOTAL_RE.search(norm, max(0, tok.start - 12), tok.start)
                or _AREA_STATED_TOTAL_RE.search(norm, max(0, tok.start - 8), tok.start)
            )
        ):
            total = area
            break
        if stated is None and _AREA_STATEMENT_RE.search(
            norm, max(0, tok.start - 8), tok.start
        ):
            stated = area
        if fallback is None:
            fallback = area
    area = total if total is not None else stated if stated is not None else fallback
    if area is None:
        # 两块：一块长12米、高3米，另一块长8米、高3米 → 60平方米 (the sum)
        sides = [
            (parse_number(m["a"]), parse_number(m["b"]))
            for m in _SIDES_RE.finditer(norm)
        ]
        if sides and all(a is not None and b is not None for a, b in sides):
            area = sum((a * b for a, b in sides), Decimal(0))
    if area is not None:
        bases["面积"] = area
    return bases


def _clause_before(text: str, pos: int, limit: int = 40) -> str:
    """Return the text of the clause that ends at *pos* (at most *limit* chars)."""
    # Match backwards on the reversed window: one linear pass, no backtracking.
    reversed_window = text[max(0, pos - limit) : pos][::-1]
    return _CLAUSE_RE.match(reversed_window)[0][::-1]


def _is_pair(text: str, first: Money, second: Money) -> bool:
    """Return True when *second* repeats *first* in brackets: ``壹万元（10,000元）``."""
    return bool(
        _PAIR_GAP_RE.fullmatch(text, first.end, second.start)
        and _PAIR_CLOSE_RE.match(text, second.end)
    )


@lru_cache(maxsize=8)
def _groups_of(text: str) -> tuple[_Group, ...]:
    """Return the (cached) amount groups of *text*."""
    return tuple(_amount_groups(text, _scan(text)[2]))


def _amount_groups(text: str, mentions: Sequence[Money]) -> list[_Group]:
    """Group each amount with its bracketed repetition, if any.

    The value used is the Chinese (大写) writing when exactly one of the two is
    written in Chinese numerals, else the first one.
    """
    amounts = [m for m in mentions if m.kind == "amount"]
    groups = []
    i = 0
    while i < len(amounts):
        first = amounts[i]
        if i + 1 < len(amounts) and _is_pair(text, first, amounts[i + 1]):
            second = amounts[i + 1]
            use_second = _is_chinese(second.text) and not _is_chinese(first.text)
            groups.append(_Group(first, second, second if use_second else first))
            i += 2
        else:
            groups.append(_Group(first, None, first))
            i += 1
    return groups


_OPERAND_RE = re.compile(r"\s*(?:[×xX*＊]|乘以?)[^，。；;\n]{0,24}?[＝=]")


def _role(text: str, money: Money) -> str | None:
    """Classify an amount: ``fine``, ``fine_total``, ``confiscation`` or None."""
    before = _clause_before(text, money.start)
    # 拟罚款 is the prior notice; 曾…被罚款 is an earlier case.
    if "拟" in before or "曾" in before:
        return None
    if before.rfind("没收") > before.rfind("罚款"):
        return "confiscation"
    if _OPERAND_RE.match(text, money.end):
        # 168000元×3＝504000元: an operand of the computation, not a fine (its
        # result after ＝ is)
        return None
    fine = _FINE_BEFORE_RE.search(before) or _FINE_AFTER_RE.match(text, money.end)
    if fine is None and before.strip() in ("即", "即为", "计", "共计", "合计"):
        # "处货值金额二倍罚款，即4000元": the fine word is in the previous clause.
        previous = _clause_before(text, money.start - len(before) - 1)
        fine = _FINE_BEFORE_RE.search(previous + before.strip())
    if fine is None and re.search(r"[＝=]\s*$", before):
        # "按每平方米200元处以罚款，计500平方米×200元/平方米＝100000元": the
        # result of a computation in a sentence that imposes a 罚款.
        sentence = _sentence_span(text, money.start)
        head = text[sentence[0] : money.start]
        stated = re.search(
            r"罚款(?:人民币|金额|数额)?[为:：]?\s*[\d零壹贰叁肆伍陆柒捌玖拾佰仟一二三四五六七八九十百千]",
            head,
        )
        if "罚款" in head and not stated and "拟" not in head and "没收" not in head:
            return "fine"
    if fine is None and _PART_FINE_RE.search(before):
        # "按每平方米一百二十元计罚：东立面广告十四平方米计一千六百八十元，…": a
        # part of a fine computed per unit, in a sentence that says so.
        sentence = _sentence_span(text, money.start)
        head = text[sentence[0] : money.start]
        if _PER_UNIT_FINE_RE.search(head) and "拟" not in head and "没收" not in head:
            return "fine"
    if fine is None:
        return None
    return "fine_total" if any(w in before for w in _TOTAL_WORDS) else "fine"


# A quantity and 计 right before an amount (十四平方米计一千六百八十元) ...
_PART_FINE_RE = re.compile(
    r"[\d零〇一二两三四五六七八九十百千万.]+\s*(?:平方米|㎡|平米|米|立方米|吨|千克|公斤|亩|"
    r"台|辆|件|个|处|块|张|次|人|天|日)(?:的)?[，,]?\s*(?:计|为|应罚|罚款)$"
)
# ... in a sentence fining per unit (按每平方米一百二十元计罚, 每平方米处200元罚款).
_PER_UNIT_FINE_RE = re.compile(
    r"每[^，。；\n]{1,4}?[^，。；\n]{0,12}?元[^。；\n]{0,6}?(?:计罚|罚款|处罚)"
)


def _measures(text: str, spans: list[tuple[int, int]]) -> list[str]:
    """Return the measures imposed within *spans*, normalised, in order, unique."""
    found: list[tuple[int, str]] = []
    for start, end in spans:
        for pattern, name in _MEASURE_PATTERNS:
            for match in pattern.finditer(text, start, end):
                if _NEGATION_RE.search(text, max(0, match.start() - 4), match.start()):
                    continue
                if name == "责令改正" and "限期" in match[0]:
                    continue
                found.append((match.start(), name))
        for match in _CONFISCATE_RE.finditer(text, start, end):
            pos = match.start()
            if _NEGATION_RE.search(text, max(0, pos - 4), pos):
                continue
            clause = _clause_after(text, match.end(), end)
            gains = any(w in clause for w in ("违法所得", "违法收入", "非法所得"))
            goods = bool(_CONFISCATE_NOISE_RE.sub("", clause))
            gains_first = clause.lstrip("其").startswith(
                ("违法所得", "违法收入", "非法所得")
            )
            if gains:
                found.append(
                    (pos if gains_first or not goods else pos + 1, "没收违法所得")
                )
            if goods:
                found.append((pos + 1 if gains_first else pos, "没收非法财物"))
    found.sort()
    names: list[str] = []
    for _, name in found:
        if name not in names:
            names.append(name)
    return names


def _clause_after(text: str, pos: int, end: int, limit: int = 30) -> str:
    """Return the clause that starts at *pos* (at most *limit* chars, before *end*)."""
    window = text[pos : min(end, pos + limit)]
    # No ASCII comma here: it is a thousands separator in 6,300元.
    cuts = [i for i in (window.find(sep) for sep in "，；;。\n【") if i >= 0]
    return window[: min(cuts)] if cuts else window


def _decision_region(text: str) -> tuple[int, int] | None:
    """Locate the decision part: the 【处罚决定】 section or the prose 决定…如下."""
    match = _SECTION_RE.search(text)
    if match is not None:
        end = text.find("【", match.end())
        return match.end(), end if end >= 0 else len(text)
    for pattern in (_STRONG_START_RE, _WEAK_START_RE):
        for match in pattern.finditer(text):
            # 拟作出如下处罚 is the prior notice, not the decision.
            if "拟" in text[max(0, match.start() - 12) : match.start()]:
                continue
            end = _END_RE.search(text, match.end())
            return match.start(), end.start() if end is not None else len(text)
    return None


def _sentence_span(text: str, pos: int, limit: int = 300) -> tuple[int, int]:
    """Return the sentence (split at 。 and newlines) around *pos*."""
    lo = max(0, pos - limit)
    start = max(text.rfind(sep, lo, pos) for sep in _SENTENCE_BREAK) + 1
    start = max(start, lo)
    hi = min(len(text), pos + limit)
    ends = [i for i in (text.find(sep, pos, hi) for sep in _SENTENCE_BREAK) if i >= 0]
    return start, min(ends) if ends else hi


_PAYMENT_BEFORE_RE = re.compile(
    r"(?:(?:将|把)(?:上述|以上|前述)?|(?:缴纳|缴清|交纳|缴交|缴付)(?:上述|以上|前述)?)"
    r"(?:罚款|罚没款|款项)(?:金额|数额)?(?:共计|合计)?(?:人民币)?[:：]?\s*$"
)
_PAYMENT_AFTER_RE = re.compile(
    r"\s*(?:[（(][^）)]{0,24}[）)])?\s*(?:缴至|缴入|缴到|交至|交到|汇入|汇至|缴纳至)"
)


def _restates_payment(text: str, money: Money) -> bool:
    """True for an amount of the payment notice (将罚款X元缴至…, 缴纳罚款X元)."""
    before = _clause_before(text, money.start, 24)
    return bool(
        _PAYMENT_BEFORE_RE.search(before) or _PAYMENT_AFTER_RE.match(text, money.end)
    )


def _collect(text: str, groups: Sequence[_Group], region: tuple[int, int]) -> _Found:
    """Sort the amount groups inside *region* into fines, fine totals, confiscations."""
    found = _Found([], [], [])
    start, end = region
    for group in groups:
        if group.first.start < start or group.first.end > end:
            continue
        if _restates_payment(text, group.first):
            continue  # 将罚款人民币15000元缴至…: the payment notice, not a fine
        role = _role(text, group.first)
        if role == "fine":
            found.fines.append(group.used)
        elif role == "fine_total":
            found.totals.append(group.used)
        elif role == "confiscation":
            found.confiscated.append(group.used)
    return found


def _fallback(
    text: str, groups: Sequence[_Group]
) -> tuple[_Found, list[tuple[int, int]]]:
    """Return what the sentences imposing a 罚款 with an amount impose."""
    found = _Found([], [], [])
    spans: list[tuple[int, int]] = []
    pending: list[tuple[tuple[int, int], Money]] = []
    for group in groups:
        role = _role(text, group.first)
        if role is None or _restates_payment(text, group.first):
            continue
        span = _sentence_span(text, group.first.start)
        if role == "confiscation":
            pending.append((span, group.used))
            continue
        sentence = text[span[0] : span[1]]
        if any(word in sentence for word in ("拟", "告知", "曾", "此前", "前次")):
            continue
        (found.fines if role == "fine" else found.totals).append(group.used)
        if not spans or spans[-1] != span:
            spans.append(span)
    # Confiscations count only in the sentences that impose a fine.
    fine_spans = set(spans)
    found.confiscated.extend(m for span, m in pending if span in fine_spans)
    return found, spans


def extract_penalties(
    text: str, decision_span: tuple[int, int] | None = None
) -> Penalties:
    """Extract the penalties a decision imposes.

    Only the decision part counts: *decision_span* when given, else the 【处罚决定】
    section or the prose from 决定…如下/决定给予/处罚决定 up to 履行方式/缴纳/如不服/
    救济途径; when no such part is found (or it states nothing), the sentences that
    impose a 罚款 with an amount. A fine is an amount attached to 罚款 (``罚款X元``,
    ``处X元罚款``, ``二倍罚款即X元``); statutory ranges and confiscations (``没收违法
    所得X元``) are not fines; several fines are summed, and a stated total of fines
    counts only when no single fine is stated. A 大写 amount and its bracketed 小写
    repetition count once, with the 大写 value.

    :param text: the decision text.
    :param decision_span: start/end offsets of the 处罚决定 section, if known; when
        given, nothing outside it is looked at.
    :return: the imposed penalties.
    """
    if not isinstance(text, str) or not text:
        return Penalties(False, None, False, None, [], [])
    groups = _groups_of(text)
    region = decision_span if decision_span is not None else _decision_region(text)
    found = _Found([], [], [])
    spans: list[tuple[int, int]] = []
    measures: list[str] = []
    if region is not None:
        region = (max(0, int(region[0])), min(len(text), int(region[1])))
        found = _collect(text, groups, region)
        spans = [region]
        measures = _measures(text, spans)
    empty = not (found.fines or found.totals or found.confiscated or measures)
    if decision_span is None and (region is None or empty):
        found, spans = _fallback(text, groups)
        measures = _measures(text, spans)
    counted = found.fines or found.totals[:1]
    counted, alternative = _resolve_pairs(text, groups, counted)
    fine = sum((m.value for m in counted if m.value is not None), Decimal(0))
    seized = sum((m.value for m in found.confiscated if m.value), Decimal(0))
    return Penalties(
        warning="警告" in measures,
        fine_yuan=float(fine) if counted else None,
        confiscation=bool(found.confiscated)
        or any(m.startswith("没收") for m in measures),
        confiscated_yuan=float(seized) if found.confiscated else None,
        measures=measures,
        fine_mentions=list(counted),
        fine_alternative=float(fine - alternative) if alternative else None,
    )


def _resolve_pairs(
    text: str, groups: Sequence[_Group], counted: list[Money]
) -> tuple[list[Money], Decimal]:
    """Choose the reading of each fine whose 大写 and 小写 differ.

    The reading the rest of the text corroborates wins: the same amount written
    elsewhere (the payment notice, a computation ＝X元) or a stated rate times a
    stated quantity (每平方米120元 × 24平方米). Without corroboration the 大写
    stays (the documented rule) and the difference is returned, so that range
    checks can be made with both readings.

    :return: (the fine mentions, the sum of (used - other) over uncorroborated
        pairs; 0 when every pair agrees or was corroborated).
    """
    by_used = {id(g.used): g for g in groups if g.second is not None}
    result, difference = [], Decimal(0)
    for money in counted:
        group = by_used.get(id(money))
        if group is None or group.first.value == group.second.value:
            result.append(money)
            continue
        other = group.first if money is group.second else group.second
        mine, theirs = (
            _support(text, groups, group, money),
            _support(text, groups, group, other),
        )
        if theirs > mine:
            result.append(other)
            continue
        result.append(money)
        if theirs == mine and money.value is not None and other.value is not None:
            difference += money.value - other.value
    return result, difference


def _support(text: str, groups: Sequence[_Group], pair: _Group, money: Money) -> int:
    """How often the rest of the text corroborates ``money``'s value."""
    value = money.value
    if value is None:
        return 0
    count = sum(
        1
        for g in groups
        if g is not pair
        and (
            g.used.value == value or (g.second is not None and g.second.value == value)
        )
    )
    for rate in _scan(text)[2]:
        if rate.kind != "per_unit" or rate.value is None or not rate.base:
            continue
        quantities = _quantities(text, rate.base)
        if rate.base == "平方米":
            quantities += _quantities(text, "㎡")
        if any(abs(rate.value * q - value) <= Decimal("0.5") for q in quantities):
            count += 1
    return count


_PAYMENT_RE = re.compile(r"缴纳|缴至|缴入|缴到|缴交|交至|交到|汇入|汇至|缴款|上缴")


def payment_issues(text: str, penalties: Penalties) -> list[AmountIssue]:
    """A fine written in the payment notice that differs from the decision.

    The payment paragraph (请于…将罚款叁仟伍佰元缴至…) restates the fine; an
    amount there attached to 罚款/罚没款 must be the fine, one of the fines, or
    the fine plus the confiscated money.
    """
    if not penalties.fine_mentions or penalties.fine_yuan is None:
        return []
    fine = Decimal(str(penalties.fine_yuan))
    allowed = {fine} | {m.value for m in penalties.fine_mentions if m.value}
    if penalties.confiscated_yuan:
        allowed.add(fine + Decimal(str(penalties.confiscated_yuan)))
    if penalties.fine_alternative is not None:
        allowed.add(Decimal(str(penalties.fine_alternative)))
    last = max(m.end for m in penalties.fine_mentions)
    issues = []
    for group in _groups_of(text):
        money = group.used
        if money.start <= last or money.value is None:
            continue
        span = _sentence_span(text, money.start)
        sentence = text[span[0] : span[1]]
        if not _PAYMENT_RE.search(sentence) or "罚" not in sentence:
            continue
        before = _clause_before(text, money.start)
        if not re.search(
            r"罚(?:款|没款|没金额)", before + text[money.end : money.end + 4]
        ):
            continue
        if "没收" in before or any(
            abs(money.value - a) <= Decimal("0.005") for a in allowed
        ):
            continue
        message = (
            f"缴纳部分所载罚款{_described(money)}与处罚决定的罚款{_fmt(fine)}元不一致"
        )
        issues.append(AmountIssue(message, sentence.strip(), span[0], span[1]))
    return issues


def _pair_issues(text: str, groups: Sequence[_Group]) -> list[AmountIssue]:
    """Report a Chinese amount and its bracketed Arabic repetition that differ."""
    issues = []
    for group in groups:
        first, second = group.first, group.second
        if second is None or first.value == second.value:
            continue
        if _is_chinese(first.text) == _is_chinese(second.text):
            continue
        if _approximate_pair(text, first, second):
            continue  # 约六万元（60150元）: a rounded figure and the exact one
        daxie, xiaoxie = (first, second) if _is_chinese(first.text) else (second, first)
        words = _strip_prefix(daxie.text)
        message = f"大写金额{words}（{_fmt(daxie.value)}元）与小写金额（{xiaoxie.text}）不一致"
        end = _PAIR_CLOSE_RE.match(text, second.end).end()
        issues.append(AmountIssue(message, text[first.start : end], first.start, end))
    return issues


def _described(money: Money) -> str:
    """Return an amount's text, with its value when written in Chinese numerals."""
    words = _strip_prefix(money.text)
    if _is_chinese(words) and money.value is not None:
        return f"{words}（{_fmt(money.value)}元）"
    return words


def _strip_prefix(text: str) -> str:
    """Drop a leading 人民币/￥ from an amount's text."""
    return _MONEY_PREFIX_STRIP_RE.sub("", text)


def _total_issues(text: str, groups: Sequence[_Group]) -> list[AmountIssue]:
    """Report stated parts (fines, confiscations…) that do not add up to a total.

    The parts are the penalty amounts in the 600 characters before the total
    (``以上两项`` picks the last two). They agree when some run of two or more
    parts ending right before the total adds up to it.
    """
    issues = []
    starts = [g.first.start for g in groups]
    floor = 0
    for index, group in enumerate(groups):
        total = group.used
        match = _TOTAL_BEFORE_RE.search(
            text, max(0, group.first.start - 12), group.first.start
        )
        if match is None or total.value is None:
            continue
        keyword_at = match.start()
        fines_only = "罚款" in match[0] or text.endswith("罚款", 0, keyword_at)
        lo = max(floor, keyword_at - 600)
        floor = total.end
        parts = []
        for g in groups[bisect_left(starts, lo) : index]:
            role = _role(text, g.first)
            if role == "fine" or (role == "confiscation" and not fines_only):
                parts.append(g.used)
            elif not fines_only and _is_other_part(text, g.first):
                parts.append(g.used)
        count = _COUNT_RE.search(text, max(0, keyword_at - 8), keyword_at)
        if count is not None:
            wanted = parse_int(count["n"]) or 0
            parts = parts[-wanted:] if 2 <= wanted <= len(parts) else []
        if len(parts) < 2 or _some_suffix_adds_up(parts, total.value):
            continue
        if count is None:
            paragraph = text.rfind("\n\n", lo, keyword_at)
            same = [p for p in parts if p.start > paragraph]
            parts = same if len(same) >= 2 else parts
        part_sum = sum((p.value for p in parts if p.value is not None), Decimal(0))
        message = (
            f"分项金额{'、'.join(_strip_prefix(p.text) for p in parts)}之和为"
            f"{_fmt(part_sum)}元，与{match['word']}金额{_described(total)}不一致"
        )
        start, end = parts[0].start, group.first.end
        issues.append(AmountIssue(message, text[start:end], start, end))
    return issues


def _some_suffix_adds_up(parts: list[Money], total: Decimal) -> bool:
    """Return True when the last k parts (k >= 2) add up to *total*."""
    running = Decimal(0)
    for k, part in enumerate(reversed(parts), start=1):
        running += part.value or 0
        if k >= 2 and running == total:
            return True
    return False


def _is_other_part(text: str, money: Money) -> bool:
    """Return True for an amount paid beside the penalty (赔偿, 追缴…)."""
    before = _clause_before(text, money.start)
    return "拟" not in before and any(w in before for w in _PART_WORDS)


_APPROX_BEFORE_RE = re.compile(
    r"(?:约|大约|约为|约合|近|将近|接近|逾|超过|不足|左右)\s*$"
)
_APPROX_AFTER_RE = re.compile(r"\s*(?:余|多|左右|上下)")
# How far a rounded figure may lie from the exact one it rounds.
_APPROX_SHARE = Decimal("0.05")


def _approximate_pair(text: str, first: Money, second: Money) -> bool:
    """True when the first of a pair is stated as approximate (约六万元（60150元）,
    三万余元（31200元）) and the exact figure rounds to it (within 5 %)."""
    before = text[max(0, first.start - 4) : first.start]
    approximate = _APPROX_BEFORE_RE.search(before) or _APPROX_AFTER_RE.match(
        text, first.end - 1
    )
    if not approximate or first.value is None or second.value is None:
        return False
    exact = max(abs(second.value), Decimal(1))
    return abs(first.value - second.value) <= exact * _APPROX_SHARE


def check_amount_consistency(text: str) -> list[AmountIssue]:
    """Check that amounts written twice, or as parts of a total, agree.

    Reports (a) a 大写 amount and the bracketed 小写 amount right after it (or the
    reverse) that differ, and (b) two or more stated parts (罚款、没收违法所得…) that
    do not add up to the 合计/共计/总计 after them.

    :param text: any text.
    :return: the issues, in text order; empty for consistent or ordinary text.
    """
    if not isinstance(text, str) or not text:
        return []
    groups = _groups_of(text)
    issues = _pair_issues(text, groups) + _total_issues(text, groups)
    issues += _unit_price_issues(text, groups, issues)
    covered = [(i.start, i.end) for i in issues]
    issues += [
        i
        for i in _product_issues(text)
        if not any(s < i.end and i.start < e for s, e in covered)
    ]
    return sorted(issues, key=lambda issue: issue.start)


_PRODUCT_NUM = r"\d[\d,]*(?:\.\d+)?|[零〇一二两三四五六七八九十百千万点]+"
# A computation written out: 六百平方米×200元/平方米＝126000元, 168000元×3＝504000元,
# 20万元×1.5%＝3000元 (operand, optional unit, ×, operand, optional unit, ＝, result).
_PRODUCT_RE = re.compile(
    rf"(?P<a>{_PRODUCT_NUM})\s*(?P<ua>[^\d×xX*＊＝=，。；;\n（）()]{{0,6}}?)\s*[×xX*＊]\s*"
    rf"(?P<b>{_PRODUCT_NUM})\s*(?P<ub>[^\d×xX*＊＝=，。；;\n（）()]{{0,8}}?)\s*[＝=]\s*"
    rf"(?P<c>{_PRODUCT_NUM})\s*(?P<uc>万?元)"
)


def _product_value(number: str, unit: str) -> Decimal | None:
    """The value of one operand with its unit (1.5% is 0.015, 20万元 200000)."""
    value = parse_number(number.replace(",", ""))
    if value is None:
        return None
    value = Decimal(str(value))
    unit = unit.strip()
    if unit.startswith("万"):
        value *= 10000
    if "%" in unit or "％" in unit:
        value /= 100
    elif "‰" in unit:
        value /= 1000
    return value


def _product_issues(text: str) -> list[AmountIssue]:
    """A product written out (a × b ＝ c) whose result is not a × b.

    Only a product of exactly two operands (a chain a × b × c ＝ d is left to
    the reader: its partial products are not written) with a result in 元.
    """
    issues = []
    for match in _PRODUCT_RE.finditer(text):
        if re.search(
            r"[×xX*＊][^，。；;\n]{0,10}$",
            text[max(0, match.start() - 10) : match.start()],
        ):
            continue  # the tail of a longer chain
        a = _product_value(match["a"], match["ua"])
        b = _product_value(match["b"], match["ub"])
        c = _product_value(match["c"], match["uc"])
        if a is None or b is None or c is None or c <= 0:
            continue
        product = a * b
        if abs(product - c) <= Decimal("0.5") or abs(product - c) <= c * Decimal(
            "0.001"
        ):
            continue
        message = (
            f"算式“{match[0]}”中{_fmt(a)}×{_fmt(b)}={_fmt(product)}，"
            f"与所载结果{_fmt(c)}元不一致"
        )
        issues.append(AmountIssue(message, match[0], match.start(), match.end()))
    return issues


# A unit price: 每台45元, 单价为每吨37.5元, 每趟收取运费800元.
_UNIT_PRICE_RE = re.compile(
    r"每(?P<unit>[\u4e00-\u9fa5]{1,2}?)[^\d，。；\n]{0,6}?"
    r"(?P<num>\d[\d,]*(?:\.\d+)?)\s*元"
)
# A computed total of value: 共计/合计/总计 …, 货值金额 …, 销售金额 ….
_VALUE_TOTAL_RE = re.compile(
    r"(?:合计|共计|总计|货值金额|销售金额|货值)[^，。；\n\d]{0,8}?$"
)
_LIST_PARTS_RE = re.compile(r"分别为$|分别是$|各为$")
# How far before a total its prices, quantities and listed parts are looked for.
_SCOPE_CHARS = 800


def _unit_price_issues(
    text: str, groups: Sequence[_Group], known: list[AmountIssue]
) -> list[AmountIssue]:
    """Totals written as unit price × quantity (每台45元 … 货值金额共计9600元) and
    listed parts (分别为a、b、c元，合计T元) that do not agree.

    Only totals introduced by 合计/共计/总计 or named 货值金额/销售金额 are
    checked (违法所得 stated alone is often a profit, not price × quantity), and
    only against prices and quantities stated before them in the same paragraph.
    A total agrees when it is some stated price times one stated quantity of the
    price's unit, or times the sum of all or of two of them.
    """
    issues = []
    covered = {(i.start, i.end) for i in known}
    for index, group in enumerate(groups):
        total = group.used
        if total.value is None or total.value <= 0:
            continue
        lead = text[max(0, total.start - 14) : total.start]
        if not _VALUE_TOTAL_RE.search(lead):
            continue
        # The paragraph, at most _SCOPE_CHARS before the total: prices, lists and
        # totals stand close together, and a bound keeps a long text linear.
        para_start = max(
            text.rfind("\n", 0, total.start) + 1, total.start - _SCOPE_CHARS
        )
        if any(s <= total.start < e for s, e in covered):
            continue
        # (a) listed parts: 分别为48,750元、56,250元、45,000元，合计…160,000元
        # Only the groups that can lie within _SCOPE_CHARS before the total (an
        # amount takes at least two characters): slicing all of them made long
        # texts quadratic.
        near = groups[max(0, index - _SCOPE_CHARS // 2) : index]
        listed = _listed_parts(text, near, para_start)
        if _SUBPART_RE.search(_clause_before(text, total.start, 20)):
            continue  # 其中前两批合计2000元: a part of the whole, not its total
        if listed and len(listed) >= 2:
            part_sum = sum((m.value for m in listed), Decimal(0))
            if part_sum != total.value and not _subset_adds_up(listed, total.value):
                message = (
                    f"分项金额{'、'.join(_strip_prefix(m.text) for m in listed)}之和为"
                    f"{_fmt(part_sum)}元，与合计金额{_described(total)}不一致"
                )
                start = listed[0].start
                issues.append(
                    AmountIssue(message, text[start : total.end], start, total.end)
                )
                continue
        # (a2) named parts of the same base before its total: 其中A款货值4200元、
        # B款货值3100元，货值金额共计8300元
        named = _named_parts(text, near, total, lead)
        if len(named) >= 2:
            part_sum = sum((m.value for m in named), Decimal(0))
            if part_sum != total.value:
                message = (
                    f"分项金额{'、'.join(_strip_prefix(m.text) for m in named)}之和为"
                    f"{_fmt(part_sum)}元，与合计金额{_described(total)}不一致"
                )
                start = named[0].start
                issues.append(
                    AmountIssue(message, text[start : total.end], start, total.end)
                )
            continue
        # (b) unit price × quantity (not for a profit: 违法所得/获利 is price
        # minus cost times quantity, and its parts are seldom all written)
        if _PROFIT_RE.search(_clause_before(text, total.start, 20)):
            continue
        scope = text[para_start : total.start]
        prices = []
        for match in _UNIT_PRICE_RE.finditer(scope):
            price = parse_number(match["num"].replace(",", ""))
            if price:
                prices.append((match["unit"], price))
            # 进价每瓶6元、售价10元: a second price of the same unit
            more = _MORE_PRICE_RE.match(scope, match.end())
            if more is not None:
                other = parse_number(more["num"].replace(",", ""))
                if other:
                    prices.append((match["unit"], other))
        if not prices:
            continue
        if _sum_over_units(scope, prices, total.value):
            continue  # 36瓶×10元 + 18盒×35元 = 990元: a total over several goods
        consistent = False
        described = []
        for unit, price in prices:
            quantities = _quantities(scope, unit)
            if not quantities:
                continue
            candidates = set(quantities) | {sum(quantities)}
            candidates |= {
                a + b for i, a in enumerate(quantities) for b in quantities[i + 1 :]
            }
            if any(abs(price * q - total.value) <= Decimal("0.5") for q in candidates):
                consistent = True
                break
            # 每箱24瓶、每瓶5元，共10箱: a quantity times another stated number
            numbers = _numbers(scope)
            if any(
                abs(price * q * n - total.value) <= Decimal("0.5")
                for q in quantities
                for n in numbers
            ):
                consistent = True
                break
            most = max(quantities)
            described.append(
                f"每{unit}{_fmt(price)}元×{_fmt(most)}{unit}={_fmt(price * most)}元"
            )
        if consistent or not described:
            continue
        message = (
            f"按单价和数量计算（{described[0]}）与所载金额{_described(total)}不一致"
        )
        issues.append(
            AmountIssue(message, text[total.start : total.end], total.start, total.end)
        )
    return issues


# A second price right after a unit price: 进价每瓶6元、售价10元.
_MORE_PRICE_RE = re.compile(
    r"[、，,]\s*(?:售价|零售价|销售价|出售价|卖价|进价|进货价|成本价|单价|价格)"
    r"(?:为|是)?\s*(?P<num>\d[\d,]*(?:\.\d+)?)\s*元"
)
# At most this many partial sums are kept (a bound keeps the check linear).
_MAX_SUMS = 4096


def _sum_over_units(
    scope: str, prices: list[tuple[str, Decimal]], total: Decimal
) -> bool:
    """True when ``total`` is the sum, over two or more goods, of one stated
    price of each times one stated quantity of its unit: goods of two units
    (36瓶×10元 + 18盒×35元) or two batches of one unit at two prices (第一批
    四百台，每台28元；第二批二百台，每台37元)."""
    goods = list(dict.fromkeys(prices))[:8]
    if len(goods) < 2:
        return False
    sums = {(Decimal(0), 0)}
    for unit, price in goods:
        products = {price * q for q in _quantities(scope, unit)[:6]}
        sums |= {(s + product, n + 1) for s, n in sums for product in products}
        if len(sums) > _MAX_SUMS:
            return False
    return any(n >= 2 and abs(value - total) <= Decimal("0.5") for value, n in sums)


_PART_BASES = ("货值", "违法所得", "销售金额", "销售收入", "违法经营额")
_PROFIT_RE = re.compile(r"违法所得|获利|利润|差价|违法收入")
_NUMBER_RE = re.compile(
    r"(?<![\d.])\d+(?:\.\d+)?(?![\d.])|[一二两三四五六七八九十百千]+"
)


def _numbers(scope: str) -> set[Decimal]:
    """The numbers written in ``scope`` (at most 40; 1 and 0 excluded)."""
    found = set()
    for match in _NUMBER_RE.finditer(scope):
        value = parse_number(match.group(0))
        if value is not None and value > 1:
            found.add(value)
        if len(found) >= 40:
            break
    return found


_SUBPART_RE = re.compile(r"其中|部分|已售|已销售|未售|库存")


def _subset_adds_up(parts: list[Money], total: Decimal) -> bool:
    """True when two or more of ``parts`` (at most 12 are tried) add up to
    ``total``: a total of some of the listed parts (前两批合计…)."""
    values = [m.value for m in parts[:12] if m.value is not None]
    sums = {Decimal(0): 0}
    for value in values:
        for subtotal, count in list(sums.items()):
            key = subtotal + value
            sums[key] = max(sums.get(key, 0), count + 1)
    return sums.get(total, 0) >= 2


def _named_parts(
    text: str, groups: Sequence[_Group], total: Money, lead: str
) -> list[Money]:
    """The amounts stated as parts of the same base in the total's sentence.

    The total must be introduced by 共计/合计/总计 and name its base (货值金额共计
    8300元); the parts are the earlier amounts of the sentence whose own words
    name the same base (A款货值4200元). Empty when that is not the structure.
    """
    if not _BASE_TOTAL_RE.search(lead):
        return []
    base = next((b for b in _PART_BASES if b in lead), None)
    if base is None:
        return []
    # The sentence, at most 300 characters back (a bound keeps long texts linear).
    floor = max(0, total.start - 300)
    # 以上违法所得合计…: the parts are the paragraph's, across its sentences
    marks = "\n" if re.search(r"以上|上述|前述", lead) else "。；\n"
    begin = max(text.rfind(mark, floor, total.start) for mark in marks) + 1
    begin = max(begin, floor)
    window = groups[-150:]  # 300 characters hold at most 150 amounts
    first = bisect_left([g.used.start for g in window], begin)
    parts = []
    for group in window[first:]:
        money = group.used
        if money.start < begin or money.value is None:
            continue
        before = _clause_before(text, money.start, 10)
        if base in before and not _BASE_TOTAL_RE.search(before):
            parts.append(money)
        elif parts and _ADDED_RE.search(_clause_before(text, money.start, 20)):
            # 在售货值156元、120元，加上已售出的19.5元，货值金额合计295.5元: a
            # part added to named ones is a part of the same base.
            parts.append(money)
    return parts


_ADDED_RE = re.compile(r"加上|再加|另加|外加|连同|另有|还有")


def _listed_parts(text: str, groups: Sequence[_Group], floor: int) -> list[Money]:
    """The amounts of the last 分别为a、b、c元 list before a total, in its paragraph."""
    for start_index in range(len(groups) - 1, -1, -1):
        first = groups[start_index].used
        if first.start < floor:
            return []
        lead = text[max(floor, first.start - 4) : first.start]
        if _LIST_PARTS_RE.search(lead):
            parts = [first]
            for g in groups[start_index + 1 :]:
                gap = text[parts[-1].end : g.used.start]
                if (
                    gap.strip() not in ("、", "，", ",", "和", "及")
                    or g.used.value is None
                ):
                    break
                parts.append(g.used)
            return parts if all(p.value is not None for p in parts) else []
    return []


def _quantities(scope: str, unit: str) -> list[Decimal]:
    """Numbers written with ``unit`` (1300吨, 3趟, 二百台) in ``scope``."""
    found = []
    pattern = re.compile(
        r"(?<![\d.每月年])(\d[\d,]*(?:\.\d+)?|[一二两三四五六七八九十百千万]+)\s*"
        + re.escape(unit)
        + "(?!元)"
    )
    for match in pattern.finditer(scope):
        before = scope[max(0, match.start() - 1) : match.start()]
        if before == "每":
            continue
        value = parse_number(match.group(1).replace(",", ""))
        if value is not None and value > 0:
            found.append(value)
    return found
