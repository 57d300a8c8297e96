"""Base class and result type shared by every question type.

Grading is pure: a question ``spec`` (plain dict), a candidate's response and a
maximum score go in, a :class:`GradeResult` comes out. Nothing here touches Flask,
the database or the request, so online exams (issue #5) and bulk imports (issue #4)
share the same rules.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, ClassVar

ZERO = Decimal("0")
CENT = Decimal("0.01")

FEEDBACK_CORRECT = "回答正确"
FEEDBACK_WRONG = "回答错误"
FEEDBACK_UNANSWERED = "未作答"


class QuestionSpecError(ValueError):
    """A question definition is broken; ``errors`` lists the problems in Chinese."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("；".join(self.errors))


class ResponseFormatError(ValueError):
    """A response cannot be understood at all (as opposed to being wrong)."""


@dataclass(frozen=True)
class GradeResult:
    """The outcome of grading one response.

    ``correct`` is ``None`` while the response still needs manual grading.
    ``details`` carries type-specific extras, e.g. per-blank correctness.
    """

    score: Decimal
    max_score: Decimal
    correct: bool | None
    feedback: str = ""
    details: tuple = ()


def quantize_score(value: Decimal) -> Decimal:
    """Round a score half-up to two decimal places.

    :param value: the unrounded score
    :return: the score with exactly two decimal places
    """
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def short_of_full(raw: Decimal, max_score: Decimal) -> Decimal:
    """Round the score of a response that is *not* fully right.

    Half-up rounding can lift a tiny shortfall to full marks (0.01 × 25/26 rounds
    to 0.01); such a response must never show full marks, so in that case the
    value is truncated instead.

    :param raw: the unrounded score, ``0 <= raw < max_score``
    :param max_score: the question's maximum score
    :return: the rounded score, below ``max_score`` whenever ``max_score > 0``
    """
    score = quantize_score(raw)
    if score >= max_score:
        score = raw.quantize(CENT, rounding=ROUND_DOWN)
    return score


def to_decimal(value: Any, what: str, *, allow_float: bool = False) -> Decimal:
    """Convert a score to :class:`~decimal.Decimal`, refusing binary floats.

    Scores passed by code must already be exact (``Decimal``, ``int`` or a
    numeric string). Scores stored *inside a spec* may have round-tripped through
    JSON, where ``1.5`` comes back as a float; ``allow_float`` accepts those via
    ``str()``, which yields the shortest decimal the author wrote.

    :param value: the value to convert
    :param what: Chinese name of the value, used in error messages
    :param allow_float: whether to accept a float (specs only)
    :return: a finite, non-negative ``Decimal``
    :raises TypeError: for floats (unless allowed), bools and other types
    :raises ValueError: for non-numeric strings, NaN/infinity and negatives
    """
    if isinstance(value, bool):
        raise TypeError(f"{what}必须是数字，不能是布尔值")
    if isinstance(value, float):
        if not allow_float:
            raise TypeError(f"{what}不能是浮点数，请使用 Decimal")
        value = str(value)
    if isinstance(value, int | str):
        try:
            value = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f"{what}“{value}”不是有效的数字") from None
    if not isinstance(value, Decimal):
        raise TypeError(f"{what}必须是数字")
    if not value.is_finite():
        raise ValueError(f"{what}必须是有限的数字")
    if value < 0:
        raise ValueError(f"{what}不能为负数")
    return value


def nfkc(text: str) -> str:
    """Fold full-width forms to half-width (ＡＢＣ１２３ → ABC123, （ → ( )."""
    return unicodedata.normalize("NFKC", text)


def strip_punctuation_and_space(text: str) -> str:
    """Drop every whitespace and punctuation character (Unicode categories Z*, P*).

    Symbols (S*: + = × √ ￥ …) are kept on purpose: removing them would make
    "1+1" equal "11".
    """
    return "".join(
        ch
        for ch in text
        if not ch.isspace() and unicodedata.category(ch)[0] not in ("P", "Z")
    )


class QuestionType:
    """Base class of a question type (CTFd ``BaseChallenge`` style).

    Subclasses set ``id``, ``label`` and ``auto_graded`` and implement
    :meth:`validate`, :meth:`normalise_response` and :meth:`_grade`. The public
    :meth:`grade` checks the spec and the maximum score and turns unreadable
    responses into a zero score, so subclasses only compare answers.
    """

    id: ClassVar[str]
    label: ClassVar[str]
    auto_graded: ClassVar[bool] = True

    def validate(self, spec: dict) -> list[str]:
        """Check a question definition.

        :param spec: the question definition
        :return: problems in Chinese, empty when the spec is usable
        """
        if not isinstance(spec, dict):
            return ["题目定义必须是字典"]
        declared = spec.get("type")
        if declared is not None and declared != self.id:
            return [f"题型不符：应为“{self.id}”，实际为“{declared}”"]
        return []

    def check(self, spec: dict) -> None:
        """Raise if ``spec`` is broken.

        :param spec: the question definition
        :raises QuestionSpecError: listing every problem :meth:`validate` found
        """
        errors = self.validate(spec)
        if errors:
            raise QuestionSpecError(errors)

    def total_score(self, spec: dict) -> Decimal | None:
        """Return the score the spec itself implies, if any.

        Fill-blank questions with a score on every blank and essays with a rubric
        fix their own total; services can use this to default or check the score of
        a paper item before anyone sits the exam.

        :param spec: a valid question definition
        :return: the implied total, or ``None`` when the paper decides
        """
        return None

    def normalise_response(self, raw: Any) -> Any:
        """Parse what a browser form or an import file sent.

        :param raw: the raw response
        :return: the canonical response for this type
        :raises ResponseFormatError: when ``raw`` cannot be understood
        """
        raise NotImplementedError

    def grade(
        self,
        spec: dict,
        response: Any,
        max_score: Decimal,
        policy: dict | None = None,
    ) -> GradeResult:
        """Grade one response.

        :param spec: the question definition
        :param response: the raw response (normalised here)
        :param max_score: the question's score on the paper
        :param policy: paper-level options; each type reads only its own keys
        :return: the grade
        :raises QuestionSpecError: when the spec is broken or does not match
                                   ``max_score``
        :raises TypeError: when ``max_score`` is a float
        """
        self.check(spec)
        max_score = to_decimal(max_score, "本题分值")
        try:
            answer = self.normalise_response(response)
        except ResponseFormatError as exc:
            return GradeResult(ZERO, max_score, False, f"答案格式无法识别：{exc}")
        return self._grade(spec, answer, max_score, policy or {})

    def _grade(
        self, spec: dict, answer: Any, max_score: Decimal, policy: dict
    ) -> GradeResult:
        """Compare a normalised answer with a valid spec (subclass hook)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id!r}>"
