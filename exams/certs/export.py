"""Excel export of the admin certificate list (ID numbers masked)."""

from portal.masking import mask_id_number
from portal.spreadsheets import write_workbook
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


def _date(value):
    return to_local(value).strftime("%Y-%m-%d") if value else ""


def certificates_workbook(certificates, now):
    """Write ``certificates`` to an ``.xlsx`` workbook and return its bytes."""
    return write_workbook(
        "证书清单",
        HEADERS,
        (
            [
                certificate.number,
                certificate.holder.name,
                mask_id_number(certificate.holder.id_number),
                certificate.holder.organisation.name,
                "、".join(certificate.domain_names),
                _date(certificate.issued_at),
                _date(certificate.expires_at),
                certificate.status_label(now),
                certificate.reviewed_year or "",
                certificate.status_reason,
            ]
            for certificate in certificates
        ),
        widths=[20, 12, 22, 30, 20, 12, 12, 8, 12, 30],
    )
