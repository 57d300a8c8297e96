"""The .xlsx template of a benchmark catalogue: build, read and write.

The workbook is the ``zhifa.benchmarks/1`` document laid out for people:

* sheet 目录信息 — one ``字段 | 值`` row per header key;
* sheet 通用规则 — one row per general rule;
* sheet 裁量基准 — **one row per tier**; the item's own columns (编号, 违法行为,
  provisions, statutory range) are repeated on each of its tier rows;
* sheet 说明 — instructions.

Lists (provisions, measures) hold one entry per line of the cell. Fine rows are
written one per line as ``当事人：下限~上限单位`` — e.g. ``个人：5000~10000元``,
``单位：1~3倍（违法所得）``, ``不分：0~5%（工程造价）``, ``不分：5~10元/平方米`` —
with an optional ``【条件】`` suffix (the ``condition`` extension). Reading builds
the same dict as the JSON format, which then goes through the same validation.
Uploads are opened with the size and zip-bomb guards of the question importer.
"""

import re
from datetime import date, datetime

from openpyxl.styles import Alignment, Font, PatternFill

from nlp.catalogue import FORMAT, RULE_KINDS
from portal.spreadsheets import (
    append,
    is_neutralised,
    new_workbook,
    open_workbook,
    workbook_bytes,
)
from portal.uploads import FormatError

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000

INFO_TITLE = "目录信息"
RULES_TITLE = "通用规则"
TIERS_TITLE = "裁量基准"
NOTES_TITLE = "说明"

INFO_FIELDS = [
    ("格式", "format"),
    ("目录名称", "name"),
    ("制定机关", "issuer"),
    ("适用地域", "jurisdiction"),
    ("生效日期", "effective_from"),
    ("失效日期", "effective_to"),
    ("备注", "note"),
]
RULE_COLUMNS = ["编号", "类型", "依据", "适用条件"]
TIER_COLUMNS = [
    "事项编号",
    "执法领域",
    "违法行为",
    "违反条款",
    "处罚依据",
    "法定处罚种类",
    "法定罚款",
    "裁量阶次",
    "适用条件",
    "处罚种类",
    "罚款",
]
ITEM_COLUMNS = TIER_COLUMNS[:7]

RULE_KIND_NAMES = {
    "no_penalty": "不予处罚",
    "first_offence_may_exempt": "首违可不罚",
    "mitigate": "从轻/减轻",
    "aggravate": "从重",
    "time_barred": "超过追责时效",
}
_KIND_BY_NAME = {name: kind for kind, name in RULE_KIND_NAMES.items()}
_KIND_BY_NAME.update({"从轻": "mitigate", "减轻": "mitigate", "从轻减轻": "mitigate"})
PARTY_NAMES = {"any": "不分", "individual": "个人", "organization": "单位"}
_PARTY_BY_NAME = {name: party for party, name in PARTY_NAMES.items()}
_PARTY_BY_NAME.update(
    {"个人或单位": "any", "法人": "organization", "组织": "organization"}
)

_NUMBER = r"\d+(?:\.\d+)?"
_FINE_RE = re.compile(
    rf"""^(?:(?P<party>[^:：~～\d]+)[:：])?\s*
    (?P<min>{_NUMBER})?\s*[~～]\s*(?P<max>{_NUMBER})?\s*
    (?P<unit>元/(?P<per>[^【]+?)|元|倍(?:[（(](?P<mbase>[^【]*)[)）])?
        |%(?:[（(](?P<pbase>[^【]*)[)）])?)\s*
    (?:【(?P<cond>.*)】)?$""",
    re.X,
)
_FINE_SPLIT = re.compile(r"\n|[；;](?![^【]*】)")


# Writing -------------------------------------------------------------------------


def _number(value) -> str:
    if value is None:
        return ""
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


def format_fine(fine: dict) -> str:
    """One fine row of the JSON format as the template's text."""
    party = PARTY_NAMES.get(fine.get("party", "any"), fine.get("party", "any"))
    unit, base = fine["unit"], fine.get("base") or ""
    suffix = {
        "yuan": "元",
        "multiple": f"倍（{base}）",
        "percent": f"%（{base}）",
        "yuan_per_unit": f"元/{base}",
    }[unit]
    text = f"{party}：{_number(fine.get('min'))}~{_number(fine.get('max'))}{suffix}"
    if fine.get("condition"):
        text += f"【{fine['condition']}】"
    return text


