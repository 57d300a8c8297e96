"""Word (.docx) import for the common numbered question layout.

::

    一、单项选择题（每题1分）
    1. 限制人身自由的行政处罚，只能由（ ）设定。
    A. 法律   B. 行政法规   C. 地方性法规   D. 规章
    答案：A
    解析：……

Questions start with "1." / "1、" / "1．"; options "A." / "A、" / "A．" (one per
paragraph or several on one line); "答案：" / "【答案】", "解析：" / "【解析】" and
optional "难度：" "分值：" "知识点：" "法律依据：" "标签：" lines. A section heading
("二、多选题") sets the type of the questions below it, and "每题2分" in it their
score; without a heading the type is inferred. Word's automatic list numbering
is not part of the paragraph text and is not recognised.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from exams.formats.model import (
    OPTION_LETTERS,
    TYPE_NAMES,
    ImportResult,
    build_question,
)
from portal.uploads import (
    DEFAULT_MAX_BYTES,
    MAX_UNCOMPRESSED_BYTES,
    FormatError,
    open_office_zip,
)

_TYPE_ALTERNATION = "|".join(sorted(TYPE_NAMES, key=len, reverse=True))
_HEADING_RE = re.compile(
    r"^(?:第?[一二三四五六七八九十]{1,3}(?:部分|大题)?\s*[、.．:：]?\s*)?"
    rf"(?P<name>{_TYPE_ALTERNATION})\s*(?P<rest>(?:[（(:：].*)?)$"
)
_SECTION_SCORE_RE = re.compile(r"每(?:小)?题\s*(\d+(?:\.\d+)?)\s*分")
# "1." / "1、" / "1．" but not "1.5万元" (a decimal) nor "1）" (a sub-point).
_QUESTION_RE = re.compile(r"^(?P<num>\d{1,4})\s*[.．、](?!\d)\s*(?P<rest>.*)$", re.S)
# An option letter starts the line or follows anything but an ASCII letter or
# digit, so "A.警告 B.罚款" and "A.警告B.罚款" split while "PDF.文件" does not.
_OPTION_RE = re.compile(r"(?<![A-Za-z0-9])(?P<letter>[A-HＡ-Ｈ])\s*[.．、)）:：]\s*")


def _marker(names: str) -> re.Pattern:
    return re.compile(
        rf"^(?:【\s*(?:{names})\s*】|\[\s*(?:{names})\s*\]|(?:{names})\s*[:：])"
        r"\s*(?P<value>.*)$",
        re.S,
    )


_MARKERS = {
    "answer": _marker("正确答案|参考答案|标准答案|答案"),
    "explanation": _marker("答案解析|试题解析|解析"),
    "difficulty": _marker("难度|难易程度"),
    "score": _marker("分值|分数"),
    "knowledge_point": _marker("知识点"),
    "legal_basis": _marker("法律依据|法条依据|依据"),
    "tags": _marker("标签"),
    "type": _marker("题型"),
}


@dataclass
class _Draft:
    number: int
    first: int
    last: int
    section_type: str
    section_score: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)
    current: str = "stem"

    def append(self, name: str, text: str) -> None:
        self.fields.setdefault(name, []).append(text)

    def text(self, name: str) -> str:
        return "\n".join(self.fields.get(name, []))

    @property
    def free_text(self) -> bool:
        """In a stem or essay answer, where a numbered line may be a sub-point."""
        return not self.options and self.current in ("stem", "answer")

    @property
    def next_letter(self) -> str | None:
        count = len(self.options)
        return OPTION_LETTERS[count] if count < len(OPTION_LETTERS) else None


def _paragraphs(data: bytes, max_bytes: int, max_uncompressed: int):
    """Return ``(paragraph texts, uses_auto_numbering)`` in document order."""
    stream = open_office_zip(data, "docx", max_bytes, max_uncompressed)
    try:
        import docx
        from docx.oxml.ns import qn
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(stream)
    except Exception as exc:  # noqa: BLE001 - zip, XML and package errors alike
        raise FormatError("无法读取 Word 文档：文件已损坏或不是 .docx 格式") from exc

    texts: list[str] = []
    numbered = False

    def visit(paragraph: Paragraph) -> None:
        nonlocal numbered
        p_pr = paragraph._p.pPr
        numbered = numbered or (p_pr is not None and p_pr.numPr is not None)
        texts.append(paragraph.text)

    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            visit(Paragraph(child, document))
        elif child.tag == qn("w:tbl"):
            seen = set()  # merged cells repeat once per spanned grid column
            for row in Table(child, document).rows:
                for cell in row.cells:
                    if cell._tc in seen:
                        continue
                    seen.add(cell._tc)
                    for paragraph in cell.paragraphs:
                        visit(paragraph)
    return texts, numbered


def _split_options(line: str, expected: str | None) -> list[tuple[str, str]]:
    """Split "A. 甲 B. 乙" into letter/text pairs, following the letter sequence."""
    if expected is None:
        return []
    picked = []
    for match in _OPTION_RE.finditer(line):
        letter = unicodedata.normalize("NFKC", match["letter"])
        if not picked and match.start() != 0:
            return []
        if letter == expected:
            picked.append((letter, match))
            position = OPTION_LETTERS.index(letter) + 1
            expected = OPTION_LETTERS[position] if position < 8 else None
            if expected is None:
                break
        elif not picked:
            return []
    options = []
    for index, (letter, match) in enumerate(picked):
        end = picked[index + 1][1].start() if index + 1 < len(picked) else len(line)
        options.append((letter, line[match.end() : end].strip()))
    return options


def read_docx(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_uncompressed: int = MAX_UNCOMPRESSED_BYTES,
) -> ImportResult:
    """Read questions from a .docx in the numbered layout.

    Paragraphs are counted like Word's word-count dialog does (empty paragraphs
    are not counted); issues are located as "第N段" or "第N–M段".

    :param data: the uploaded bytes.
    :param max_bytes: the largest accepted file.
    :param max_uncompressed: the largest accepted uncompressed package size.
    :return: the questions and the per-question issues.
    :raises FormatError: not a readable .docx, or no numbered question in it.
    """
    texts, numbered = _paragraphs(data, max_bytes, max_uncompressed)
    result = ImportResult(format="docx")
    draft: _Draft | None = None
    section_type, section_score = "", ""
    number = 0
    for text in texts:
        if not text.strip():
            continue
        number += 1
        for raw_line in text.split("\n"):
            line = raw_line.strip()
            if not line:
                continue
            heading = _HEADING_RE.match(line)
            if heading:
                _flush(draft, result)
                draft = None
                section_type = heading["name"]
                score = _SECTION_SCORE_RE.search(heading["rest"])
                section_score = score[1] if score else ""
                continue
            question = _QUESTION_RE.match(line)
            if question and (
                draft is None
                or not draft.free_text
                or int(question["num"]) == draft.number + 1
            ):
                _flush(draft, result)
                draft = _Draft(
                    int(question["num"]), number, number, section_type, section_score
                )
                draft.append("stem", question["rest"])
                continue
            if draft is None:
                continue  # title or preamble before the first question
            draft.last = number
            _consume(draft, line)
    _flush(draft, result)
    if not result.questions and not result.issues:
        hint = (
            "文档使用了 Word 自动编号，题号不在文字中：请先将自动编号转换为普通文本"
            if numbered
            else "题目应以“1.”“1、”等题号开头，选项以“A.”“A、”开头，答案写在“答案：”之后"
        )
        raise FormatError(f"未在文档中识别到试题：{hint}")
    return result


def _consume(draft: _Draft, line: str) -> None:
    """Add one non-heading, non-question line to the draft."""
    for name, pattern in _MARKERS.items():
        match = pattern.match(line)
        if match:
            draft.fields[name] = [match["value"].strip()]
            draft.current = name
            return
    if draft.current in ("stem", "option"):
        options = _split_options(line, draft.next_letter)
        if options:
            draft.options.update(options)
            draft.current = "option"
            return
    if draft.current == "option":
        letter = list(draft.options)[-1]
        draft.options[letter] = f"{draft.options[letter]}\n{line}"
    else:
        draft.append(draft.current, line)


def _flush(draft: _Draft | None, result: ImportResult) -> None:
    if draft is None:
        return
    where = (
        f"第{draft.first}段"
        if draft.first == draft.last
        else f"第{draft.first}–{draft.last}段"
    )
    result.add(
        *build_question(
            where,
            type_text=draft.text("type") or draft.section_type,
            stem=draft.text("stem"),
            options=draft.options,
            answer=draft.text("answer"),
            explanation=draft.text("explanation"),
            difficulty=draft.text("difficulty"),
            score=draft.text("score") or draft.section_score,
            knowledge_point=draft.text("knowledge_point"),
            legal_basis=draft.text("legal_basis"),
            tags=draft.text("tags"),
        )
    )
