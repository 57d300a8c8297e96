"""The editable text form of a scoring template, and its validation.

::

    名称 行政处罚案卷评查评分模板
    优秀 90
    合格 60
    # 执法主体 10
    - 不具备行政处罚主体资格或超越法定职权 | 否决
    - 主要对外文书未加盖执法机关印章 | 4

One ``# 维度 分值`` line per section (the eight sections of ``SECTIONS``, each
once; their points add up to 100), then its items as ``- 扣分项 | 最高扣分`` or
``- 情形 | 否决``. Every error names its line, in Chinese; nothing is saved while
there is one.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from casebank.reviews.models import SECTIONS

MAX_ITEMS = 40
MAX_TEXT = 300
VETO_WORDS = ("否决", "一票否决")


@dataclass
class ParsedItem:
    text: str
    max_deduction: Decimal
    veto: bool


@dataclass
class ParsedSection:
    name: str
    points: int
    items: list = field(default_factory=list)


@dataclass
class ParsedTemplate:
    name: str = "行政处罚案卷评查评分模板"
    excellent_min: int = 90
    pass_min: int = 60
    sections: list = field(default_factory=list)


class TemplateErrors(Exception):
    def __init__(self, errors):
        super().__init__("；".join(errors))
        self.errors = errors


def _number(raw: str) -> Decimal | None:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def parse(text: str) -> ParsedTemplate:
    """Read and validate a template text.

    :raises TemplateErrors: with every error found (Chinese, naming the line).
    """
    result, errors = ParsedTemplate(), []
    section = None
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        where = f"第{number}行"
        if not line:
            continue
        if line.startswith("名称"):
            name = line[2:].strip(" ：:")
            if not name or len(name) > 200:
                errors.append(f"{where}：模板名称不能为空，且不超过200字")
            else:
                result.name = name
        elif line.startswith(("优秀", "合格")):
            value = _number(line[2:].strip(" ：:"))
            if value is None or value != value.to_integral() or not 0 < value <= 100:
                errors.append(f"{where}：分数线应为1到100之间的整数")
            elif line.startswith("优秀"):
                result.excellent_min = int(value)
            else:
                result.pass_min = int(value)
        elif line.startswith("#"):
            match = re.fullmatch(r"#+\s*(\S+)\s+(\S+)", line)
            points = _number(match.group(2)) if match else None
            if match is None or points is None:
                errors.append(f"{where}：维度行的格式应为“# 维度名称 分值”")
                section = None
                continue
            name = match.group(1)
            if name not in SECTIONS:
                errors.append(
                    f"{where}：维度“{name}”不存在，应为：" + "、".join(SECTIONS)
                )
            elif any(s.name == name for s in result.sections):
                errors.append(f"{where}：维度“{name}”重复")
            if points != points.to_integral() or not 0 <= points <= 100:
                errors.append(f"{where}：维度分值应为0到100之间的整数")
                points = Decimal(0)
            section = ParsedSection(name, int(points))
            result.sections.append(section)
        elif line.startswith(("-", "－", "*")):
            if section is None:
                errors.append(f"{where}：扣分项之前缺少维度行（# 维度名称 分值）")
                continue
            body = line[1:].strip()
            text_part, sep, value_part = body.rpartition("|")
            if not sep:
                text_part, sep, value_part = body.rpartition("｜")
            text_part, value_part = text_part.strip(), value_part.strip()
            if not sep or not text_part:
                errors.append(f"{where}：扣分项的格式应为“- 扣分内容 | 最高扣分”")
                continue
            if len(text_part) > MAX_TEXT:
                errors.append(f"{where}：扣分内容不能超过{MAX_TEXT}字")
                continue
            if value_part in VETO_WORDS:
                section.items.append(ParsedItem(text_part, Decimal(0), True))
                continue
            value = _number(value_part)
            if value is None or value <= 0 or value * 2 != (value * 2).to_integral():
                errors.append(
                    f"{where}：最高扣分应为大于0的数（可有0.5分），或填写“否决”"
                )
                continue
            if value > section.points:
                errors.append(
                    f"{where}：最高扣分{value}分超过所在维度“{section.name}”的分值"
                    f"{section.points}分"
                )
                continue
            section.items.append(ParsedItem(text_part, value, False))
        else:
            errors.append(
                f"{where}：无法识别，应以“#”（维度）、“-”（扣分项）、"
                "“名称”“优秀”或“合格”开头"
            )
    errors.extend(_check_totals(result))
    if errors:
        raise TemplateErrors(errors)
    return result


def _check_totals(result: ParsedTemplate) -> list[str]:
    errors = []
    names = [s.name for s in result.sections]
    missing = [n for n in SECTIONS if n not in names]
    if missing:
        errors.append("缺少维度：" + "、".join(missing))
    total = sum(s.points for s in result.sections)
    if total != 100:
        errors.append(f"各维度分值合计应为100分，现为{total}分")
    for s in result.sections:
        deductible = [i for i in s.items if not i.veto]
        if s.points > 0 and not deductible:
            errors.append(f"维度“{s.name}”有{s.points}分，但没有扣分项")
        elif sum(i.max_deduction for i in deductible) < s.points:
            # Otherwise part of the section's points could never be lost.
            errors.append(
                f"维度“{s.name}”各扣分项的最高扣分合计"
                f"{sum(i.max_deduction for i in deductible)}分，少于维度分值"
                f"{s.points}分"
            )
        if len(s.items) > MAX_ITEMS:
            errors.append(f"维度“{s.name}”的扣分项不能超过{MAX_ITEMS}项")
    if not result.pass_min < result.excellent_min:
        errors.append("“合格”分数线应低于“优秀”分数线")
    return errors


def _points(value: Decimal) -> str:
    value = Decimal(value)
    return (
        str(value.quantize(Decimal(1)))
        if value == value.to_integral()
        else str(value.normalize())
    )


def dump(template) -> str:
    """The text form of a stored (or parsed) template, for the edit form."""
    lines = [
        f"名称 {template.name}",
        f"优秀 {template.excellent_min}",
        f"合格 {template.pass_min}",
    ]
    for section in template.sections:
        lines.append(f"# {section.name} {section.points}")
        for item in section.items:
            value = "否决" if item.veto else _points(item.max_deduction)
            lines.append(f"- {item.text} | {value}")
    return "\n".join(lines) + "\n"
