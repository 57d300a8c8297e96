"""The neutral question record every reader produces and every writer consumes.

Besides the dataclasses, this module holds the field parsers the readers share
(answer keys, blanks, difficulty, score, knowledge-point paths) and
:func:`build_question`, which turns the loose text of one row, paragraph group or
GIFT block into a checked :class:`ImportedQuestion` plus per-question issues.
Knowledge points and law citations are carried through as text: the portal checks
them against its database after import.
"""

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Literal

#: Question type ids, in display order.
QUESTION_TYPES = ("single", "multiple", "true_false", "fill_blank", "essay", "case")

#: Type id → the label used in files and messages.
TYPE_LABELS = {
    "single": "单选题",
    "multiple": "多选题",
    "true_false": "判断题",
    "fill_blank": "填空题",
    "essay": "简答题",
    "case": "案例分析题",
}

#: Chinese type names and their common variants → type id.
TYPE_NAMES = {
    "单选": "single",
    "单选题": "single",
    "单项选择": "single",
    "单项选择题": "single",
    "多选": "multiple",
    "多选题": "multiple",
    "多项选择": "multiple",
    "多项选择题": "multiple",
    # 不定项: one or more correct options, graded like a multiple-choice item.
    "不定项": "multiple",
    "不定项选择": "multiple",
    "不定项选择题": "multiple",
    "判断": "true_false",
    "判断题": "true_false",
    "是非题": "true_false",
    "填空": "fill_blank",
    "填空题": "fill_blank",
    "简答": "essay",
    "简答题": "essay",
    "问答": "essay",
    "问答题": "essay",
    "论述": "essay",
    "论述题": "essay",
    "案例": "case",
    "案例题": "case",
    "案例分析": "case",
    "案例分析题": "case",
}

OPTION_LETTERS = "ABCDEFGH"
TRUE_ANSWER = "对"
FALSE_ANSWER = "错"
MAX_SCORE = Decimal(1000)

#: Blank positions in a stem: a run of underscores or empty brackets "（ ）".
BLANK_RE = re.compile(r"_{2,}|（\s*）|\(\s*\)")

_TRUE_WORDS = {"对", "正确", "是", "√", "✓", "✔", "T", "TRUE", "Y", "YES"}
_FALSE_WORDS = {"错", "错误", "否", "×", "✗", "✘", "X", "F", "FALSE", "N", "NO"}
_DIFFICULTY_WORDS = {"易": 1, "容易": 1, "较易": 2, "中": 3, "中等": 3, "较难": 4}
_DIFFICULTY_WORDS |= {"难": 5, "困难": 5}
_KEY_SEPARATORS = re.compile(r"[\s,，、;；/]+")
_TAG_SEPARATORS = re.compile(r"[、,，;；\s]+")
_PATH_SEPARATORS = re.compile(r"[›＞>/／\\»]")

Severity = Literal["error", "warning"]


@dataclass
class ImportedQuestion:
    """One question as read from (or written to) a file; no database identity."""

    type: str
    stem: str
    options: dict[str, str] = field(default_factory=dict)
    key: list[str] = field(default_factory=list)
    blanks: list[list[str]] = field(default_factory=list)
    explanation: str = ""
    difficulty: int | None = None
    score: Decimal | None = None
    knowledge_point: str = ""
    legal_basis: str = ""
    tags: list[str] = field(default_factory=list)
    reference_answer: str = ""
    source: str = ""
    title: str = ""


@dataclass
class ImportIssue:
    """A problem found in one place of the file ("第5行", "GIFT 第3题（第14行）")."""

    where: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        return f"{self.where}：{self.message}"


@dataclass
class ImportResult:
    """The questions read from a file and the issues met on the way.

    A question with an error is not in :attr:`questions`; warnings accompany
    questions that were imported (or items that were skipped on purpose, such as
    unsupported GIFT types).
    """

    questions: list[ImportedQuestion] = field(default_factory=list)
    issues: list[ImportIssue] = field(default_factory=list)
    format: str = ""

    @property
    def ok(self) -> bool:
        """``True`` when no issue is an error (warnings are allowed)."""
        return not any(issue.severity == "error" for issue in self.issues)

    @property
    def errors(self) -> list[ImportIssue]:
        return [issue for issue in self.issues if issue.severity == "error"]

    @property
    def warnings(self) -> list[ImportIssue]:
        return [issue for issue in self.issues if issue.severity == "warning"]

    def counts_by_type(self) -> dict[str, int]:
        """Count the imported questions per type id, in :data:`QUESTION_TYPES` order.

        :return: ``{type_id: count}`` for the types present.
        """
        counts = Counter(question.type for question in self.questions)
        return {t: counts[t] for t in QUESTION_TYPES if counts[t]}

    def add(self, question: ImportedQuestion | None, issues: list[ImportIssue]):
        """Record the outcome of :func:`build_question`."""
        if question is not None:
            self.questions.append(question)
        self.issues.extend(issues)


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def parse_type(text: str) -> str | None:
    """Return the type id for a type name ("单选题", "判断", "single" …).

    :param text: the name as written in the file.
    :return: the type id, or ``None`` when the name is unknown.
    """
    name = re.sub(r"\s+", "", _nfkc(text))
    if name in QUESTION_TYPES:
        return name
    return TYPE_NAMES.get(name)


