"""The shape of an autosaved response, checked against its item's type.

What the exam page sends: 单选/判断 a list of at most one chosen value (or the value
itself; 判断 also true/false), 多选 a list of distinct option letters, 填空 a list
of strings (one per blank), 简答/案例分析 a string; ``null`` clears an answer.
Anything else, or more than ``EXAM_ANSWER_MAX_CHARS`` characters, is refused with a
Chinese reason (the view answers 400), so a stored answer can always be shown and
graded. Framework-free.
"""

import json

TRUE_FALSE_VALUES = ("对", "错")
BAD_FORMAT = "作答格式不正确，请刷新页面后重新作答"


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _size(response):
    return len(json.dumps(response, ensure_ascii=False))


def _choices(response, allowed, at_most):
    if isinstance(response, str) and at_most == 1:
        response = [response]
    if not isinstance(response, list) or len(response) > at_most:
        return BAD_FORMAT
    if not all(isinstance(v, str) and v in allowed for v in response):
        return "所选选项不存在，请刷新页面后重新作答"
    if len(set(response)) != len(response):
        return BAD_FORMAT
    return None


def response_error(qtype, spec, response, max_chars):
    """Why ``response`` cannot be saved for an item of ``qtype`` (None if it can)."""
    if response is None:
        return None
    if _size(response) > max_chars:
        return f"作答内容过长（每题最多 {max_chars} 个字符）"
    options = list((spec or {}).get("options") or {})
    if qtype == "single":
        return _choices(response, options, 1)
    if qtype == "multiple":
        return _choices(response, options, len(options))
    if qtype == "true_false":
        if isinstance(response, bool):
            return None
        return _choices(response, TRUE_FALSE_VALUES, 1)
    if qtype == "fill_blank":
        blanks = len((spec or {}).get("blanks") or [])
        if (
            not isinstance(response, list)
            or len(response) > max(blanks, 1)
            or not all(isinstance(v, str) for v in response)
        ):
            return BAD_FORMAT
        return None
    # 简答题, 案例分析题 and any free-text type.
    if not isinstance(response, str):
        return BAD_FORMAT
    return None
