"""填空题: per-blank comparison against lists of accepted answers."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from exams.grading.base import (
    FEEDBACK_CORRECT,
    FEEDBACK_UNANSWERED,
    ZERO,
    GradeResult,
    QuestionSpecError,
    QuestionType,
    ResponseFormatError,
    nfkc,
    short_of_full,
    strip_punctuation_and_space,
    to_decimal,
)

# A blank in the stem: ____ (two or more underscores) or an empty pair of
# brackets. Matched after NFKC, which turns ＿ into _ and （ ） into ( ).
BLANK_MARK = re.compile(r"_{2,}|\(\s*\)")

# A single string answering several blanks separates them with | or new lines;
# commas and 、 are not separators because answers contain them.
RESPONSE_SEPARATOR = re.compile(r"[|\n\t]")


def normalise_text(text: str) -> str:
    """Fold an answer for comparison.

    NFKC (full/half width), remove all whitespace and punctuation (Chinese and
    ASCII), case-fold: "《行政复议法》。" → "行政复议法", "ＡＢＣ １２３" → "abc123".

    :param text: an answer as typed or as stored
    :return: the comparison key
    """
    return strip_punctuation_and_space(nfkc(text)).casefold()


def count_blanks(stem: str) -> int:
    """Count the ____ / （ ） blanks in a stem.

    :param stem: the question text
    :return: the number of blanks
    """
    return len(BLANK_MARK.findall(nfkc(stem)))


class FillBlank(QuestionType):
    """填空题.

    Each blank has a list of accepted answers and an optional score. Blanks
    without a score share what the explicit scores leave of the question's score
    equally, so a spec with no scores at all splits the score evenly.
    """

    id = "fill_blank"
    label = "填空题"
    auto_graded = True

    def normalise_response(self, raw: Any) -> tuple[str, ...]:
        """Parse the answers to the blanks.

        Accepts a list/tuple (one entry per blank), a dict keyed by blank index
        (0, "1", … as a form may send), or a string (one blank, or several
        separated by ``|`` or new lines). Numbers become strings, ``None`` "".

        :param raw: the raw response
        :return: one raw answer per blank position given
        :raises ResponseFormatError: for other shapes
        """
        if raw is None:
            return ()
        if isinstance(raw, str):
            return tuple(RESPONSE_SEPARATOR.split(raw))
        if isinstance(raw, dict):
            raw = _dict_to_list(raw)
        if not isinstance(raw, list | tuple):
            raise ResponseFormatError(
                f"填空答案应为文本或列表，收到 {type(raw).__name__}"
            )
        return tuple(_entry(value) for value in raw)

    def validate(self, spec: dict) -> list[str]:
        """Check blanks, accepted answers and scores; see the base class."""
        errors = super().validate(spec)
        if errors:
            return errors
        blanks = spec.get("blanks")
        if not isinstance(blanks, list) or not blanks:
            return ["填空题至少需要一个空"]
        for number, blank in enumerate(blanks, start=1):
            errors.extend(_blank_errors(number, blank))
        stem = spec.get("stem")
        if isinstance(stem, str) and stem.strip():
            marks = count_blanks(stem)
            if marks != len(blanks):
                errors.append(
                    f"题干中有 {marks} 处空位（____ 或（ ）），但定义了 {len(blanks)} 个空"
                )
        return errors

    def total_score(self, spec: dict) -> Decimal | None:
        """Return the sum of the blank scores when every blank has one.

        :param spec: a valid fill-blank spec
        :return: the total, or ``None`` when some blank takes an equal share
        """
        scores = _explicit_scores(spec)
        if any(score is None for score in scores):
            return None
        return sum(scores, ZERO)

    def blank_scores(self, spec: dict, max_score: Decimal) -> list[Decimal]:
        """Return the unrounded score of each blank for a question worth ``max_score``.

        :param spec: a valid fill-blank spec
        :param max_score: the question's score on the paper
        :return: one score per blank, summing to ``max_score``
        :raises QuestionSpecError: when explicit scores do not fit ``max_score``
        """
        scores = _explicit_scores(spec)
        fixed = sum((s for s in scores if s is not None), ZERO)
        shared = scores.count(None)
        if shared == 0:
            if fixed != max_score:
                raise QuestionSpecError(
                    [f"各空分值合计 {fixed} 分，与本题分值 {max_score} 分不一致"]
                )
            return scores
        if fixed > max_score:
            raise QuestionSpecError(
                [f"各空分值合计 {fixed} 分，超过本题分值 {max_score} 分"]
            )
        share = (max_score - fixed) / shared
        return [share if s is None else s for s in scores]

    def _grade(
        self, spec: dict, answer: tuple[str, ...], max_score: Decimal, policy: dict
    ) -> GradeResult:
        blanks = spec["blanks"]
        scores = self.blank_scores(spec, max_score)
        # Missing entries count as unanswered blanks; surplus entries are ignored.
        answers = list(answer[: len(blanks)]) + [""] * (len(blanks) - len(answer))
        hits = tuple(
            _matches(response, blank["accepted"])
            for response, blank in zip(answers, blanks, strict=True)
        )
        if not any(normalise_text(a) for a in answers):
            return GradeResult(ZERO, max_score, False, FEEDBACK_UNANSWERED, hits)
        if all(hits):
            return GradeResult(max_score, max_score, True, FEEDBACK_CORRECT, hits)
        raw = sum((s for s, hit in zip(scores, hits, strict=True) if hit), ZERO)
        score = short_of_full(raw, max_score)
        feedback = f"答对 {sum(hits)}/{len(blanks)} 空"
        return GradeResult(score, max_score, False, feedback, hits)


def _dict_to_list(raw: dict) -> list:
    by_index = {}
    for key, value in raw.items():
        try:
            index = int(key)
        except (TypeError, ValueError):
            raise ResponseFormatError(f"填空答案的序号“{key}”无效") from None
        if index < 0:
            raise ResponseFormatError(f"填空答案的序号“{key}”无效")
        by_index[index] = value
    size = max(by_index, default=-1) + 1
    return [by_index.get(i) for i in range(size)]


def _entry(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        raise ResponseFormatError(f"填空答案应为文本，收到 {value!r}")
    if isinstance(value, str | int | Decimal):
        return str(value)
    raise ResponseFormatError(f"填空答案应为文本，收到 {type(value).__name__}")


def _matches(response: str, accepted: list[str]) -> bool:
    key = normalise_text(response)
    return bool(key) and any(key == normalise_text(a) for a in accepted)


def _blank_errors(number: int, blank: Any) -> list[str]:
    if not isinstance(blank, dict):
        return [f"第 {number} 空的定义无效"]
    errors = []
    accepted = blank.get("accepted")
    if not isinstance(accepted, list) or not accepted:
        errors.append(f"第 {number} 空没有可接受的答案")
    else:
        for answer in accepted:
            if not isinstance(answer, str) or not normalise_text(answer):
                errors.append(f"第 {number} 空的答案“{answer}”为空（忽略空格和标点后）")
    score = blank.get("score")
    if score is not None:
        try:
            value = to_decimal(score, f"第 {number} 空的分值", allow_float=True)
        except (TypeError, ValueError) as exc:
            errors.append(str(exc))
        else:
            if value == 0:
                errors.append(f"第 {number} 空的分值必须大于 0")
    return errors


def _explicit_scores(spec: dict) -> list[Decimal | None]:
    return [
        None
        if blank.get("score") is None
        else to_decimal(blank["score"], "分值", allow_float=True)
        for blank in spec["blanks"]
    ]
