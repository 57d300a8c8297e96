"""Excel export of the admin certificate list (ID numbers masked)."""

import io

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from portal.auth.idcard import mask_id_number
from portal.spreadsheets import neutralise
from portal.timeutil import to_local

HEADERS = [
    "证书编号",
    "姓名",
    "身份证号",
    "所在单位",
    "执法领域",
    "发证日期",
    "有效期至",
    "状态",
    "最近审验年度",
    "状态说明",
]
MAX_ROWS = 100_000


def _cell(value):
    return neutralise(value) if isinstance(value, str) else value


def _date(value):
    return to_local(value).strftime("%Y-%m-%d") if value else ""


def certificates_workbook(certificates, now):
    """Write ``certificates`` to an ``.xlsx`` workbook and return its bytes."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("证书清单")
    for index, width in enumerate([20, 12, 22, 30, 20, 12, 12, 8, 12, 30], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append(HEADERS)
    for certificate in certificates:
        holder = certificate.holder
        sheet.append(
            [
                certificate.number,
                _cell(holder.name),
                mask_id_number(holder.id_number),
                _cell(holder.organisation.name),
                _cell("、".join(certificate.domain_names)),
                _date(certificate.issued_at),
                _date(certificate.expires_at),
                certificate.status_label(now),
                certificate.reviewed_year or "",
                _cell(certificate.status_reason),
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
