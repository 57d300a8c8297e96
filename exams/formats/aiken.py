"""Moodle Aiken text format (multiple choice only): read.

::

    限制人身自由的行政处罚，只能由哪一类规范设定？
    A. 法律
    B) 行政法规
    C. 规章
    ANSWER: A

See https://docs.moodle.org/en/Aiken_format. Beyond Moodle, a question may span
several lines, options may use the Chinese "A、" / "A．", "答案：" may replace
"ANSWER:", and "ANSWER: AC" gives a multiple-choice question.
"""

import re
import unicodedata

from exams.formats.model import ImportIssue, ImportResult, build_question

# "A. text" / "A) text" (Moodle wants a space; a Chinese character may follow an
# ASCII separator directly) and the full-width "A、" "A．" "A）".
_OPTION_RE = re.compile(
    r"^(?P<letter>[A-ZＡ-Ｚ])(?:[.)](?:\s+|(?=[^\x00-\x7f]))|\s*[．、）]\s*)(?P<text>.*)$"
)
_ANSWER_RE = re.compile(r"^(?:ANSWER|答案)\s*[:：]\s*(?P<value>.*)$", re.IGNORECASE)


def read_aiken(text: str) -> ImportResult:
    """Read questions from Aiken text.

    Sources and issues are located by line ("第3–7行"). Arbitrary text never
    raises.

    :param text: the decoded file content.
    :return: the questions and the issues.
    """
    result = ImportResult(format="aiken")
    stem: list[str] = []
    options: dict[str, str] = {}
    first = 0

    def where(last: int) -> str:
        return f"第{first}行" if first == last else f"第{first}–{last}行"

    def reset() -> None:
        nonlocal first
        stem.clear()
        options.clear()
        first = 0

    last = 0
    for number, raw in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        line = raw.strip()
        if not line:
            continue
        answer = _ANSWER_RE.match(line)
        if answer:
            if not first:
                result.issues.append(
                    ImportIssue(f"第{number}行", "ANSWER 行前面没有题目")
                )
                continue
            if not options:
                result.issues.append(
                    ImportIssue(where(number), "没有选项（Aiken 格式只支持选择题）")
                )
            else:
                result.add(
                    *build_question(
                        where(number),
                        stem="\n".join(stem),
                        options=dict(options),
                        answer=answer["value"],
                    )
                )
            reset()
            continue
        option = _OPTION_RE.match(line)
        if option:
            letter = unicodedata.normalize("NFKC", option["letter"])
            if letter == chr(ord("A") + len(options)) and (stem or letter == "A"):
                first = first or number
                options[letter] = option["text"]
                last = number
                continue
        if options:
            # A text line after the options: the previous question had no ANSWER.
            result.issues.append(
                ImportIssue(where(last), "缺少“ANSWER: 字母”行，题目未导入")
            )
            reset()
        first = first or number
        stem.append(line)
        last = number
    if first:
        result.issues.append(
            ImportIssue(where(last), "缺少“ANSWER: 字母”行，题目未导入")
        )
    return result
