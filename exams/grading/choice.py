"""Choice questions: 单选题, 多选题 and 判断题."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from exams.grading.base import (
    FEEDBACK_CORRECT,
    FEEDBACK_UNANSWERED,
    FEEDBACK_WRONG,
    ZERO,
    GradeResult,
    QuestionType,
    ResponseFormatError,
    nfkc,
    short_of_full,
    strip_punctuation_and_space,
)

OPTION_LETTER = re.compile(r"[A-Z]")

MULTIPLE_POLICIES = ("all_or_nothing", "partial", "half")


def parse_letters(raw: Any) -> tuple[str, ...]:
    """Parse option letters from "AC", "A,C", "a、c", ["A", "C"], "Ａ" …

    Separators, brackets and other punctuation are ignored; whatever remains must
    be letters.

    :param raw: a string, a list/tuple/set of strings, or ``None``
    :return: the distinct letters, upper-case and sorted; ``()`` when empty
    :raises ResponseFormatError: for other types or non-letter characters
    """
    if raw is None:
        return ()
    if isinstance(raw, str):
        parts = [raw]
    elif isinstance(raw, list | tuple | set | frozenset):
        parts = list(raw)
    else:
        raise ResponseFormatError(f"选项应为字母，收到 {type(raw).__name__}")
    letters = set()
    for part in parts:
        if not isinstance(part, str):
            raise ResponseFormatError(f"选项应为字母，收到 {part!r}")
        cleaned = strip_punctuation_and_space(nfkc(part)).upper()
        for ch in cleaned:
            if not OPTION_LETTER.fullmatch(ch):
                raise ResponseFormatError(f"“{part}”中含有非选项字符“{ch}”")
            letters.add(ch)
    return tuple(sorted(letters))


# Spellings of true/false seen in browsers, Excel sheets and Word papers, after
# NFKC, upper-casing and dropping punctuation.
TRUE_WORDS = frozenset(
    {"对", "正确", "是", "√", "✓", "✔", "T", "TRUE", "Y", "YES", "1"}
)
FALSE_WORDS = frozenset(
    {"错", "错误", "否", "×", "✗", "✘", "X", "F", "FALSE", "N", "NO", "0"}
)


def parse_true_false(raw: Any) -> bool | None:
    """Parse a 判断题 answer: 对/错, 正确/错误, √/×, T/F, true/false, 1/0.

    :param raw: a bool, 0/1, a string, a one-element list, or ``None``
    :return: ``True``/``False``, or ``None`` when empty
    :raises ResponseFormatError: when the value means neither
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, list | tuple):
        if not raw:
            return None
        if len(raw) == 1:
            return parse_true_false(raw[0])
        raise ResponseFormatError("判断题只能有一个答案")
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        word = strip_punctuation_and_space(nfkc(raw)).upper()
        if not word:
            return None
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise ResponseFormatError(f"无法识别为“对”或“错”：{raw!r}")


class _ChoiceBase(QuestionType):
    """Shared validation and parsing of lettered options."""

    def normalise_response(self, raw: Any) -> tuple[str, ...]:
        """Parse selected letters.

        :param raw: "AC", "A,C", ["A", "C"], None …
        :return: sorted distinct letters, ``()`` when nothing is selected
        :raises ResponseFormatError: for unreadable input
        """
        return parse_letters(raw)

    def validate(self, spec: dict) -> list[str]:
        """Check options and key; see :meth:`QuestionType.validate`."""
        errors = super().validate(spec)
        if errors:
            return errors
        options = spec.get("options")
        if not isinstance(options, dict) or not options:
            errors.append("缺少选项")
        else:
            errors.extend(_option_errors(options))
        raw_key = spec.get("key")
        try:
            key = parse_letters(raw_key)
        except ResponseFormatError:
            return [*errors, f"正确答案“{raw_key}”无法识别，应为选项字母"]
        if not key:
            return [*errors, "缺少正确答案"]
        if isinstance(options, dict):
            missing = [letter for letter in key if letter not in options]
            if missing:
                errors.append(f"正确答案 {'、'.join(missing)} 不在选项中")
        errors.extend(self._key_count_errors(key))
        return errors

    def _key_count_errors(self, key: tuple[str, ...]) -> list[str]:
        return []

    def _key(self, spec: dict) -> tuple[str, ...]:
        return parse_letters(spec["key"])

    def _unknown_letters(self, spec: dict, answer: tuple[str, ...]) -> list[str]:
        return [letter for letter in answer if letter not in spec["options"]]


