"""The consistency report as .xlsx (formula-guarded text) and PDF (CJK font)."""

import io
from xml.sax.saxutils import escape

from openpyxl.styles import Font

from portal.spreadsheets import (
    append,
    new_workbook,
    set_widths,
    workbook_bytes,
)

SCOPE_NAMES = {"city": "同一城市", "region": "同一区县", "agency": "同一执法部门"}
NO_FIGURE = "—"


def _v(value):
    return NO_FIGURE if value is None else value


def parameter_lines(report: dict) -> list[tuple[str, str]]:
    """The data and parameters the report states (reproducibility)."""
    p = report["parameters"]
    return [
        ("监督范围", p["organisation"]),
        (
            "期间（决定日期）",
            f"{p['date_from']} 至 {p['date_to']}（{p['period_label']}）",
        ),
        (
            "比对范围",
            f"同一裁量事项、同一阶次、{SCOPE_NAMES.get(p['scope'], p['scope'])}",
        ),
        ("最小组规模", f"{p['min_group']} 件（不足的组只列件数，不给数值）"),
        ("阶次两端", f"罚款位于阶次幅度下端或上端 {p['extreme']}% 以内"),
        ("案件数", str(p["case_count"])),
        ("案件清单摘要（SHA-256）", p["case_digest"]),
        ("生成时间", p["generated_at"]),
    ]


TABLES = [
    (
        "事项阶次分布",
        "items",
        [
            ("裁量事项", "item_code"),
            ("阶次", "tier_level"),
            ("案件数", "n"),
            ("位置中位数%", "median"),
            ("下四分位%", "q1"),
            ("上四分位%", "q3"),
            ("处于两端占比%", "extreme_share"),
            ("未说明裁量理由占比%", "unreasoned_share"),
            ("与同类不一致件数", "flagged"),
        ],
    ),
    (
        "执法部门",
        "agencies",
        [
            ("执法部门", "agency"),
            ("案件数", "n"),
            ("处于两端占比%", "extreme_share"),
            ("未说明裁量理由占比%", "unreasoned_share"),
            ("与同类不一致件数", "flagged"),
        ],
    ),
    (
        "当事人类型",
        "parties",
        [
            ("裁量事项", "item_code"),
            ("阶次", "tier_level"),
            ("个人件数", ("individual", "n")),
            ("个人位置中位数%", ("individual", "median")),
            ("单位件数", ("organization", "n")),
            ("单位位置中位数%", ("organization", "median")),
            ("差值（单位−个人）", "gap"),
        ],
    ),
    (
        "执法人员",
        "officers",
        [
            ("执法人员", "name"),
            ("执法证号", "cert_no"),
            ("案件数", "n"),
            ("平均偏离同类中位数（百分点）", "mean_gap"),
            ("处于两端占比%", "extreme_share"),
        ],
    ),
]


def _cell(row, key):
    if isinstance(key, tuple):
        return row[key[0]][key[1]]
    return row[key]


def to_xlsx(report: dict) -> bytes:
    """The report as a workbook: a parameters sheet and one sheet per table."""
    workbook = new_workbook()
    sheet = workbook.active
    sheet.title = "说明"
    append(sheet, [report["title"]])
    sheet["A1"].font = Font(bold=True)
    for label, value in parameter_lines(report):
        append(sheet, [label, _v(value)])
    set_widths(sheet, (24, 70))
    for title, key, columns in TABLES:
        ws = workbook.create_sheet(title)
        append(ws, [c[0] for c in columns])
        for header in ws[1]:
            header.font = Font(bold=True)
        for row in report[key]:
            append(ws, [_v(_cell(row, k)) for _, k in columns])
        set_widths(ws, [16] * len(columns))
    return workbook_bytes(workbook)


def to_pdf(report: dict) -> bytes:
    """The report as an A4 landscape PDF with the same tables."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    from portal.pdf import cjk_font

    font = cjk_font()
    body = ParagraphStyle("b", fontName=font, fontSize=9, leading=13, wordWrap="CJK")
    title = ParagraphStyle("t", parent=body, fontSize=16, leading=22)
    heading = ParagraphStyle("h", parent=body, fontSize=12, leading=18, spaceBefore=8)

    def p(text, style=body):
        return Paragraph(escape(str(text)), style)

    story = [p(report["title"], title), Spacer(1, 3 * mm)]
    for label, value in parameter_lines(report):
        story.append(p(f"{label}：{value}"))
    for name, key, columns in TABLES:
        story.append(p(name, heading))
        data = [[p(c[0]) for c in columns]]
        for row in report[key]:
            data.append([p(_v(_cell(row, k))) for _, k in columns])
        if len(data) == 1:
            story.append(p("本期无数据。"))
            continue
        table = Table(data, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        title=report["title"],
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
    ).build(story)
    return buffer.getvalue()
