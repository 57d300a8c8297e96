"""The score and grade of a review sheet: pure functions, no database.

Rules (docs/case-review.md): each item deducts 0..its maximum; a section never
loses more than its points (扣完为止); score = 100 − deductions, never below 0; a
veto item (一票否决) makes the score 0 and the grade 不合格, as the basic standards
of S1 (总分即为零分) and S2/S3 (扣100分) do; otherwise 优秀 from ``excellent_min``,
合格 from ``pass_min``, else 不合格.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from casebank.reviews.models import Grade

FULL_MARKS = Decimal(100)


@dataclass(frozen=True)
class Entry:
    """What the reviewer gave for one item."""

    points: Decimal = Decimal(0)
    vetoed: bool = False
    note: str = ""


@dataclass(frozen=True)
class Result:
    score: Decimal
    grade: Grade
    deducted: Decimal
    vetoed: bool
    section_deductions: dict = field(default_factory=dict)  # section name → points


def grade_for(score: Decimal, excellent_min: int, pass_min: int) -> Grade:
    """The grade of a score without veto.

    :return: 优秀 at ``excellent_min`` or more, 合格 at ``pass_min`` or more.
    """
    if score >= excellent_min:
        return Grade.EXCELLENT
    if score >= pass_min:
        return Grade.PASS
    return Grade.FAIL


def compute(template, entries: dict) -> Result:
    """Score a sheet.

    :param template: a :class:`ScoreTemplate` (or anything with ``sections`` →
        ``name``, ``points``, ``items`` → ``id``, ``veto``, ``max_deduction`` and
        the two thresholds).
    :param entries: item id → :class:`Entry`; missing items deduct nothing.
    :return: a :class:`Result`.
    """
    total = Decimal(0)
    vetoed = False
    per_section = {}
    for section in template.sections:
        lost = Decimal(0)
        for item in section.items:
            entry = entries.get(item.id)
            if entry is None:
                continue
            if item.veto and entry.vetoed:
                vetoed = True
            if item.max_deduction:
                lost += min(max(entry.points, Decimal(0)), item.max_deduction)
        lost = min(lost, Decimal(section.points))
        per_section[section.name] = lost
        total += lost
    if vetoed:
        return Result(Decimal(0), Grade.FAIL, total, True, per_section)
    score = max(FULL_MARKS - total, Decimal(0))
    grade = grade_for(score, template.excellent_min, template.pass_min)
    return Result(score, grade, total, False, per_section)
