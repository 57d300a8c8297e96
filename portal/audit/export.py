"""Excel export of audit entries."""

import io

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from portal.audit import ACTION_LABELS, OUTCOME_LABELS
from portal.spreadsheets import neutralise
from portal.timeutil import to_local

HEADERS = [
    "编号",
    "时间",
    "操作人",
    "IP 地址",
    "操作",
    "结果",
    "对象类型",
    "对象",
    "变更前",
    "变更后",
]

MAX_ROWS = 100_000


def _cell(value):
    return neutralise(value) if isinstance(value, str) else value


def audit_workbook(entries):
    """Write ``entries`` to an ``.xlsx`` workbook and return its bytes."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("审计日志")
    for index, width in enumerate([8, 20, 24, 16, 14, 8, 12, 30, 40, 40], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append(HEADERS)
    for entry in entries:
        sheet.append(
            [
                entry.id,
                to_local(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
                _cell(entry.actor_name),
                entry.ip,
                ACTION_LABELS.get(entry.action, entry.action),
                OUTCOME_LABELS.get(entry.outcome, entry.outcome),
                entry.target_type,
                _cell(entry.target_label),
                _cell(entry.before),
                _cell(entry.after),
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
