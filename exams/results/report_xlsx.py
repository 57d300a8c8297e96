"""Excel exports of 考试统计 and of per-candidate results.

Text cells go through :func:`portal.spreadsheets.neutralise` (names, units and exempt
reasons are typed by people and must never run as formulas); phones are masked.
"""

from decimal import Decimal

from openpyxl.styles import Font, PatternFill

from portal.spreadsheets import neutralise, new_workbook, workbook_bytes
from portal.timeutil import to_local

URGENT_FILL = PatternFill("solid", fgColor="FFF3CD")
GROUP_HEADERS = ["名称", "应考", "参考", "交卷", "已评分", "合格", "未参考", "合格率"]
RESULT_HEADERS = [
    "姓名",
    "用户名",
    "单位",
    "执法领域",
    "状态",
    "已考次数",
    "可考次数",
    "得分",
    "结果",
    "最后交卷时间",
    "免考理由",
]


def _cell(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):  # keep it a number in the sheet
        return float(value)
    return neutralise(str(value))


def _time(value):
    return to_local(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _rate(stats):
    return round(stats.pass_rate, 4) if stats.pass_rate is not None else None


def _group_row(stats):
    return [
        _cell(stats.name),
        stats.expected,
        stats.started,
        stats.submitted,
        stats.graded,
        stats.passed,
        stats.not_sat,
        _rate(stats),
    ]


def _finish(workbook):
    bold = Font(bold=True)
    for sheet in workbook.worksheets:
        for cell in sheet[1]:
            cell.font = bold
        sheet.freeze_panes = "A2"
        sheet.column_dimensions["A"].width = 24
    return workbook_bytes(workbook)


def report_workbook(arrangement, report):
    """The 考试统计 as a workbook: 概况, 按单位, 按执法领域, 未参考人员.

    :param report: an :class:`exams.results.reports.ArrangementReport`.
    :return: the ``.xlsx`` bytes.
    """
    workbook = new_workbook()
    summary = workbook.active
    summary.title = "概况"
    p, d = report.participation, report.distribution
    summary.append(["指标", "数值"])
    rows = [
        ("考试名称", arrangement.name),
        (
            "考试时间",
            f"{_time(arrangement.window_start)} 至 {_time(arrangement.window_end)}",
        ),
        ("名单人数", p.enrolled),
        ("免考", p.exempt),
        ("应考", p.expected),
        ("参考", p.started),
        ("交卷", p.submitted),
        ("已评分", p.graded),
        ("合格", p.passed),
        ("未参考", p.not_sat),
        ("合格率", _rate(p)),
        ("平均分", round(d.mean, 2) if d.mean is not None else None),
        ("中位数", d.median),
        ("标准差", round(d.std, 2) if d.std is not None else None),
        ("最低分", d.minimum),
        ("最高分", d.maximum),
    ]
    rows += [(f"分数段 {label}", count) for label, count in d.bands]
    for label, value in rows:
        summary.append([_cell(label), _cell(value)])
    summary.column_dimensions["B"].width = 36

    for title, groups in (("按单位", report.by_unit), ("按执法领域", report.by_domain)):
        sheet = workbook.create_sheet(title)
        sheet.append(GROUP_HEADERS)
        for stats in groups:
            sheet.append(_group_row(stats))
        for cell in sheet["H"][1:]:
            cell.number_format = "0.0%"

    absent = workbook.create_sheet("未参考人员")
    absent.append(["姓名", "用户名", "单位", "手机号", "状态", "截止时间", "临近截止"])
    for outcome in report.not_sat:
        absent.append(
            [
                _cell(outcome.name),
                _cell(outcome.username),
                _cell(outcome.unit),
                _cell(outcome.phone),
                _cell(outcome.status_label),
                _time(outcome.deadline),
                _cell(outcome.urgent),
            ]
        )
        if outcome.urgent:
            for cell in absent[absent.max_row]:
                cell.fill = URGENT_FILL
    return _finish(workbook)


def _verdict(outcome):
    """合格 / 不合格 of the counted attempt (exams.results.definition), "" without."""
    if not outcome.graded:
        return ""
    return "合格" if outcome.passed else "不合格"


def results_workbook(arrangement, report):
    """One row per enrolled candidate with their state and score (成绩单).

    :return: the ``.xlsx`` bytes.
    """
    workbook = new_workbook()
    sheet = workbook.active
    sheet.title = "成绩"
    sheet.append(RESULT_HEADERS)
    for o in report.candidates:
        sheet.append(
            [
                _cell(o.name),
                _cell(o.username),
                _cell(o.unit),
                _cell("、".join(o.domain_names)),
                _cell(o.status_label),
                o.attempts_used,
                o.attempts_allowed,
                _cell(o.score),
                _cell(_verdict(o)),
                _time(o.submitted_at),
                _cell(o.exempt_reason if o.is_exempt else ""),
            ]
        )
    return _finish(workbook)
