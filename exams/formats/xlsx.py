"""Excel (.xlsx) question template: build, read and write.

One row per question, columns :data:`TEMPLATE_COLUMNS`. Reading finds the header
row by its names (common variants such as 问题描述/正确答案/分数 are accepted),
reports problems per Excel row number, and refuses hostile files (oversized
uploads, zip bombs, huge sheets) before or while parsing.
"""

import re
from collections.abc import Iterable
from decimal import Decimal

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from exams.formats.model import (
    OPTION_LETTERS,
    TYPE_LABELS,
    ImportedQuestion,
    ImportIssue,
    ImportResult,
    build_question,
    format_blanks,
)
from portal.spreadsheets import (
    is_neutralised,
    neutralise,
    new_workbook,
    open_workbook,
    workbook_bytes,
)
from portal.uploads import DEFAULT_MAX_BYTES, MAX_UNCOMPRESSED_BYTES, FormatError

OPTION_COLUMNS = [f"选项{letter}" for letter in OPTION_LETTERS]
TEMPLATE_COLUMNS = [
    "题型",
    "题干",
    *OPTION_COLUMNS,
    "答案",
    "解析",
    "难度",
    "分值",
    "知识点",
    "法律依据",
    "标签",
]
DEFAULT_MAX_ROWS = 20_000
SHEET_TITLE = "试题"
NOTES_TITLE = "说明"

# Header variants seen in Chinese question-bank spreadsheets → template column.
_HEADER_ALIASES = {
    "题目类型": "题型",
    "试题类型": "题型",
    "类型": "题型",
    "题目": "题干",
    "试题": "题干",
    "问题": "题干",
    "问题描述": "题干",
    "试题内容": "题干",
    "题目内容": "题干",
    "正确答案": "答案",
    "标准答案": "答案",
    "答案解析": "解析",
    "试题解析": "解析",
    "难易程度": "难度",
    "难度系数": "难度",
    "分数": "分值",
    "法条依据": "法律依据",
    "依据": "法律依据",
    "法条": "法律依据",
    "标题": "标题",
    "参考答案": "参考答案",
}
_OPTIONAL_EXTRA = {"标题", "参考答案"}
# Cells starting with these are formulas (or become one) in Excel, WPS and
# LibreOffice; a leading apostrophe keeps them text (CSV/formula injection).
_HEADER_SCAN_ROWS = 20


def _header_name(value: object) -> str:
    name = re.sub(r"[\s*＊]|[（(](?:必填|选填|可选)[)）]", "", _cell_text(value))
    if re.fullmatch(r"[A-Ha-h]", name):
        name = f"选项{name.upper()}"
    if re.fullmatch(r"选项[a-h]", name):
        name = name[:2] + name[2].upper()
    return _HEADER_ALIASES.get(name, name)


def _cell_text(value: object) -> str:
    """Return a cell value as stripped text, undoing our anti-formula apostrophe."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # numbers typed into cells come back as floats
    text = str(value).strip()
    if is_neutralised(text):
        text = text[1:]
    return text


def _safe_cell(value: object) -> object:
    """Neutralise formula-looking text and drop characters XML cannot carry."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if not isinstance(value, str):
        return value
    return neutralise(value)


def _answer_text(question: ImportedQuestion) -> str:
    if question.type == "fill_blank":
        return format_blanks(question.blanks)
    if question.key:
        return "".join(question.key)
    return question.reference_answer


def _row(question: ImportedQuestion) -> list:
    label = TYPE_LABELS.get(question.type, question.type).removesuffix("题")
    options = [question.options.get(letter, "") for letter in OPTION_LETTERS]
    return [
        label,
        question.stem,
        *options,
        _answer_text(question),
        question.explanation,
        question.difficulty,
        question.score,
        question.knowledge_point,
        question.legal_basis,
        "、".join(question.tags),
    ]