def _lines(values) -> str:
    return "\n".join(values or [])


def _header(sheet, columns, widths):
    sheet.append(columns)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = fill
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"


def _rows(sheet, rows):
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        append(sheet, row)
        for cell in sheet[sheet.max_row]:
            cell.alignment = wrap


def write_xlsx(document: dict) -> bytes:
    """Write a ``zhifa.benchmarks/1`` document as the .xlsx template.

    :param document: the JSON document (e.g. :func:`casebank.queries.export_document`).
    :return: the workbook bytes.
    """
    workbook = new_workbook()
    info = workbook.active
    info.title = INFO_TITLE
    _header(info, ["字段", "值"], [14, 80])
    _rows(
        info,
        [
            [label, document.get(key) or ("" if key != "format" else FORMAT)]
            for label, key in INFO_FIELDS
        ],
    )
    rules = workbook.create_sheet(RULES_TITLE)
    _header(rules, RULE_COLUMNS, [12, 14, 40, 60])
    _rows(
        rules,
        [
            [
                r.get("id"),
                RULE_KIND_NAMES.get(r.get("kind"), r.get("kind")),
                r.get("basis"),
                r.get("condition"),
            ]
            for r in document.get("general_rules") or []
        ],
    )
    tiers = workbook.create_sheet(TIERS_TITLE)
    _header(tiers, TIER_COLUMNS, [10, 10, 36, 30, 30, 20, 24, 10, 40, 24, 28])
    rows = []
    for item in document.get("items") or []:
        statutory = item.get("statutory") or {}
        head = [
            item.get("id"),
            item.get("domain"),
            item.get("violation"),
            _lines(item.get("violated_provisions")),
            _lines(item.get("penalty_provisions")),
            _lines(statutory.get("measures")),
            "\n".join(format_fine(f) for f in statutory.get("fines") or []),
        ]
        for tier in item.get("tiers") or [{}]:
            rows.append(
                [
                    *head,
                    tier.get("level", ""),
                    tier.get("condition", ""),
                    _lines(tier.get("measures")),
                    "\n".join(format_fine(f) for f in tier.get("fines") or []),
                ]
            )
    _rows(tiers, rows)
    _notes(workbook.create_sheet(NOTES_TITLE))
    return workbook_bytes(workbook)


_NOTES = [
    "裁量基准导入模板（zhifa.benchmarks/1 格式的表格形式）",
    "",
    "“目录信息”表：填写目录名称、制定机关、适用地域、生效日期（YYYY-MM-DD）；失效日期可留空（长期有效）。",
    "“通用规则”表：每行一条；类型为 不予处罚、首违可不罚、从轻/减轻、从重、超过追责时效 之一。",
    "“裁量基准”表：每个裁量阶次一行。同一事项的各阶次行事项编号相同，须相邻，由轻到重排列；"
    "事项编号、执法领域、违法行为、条款、法定处罚可只在第一行填写，其余行留空或填写相同内容。",
    "违反条款、处罚依据、处罚种类：一个单元格内每行一项（Alt+Enter 换行），条款写法如"
    "《城市道路管理条例》第二十七条第（六）项。",
    "罚款：每行一种，写作“当事人：下限~上限单位”。当事人为 不分、个人 或 单位；单位为 元、"
    "倍（基数）、%（基数）或 元/计量单位。例如：",
    "    个人：5000~10000元",
    "    单位：1~3倍（违法所得）",
    "    不分：0~5%（工程造价）",
    "    不分：5~10元/平方米",
    "    不分：10000~（无上限时上限留空）",
    "    不分：50000~100000元【货值金额不足一万元】（【】内为该行适用条件，可省略）",
    "某阶次不处罚款时，罚款留空。",
    "导入时逐项校验，错误会指明事项编号和字段；有任何错误时不保存任何内容。",
]

