"""Registry of question types and pure grading (STYLE R6).

Usage::

    from exams.grading import get_question_type

    qtype = get_question_type(spec["type"])
    errors = qtype.validate(spec)                      # authoring / import
    result = qtype.grade(spec, "A,C", Decimal("2"), {"multiple": "partial"})

No Flask, no database: exams (issue #5) and imports (issue #4) share this module.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from typing import Any

from exams.grading.base import (
    GradeResult,
    QuestionSpecError,
    QuestionType,
    ResponseFormatError,
)
from exams.grading.choice import MultipleChoice, SingleChoice, TrueFalse
from exams.grading.essay import CaseAnalysis, Essay
from exams.grading.fill_blank import FillBlank

__all__ = [
    "QUESTION_TYPES",
    "TYPE_BY_LABEL",
    "TYPE_LABELS",
    "GradeResult",
    "QuestionSpecError",
    "QuestionType",
    "ResponseFormatError",
    "get_question_type",
    "grade_response",
    "resolve_type",
    "validate_spec",
]

QUESTION_TYPES: dict[str, QuestionType] = {
    t.id: t()
    for t in (SingleChoice, MultipleChoice, TrueFalse, FillBlank, Essay, CaseAnalysis)
}

TYPE_LABELS: dict[str, str] = {
    type_id: qtype.label for type_id, qtype in QUESTION_TYPES.items()
}

# Spellings of the type column in Excel/Word papers. 不定项选择题 is left out on
# purpose: it allows a single key, which 多选题 rejects.
TYPE_BY_LABEL: dict[str, str] = {
    **{label: type_id for type_id, label in TYPE_LABELS.items()},
    "单选": "single",
    "单项选择": "single",
    "单项选择题": "single",
    "多选": "multiple",
    "多项选择": "multiple",
    "多项选择题": "multiple",
    "判断": "true_false",
    "是非题": "true_false",
    "对错题": "true_false",
    "填空": "fill_blank",
    "简答": "essay",
    "问答题": "essay",
    "论述题": "essay",
    "案例分析": "case",
    "案例题": "case",
}


def get_question_type(type_id: str) -> QuestionType:
    """Return the registered question type.

    :param type_id: a type id such as ``"single"``
    :return: the shared (stateless) instance
    :raises KeyError: with a Chinese message when the type is unknown
    """
    try:
        return QUESTION_TYPES[type_id]
    except (KeyError, TypeError):
        raise KeyError(f"未知题型：{type_id!r}") from None


def resolve_type(text: str) -> str:
    """Map what an import file says (id, label or variant) to a type id.

    Width and spaces are folded first, so "单选题 " and "ｓｉｎｇｌｅ" resolve.

    :param text: e.g. ``"单项选择题"``, ``"判断"``, ``"fill_blank"``
    :return: the type id
    :raises KeyError: with a Chinese message when nothing matches
    """
    folded = "".join(unicodedata.normalize("NFKC", str(text)).split())
    if folded in QUESTION_TYPES:
        return folded
    if folded in TYPE_BY_LABEL:
        return TYPE_BY_LABEL[folded]
    raise KeyError(f"未知题型：{text!r}")


def validate_spec(spec: Any) -> list[str]:
    """Validate a spec of any type, dispatching on ``spec["type"]``.

    :param spec: the question definition
    :return: problems in Chinese; an unknown type is reported, not raised
    """
    if not isinstance(spec, dict):
        return ["题目定义必须是字典"]
    type_id = spec.get("type")
    if not isinstance(type_id, str) or type_id not in QUESTION_TYPES:
        return [f"未知题型：{type_id!r}"]
    return QUESTION_TYPES[type_id].validate(spec)


def grade_response(
    spec: dict, response: Any, max_score: Decimal, policy: dict | None = None
) -> GradeResult:
    """Grade a response to a spec of any type, dispatching on ``spec["type"]``.

    :param spec: the question definition
    :param response: the raw response
    :param max_score: the question's score on the paper
    :param policy: paper-level grading options
    :return: the grade
    :raises KeyError: when the type is unknown
    :raises QuestionSpecError: when the spec is broken
    """
    return get_question_type(spec.get("type")).grade(spec, response, max_score, policy)


def init_app(app):
    """Register the marking screen (under /admin/exams); the registry needs nothing."""
    from exams.grading import views

    app.register_blueprint(views.bp, url_prefix="/admin/exams")