def count_blanks(stem: str) -> int:
    """Count the blank positions ("____", "（ ）") in a stem."""
    return len(BLANK_RE.findall(stem))


def parse_choice_key(text: str) -> list[str]:
    """Parse a choice answer such as "B", "ACD", "A、C、D" or "a,c".

    :param text: the answer cell or line.
    :return: the sorted, de-duplicated option letters.
    :raises ValueError: something other than option letters A–H (Chinese message).
    """
    letters = _KEY_SEPARATORS.sub("", _nfkc(text)).upper()
    if not letters or not letters.isascii() or not letters.isalpha():
        raise ValueError(
            f"答案“{text.strip()}”不是有效的选项字母（单选如 B，多选如 ACD）"
        )
    beyond = sorted({letter for letter in letters if letter not in OPTION_LETTERS})
    if beyond:
        raise ValueError(f"答案中的 {''.join(beyond)} 超出了选项范围（最多 A–H）")
    return sorted(set(letters))


def parse_true_false(text: str) -> str | None:
    """Map a true/false answer ("对", "√", "正确", "T", "FALSE" …) to "对" or "错".

    :return: :data:`TRUE_ANSWER`, :data:`FALSE_ANSWER` or ``None`` if not recognised.
    """
    word = _nfkc(text).rstrip("。.").upper()
    if word in _TRUE_WORDS:
        return TRUE_ANSWER
    if word in _FALSE_WORDS:
        return FALSE_ANSWER
    return None


def parse_blanks(text: str) -> list[list[str]]:
    """Parse fill-in answers: "|" between alternatives, ";" or "；" between blanks.

    ``"行政复议|复议；行政诉讼"`` gives ``[["行政复议", "复议"], ["行政诉讼"]]``.

    :raises ValueError: a blank has no answer.
    """
    blanks = []
    for number, part in enumerate(re.split(r"[;；]", text), start=1):
        accepted = [alt.strip() for alt in re.split(r"[|｜]", part) if alt.strip()]
        if not accepted:
            raise ValueError(f"第 {number} 个空没有填写答案（多个空之间用“；”分隔）")
        blanks.append(accepted)
    return blanks


def format_blanks(blanks: list[list[str]]) -> str:
    """Write blanks back in the :func:`parse_blanks` notation."""
    return "；".join("|".join(accepted) for accepted in blanks)


def normalise_knowledge_point(text: str) -> str:
    """Normalise a knowledge-point path: any of › ＞ > / ／ \\ becomes "/".

    ``"公共法律知识 › 行政处罚法"`` gives ``"公共法律知识/行政处罚法"``.
    """
    parts = (part.strip() for part in _PATH_SEPARATORS.split(text or ""))
    return "/".join(part for part in parts if part)


def parse_tags(value: str | list[str]) -> list[str]:
    """Split tags on 、 , ， ; ； or whitespace, keeping order and dropping repeats."""
    parts = value if isinstance(value, list) else _TAG_SEPARATORS.split(value or "")
    return list(dict.fromkeys(part.strip() for part in parts if part.strip()))


def parse_difficulty(value: object) -> int | None:
    """Parse a difficulty 1–5 (also 易/较易/中等/较难/难).

    :param value: a cell value or text; empty means "not set".
    :return: the difficulty, or ``None``.
    :raises ValueError: not an integer from 1 to 5 (Chinese message).
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = _nfkc(str(value))
    if text in _DIFFICULTY_WORDS:
        return _DIFFICULTY_WORDS[text]
    match = re.fullmatch(r"(\d{1,3})(?:\.0*)?", text)
    if not isinstance(value, bool) and match and 1 <= int(match[1]) <= 5:
        return int(match[1])
    raise ValueError(f"难度应为 1–5 的整数（1 最易，5 最难），实际为“{text}”")


def parse_score(value: object) -> Decimal | None:
    """Parse a positive score with at most two decimals ("2", 2.5, "1.5分").

    :param value: a cell value or text; empty means "not set".
    :return: the score, or ``None``.
    :raises ValueError: not a positive number up to 1000 (Chinese message).
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = _nfkc(str(value)).removesuffix("分").strip()
    message = f"分值应为不超过 {MAX_SCORE} 的正数（最多两位小数），实际为“{text}”"
    if isinstance(value, bool) or not re.fullmatch(r"\d{1,6}(\.\d{1,12})?", text):
        raise ValueError(message)
    try:
        score = Decimal(text)
    except InvalidOperation:
        raise ValueError(message) from None
    if not 0 < score <= MAX_SCORE or score != score.quantize(Decimal("0.01")):
        raise ValueError(message)
    return score


def infer_type(stem: str, options: dict[str, str], answer: str) -> str:
    """Guess the type of an item that has no type column or section heading.

    Options with one key letter → single, several → multiple; no options and a
    对/错 answer → true_false; blanks in the stem and an answer → fill_blank;
    anything else → essay.
    """
    if options:
        try:
            return "multiple" if len(parse_choice_key(answer)) > 1 else "single"
        except ValueError:
            return "single"
    if parse_true_false(answer):
        return "true_false"
    if answer.strip() and count_blanks(stem):
        return "fill_blank"
    return "essay"