def _fill_sheet(sheet, rows: Iterable[list]) -> None:
    """Write the header and ``rows``; works on normal and write-only sheets."""
    widths = {"题干": 50, "解析": 40, "知识点": 24, "法律依据": 28, "标签": 16}
    for index, name in enumerate(TEMPLATE_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(name, 12)
    sheet.freeze_panes = "C2"
    header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    header = []
    for name in TEMPLATE_COLUMNS:
        cell = WriteOnlyCell(sheet, name)
        cell.font, cell.fill = header_font, header_fill
        header.append(cell)
    sheet.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    wrapped = {TEMPLATE_COLUMNS.index("题干"), TEMPLATE_COLUMNS.index("解析")}
    for row in rows:
        values = []
        for index, value in enumerate(row):
            value = _safe_cell(value)
            if index in wrapped and value:
                value = WriteOnlyCell(sheet, value)
                value.alignment = wrap
            values.append(value)
        sheet.append(values)


def write_xlsx(questions: Iterable[ImportedQuestion]) -> bytes:
    """Write questions to an .xlsx in the template layout.

    Text cells starting with ``= + - @``, a tab or a carriage return get a leading
    apostrophe so that no spreadsheet evaluates them as formulas; :func:`read_xlsx`
    removes it again.

    :param questions: the questions to export.
    :return: the workbook bytes.
    """
    # Write-only mode streams rows: a 20,000-question bank exports in seconds.
    workbook = new_workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    _fill_sheet(sheet, (_row(question) for question in questions))
    return workbook_bytes(workbook)


_NOTES = [
    (
        "题型",
        "必填",
        "单选、多选、判断、填空、简答、案例分析（也可写“单选题”“单项选择题”等）",
    ),
    (
        "题干",
        "必填",
        "题目内容，可在单元格内换行（Alt+Enter）。填空题用“____”或“（ ）”标出空位",
    ),
    (
        "选项A–选项H",
        "选择题必填",
        "单选、多选至少填两个选项，从选项A起连续填写；其他题型留空",
    ),
    (
        "答案",
        "必填",
        "单选填一个字母，如 B；多选填全部正确字母，如 ACD；判断填“对”或“错”；"
        "填空题同一空的多个可接受答案用“|”分隔，不同空之间用“;”或“；”分隔，"
        "如“行政复议|复议；行政诉讼”；简答、案例分析填参考答案（可留空）",
    ),
    ("解析", "选填", "答题后向考生展示的解析"),
    ("难度", "选填", "1–5 的整数，1 最易，5 最难"),
    ("分值", "选填", "正数，最多两位小数，如 1 或 2.5；留空则按试卷设置计分"),
    ("知识点", "选填", "知识点路径，层级之间用“/”分隔，如“公共法律知识/行政处罚法”"),
    (
        "法律依据",
        "选填",
        "如“《中华人民共和国行政处罚法》第三十二条”，导入时会与法规库核对",
    ),
    ("标签", "选填", "多个标签用顿号“、”或逗号分隔"),
]

_EXAMPLES = [
    [
        "单选",
        "限制人身自由的行政处罚，只能由（ ）设定。",
        "法律",
        "行政法规",
        "地方性法规",
        "规章",
        *[""] * 4,
        "A",
        "限制人身自由的行政处罚，只能由法律设定。",
        1,
        1,
        "公共法律知识/行政处罚法",
        "《中华人民共和国行政处罚法》第十条",
        "示例、设定权",
    ],
    [
        "多选",
        "根据《中华人民共和国行政处罚法》，下列属于行政处罚种类的有（ ）。",
        "警告、通报批评",
        "罚款",
        "责令改正",
        "暂扣许可证件",
        *[""] * 4,
        "ABD",
        "责令改正是行政机关实施行政处罚时应当提出的要求，不属于行政处罚种类。",
        2,
        2,
        "公共法律知识/行政处罚法",
        "《中华人民共和国行政处罚法》第九条",
        "示例、处罚种类",
    ],
    [
        "填空",
        "违法行为在____年内未被发现的，不再给予行政处罚；涉及公民生命健康安全、"
        "金融安全且有危害后果的，上述期限延长至____年。",
        *[""] * 8,
        "二|2；五|5",
        "法律另有规定的除外。",
        3,
        2,
        "公共法律知识/行政处罚法",
        "《中华人民共和国行政处罚法》第三十六条",
        "示例、追责时效",
    ],
]


def build_template() -> bytes:
    """Build the downloadable import template.

    The "试题" sheet holds the header row and three example rows (tagged 示例);
    the "说明" sheet explains every column and the answer notation.

    :return: the workbook bytes.
    """
    workbook = new_workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    _fill_sheet(sheet, _EXAMPLES)
    types = DataValidation(
        type="list", formula1='"单选,多选,判断,填空,简答,案例分析"', allow_blank=True
    )
    levels = DataValidation(
        type="whole", operator="between", formula1="1", formula2="5", allow_blank=True
    )
    sheet.add_data_validation(types)
    sheet.add_data_validation(levels)
    types.add(f"A2:A{DEFAULT_MAX_ROWS + 1}")
    column = get_column_letter(TEMPLATE_COLUMNS.index("难度") + 1)
    levels.add(f"{column}2:{column}{DEFAULT_MAX_ROWS + 1}")

    notes = workbook.create_sheet(NOTES_TITLE)
    notes.append(["列", "是否必填", "填写说明"])
    for row in _NOTES:
        notes.append(list(row))
    notes.append([])
    notes.append(["注意", "", "导入前请删除“试题”表中的示例行；表头行请勿修改。"])
    notes.append(["", "", f"每个文件最多 {DEFAULT_MAX_ROWS} 道题，文件不超过 20 MB。"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 12
    notes.column_dimensions["C"].width = 90
    for row in notes.iter_rows(min_row=2):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    return workbook_bytes(workbook)


def _find_header(workbook) -> tuple[object, int, dict[str, int]]:
    """Return the sheet, header row number and column indexes by template name."""
    for sheet in workbook.worksheets:
        if sheet.title == NOTES_TITLE:
            continue
        rows = sheet.iter_rows(max_row=_HEADER_SCAN_ROWS, values_only=True)
        for number, row in enumerate(rows, start=1):
            names = [_header_name(value) for value in row]
            if "题干" in names and ("题型" in names or "答案" in names):
                columns: dict[str, int] = {}
                for index, name in enumerate(names):
                    known = name in TEMPLATE_COLUMNS or name in _OPTIONAL_EXTRA
                    if known and name not in columns:
                        columns[name] = index
                return sheet, number, columns
    raise FormatError(
        "未找到表头：表头行应包含“题型”“题干”“答案”等列，请使用下载的导入模板"
    )


def read_xlsx(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_uncompressed: int = MAX_UNCOMPRESSED_BYTES,
) -> ImportResult:
    """Read questions from an .xlsx laid out like the template.

    The first sheet (other than "说明") whose first 20 rows contain a header with
    "题干" and "题型" or "答案" is read. Blank rows are skipped; every other row
    becomes a question or at least one error, located by its Excel row number.

    :param data: the uploaded bytes.
    :param max_bytes: the largest accepted file.
    :param max_rows: the most question rows accepted.
    :param max_uncompressed: the largest accepted uncompressed package size.
    :return: the questions and the per-row issues.
    :raises FormatError: not a readable .xlsx, no header, too large or too many
        rows.
    """
    result = ImportResult(format="xlsx")
    # Formulas are read as formulas (not their cached results) so that a formula
    # cell is reported as such instead of importing whatever it last computed.
    with open_workbook(data, max_bytes, max_uncompressed, data_only=False) as workbook:
        _read_rows(workbook, result, max_rows)
    if not result.questions and not result.issues:
        raise FormatError("文件中没有试题数据行")
    return result


def _read_rows(workbook, result: ImportResult, max_rows: int) -> None:
    sheet, header_row, columns = _find_header(workbook)
    width = max(columns.values()) + 1
    seen = 0
    names = {index: name for name, index in columns.items()}
    rows = sheet.iter_rows(min_row=header_row + 1, max_col=width)
    for number, row in enumerate(rows, start=header_row + 1):
        formulas = [
            names.get(index, f"第{index + 1}列")
            for index, item in enumerate(row)
            if getattr(item, "data_type", None) == "f"
        ]
        cells = [getattr(item, "value", None) for item in row]
        cells += [None] * (width - len(cells))
        if all(_cell_text(value) == "" for value in cells):
            continue
        seen += 1
        if seen > max_rows:
            raise FormatError(f"单个文件最多导入 {max_rows} 道题，请拆分后上传")
        if formulas:
            result.issues.append(
                ImportIssue(
                    f"第{number}行",
                    f"“{'”“'.join(formulas)}”单元格是公式，不导入公式："
                    "请复制后“粘贴为数值”或改为文本再上传",
                )
            )
            continue

        def raw(name: str, cells=cells) -> object:
            index = columns.get(name)
            return None if index is None else cells[index]

        def text(name: str) -> str:
            return _cell_text(raw(name))

        options = {
            letter: text(column)
            for letter, column in zip(OPTION_LETTERS, OPTION_COLUMNS, strict=True)
        }
        result.add(
            *build_question(
                f"第{number}行",
                type_text=text("题型"),
                stem=text("题干"),
                options=options,
                answer=text("答案"),
                explanation=text("解析"),
                difficulty=raw("难度"),
                score=raw("分值"),
                knowledge_point=text("知识点"),
                legal_basis=text("法律依据"),
                tags=text("标签"),
                reference_answer=text("参考答案"),
                title=text("标题"),
            )
        )
