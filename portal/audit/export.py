"""Excel export of audit entries."""

from portal.audit import ACTION_LABELS, OUTCOME_LABELS
from portal.spreadsheets import write_workbook
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


def audit_workbook(entries):
    """Write ``entries`` to an ``.xlsx`` workbook and return its bytes."""
    return write_workbook(
        "审计日志",
        HEADERS,
        (
            [
                entry.id,
                to_local(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
                entry.actor_name,
                entry.ip,
                ACTION_LABELS.get(entry.action, entry.action),
                OUTCOME_LABELS.get(entry.outcome, entry.outcome),
                entry.target_type,
                entry.target_label,
                entry.before,
                entry.after,
            ]
            for entry in entries
        ),
        widths=[8, 20, 24, 16, 14, 8, 12, 30, 40, 40],
    )