def _option_errors(options: dict) -> list[str]:
    errors = []
    if len(options) < 2:
        errors.append("至少需要两个选项")
    seen: dict[str, str] = {}
    for letter, text in options.items():
        if not isinstance(letter, str) or not OPTION_LETTER.fullmatch(letter):
            errors.append(f"选项标识“{letter}”无效，应为单个大写字母 A–Z")
            continue
        if not isinstance(text, str) or not text.strip():
            errors.append(f"选项 {letter} 的内容为空")
            continue
        # Identical options after folding width/space are almost always a paste error.
        folded = strip_punctuation_and_space(nfkc(text)).casefold()
        if folded in seen:
            errors.append(f"选项 {seen[folded]} 与选项 {letter} 内容相同")
        else:
            seen[folded] = letter
    return errors


class SingleChoice(_ChoiceBase):
    """单选题: exactly one key letter; the response must be that one letter."""

    id = "single"
    label = "单选题"
    auto_graded = True

    def _key_count_errors(self, key: tuple[str, ...]) -> list[str]:
        if len(key) > 1:
            return [f"单选题只能有一个正确答案，当前为 {'、'.join(key)}"]
        return []

    def _grade(
        self, spec: dict, answer: tuple[str, ...], max_score: Decimal, policy: dict
    ) -> GradeResult:
        if not answer:
            return GradeResult(ZERO, max_score, False, FEEDBACK_UNANSWERED)
        unknown = self._unknown_letters(spec, answer)
        if unknown:
            feedback = f"所选选项 {'、'.join(unknown)} 不存在"
            return GradeResult(ZERO, max_score, False, feedback)
        if len(answer) > 1:
            return GradeResult(ZERO, max_score, False, "单选题只能选择一个选项")
        if answer == self._key(spec):
            return GradeResult(max_score, max_score, True, FEEDBACK_CORRECT)
        return GradeResult(ZERO, max_score, False, FEEDBACK_WRONG)


class MultipleChoice(_ChoiceBase):
    """多选题 with a paper-level scoring policy.

    ``policy["multiple"]``:

    * ``"all_or_nothing"`` (default): full marks only for the exact key set;
    * ``"partial"``: no wrong choice selected → credit proportional to the correct
      choices selected; any wrong choice → 0;
    * ``"half"`` (少选得半): no wrong choice and at least one correct → half marks.
    """

    id = "multiple"
    label = "多选题"
    auto_graded = True

    def _key_count_errors(self, key: tuple[str, ...]) -> list[str]:
        # Chinese papers define 多选题 as "至少有两个选项符合题意"; one key letter
        # means the item is really a 单选题 filed under the wrong type.
        if len(key) < 2:
            return ["多选题至少需要两个正确答案"]
        return []

    def _grade(
        self, spec: dict, answer: tuple[str, ...], max_score: Decimal, policy: dict
    ) -> GradeResult:
        mode = policy.get("multiple", "all_or_nothing")
        if mode not in MULTIPLE_POLICIES:
            raise ValueError(
                f"未知的多选题计分方式“{mode}”，可选：{'、'.join(MULTIPLE_POLICIES)}"
            )
        if not answer:
            return GradeResult(ZERO, max_score, False, FEEDBACK_UNANSWERED)
        key = set(self._key(spec))
        chosen = set(answer)
        if chosen == key:
            return GradeResult(max_score, max_score, True, FEEDBACK_CORRECT)
        wrong = sorted(chosen - key)
        if wrong:
            return GradeResult(ZERO, max_score, False, f"错选 {'、'.join(wrong)}")
        missed = "、".join(sorted(key - chosen))
        if mode == "partial":
            score = short_of_full(max_score * len(chosen) / len(key), max_score)
        elif mode == "half":
            score = short_of_full(max_score / 2, max_score)
        else:
            score = ZERO
        return GradeResult(score, max_score, False, f"少选 {missed}")


class TrueFalse(QuestionType):
    """判断题: the key is ``True``/``False`` (or 对/错 and friends)."""

    id = "true_false"
    label = "判断题"
    auto_graded = True

    def normalise_response(self, raw: Any) -> bool | None:
        """Parse 对/错, 正确/错误, √/×, T/F, true/false, 1/0.

        :param raw: the raw response
        :return: ``True``/``False``, ``None`` when empty
        :raises ResponseFormatError: when the value means neither
        """
        return parse_true_false(raw)

    def validate(self, spec: dict) -> list[str]:
        """Check the key; see :meth:`QuestionType.validate`."""
        errors = super().validate(spec)
        if errors:
            return errors
        try:
            key = parse_true_false(spec.get("key"))
        except ResponseFormatError:
            key = None
        if key is None:
            errors.append(f"判断题的答案必须是“对”或“错”，当前为“{spec.get('key')}”")
        return errors

    def _grade(
        self, spec: dict, answer: bool | None, max_score: Decimal, policy: dict
    ) -> GradeResult:
        if answer is None:
            return GradeResult(ZERO, max_score, False, FEEDBACK_UNANSWERED)
        if answer == parse_true_false(spec["key"]):
            return GradeResult(max_score, max_score, True, FEEDBACK_CORRECT)
        return GradeResult(ZERO, max_score, False, FEEDBACK_WRONG)