_EXAMPLE = {
    "format": FORMAT,
    "name": "某市城市管理行政处罚裁量基准",
    "issuer": "某市城市管理局",
    "jurisdiction": "某市",
    "effective_from": "2023-12-01",
    "effective_to": None,
    "general_rules": [
        {
            "id": "G-33-1",
            "kind": "no_penalty",
            "basis": "《中华人民共和国行政处罚法》第三十三条第一款",
            "condition": "违法行为轻微并及时改正，没有造成危害后果",
        }
    ],
    "items": [
        {
            "id": "CG-012",
            "domain": "城市管理",
            "violation": "擅自在桥梁或者路灯设施上设置广告牌或者其他挂浮物",
            "violated_provisions": ["《城市道路管理条例》第二十七条第（六）项"],
            "penalty_provisions": ["《城市道路管理条例》第四十二条"],
            "statutory": {
                "measures": ["责令限期改正"],
                "fines": [{"party": "any", "min": 0, "max": 20000, "unit": "yuan"}],
            },
            "tiers": [
                {
                    "level": "轻微",
                    "condition": "单体面积2平方米以下，或者设置3处以下",
                    "measures": ["责令限期改正"],
                    "fines": [{"party": "any", "min": 0, "max": 5000, "unit": "yuan"}],
                },
                {
                    "level": "一般",
                    "condition": "单体面积2平方米以上10平方米以下，或者3处以上10处以下",
                    "measures": ["责令限期改正"],
                    "fines": [
                        {"party": "any", "min": 5000, "max": 10000, "unit": "yuan"}
                    ],
                },
            ],
        }
    ],
}


def _notes(sheet):
    sheet.column_dimensions["A"].width = 110
    for line in _NOTES:
        sheet.append([line])
    sheet["A1"].font = Font(bold=True, size=13)


def build_template() -> bytes:
    """The blank template with one example item (the spec's) to overwrite."""
    return write_xlsx(_EXAMPLE)


# Reading -------------------------------------------------------------------------


