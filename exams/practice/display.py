"""How keys and responses read on practice and 错题本 pages (pure helpers).

Responses and keys are stored with the ORIGINAL option letters; a practice set
shows options in its own shuffled order, labelled A, B, C … in that order, so
every letter shown to the user is mapped through :func:`display_letters`.
"""

from exams.grading import ResponseFormatError, get_question_type
from exams.grading.choice import parse_letters, parse_true_false

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
TYPE_LABELS = {
    "single": "单选题",
    "multiple": "多选题",
    "true_false": "判断题",
    "fill_blank": "填空题",
    "essay": "简答题",
    "case": "案例分析题",
}


def option_order(version, order=None):
    """The original option letters in display order (stored order, else A, B …)."""
    options = (version.spec or {}).get("options", {})
    if order:
        return [letter for letter in order if letter in options]
    return sorted(options)


def display_letters(version, order=None):
    """{original letter: displayed letter} for a version shown in ``order``."""
    return {
        original: LETTERS[i] for i, original in enumerate(option_order(version, order))
    }


def option_rows(version, order=None):
    """[(displayed letter, original letter, text)] in display order."""
    options = (version.spec or {}).get("options", {})
    return [
        (LETTERS[i], original, options[original])
        for i, original in enumerate(option_order(version, order))
    ]


def _choice_text(version, letters, order):
    shown = display_letters(version, order)
    options = (version.spec or {}).get("options", {})
    parts = sorted(
        (shown.get(letter, letter), options.get(letter, "")) for letter in letters
    )
    return "；".join(f"{label}. {text}" if text else label for label, text in parts)


def key_text(version, order=None):
    """The key as the user reads it: "B. 罚款；D. 没收违法所得", "正确", or
    "第1空：行政复议 / 复议"."""
    spec = version.spec or {}
    if version.type in ("single", "multiple"):
        return _choice_text(version, parse_letters(spec.get("key")), order)
    if version.type == "true_false":
        return "正确" if parse_true_false(spec.get("key")) else "错误"
    if version.type == "fill_blank":
        return "；".join(
            f"第{n}空：{' / '.join(blank.get('accepted', []))}"
            for n, blank in enumerate(spec.get("blanks", []), start=1)
        )
    return spec.get("reference_answer", "")


def response_text(version, response, order=None):
    """A stored response as the user reads it ("未作答" when empty)."""
    if response is None:
        return "未作答"
    try:
        answer = get_question_type(version.type).normalise_response(response)
    except (ResponseFormatError, KeyError):
        return str(response)
    if version.type in ("single", "multiple"):
        return _choice_text(version, answer, order) if answer else "未作答"
    if version.type == "true_false":
        return "未作答" if answer is None else ("正确" if answer else "错误")
    if version.type == "fill_blank":
        if not any(str(a).strip() for a in answer):
            return "未作答"
        return "；".join(
            f"第{n}空：{a or '（空）'}" for n, a in enumerate(answer, start=1)
        )
    return str(answer)


def chosen_letters(version, response):
    """Original letters / 对错 values of a stored response, for re-checking inputs."""
    if response is None:
        return []
    try:
        answer = get_question_type(version.type).normalise_response(response)
    except (ResponseFormatError, KeyError):
        return []
    if version.type == "true_false":
        return [] if answer is None else ["对" if answer else "错"]
    return list(answer or [])
