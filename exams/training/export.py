"""The 培训进度报表 as an .xlsx workbook (formula-safe text cells)."""

from decimal import Decimal

from openpyxl.styles import Font

from portal.spreadsheets import append, new_workbook, workbook_bytes

HEADERS = [
    "单位",
    "姓名",
    "账号",
    "人员类别",
    "年度应修学时",
    "截至目前应达学时",
    "已获学时",
    "完成课程数",
    "状态",
]


def _number(value):
    value = Decimal(value).quantize(Decimal("0.1"))
    return int(value) if value == value.to_integral_value() else float(value)


def report_workbook(year, units):
    """Build the workbook: a summary sheet per unit and one row per learner.

    :param units: :class:`exams.training.queries.UnitRow` list.
    :return: the .xlsx bytes.
    """
    book = new_workbook()
    summary = book.active
    summary.title = "按单位汇总"
    summary.append([f"{year}年度培训进度"])
    summary["A1"].font = Font(bold=True)
    summary.append(["单位", "学员人数", "进度正常", "进度落后"])
    for unit in units:
        append(
            summary,
            [
                unit.organisation.full_name,
                len(unit.learners),
                unit.on_track,
                len(unit.behind),
            ],
        )
    detail = book.create_sheet("学员明细")
    detail.append(HEADERS)
    for cell in detail[1]:
        cell.font = Font(bold=True)
    for unit in units:
        for row in unit.learners:
            append(
                detail,
                [
                    unit.organisation.full_name,
                    row.user.name,
                    row.user.username,
                    row.role_label,
                    _number(row.required),
                    _number(row.expected),
                    _number(row.earned),
                    row.courses,
                    "落后" if row.behind else "正常",
                ],
            )
    return workbook_bytes(book)