def _text(value) -> str:
    """A cell as stripped text, undoing our anti-formula apostrophe."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if is_neutralised(text):
        text = text[1:]
    return text


def _split_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def parse_fine(text: str):
    """Parse one fine line; return the JSON dict or None when unreadable."""
    match = _FINE_RE.match(text.strip())
    if not match:
        return None
    party_name = (match["party"] or "").strip()
    party = _PARTY_BY_NAME.get(party_name, party_name or "any")
    unit_text = match["unit"]
    if unit_text.startswith("元/"):
        unit, base = "yuan_per_unit", match["per"]
    elif unit_text == "元":
        unit, base = "yuan", None
    elif unit_text.startswith("倍"):
        unit, base = "multiple", match["mbase"]
    else:
        unit, base = "percent", match["pbase"]
    fine = {
        "party": party,
        "min": _to_number(match["min"]),
        "max": _to_number(match["max"]),
        "unit": unit,
    }
    if base and base.strip():
        fine["base"] = base.strip()
    if match["cond"] and match["cond"].strip():
        fine["condition"] = match["cond"].strip()
    return fine


def _to_number(text):
    if text is None:
        return None
    value = float(text)
    return int(value) if value.is_integer() else value


def _sheet(workbook, title):
    return workbook[title] if title in workbook.sheetnames else None


def _columns(header_row, names) -> dict[str, int]:
    found = {}
    for index, value in enumerate(header_row):
        name = re.sub(r"[\s*＊]", "", _text(value))
        if name in names and name not in found:
            found[name] = index
    return found


def read_xlsx(data: bytes, max_bytes: int = MAX_BYTES) -> tuple[dict, list[str]]:
    """Read the template into the JSON document's dict.

    :param data: the uploaded bytes.
    :return: ``(document, errors)`` — errors of the table layout (an unreadable
        fine, an item split over non-adjacent rows …), each naming the row and the
        item; the document then goes through the JSON validation.
    :raises FormatError: not a readable .xlsx, too large, or not the template.
    """
    errors: list[str] = []
    with open_workbook(data, max_bytes) as workbook:
        info, rules, tiers = (
            _sheet(workbook, t) for t in (INFO_TITLE, RULES_TITLE, TIERS_TITLE)
        )
        if info is None or tiers is None:
            raise FormatError(
                f"不是裁量基准模板：缺少“{INFO_TITLE}”或“{TIERS_TITLE}”工作表，"
                "请使用下载的导入模板"
            )
        document = _read_info(info)
        document["general_rules"] = _read_rules(rules, errors) if rules else []
        document["items"] = _read_tiers(tiers, errors)
    for item in document["items"]:
        item.pop("_cells", None)  # the reader's bookkeeping
    return document, errors


def _read_info(sheet) -> dict:
    keys = dict(INFO_FIELDS)
    keys.update({key: key for _, key in INFO_FIELDS})
    document: dict = {"format": FORMAT}
    for row in sheet.iter_rows(min_row=1, max_row=50, max_col=2, values_only=True):
        label = _text(row[0]) if row else ""
        if label in keys:
            value = _text(row[1]) if len(row) > 1 else ""
            key = keys[label]
            document[key] = value or (FORMAT if key == "format" else None)
    return document


def _read_rules(sheet, errors) -> list[dict]:
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    columns = _columns(header, RULE_COLUMNS)
    if "编号" not in columns or "类型" not in columns:
        errors.append(f"“{RULES_TITLE}”表缺少“编号”或“类型”列")
        return []
    result = []
    for number, row in enumerate(rows, start=2):
        if number > MAX_ROWS:
            raise FormatError(f"“{RULES_TITLE}”表超过 {MAX_ROWS} 行")
        cells = {
            name: _text(row[i]) if i < len(row) else "" for name, i in columns.items()
        }
        if not any(cells.values()):
            continue
        kind = cells.get("类型", "")
        result.append(
            {
                "id": cells.get("编号") or None,
                "kind": _KIND_BY_NAME.get(kind, kind)
                if kind not in RULE_KINDS
                else kind,
                "basis": cells.get("依据", ""),
                "condition": cells.get("适用条件", ""),
            }
        )
    return result


def _read_tiers(sheet, errors) -> list[dict]:
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    columns = _columns(header, TIER_COLUMNS)
    missing = [c for c in ("事项编号", "违法行为", "裁量阶次") if c not in columns]
    if missing:
        raise FormatError(f"“{TIERS_TITLE}”表缺少列：{'、'.join(missing)}")
    items: list[dict] = []
    first_row: dict[str, int] = {}
    current = None
    for number, row in enumerate(rows, start=2):
        if number > MAX_ROWS:
            raise FormatError(f"“{TIERS_TITLE}”表超过 {MAX_ROWS} 行")
        cells = {
            name: _text(row[i]) if i < len(row) else "" for name, i in columns.items()
        }
        if not any(cells.values()):
            continue
        item_id = cells.get("事项编号", "") or (current["id"] if current else "")
        where = f"第{number}行（事项 {item_id or '?'}）"
        if not item_id:
            errors.append(f"第{number}行：缺少事项编号")
            continue
        if current is None or current["id"] != item_id:
            if item_id in first_row:
                errors.append(
                    f"{where}：事项 {item_id} 的各阶次行须相邻"
                    f"（首次出现在第{first_row[item_id]}行）"
                )
                continue
            first_row[item_id] = number
            current = _new_item(item_id, cells, where, errors)
            items.append(current)
        else:
            _check_same(current, cells, where, errors)
        if cells.get("裁量阶次") or cells.get("适用条件") or cells.get("罚款"):
            current["tiers"].append(
                {
                    "level": cells.get("裁量阶次") or None,
                    "condition": cells.get("适用条件", ""),
                    "measures": _split_lines(cells.get("处罚种类", "")),
                    "fines": _fines(cells.get("罚款", ""), f"{where} 罚款", errors),
                }
            )
    return items


def _new_item(item_id, cells, where, errors) -> dict:
    return {
        "id": item_id,
        "domain": cells.get("执法领域", ""),
        "violation": cells.get("违法行为") or None,
        "violated_provisions": _split_lines(cells.get("违反条款", "")),
        "penalty_provisions": _split_lines(cells.get("处罚依据", "")),
        "statutory": {
            "measures": _split_lines(cells.get("法定处罚种类", "")),
            "fines": _fines(cells.get("法定罚款", ""), f"{where} 法定罚款", errors),
        },
        "tiers": [],
        "_cells": {c: cells.get(c, "") for c in ITEM_COLUMNS},
    }


def _check_same(item, cells, where, errors):
    for column in ITEM_COLUMNS[1:]:
        value = cells.get(column, "")
        if value and value != item["_cells"][column]:
            errors.append(f"{where}：{column}与该事项第一行不一致")


def _fines(text: str, where: str, errors) -> list[dict]:
    fines = []
    for part in _FINE_SPLIT.split(text or ""):
        if not part.strip():
            continue
        fine = parse_fine(part)
        if fine is None:
            errors.append(
                f"{where}：“{part.strip()[:40]}”无法识别，应写作“个人：5000~10000元”"
                "“单位：1~3倍（违法所得）”等"
            )
        else:
            fines.append(fine)
    return fines
