"""Split a penalty decision into its sections.

Two layouts occur: the sectioned extracts (``【违法事实】…``) and full prose, where the
sections are recognised by their customary opening words (经查, 上述事实有…证据,
依据…规定, 决定…如下, 履行方式, 如不服…).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Canonical section names.
HEADER = "header"
PARTY = "party"
FACTS = "facts"
EVIDENCE = "evidence"
PROCEDURE = "procedure"
VIOLATED = "violated"
BASIS = "basis"
DISCRETION = "discretion"
DECISION = "decision"
PERFORMANCE = "performance"
REMEDY = "remedy"
OTHER = "other"

# 【标题】 of the sectioned form → canonical name (matched by substring).
_BRACKET_NAMES = (
    ("当事人", PARTY),
    ("违法事实", FACTS),
    ("案件事实", FACTS),
    ("基本事实", FACTS),
    ("证据", EVIDENCE),
    ("程序", PROCEDURE),
    ("告知", PROCEDURE),
    ("陈述", PROCEDURE),
    ("违反", VIOLATED),
    ("处罚依据", BASIS),
    ("法律依据", BASIS),
    ("依据", BASIS),
    ("裁量", DISCRETION),
    ("处罚决定", DECISION),
    ("处理决定", DECISION),
    ("决定", DECISION),
    ("履行", PERFORMANCE),
    ("缴纳", PERFORMANCE),
    ("救济", REMEDY),
    ("权利告知", REMEDY),
)

_BRACKET = re.compile(r"【([^】\n]{1,20})】")

# Prose cues, each opening a section at the start of its sentence or line.
_PROSE_CUES = (
    (
        PARTY,
        re.compile(r"(?m)^\s*(?:当\s*事\s*人|被处罚人|违法单位|违法行为人)[（(：:]"),
    ),
    (
        FACTS,
        re.compile(
            r"(?:经查[，,：:明实]?|经调查|违法事实[：:]|现查明|查明[：:]|"
            r"(?:本机关|我局|本局)?于\d{4}年\d{1,2}月\d{1,2}日.{0,30}?(?:检查|巡查|发现))"
        ),
    ),
    (
        EVIDENCE,
        re.compile(
            r"(?:上述|以上)(?:违法)?事实[，,]?有[^。\n]{0,60}?(?:证据|笔录|照片)|证据如下|主要证据|"
            r"(?:认定|证明)(?:上述|以上)?(?:违法)?事实的证据"
        ),
    ),
    (
        PROCEDURE,
        re.compile(
            r"(?:本机关|我局|本局|我队)?于\d{4}年\d{1,2}月\d{1,2}日.{0,20}?(?:送达|告知)|告知书"
        ),
    ),
    (
        VIOLATED,
        re.compile(
            r"(?:当事人|你|你单位|该公司)?的?(?:上述|以上)(?:行为|事实).{0,12}?违反了?|"
            # 你公司的行为违反了…: the party named, without 上述
            r"(?:当事人|你公司|你单位|你|该公司|其)的(?:违法)?行为违反了"
        ),
    ),
    (DISCRETION, re.compile(r"(?:鉴于|考虑到|综合考虑|裁量)")),
    (
        DECISION,
        re.compile(
            r"(?:决定(?:对(?:你公司|你单位|你|当事人|该公司)?)?(?:给予|作出|作|予以)?(?:如下|以下)"
            r"(?:行政)?处罚|(?:作出|给予)(?:如下|以下)(?:行政)?处罚(?:决定)?|处罚决定如下|"
            r"决定如下|处理决定[：:])"
        ),
    ),
    (
        PERFORMANCE,
        re.compile(r"(?:履行方式|缴纳方式|(?:自|于)收到本.{0,8}?之日起十五日内)"),
    ),
    (REMEDY, re.compile(r"(?:如不服本|如对本.{0,6}?不服|不服本.{0,8}?决定|救济途径)")),
)


@dataclass(frozen=True)
class Section:
    name: str
    start: int
    end: int
    title: str = ""


def split_sections(text: str) -> list[Section]:
    """Split a decision into sections covering the whole text in order.

    :param text: the decision text.
    :return: sections (at least one: ``header``), contiguous and non-overlapping.
    """
    if not text:
        return [Section(HEADER, 0, 0)]
    marks = list(_BRACKET.finditer(text))
    if len(marks) >= 3:
        return _bracket_sections(text, marks)
    return _prose_sections(text)


def _bracket_sections(text: str, marks: list[re.Match]) -> list[Section]:
    sections = [Section(HEADER, 0, marks[0].start())]
    for index, mark in enumerate(marks):
        end = marks[index + 1].start() if index + 1 < len(marks) else len(text)
        title = mark.group(1)
        name = next((n for key, n in _BRACKET_NAMES if key in title), OTHER)
        sections.append(Section(name, mark.start(), end, title))
    return sections


def _prose_sections(text: str) -> list[Section]:
    starts: list[tuple[int, str]] = []
    for name, pattern in _PROSE_CUES:
        match = pattern.search(text)
        if match is None:
            continue
        # The decision often follows its reasons in one sentence (考虑到…，决定给予如下
        # 行政处罚：…): it starts at its own cue, the other sections at their sentence.
        pos = (
            match.start() if name == DECISION else _sentence_start(text, match.start())
        )
        starts.append((pos, name))
    # Keep the cues in textual order; a cue found before one already placed is
    # dropped unless it is the party header (sections never go backwards).
    starts.sort()
    sections: list[Section] = []
    cursor = 0
    for pos, name in starts:
        if pos < cursor or any(s.name == name for s in sections):
            continue
        if not sections and pos > 0:
            sections.append(Section(HEADER, 0, pos))
        elif sections:
            last = sections[-1]
            sections[-1] = Section(last.name, last.start, pos)
        sections.append(Section(name, pos, len(text)))
        cursor = pos
    if not sections:
        return [Section(HEADER, 0, len(text))]
    return sections


def _sentence_start(text: str, pos: int) -> int:
    """Move back to the start of the sentence or line that contains ``pos``."""
    floor = max(0, pos - 60)
    for index in range(pos - 1, floor - 1, -1):
        if text[index] in "。\n；;":
            return index + 1
    return pos if pos - floor >= 60 else floor


def section_span(sections: list[Section], name: str) -> tuple[int, int] | None:
    """Return the (start, end) of the first section called ``name``, or None."""
    for section in sections:
        if section.name == name:
            return section.start, section.end
    return None


def section_text(text: str, sections: list[Section], *names: str) -> str:
    """Return the concatenated text of the sections with the given names."""
    return "\n".join(text[s.start : s.end] for s in sections if s.name in names)
