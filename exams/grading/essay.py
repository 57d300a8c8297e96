"""Manually graded questions: 简答题 and 案例分析题."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from exams.grading.base import (
    FEEDBACK_UNANSWERED,
    ZERO,
    GradeResult,
    QuestionSpecError,
    QuestionType,
    ResponseFormatError,
    quantize_score,
    to_decimal,
)

PENDING = "待人工评分"


class Essay(QuestionType):
    """简答题: stored for a marker, scored only through ``policy["manual_score"]``.

    The spec carries a ``reference_answer`` and/or a ``rubric`` of scoring points
    (``[{"point": "…", "score": 2}, …]``). When a rubric is present its total is
    the question's maximum and must equal the score the paper gives the item.
    """

    id = "essay"
    label = "简答题"
    auto_graded = False

    def normalise_response(self, raw: Any) -> str:
        """Return the answer text, stripped.

        :param raw: a string, a number, a list of paragraphs, or ``None``
        :return: the text (paragraphs joined by new lines), "" when empty
        :raises ResponseFormatError: for other types
        """
        if raw is None:
            return ""
        if isinstance(raw, list | tuple):
            parts = [self.normalise_response(part) for part in raw]
            return "\n".join(part for part in parts if part)
        if isinstance(raw, bool) or not isinstance(raw, str | int | Decimal):
            raise ResponseFormatError(f"作答应为文本，收到 {type(raw).__name__}")
        return str(raw).strip()

    def validate(self, spec: dict) -> list[str]:
        """Check the reference answer and rubric; see the base class."""
        errors = super().validate(spec)
        if errors:
            return errors
        reference = spec.get("reference_answer")
        if reference is not None and not isinstance(reference, str):
            errors.append("参考答案必须是文本")
        rubric = spec.get("rubric")
        if rubric is not None and not isinstance(rubric, list):
            errors.append("评分要点必须是列表")
            rubric = None
        for number, item in enumerate(rubric or [], start=1):
            errors.extend(_rubric_item_errors(number, item))
        if not (isinstance(reference, str) and reference.strip()) and not rubric:
            errors.append(f"{self.label}至少需要参考答案或评分要点")
        return errors

    def total_score(self, spec: dict) -> Decimal | None:
        """Return the rubric total, or ``None`` without a rubric.

        :param spec: a valid essay spec
        :return: the sum of the rubric points' scores
        """
        rubric = spec.get("rubric") or []
        if not rubric:
            return None
        return sum(
            (to_decimal(item["score"], "分值", allow_float=True) for item in rubric),
            ZERO,
        )

    def _grade(
        self, spec: dict, answer: str, max_score: Decimal, policy: dict
    ) -> GradeResult:
        rubric_total = self.total_score(spec)
        if rubric_total is not None and rubric_total != max_score:
            raise QuestionSpecError(
                [f"评分要点合计 {rubric_total} 分，与本题分值 {max_score} 分不一致"]
            )
        manual = policy.get("manual_score")
        if manual is None:
            feedback = f"{FEEDBACK_UNANSWERED}，{PENDING}" if not answer else PENDING
            return GradeResult(ZERO, max_score, None, feedback)
        score = check_manual_score(manual, max_score)
        return GradeResult(
            score, max_score, score == max_score, str(policy.get("feedback", ""))
        )


class CaseAnalysis(Essay):
    """案例分析题: graded like 简答题; the case text lives in the stem."""

    id = "case"
    label = "案例分析题"
    auto_graded = False


def check_manual_score(manual: Any, max_score: Decimal) -> Decimal:
    """Check a marker's score.

    :param manual: the score the marker entered (``Decimal``, ``int`` or string)
    :param max_score: the question's maximum
    :return: the score rounded half-up to two places
    :raises TypeError: for floats and non-numbers
    :raises ValueError: when the score is not between 0 and ``max_score``
    """
    try:
        score = to_decimal(manual, "人工评分")
    except ValueError as exc:
        # to_decimal reports negatives with a generic message; name the range.
        raise ValueError(f"人工评分必须在 0 到 {max_score} 分之间（{exc}）") from None
    if score > max_score:
        raise ValueError(f"人工评分 {score} 分超过本题满分 {max_score} 分")
    return min(quantize_score(score), max_score)


def _rubric_item_errors(number: int, item: Any) -> list[str]:
    if not isinstance(item, dict):
        return [f"第 {number} 个评分要点的定义无效"]
    errors = []
    point = item.get("point")
    if not isinstance(point, str) or not point.strip():
        errors.append(f"第 {number} 个评分要点缺少内容")
    try:
        score = to_decimal(
            item.get("score"), f"第 {number} 个评分要点的分值", allow_float=True
        )
    except (TypeError, ValueError) as exc:
        errors.append(str(exc))
    else:
        if score == 0:
            errors.append(f"第 {number} 个评分要点的分值必须大于 0")
    return errors
