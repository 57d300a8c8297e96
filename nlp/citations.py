"""Citations of legal provisions in a penalty decision.

``《法规》第N条第N款第（N）项`` with Chinese or Arabic numerals, lists
(``第十八条、第三十九条``, ``第（一）、（二）项``), back-references (同法, 该条例,
上述条例 …) and the role of each citation: ``violated`` (违反), ``penalty``
(依据…处罚) or ``other``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from nlp.numerals import parse_int

_NUM = r"[零〇○一二两三四五六七八九十百千\d]{1,7}"
# 《…》, also typed as 〈…〉 or ＜…＞.
_TITLE = re.compile(
    r"《([^《》\n]{2,60})》|〈([^《》〈〉\n]{2,60})〉|＜([^《》＜＞\n]{2,60})＞"
)
_VERSION_NOTE = re.compile(r"\s*[（(][^（）()\n]{1,16}[）)]")
# After a title, a note may be longer: （2019年3月24日中华人民共和国国务院令第710号修订）.
_TITLE_NOTE = re.compile(r"\s*[（(][^（）()\n]{1,40}[）)]")
_BACKREF = re.compile(
    r"(同法|该法|本法|上述法律|前述法律|同一法律|同条例|该条例|上述条例|前述条例|本条例|"
    r"同办法|该办法|上述办法|本办法|同规定|该规定|上述规定|本规定|该规章|同细则|该细则|上述细则|"
    r"同条|该条|本条)(?=第)"
)
# One reference element: 第N条, 第N款, 第（N）项 / 第N项, or a bare （N） inside an
# item list.
_ELEMENT = re.compile(
    rf"第\s*({_NUM})\s*条(?:之({_NUM}))?|第\s*({_NUM})\s*款|"
    rf"第\s*[（(]\s*({_NUM})\s*[）)]\s*项?|第\s*({_NUM})\s*项|[（(]\s*({_NUM})\s*[）)]\s*项?"
)
_JOINER = re.compile(r"\s*(?:、|，|,|和|及|以及|与|或者|或)?\s*")
# A short name the decision defines for a law it has just named:
# 《中华人民共和国道路运输条例》（以下简称《条例》）, （下称《食品安全法》）.
_ALIAS = re.compile(
    r"\s*[（(]\s*(?:以下|下文)?(?:简称|称)[为：:]?\s*[《“\"]?([^《》“”\"（）()\n]{1,20}?)"
    r"[》”\"]?\s*[）)]"
)
# A title that names only the kind of act (《条例》, 《法》): a back-reference.
_GENERIC_TITLES = ("法", "条例", "办法", "规定", "细则", "规章", "规则", "决定")
# Words after which an unbracketed law name may start (违反了城市道路管理条例第…).
_BARE_CUE = re.compile(
    r"(?:违反了?|违背了?|依据|根据|依照|按照|遵照|适用|参照|对照|依|按|照|及|和|与|或|"
    r"、|即|系|属于|是|了|的)$"
)

_VIOLATED_CUE = re.compile(r"违反|违背")
_BASIS_CUE = re.compile(r"依据|根据|依照|按照|适用|依")
_ARTICLE_LIST = re.compile(rf"第\s*({_NUM})((?:\s*[、，,和及]\s*{_NUM})+)\s*条")
_PENALTY_WORDS = re.compile(
    r"处罚|罚款|处以|并处|给予|责令|没收|决定|吊销|警告|暂扣|扣留|处理|如下|处\d|处[一二三四五六七八九十]"
)
_WINDOW = 300
# "处罚依据：《X》第N条" — the heading of a terse (简易程序) decision.
_BASIS_HEADING = re.compile(r"(?:处罚|法律|处理)依据\s*[：:]")
_QUOTED = re.compile(r"\s*(?:的)?规定[：:，,]")
_FINE_WORDS = re.compile(r"罚款|处以|并处|没收|吊销|警告")
_REMEDY_LAWS = ("行政复议法", "行政诉讼法", "行政强制法")
# General laws whose articles are the basis of discretion or procedure, never the
# penalty provision of a violation (see docs/nlp.md).
GENERAL_LAWS = ("行政处罚法",)

_SECTION_ROLE = {"violated": "violated", "basis": "penalty"}


@dataclass(frozen=True)
class Citation:
    text: str
    law: str
    article: int
    paragraph: int | None
    item: int | None
    role: str
    start: int
    end: int

    @property
    def key(self) -> tuple[str, int, int | None, int | None]:
        """Identity of the provision cited (law name without 中华人民共和国)."""
        return (short_law_name(self.law), self.article, self.paragraph, self.item)


def short_law_name(name: str) -> str:
    """Return a law name without 《》, spaces, version notes and 中华人民共和国."""
    name = _VERSION_NOTE.sub("", name)
    name = re.sub(r"\s+", "", name).strip("《》")
    if name.startswith("中华人民共和国"):
        name = name[len("中华人民共和国") :]
    return name


def find_citations(text: str, section_of=None, law_names=()) -> list[Citation]:
    """Find every citation of a specific article in ``text``.

    Laws are recognised in 《》; by a short name the decision defines for them
    (（以下简称《条例》）); by a title naming only the kind of act (《条例》 after
    a 《…条例》: a back-reference); and, when ``law_names`` is given, written
    without 《》 (违反了城市道路管理条例第二十七条) where the name starts after
    punctuation or a cue word (违反, 依据, 及 …) and is followed by an article.

    :param text: the decision text.
    :param section_of: optional callable ``pos -> section name``; citations inside a
        ``violated`` or ``basis`` section of the sectioned layout take that role.
    :param law_names: names of known laws (short or full) that may be cited
        without 《》.
    :return: citations in textual order, one per (law, article, paragraph, item, role).
    """
    anchors: list[tuple[int, int, str]] = []  # (start, end of anchor, law name)
    titles: list[tuple[int, str]] = []
    aliases: dict[str, str] = {}
    alias_ends: dict[int, int] = {}  # title end -> end of its alias definition
    spans: list[tuple[int, int]] = []
    for match in _TITLE.finditer(text):
        spans.append(match.span())
        alias = _ALIAS.match(text, match.end())
        if alias and alias.group(1) != _title(match):
            aliases.setdefault(alias.group(1).strip(), _title(match))
            alias_ends[match.end()] = alias.end()
    for match in _TITLE.finditer(text):
        name = aliases.get(_title(match), _title(match))
        if name in _GENERIC_TITLES:
            name = "\x00" + name  # resolved against the titles before it
        anchors.append((match.start(), match.end(), name))
    for match in _BACKREF.finditer(text):
        anchors.append((match.start(), match.end(), ""))
    names = tuple(law_names) + tuple(a for a in aliases if len(a) >= 2)
    if names:
        for start, end, name in _bare_laws(text, names, spans):
            anchors.append((start, end, aliases.get(name, name)))
    anchors.sort()

    found: list[Citation] = []
    seen: set[tuple] = set()
    for start, end, name in anchors:
        article = None
        if name.startswith("\x00"):
            law = _resolve_generic(name[1:], titles)
            if law is None:
                continue
        elif name:
            titles.append((start, name))
            law = name
        elif text[start:end] in ("同条", "该条", "本条"):
            if not found:
                continue
            law, article = found[-1].law, found[-1].article
        else:
            law = _resolve_backref(text[start:end], titles)
            if law is None:
                continue
        pos = alias_ends.get(end, end)
        note = _TITLE_NOTE.match(text, pos)
        if note:
            pos = note.end()
        refs, chain_end = _parse_chain(text, pos, article)
        if not refs:
            continue
        anchor = text[start:end]
        role = _role(text, start, chain_end, law, section_of)
        for article, paragraph, item, el_start, el_end in refs:
            own = text[el_start:el_end]
            citation = Citation(
                text=text[start:el_end] if el_start == pos else anchor + own,
                law=law.strip(),
                article=article,
                paragraph=paragraph,
                item=item,
                role=role,
                start=start,
                end=chain_end,
            )
            key = (*citation.key, role)
            if key in seen:
                continue
            seen.add(key)
            found.append(citation)
    # A provision quoted first ("X第N条规定：…") and applied later ("依据X第N条…")
    # is reported once, with its specific role.
    specific = {c.key for c in found if c.role != "other"}
    return [c for c in found if c.role != "other" or c.key not in specific]


def parse_provision(text: str) -> list[Citation]:
    """Parse a catalogue provision string such as ``《城市道路管理条例》第四十二条``.

    :param text: one provision as written in a catalogue.
    :return: its citations (several when it lists articles), role ``other``.
    """
    return [replace(c, role="other") for c in find_citations(text)]


def _title(match: re.Match) -> str:
    return next(g for g in match.groups() if g is not None)


_BARE_CACHE: dict[tuple[str, ...], tuple] = {}


def _bare_index(names: tuple[str, ...]) -> tuple:
    """(pattern of a name's last character before an article, names, lengths)."""
    index = _BARE_CACHE.get(names)
    if index is None:
        if len(_BARE_CACHE) > 32:
            _BARE_CACHE.clear()
        known = {short_law_name(n) for n in names if len(short_law_name(n)) >= 2}
        lasts = "".join(sorted({n[-1] for n in known})) or "\x00"
        ending = re.compile(
            rf"[{re.escape(lasts)}](?=[”\"]?\s*(?:[（(][^（）()\n]{{1,40}}[）)]\s*)?"
            rf"第\s*{_NUM}\s*条)"
        )
        index = (ending, known, sorted({len(n) for n in known}, reverse=True))
        _BARE_CACHE[names] = index
    return index


def _bare_laws(text: str, names: tuple[str, ...], titles: list[tuple[int, int]]):
    """Known law names written without 《》 and followed by an article: each
    place where a name could end before 第N条 is looked up (longest name first),
    so the cost does not grow with the number of names."""
    ending, known, lengths = _bare_index(names)
    prefix = "中华人民共和国"
    for match in ending.finditer(text):
        end = match.end()
        if any(a <= end - 1 < b for a, b in titles):
            continue
        for length in lengths:
            start = end - length
            if start >= 0 and text[start:end] in known:
                break
        else:
            continue
        if text.startswith(prefix, start - len(prefix)):
            start -= len(prefix)
        before = text[max(0, start - 4) : start]
        last = before[-1:] if before else ""
        if last and "\u4e00" <= last <= "\u9fff" and not _BARE_CUE.search(before):
            continue  # inside a longer name (江城市城市市容…条例)
        yield start, _QUOTE_END.match(text, end).end(), text[start:end]


_QUOTE_END = re.compile(r"[”\"]?")


def _resolve_generic(word: str, titles: list[tuple[int, str]]) -> str | None:
    """《条例》 or 《法》 standing for the last law of that kind named before."""
    for _, name in reversed(titles):
        if short_law_name(name).endswith(word):
            return name
    return None


def _resolve_backref(word: str, titles: list[tuple[int, str]]) -> str | None:
    if not titles:
        return None
    if "条例" in word:
        wanted = "条例"
    elif "办法" in word:
        wanted = "办法"
    elif "规定" in word or "规章" in word:
        wanted = "规定"
    elif "细则" in word:
        wanted = "细则"
    else:
        wanted = "法"
    for _, name in reversed(titles):
        if short_law_name(name).endswith(wanted):
            return name
    return None


def _parse_chain(
    text: str, pos: int, article: int | None = None
) -> tuple[list[tuple], int]:
    """Parse 第N条[第N款][第（N）项] elements joined by 、/和/及 starting at ``pos``.

    :return: ([(article, paragraph, item, start, end)], end of the chain). A new
        element at the same or a higher level than the previous one starts a new
        reference that inherits the higher levels (第三十三条第一款、第二款).
    """
    refs: list[list] = []
    current: list | None = None
    if article is not None:  # 同条第三款: the article is inherited
        current = [article, None, None, pos, pos]
        refs.append(current)
    end = pos
    cursor = pos
    while True:
        listed = _ARTICLE_LIST.match(text, cursor)
        if listed is not None:  # 第七十一、七十三条
            numbers = [parse_int(listed.group(1))]
            numbers += [parse_int(n) for n in re.findall(_NUM, listed.group(2))]
            if None in numbers:
                break
            for number in numbers:
                current = [number, None, None, listed.start(), listed.end()]
                refs.append(current)
            end = listed.end()
            joiner = _JOINER.match(text, end)
            cursor = joiner.end() if joiner else end
            continue
        match = _ELEMENT.match(text, cursor)
        if match is None:
            break
        article_n, _sub, paragraph_n, item_p, item_n, item_bare = match.groups()
        if article_n is not None:
            number = parse_int(article_n)
            if number is None:
                break
            current = [number, None, None, match.start(), match.end()]
            refs.append(current)
        elif current is None:
            break
        elif paragraph_n is not None:
            number = parse_int(paragraph_n)
            if number is None:
                break
            if current[1] is not None or current[2] is not None:
                current = [current[0], number, None, match.start(), match.end()]
                refs.append(current)
            else:
                current[1] = number
                current[4] = match.end()
        else:
            number = parse_int(item_p or item_n or item_bare)
            if number is None:
                break
            if current[2] is not None:
                current = [current[0], current[1], number, match.start(), match.end()]
                refs.append(current)
            else:
                current[2] = number
                current[4] = match.end()
        end = match.end()
        joiner = _JOINER.match(text, end)
        cursor = joiner.end() if joiner else end
    if article is not None and refs and refs[0][1] is None and refs[0][2] is None:
        refs = refs[1:]
    return [tuple(r) for r in refs], end


def _role(text: str, start: int, end: int, law: str, section_of) -> str:
    short = short_law_name(law)
    if any(short.endswith(name) for name in _REMEDY_LAWS):
        return "other"
    # A sentence is looked at within a bounded window, so that a document without
    # punctuation (or a megabyte of garbage) stays linear.
    floor = max(0, start - _WINDOW)
    sentence_start = max(text.rfind(c, floor, start) for c in "。；;\n") + 1
    before = text[max(sentence_start, floor) : start]
    violated = _last(_VIOLATED_CUE, before)
    basis = _last(_BASIS_CUE, before)
    if _CONSTITUTES.search(before) and _ACT_DEFINED.match(text, end):
        # 违反了…的规定，构成《X法》第五十六条第一款第（八）项所指的违法行为: the
        # provision naming the punishable act is the penalty basis (then applied
        # by 依据上述规定), not a second violated provision.
        return "penalty"
    if violated is not None and (basis is None or violated > basis):
        return "violated"
    if short in GENERAL_LAWS:
        return "other"
    if section_of is not None:
        section = section_of(start)
        if section in _SECTION_ROLE:
            return _SECTION_ROLE[section]
    ceiling = min(len(text), end + _WINDOW)
    stops = [i for i in (text.find(c, end, ceiling) for c in "。；;\n") if i != -1]
    tail = text[end : min(stops, default=ceiling)]
    if basis is not None:
        if (
            _PENALTY_WORDS.search(tail)
            or _PENALTY_WORDS.search(before[basis:])
            or _BASIS_HEADING.search(before)
        ):
            return "penalty"
    elif _QUOTED.match(tail) and _FINE_WORDS.search(tail):
        # "《X》第N条规定：…处…罚款" quotes the penalty provision being applied.
        return "penalty"
    return "other"


_CONSTITUTES = re.compile(r"构成了?\s*$")
_ACT_DEFINED = re.compile(
    r"\s*(?:所指|所列|所称|规定)的?(?:违法)?(?:行为|情形)|\s*(?:规定)?的?违法行为"
)


def _last(pattern: re.Pattern, text: str) -> int | None:
    result = None
    for match in pattern.finditer(text):
        result = match.start()
    return result


# A provision reference typed by hand (a question's legal basis, a law-library
# search): 《行政处罚法》第33条, 行政处罚法第三十三条, 处罚法33条, 第三十三条, 三十三.
_REFERENCE = re.compile(
    rf"^(?P<law>.*?)\s*(?:第\s*(?P<a1>{_NUM})\s*条?|(?<![\d零〇○一二两三四五六七八九十百千])"
    rf"(?P<a2>{_NUM})\s*条?)"
    rf"(?:\s*第?\s*(?P<para>{_NUM})\s*款)?"
    rf"(?:\s*第?\s*[（(]?\s*(?P<item>{_NUM})\s*[）)]?\s*项)?\s*$"
)


@dataclass(frozen=True)
class Reference:
    """A hand-typed provision reference: the law as written (short form, may be
    empty or an abbreviation such as 处罚法) and the article (may be ``None``)."""

    law: str
    article: int | None
    paragraph: int | None = None
    item: int | None = None


def parse_reference(text: str) -> Reference | None:
    """Parse one hand-typed provision reference.

    Accepts 《行政处罚法》第三十三条, 《行政处罚法》第33条, 行政处罚法第三十三条,
    处罚法33条, 中华人民共和国行政处罚法第三十三条第一款, 第三十三条, 第33条, 三十三,
    33 and a bare law name (行政处罚法, article ``None``).

    :param text: the reference as typed.
    :return: the :class:`Reference`, or ``None`` when nothing is recognised.
    """
    text = re.sub(r"\s+", "", (text or "").strip())
    text = text.replace("（", "(").replace("）", ")").rstrip("。.;；，,")
    if not text:
        return None
    titled = find_citations(text)
    if titled:
        first = titled[0]
        return Reference(
            short_law_name(first.law), first.article, first.paragraph, first.item
        )
    match = _REFERENCE.match(text)
    if match is None:
        law = short_law_name(text)
        if re.search(r"[\d第条款项]", law) or len(law) < 2:
            return None
        return Reference(law, None)
    number = parse_int(match.group("a1") or match.group("a2"))
    if number is None or number <= 0:
        return None
    law = short_law_name(match.group("law") or "")
    if law and (len(law) < 2 or re.search(r"[第条款项]", law)):
        return None

    def optional(name):
        value = match.group(name)
        return parse_int(value) if value else None

    return Reference(law, number, optional("para"), optional("item"))
