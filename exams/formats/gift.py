"""Moodle GIFT text format: read and write.

Follows https://docs.moodle.org/en/GIFT_format and Moodle's own importer
(``question/format/gift/format.php``): questions are separated by blank lines,
``//`` lines are comments, ``::title::`` names a question, ``\\~ \\= \\# \\{ \\}
\\:`` escape the special characters and ``\\n`` is a line break.

Mapping to the portal's types:

* ``{=right ~wrong}`` → single; ``{~%50%a ~%50%b ~%-100%c}`` (no "=") or several
  right answers → multiple, the positive-weight options being the key;
* ``{T}`` ``{TRUE}`` ``{F}`` ``{FALSE}`` → true_false;
* ``{=a =b}`` → fill_blank with one blank accepting each full-credit answer, also
  in the middle of a sentence; several such blocks (a portal extension written by
  :func:`write_gift`) → several blanks;
* ``{}`` → essay;
* matching (``->``), numerical (``{#…}``) and answer-less descriptions are
  reported as skipped, one warning per question.

Per-answer feedback (``#…``) is dropped; general feedback (``####…``) becomes the
explanation. ``$CATEGORY:`` sets the knowledge point of the questions after it.
Moodle's ``// [tag:…]`` comments carry tags; the portal's other fields travel in
a comment Moodle ignores: ``// [difficulty:3] [score:2] [legal_basis:…]``.
"""

import html
import re
from collections.abc import Iterable
from decimal import Decimal

from exams.formats.model import (
    BLANK_RE,
    FALSE_ANSWER,
    OPTION_LETTERS,
    TRUE_ANSWER,
    ImportedQuestion,
    ImportIssue,
    ImportResult,
    normalise_knowledge_point,
    parse_difficulty,
    parse_score,
    parse_tags,
    parse_type,
)

# Escaped specials are swapped for Unicode noncharacters (reserved for exactly
# this kind of internal use) while the structure is parsed, as Moodle does with
# its "&&058;" placeholders. Noncharacters found in the input become U+FFFD.
_ESCAPABLE = "\\:#={}~n"
_HIDE = {char: chr(0xFDD0 + index) for index, char in enumerate(_ESCAPABLE)}
_SHOW = {ord(mark): ("\n" if char == "n" else char) for char, mark in _HIDE.items()}
_NONCHARACTERS = re.compile("[\ufdd0-\ufdef]")
_ESCAPE_RE = re.compile(r"\\([\\:#={}~n])")
_FORMAT_RE = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]")
_WEIGHT_RE = re.compile(r"^%(-?\d{1,6}(?:\.\d{1,12})?)%")
_META_RE = re.compile(
    r"\[(tag|type|difficulty|score|legal_basis|reference_answer):"
    r"((?:\\.|[^\]\\])*)\]"
)
_CONTEXT_PREFIX = re.compile(r"^(?:\$[a-z0-9]+\$/)?(?:top(?:/|$))?")
_TRUE_FALSE = {"T": TRUE_ANSWER, "TRUE": TRUE_ANSWER}
_TRUE_FALSE |= {"F": FALSE_ANSWER, "FALSE": FALSE_ANSWER}
_BLANK = "____"
_UNSUPPORTED = {
    "matching": "匹配题",
    "numerical": "数值题",
    "description": "说明文字（没有答案块的描述题）",
}


def _hide(text: str) -> str:
    text = _NONCHARACTERS.sub("\ufffd", text)
    return _ESCAPE_RE.sub(lambda match: _HIDE[match[1]], text)


def _show(text: str) -> str:
    return text.translate(_SHOW)


def _html_to_text(text: str) -> str:
    text = re.sub(r"(?i)<br\s*/?>|</p\s*>", "\n", text)
    return html.unescape(re.sub(r"<[^>]*>", "", text))


def _clean(text: str, default_format: str = "moodle") -> tuple[str, str]:
    """Strip a ``[format]`` prefix, restore escapes; HTML becomes plain text."""
    match = _FORMAT_RE.match(text)
    text_format = match[1] if match else default_format
    if match:
        text = text[match.end() :]
    text = _show(text).strip()
    if text_format == "html":
        text = _html_to_text(text).strip()
    return text, text_format