def build_question(
    source: str,
    *,
    type_text: str = "",
    stem: str = "",
    options: dict[str, str] | None = None,
    answer: str = "",
    explanation: str = "",
    difficulty: object = None,
    score: object = None,
    knowledge_point: str = "",
    legal_basis: str = "",
    tags: str | list[str] = "",
    reference_answer: str = "",
    title: str = "",
) -> tuple[ImportedQuestion | None, list[ImportIssue]]:
    """Check the loose fields of one question and build the record.

    ``answer`` is read according to the type: option letters, 对/错, blanks in the
    :func:`parse_blanks` notation, or the reference answer of essay and case
    questions. A case question with options is an indefinite-choice item whose
    key is option letters.

    :param source: where the question is ("第5行"), used for the issues.
    :param type_text: the type as written; empty → :func:`infer_type`.
    :return: ``(question, issues)``; the question is ``None`` when any issue is an
        error.
    """
    issues: list[ImportIssue] = []

    def error(message: str) -> None:
        issues.append(ImportIssue(source, message, "error"))

    def warn(message: str) -> None:
        issues.append(ImportIssue(source, message, "warning"))

    stem = stem.strip()
    answer = answer.strip()
    options = {
        _nfkc(letter).upper(): text.strip()
        for letter, text in (options or {}).items()
        if text and text.strip()
    }
    if type_text.strip():
        qtype = parse_type(type_text)
        if qtype is None:
            error(
                f"未知题型“{type_text.strip()}”（可填：单选、多选、判断、填空、简答、案例分析）"
            )
    else:
        qtype = infer_type(stem, options, answer)
    if not stem:
        error("题干不能为空")
    if any(letter not in OPTION_LETTERS for letter in options):
        error("选项字母只能是 A–H（最多 8 个选项）")
    else:
        expected = OPTION_LETTERS[: len(options)]
        missing = [letter for letter in expected if letter not in options]
        if missing:
            error(f"选项不连续：缺少选项 {'、'.join(missing)}")
        options = {letter: options[letter] for letter in sorted(options)}
    values: dict[str, object] = {}
    for name, parser, raw in (
        ("difficulty", parse_difficulty, difficulty),
        ("score", parse_score, score),
    ):
        try:
            values[name] = parser(raw)
        except ValueError as exc:
            error(str(exc))
    if qtype is None:
        return None, issues

    label = TYPE_LABELS[qtype]
    key: list[str] = []
    blanks: list[list[str]] = []
    reference_answer = reference_answer.strip()
    if qtype in ("single", "multiple") or (qtype == "case" and options):
        if len(options) < 2:
            error(f"{label}至少需要两个选项")
        if not answer:
            error("答案不能为空")
        else:
            try:
                key = parse_choice_key(answer)
            except ValueError as exc:
                error(str(exc))
            missing = [letter for letter in key if letter not in options]
            if missing and len(options) >= 2:
                error(f"答案 {''.join(missing)} 没有对应的选项")
            if qtype == "single" and len(key) > 1:
                error(
                    f"单选题只能有一个答案，实际填写了 {len(key)} 个（{''.join(key)}）"
                )
    elif qtype == "true_false":
        value = parse_true_false(answer)
        if value is None and options and answer:
            # "A. 正确  B. 错误" with answer "A": translate the letter.
            letter = _nfkc(answer).upper()
            value = parse_true_false(options.get(letter, ""))
        elif options:
            warn("判断题不使用选项，已忽略")
        options = {}
        if not answer:
            error("判断题答案不能为空（填“对”或“错”）")
        elif value is None:
            error(f"判断题答案应为“对”或“错”，实际为“{answer}”")
        else:
            key = [value]
    elif qtype == "fill_blank":
        if options:
            warn("填空题不使用选项，已忽略")
            options = {}
        if not answer:
            error("填空题答案不能为空（多个可接受答案用“|”分隔，多个空用“；”分隔）")
        else:
            try:
                blanks = parse_blanks(answer)
            except ValueError as exc:
                error(str(exc))
            markers = count_blanks(stem)
            if blanks and (markers or len(blanks) > 1) and markers != len(blanks):
                warn(f"题干中有 {markers} 处空位，答案给出了 {len(blanks)} 个空")
    else:
        if options:
            warn(f"{label}不使用选项，已忽略")
            options = {}
        reference_answer = reference_answer or answer
    if any(issue.severity == "error" for issue in issues):
        return None, issues
    question = ImportedQuestion(
        type=qtype,
        stem=stem,
        options=options,
        key=key,
        blanks=blanks,
        explanation=explanation.strip(),
        difficulty=values["difficulty"],
        score=values["score"],
        knowledge_point=normalise_knowledge_point(knowledge_point),
        legal_basis=legal_basis.strip(),
        tags=parse_tags(tags),
        reference_answer=reference_answer,
        source=source,
        title=title.strip(),
    )
    return question, issues
