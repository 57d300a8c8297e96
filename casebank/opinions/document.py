"""The text of a 监督意见书 as the exports print it (shared by .docx and .pdf).

The elements follow 党政机关公文格式 (GB/T 9704-2012): 发文机关标志, 发文字号, 标题,
主送机关, 正文, 发文机关署名, 成文日期 (Arabic numerals), 印章 over the 署名 and date,
and 签发人 only where the organisation configured one. The 发文机关 and 签发人 come
from ``OPINION_ISSUERS`` (organisation code → ``{"authority", "signer"}``, looked up
from the agency upwards), never from the account that clicked 签发.
"""

from dataclasses import dataclass

from flask import current_app


def cn_date(day):
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


@dataclass(frozen=True)
class Section:
    heading: str
    text: str


@dataclass(frozen=True)
class OpinionDocument:
    authority: str  # 发文机关 (标志 and 署名)
    title: str
    number: str  # 发文字号
    addressee: str  # 主送机关
    intro: str
    sections: list
    deadline: str
    signer: str  # "签发人：…" or "" when none is configured
    seal: str  # where the seal goes
    issued: str  # 成文日期


def issuer_of(agency):
    """``(authority, signer)`` for opinions to ``agency``: the nearest configured
    organisation from the agency up; unconfigured → the city's 司法局, no signer."""
    issuers = current_app.config.get("OPINION_ISSUERS") or {}
    node, root = agency, agency
    while node is not None:
        entry = issuers.get(node.code)
        if entry:
            return entry.get("authority") or "", entry.get("signer") or ""
        root = node
        node = node.parent
    default = current_app.config.get("OPINION_AUTHORITY")
    return default or f"{root.name}司法局", ""


def build(opinion) -> OpinionDocument:
    case = opinion.case
    doc_number = case.doc_number or case.original_filename or f"案卷 #{case.id}"
    sections = [
        Section("一、发现的问题", opinion.problems),
        Section("二、监督意见和整改要求", opinion.opinion),
    ]
    if opinion.legal_basis:
        sections.append(Section("三、法律依据", opinion.legal_basis))
    authority, signer = issuer_of(opinion.agency)
    return OpinionDocument(
        authority=authority,
        title="行政执法监督意见书",
        number=opinion.number,
        addressee=f"{opinion.agency.name}：",
        intro=(
            f"经对你单位作出的行政处罚决定（文号：{doc_number}）案卷进行监督检查，"
            "现提出监督意见如下。"
        ),
        sections=sections,
        deadline=(
            f"请于{cn_date(opinion.due_on)}前（{opinion.deadline_workdays}个工作日内）"
            "完成整改，并将整改情况书面报送本机关。"
        ),
        signer=f"签发人：{signer}" if signer else "",
        seal="（印章）",
        issued=cn_date(opinion.issued_on),
    )