def _meta_unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] == "n" else m[1], value).strip()


def _split_chunks(text: str) -> list[list[tuple[int, str]]]:
    """Split the file on blank lines into numbered-line chunks."""
    chunks, current = [], []
    for number, line in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        if line.strip():
            current.append((number, line))
        elif current:
            chunks.append(current)
            current = []
    if current:
        chunks.append(current)
    return chunks


def _blocks(text: str) -> tuple[list[str], list[str]]:
    """Split question text into the pieces around ``{…}`` blocks and the blocks.

    :raises ValueError: unbalanced braces (Chinese message).
    """
    pieces, blocks, position = [], [], 0
    while True:
        start, close = text.find("{", position), text.find("}", position)
        if start == -1 and close == -1:
            break
        if close == -1:
            raise ValueError("答案块缺少右花括号“}”")
        if start == -1 or close < start:
            raise ValueError("出现多余的“}”（题目文字中的花括号请写成 \\}）")
        if "{" in text[start + 1 : close]:
            raise ValueError("答案块中出现未转义的“{”（题目文字中的花括号请写成 \\{）")
        pieces.append(text[position:start])
        blocks.append(text[start + 1 : close])
        position = close + 1
    pieces.append(text[position:])
    return pieces, blocks


def _classify(answer: str) -> str:
    if not answer:
        return "essay"
    if answer.startswith("#"):
        return "numerical"
    if "~" in answer:
        return "choice"
    items = [item for item in answer.split("=") if item.strip()]
    if "=" in answer and items and all("->" in item for item in items):
        return "matching"
    if answer.split("#", 1)[0].strip().upper() in _TRUE_FALSE:
        return "true_false"
    return "short"


def _weighted(item: str) -> tuple[Decimal | None, str]:
    match = _WEIGHT_RE.match(item)
    if not match:
        return None, item
    return Decimal(match[1]), item[match.end() :]


