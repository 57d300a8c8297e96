"""Exports: the statistics workbook (staff) and the open-data CSV (public).

Every text cell goes through :func:`portal.spreadsheets.neutralise`, so text that a
spreadsheet program would evaluate as a formula is shown as text.
"""

import csv
import io

from portal.masking import mask_pii
from portal.spreadsheets import cell, new_workbook, workbook_bytes
from portal.timeutil import to_local

# The open-data columns. The names are a published interface: add columns at the
# end, never rename or drop one (docs/suggestions-oversight.md describes them).
OPEN_DATA_COLUMNS = [
    ("number", lambda s, region: s.number),
    ("category", lambda s, region: s.category),
    ("category_label", lambda s, region: s.category_label),
    ("agency", lambda s, region: _agency(s).name if _agency(s) else ""),
    ("region", lambda s, region: region),
    ("submitted_on", lambda s, region: _date(s.submitted_at)),
    ("status", lambda s, region: s.status),
    ("status_label", lambda s, region: s.status_label),
    ("reply_published_on", lambda s, region: _date(s.reply_published_at)),
    ("description", lambda s, region: mask_pii(s.published_description or "")),
    ("reply", lambda s, region: mask_pii(s.published_reply)),
]
BOM = "\ufeff"


def _agency(suggestion):
    return suggestion.assigned_org or suggestion.organisation


def _date(value):
    return to_local(value).strftime("%Y-%m-%d") if value else ""


def open_data_csv(items, regions):
    """The CSV text (UTF-8 BOM for Excel) of published ``items``.

    :param regions: organisation id → region name.
    """
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([name for name, _ in OPEN_DATA_COLUMNS])
    for item in items:
        agency = _agency(item)
        region = regions.get(agency.id, "") if agency else ""
        writer.writerow([cell(get(item, region)) for _, get in OPEN_DATA_COLUMNS])
    return out.getvalue()


def _section(sheet, title, rows, header=("项目", "件数")):
    sheet.append([])
    sheet.append([title])
    sheet.append(list(header))
    for label, count in rows:
        sheet.append([cell(label), count])


def stats_workbook(figures, period_label, scope_label):
    """The statistics as an ``.xlsx`` workbook; returns its bytes."""
    workbook = new_workbook()
    sheet = workbook.active
    sheet.title = "统计"
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 14
    sheet.column_dimensions["C"].width = 14
    sheet.append(["群众意见建议统计"])
    sheet.append(["统计期间", cell(period_label)])
    sheet.append(["统计范围", cell(scope_label)])
    sheet.append(["件数合计", figures.total])
    sheet.append([])
    sheet.append(["指标", "比率", "分子/分母"])
    sheet.append(
        [
            "按期答复率",
            figures.on_time.percent,
            f"{figures.on_time.numerator}/{figures.on_time.denominator}",
        ]
    )
    sheet.append(
        [
            "答复率",
            figures.replied.percent,
            f"{figures.replied.numerator}/{figures.replied.denominator}",
        ]
    )
    sheet.append(
        [
            "满意率（满意、很满意）",
            figures.satisfied.percent,
            f"{figures.satisfied.numerator}/{figures.satisfied.denominator}",
        ]
    )
    sheet.append(
        [
            "平均评分（1–5）",
            round(figures.mean_rating, 2) if figures.mean_rating is not None else "—",
            f"评价 {figures.rated} 件",
        ]
    )
    sheet.append(
        [
            "重复投诉",
            figures.repeats,
            f"合并 {figures.merged}，同号码重复 {figures.phone_repeats}",
        ]
    )
    _section(sheet, "按问题类别", figures.by_category)
    _section(sheet, "按执法部门", figures.by_agency)
    _section(sheet, "按区域", figures.by_region)
    _section(sheet, "按办理状态", figures.by_status)
    return workbook_bytes(workbook)
