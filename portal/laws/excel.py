"""Regulations from Excel: one row per article (法规名称, 效力级别, 制定机关, 施行日期,
条号, 条文内容). Every row is checked first; nothing is saved unless all are valid."""

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from nlp.numerals import parse_int
from portal.extensions import db
from portal.laws.models import LEVELS, Law
from portal.spreadsheets import new_workbook, open_workbook, workbook_bytes
from portal.uploads import FormatError

COLUMNS = ["法规名称", "效力级别", "制定机关", "施行日期", "条号", "条文内容"]
MAX_ROWS = 20_000


@dataclass
class ProvisionRows:
    laws: dict = field(
        default_factory=dict
    )  # name -> {"level", "issuer", "date", "articles"}
    errors: list = field(default_factory=list)  # (row, message)

    @property
    def articles(self):
        return sum(len(law["articles"]) for law in self.laws.values())


def build_template():
    """The .xlsx template with a header, an example and a 说明 sheet."""
    workbook = new_workbook()
    sheet = workbook.active
    sheet.title = "法规条文"
    sheet.append(COLUMNS)
    sheet.append(
        [
            "江城市城市市容和环境卫生管理条例",
            "地方性法规",
            "江城市人大常委会",
            "2022-01-01",
            "第四十二条",
            "违反本条例第十二条规定的，由城市管理部门责令限期改正……",
        ]
    )
    help_sheet = workbook.create_sheet("说明")
    for line in (
        "每行一条条文；同一法规的各条写在多行，法规名称、效力级别等各行一致。",
        f"效力级别：{'、'.join(LEVELS[1:])}。",
        "施行日期：YYYY-MM-DD，可留空。条号：写“第四十二条”或“42”。",
        "国家法律请通过“国家法律法规库”导入，不必在此填写。",
    ):
        help_sheet.append([line])
    return workbook_bytes(workbook)


def read_provisions(data):
    """Read and validate a provisions workbook; saves nothing.

    :return: :class:`ProvisionRows` with the laws and every error by row.
    :raises FormatError: not a readable .xlsx or no header row.
    """
    result = ProvisionRows()
    with open_workbook(data) as workbook:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = [str(c or "").strip() for c in next(rows, ())]
        if header[: len(COLUMNS)] != COLUMNS:
            raise FormatError("第一行应为表头：" + "、".join(COLUMNS))
        for number, row in enumerate(rows, start=2):
            if number > MAX_ROWS:
                raise FormatError(f"行数超过 {MAX_ROWS} 行，请分批导入")
            _read_row(number, list(row) + [None] * len(COLUMNS), result)
    existing = set(
        db.session.scalars(sa.select(Law.name).where(Law.name.in_(list(result.laws))))
    )
    for name in sorted(existing):
        result.errors.append((result.laws[name]["row"], f"法规库中已有《{name}》"))
    return result


def _read_row(number, row, result):
    name, level, issuer, effective, article, text = (row[i] for i in range(6))
    if all(v in (None, "") for v in (name, article, text)):
        return
    name = str(name or "").strip().strip("《》")
    if not name:
        result.errors.append((number, "法规名称为空"))
        return
    level = str(level or "").strip() or "地方性法规"
    if level not in LEVELS:
        result.errors.append((number, f"效力级别“{level}”无效"))
    raw = str(article or "").strip()
    digits = raw.removeprefix("第").removesuffix("条")
    number_value = int(digits) if digits.isdigit() else parse_int(digits)
    if not number_value or number_value < 1:
        result.errors.append((number, f"条号“{raw}”无效"))
        return
    text = str(text or "").strip()
    if not text:
        result.errors.append((number, "条文内容为空"))
        return
    when = _date(effective)
    if effective not in (None, "") and when is None:
        result.errors.append((number, f"施行日期“{effective}”应为 YYYY-MM-DD"))
    law = result.laws.setdefault(
        name,
        {
            "row": number,
            "level": level,
            "issuer": str(issuer or "").strip(),
            "date": when,
            "articles": {},
        },
    )
    if number_value in law["articles"]:
        result.errors.append((number, f"《{name}》第{number_value}条重复"))
    law["articles"][number_value] = text


def _date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        return None


def save_provisions(rows, actor):
    """Create every law of a validated workbook (call only when there is no error).

    :return: the created laws.
    """
    from portal.laws.services import add_provision

    if rows.errors:
        raise ValueError("文件有错误，未保存")
    return [
        add_provision(
            actor,
            name=name,
            level=law["level"],
            issuer=law["issuer"],
            effective_date=law["date"],
            articles=sorted(law["articles"].items()),
            source="excel",
        )
        for name, law in rows.laws.items()
    ]