class _Question:
    """Parse one GIFT question chunk into a record or issues."""

    def __init__(self, where: str, body: str, comments: str, category: str):
        self.where = where
        self.body = body
        self.comments = comments
        self.category = category
        self.issues: list[ImportIssue] = []

    def error(self, message: str) -> None:
        self.issues.append(ImportIssue(self.where, message, "error"))

    def warn(self, message: str) -> None:
        self.issues.append(ImportIssue(self.where, message, "warning"))

    def parse(self) -> ImportedQuestion | None:
        text, title = _hide(self.body).strip(), ""
        if text.startswith("::"):
            end = text.find("::", 2)
            if end == -1:
                text = text[2:]
                self.warn("题目名称缺少结尾的“::”")
            else:
                title, text = _show(text[2:end]).strip(), text[end + 2 :].strip()
        try:
            pieces, blocks = _blocks(text)
        except ValueError as exc:
            self.error(str(exc))
            return None
        if not blocks:
            return self.unsupported("description")
        answers, feedback = [], []
        for block in blocks:
            separator = block.rfind("####")
            if separator != -1:
                feedback.append(block[separator + 4 :])
                block = block[:separator]
            answers.append(block.strip())
        kinds = [_classify(answer) for answer in answers]
        if len(blocks) > 1 and set(kinds) != {"short"}:
            self.error(
                "一道题只能有一个答案块（多空填空题除外，每个空用 {=答案} 表示）"
            )
            return None
        kind = kinds[0]
        if kind in _UNSUPPORTED:
            return self.unsupported(kind)
        if len(blocks) == 1 and not pieces[1].strip():
            stem_text = pieces[0]  # "Question?{…}": no blank inside the text
        else:
            stem_text = _BLANK.join(pieces)
        stem, text_format = _clean(stem_text)
        if not stem:
            self.error("题干不能为空")
        question = ImportedQuestion(type="essay", stem=stem, source=self.where)
        question.title = title
        question.explanation = "\n".join(
            part for part in (_clean(f, text_format)[0] for f in feedback) if part
        )
        question.knowledge_point = self.category
        if kind == "choice":
            self.choice(question, answers[0], text_format)
        elif kind == "true_false":
            question.type = "true_false"
            question.key = [_TRUE_FALSE[answers[0].split("#", 1)[0].strip().upper()]]
        elif kind == "short":
            question.type = "fill_blank"
            question.blanks = [self.short(answer, text_format) for answer in answers]
        self.metadata(question)
        if any(issue.severity == "error" for issue in self.issues):
            return None
        return question

    def unsupported(self, kind: str) -> None:
        name = _UNSUPPORTED[kind]
        self.warn(f"本平台不支持{name}，已跳过")
        return None

    def choice(self, question: ImportedQuestion, answer: str, text_format: str):
        items = [item.strip() for item in answer.replace("=", "~=").split("~")]
        if items and not items[0]:
            items.pop(0)
        options, key, has_equals = {}, [], False
        for number, item in enumerate(items, start=1):
            right = item.startswith("=")
            has_equals = has_equals or right
            weight, item = _weighted(item[1:] if right else item)
            text, _ = _clean(item.split("#", 1)[0], text_format)
            if not text:
                self.error(f"第 {number} 个选项为空")
            if number > len(OPTION_LETTERS):
                continue
            letter = OPTION_LETTERS[number - 1]
            options[letter] = text
            if (right and weight is None) or (weight is not None and weight > 0):
                key.append(letter)
        if len(items) > len(OPTION_LETTERS):
            self.error(f"选项有 {len(items)} 个，本平台最多支持 8 个（A–H）")
        if len(items) < 2:
            self.error("选择题至少需要两个选项")
        if not key:
            self.error("没有正确答案（用“=”或正分值权重“~%50%”标出正确选项）")
        question.options, question.key = options, key
        question.type = "single" if has_equals and len(key) == 1 else "multiple"

    def short(self, answer: str, text_format: str) -> list[str]:
        items = answer.split("=")
        if not items[0].strip():
            items.pop(0)
        accepted = []
        for item in items:
            weight, item = _weighted(item.strip())
            text, _ = _clean(item.split("#", 1)[0], text_format)
            if not text or (weight is not None and weight <= 0):
                continue  # zero-credit answers ("=%0%*") only carry feedback
            if weight is not None and weight < 100:
                self.warn(f"部分得分答案“{text}”（{weight}%）不计为正确答案，已忽略")
                continue
            accepted.append(text)
        if not accepted:
            self.error("填空题没有满分答案（用“=答案”标出可接受的答案）")
        return accepted

    def metadata(self, question: ImportedQuestion) -> None:
        tags = []
        for name, raw in _META_RE.findall(self.comments):
            value = _meta_unescape(raw)
            if name == "tag":
                tags.append(value)
            elif name == "type" and parse_type(value) == "case":
                if question.type in ("essay", "single", "multiple"):
                    question.type = "case"
            elif name in ("difficulty", "score"):
                parser = parse_difficulty if name == "difficulty" else parse_score
                try:
                    setattr(question, name, parser(value))
                except ValueError as exc:
                    self.error(str(exc))
            elif name in ("legal_basis", "reference_answer"):
                setattr(question, name, value)
        question.tags = parse_tags(tags)


def _category(line: str) -> str:
    path = line.strip()[len("$CATEGORY:") :].strip()
    return normalise_knowledge_point(_CONTEXT_PREFIX.sub("", path))


def read_gift(text: str) -> ImportResult:
    """Read questions from GIFT text.

    Every question gets a source such as "GIFT 第3题（第14–19行）". Unsupported
    question types produce a warning each and are skipped; malformed questions
    produce errors. Arbitrary text never raises.

    :param text: the decoded file content.
    :return: the questions and the issues.
    """
    result = ImportResult(format="gift")
    category, number = "", 0
    for chunk in _split_chunks(text):
        comments = [line.strip() for _, line in chunk if line.strip().startswith("//")]
        body = [(n, line) for n, line in chunk if not line.strip().startswith("//")]
        if body and body[0][1].strip().startswith("$CATEGORY:"):
            category = _category(body[0][1])
            body = body[1:]
        if not body:
            continue
        number += 1
        first, last = body[0][0], body[-1][0]
        lines = f"第{first}行" if first == last else f"第{first}–{last}行"
        where = f"GIFT 第{number}题（{lines}）"
        parser = _Question(
            where, "\n".join(line for _, line in body), "\n".join(comments), category
        )
        question = parser.parse()
        result.add(question, parser.issues)
    return result


def _escape(text: str, leading: bool = True) -> str:
    """Escape GIFT specials; ``leading`` text could be mistaken for a format tag."""
    text = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    if leading and _FORMAT_RE.match(text):
        text = "[plain]" + text  # keep a literal "[html]…" from being read as a format
    return text


def _meta_escape(value: str) -> str:
    value = value.replace("\\", "\\\\").replace("]", "\\]")
    return value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def _answer(sign: str, text: str, weight: str = "") -> str:
    # A leading "%" would be read as a weight; an explicit weight protects it.
    if not weight and text.startswith("%"):
        weight = "100" if sign == "=" else "0"
    return sign + (f"%{weight}%" if weight else "") + _escape(text)


def _weight(count: int) -> str:
    if 100 % count == 0:
        return str(100 // count)
    return f"{Decimal(100) / count:.5f}"


def _choice_block(question: ImportedQuestion, general: str) -> str:
    single = len(question.key) == 1 and question.type != "multiple"
    lines = []
    for letter, text in question.options.items():
        if single:
            lines.append(_answer("=" if letter in question.key else "~", text))
        elif letter in question.key:
            lines.append(_answer("~", text, _weight(len(question.key))))
        else:
            lines.append(_answer("~", text, "-100"))
    body = "".join(f"\n\t{line}" for line in lines)
    return "{" + body + (f"\n\t{general}" if general else "") + "\n}"


def _fill_blank(question: ImportedQuestion, general: str) -> str:
    blocks = [
        "{" + " ".join(_answer("=", answer) for answer in accepted) + "}"
        for accepted in question.blanks
    ]
    if blocks and general:
        blocks[-1] = blocks[-1][:-1] + general + "}"
    pieces = BLANK_RE.split(question.stem)
    text = _escape(pieces[0])
    for index, piece in enumerate(pieces[1:]):
        block = blocks[index] if index < len(blocks) else _BLANK
        text += block + _escape(piece, leading=False)
    return text + " ".join(blocks[len(pieces) - 1 :])


def _metadata_comments(question: ImportedQuestion) -> list[str]:
    meta = []
    if question.type == "case":
        meta.append("[type:case]")
    if question.difficulty is not None:
        meta.append(f"[difficulty:{question.difficulty}]")
    if question.score is not None:
        meta.append(f"[score:{question.score}]")
    if question.legal_basis:
        meta.append(f"[legal_basis:{_meta_escape(question.legal_basis)}]")
    if question.reference_answer:
        meta.append(f"[reference_answer:{_meta_escape(question.reference_answer)}]")
    lines = ["// " + " ".join(meta)] if meta else []
    if question.tags:
        tags = " ".join(f"[tag:{_meta_escape(tag)}]" for tag in question.tags)
        lines.append(f"// {tags}")
    return lines


def _question_text(question: ImportedQuestion) -> str:
    general = f"####{_escape(question.explanation)}" if question.explanation else ""
    head = f"::{_escape(question.title, leading=False)}::" if question.title else ""
    if question.type == "fill_blank":
        return head + _fill_blank(question, general)
    stem = _escape(question.stem)
    if question.options and question.key:
        return head + stem + _choice_block(question, general)
    if question.type == "true_false":
        value = "TRUE" if question.key == [TRUE_ANSWER] else "FALSE"
        return head + stem + "{" + value + general + "}"
    return head + stem + "{" + general + "}"


def write_gift(questions: Iterable[ImportedQuestion]) -> str:
    """Write questions as GIFT text that Moodle and :func:`read_gift` import.

    Knowledge points become ``$CATEGORY:`` lines, fill-in blanks become ``{=…}``
    blocks at the stem's blank positions, explanations become general feedback,
    and difficulty, score, legal basis, reference answer and the case type are
    kept in a ``//`` comment Moodle ignores (tags use Moodle's ``[tag:…]``).

    :param questions: the questions to export.
    :return: the GIFT text (UTF-8 when saved, as Moodle expects).
    """
    parts, category = [], ""
    for question in questions:
        if question.knowledge_point != category:
            category = question.knowledge_point
            parts.append(f"$CATEGORY: {' '.join(category.split())}".rstrip())
        lines = _metadata_comments(question)
        lines.append(_question_text(question))
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n" if parts else ""
