"""The text of a 监督意见书 as the exports print it (shared by .docx and .pdf)."""

from dataclasses import dataclass


def cn_date(day):
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


@dataclass(frozen=True)
class Section:
    heading: str
    text: str


@dataclass(frozen=True)
class OpinionDocument:
    title: str
    number: str
    addressee: str
    intro: str
    sections: list
    deadline: str
    issuer: str
    issued: str


def build(opinion) -> OpinionDocument:
    case = opinion.case
    doc_number = case.doc_number or case.original_filename or f"案卷 #{case.id}"
    sections = [
        Section("一、发现的问题", opinion.problems),
        Section("二、监督意见和整改要求", opinion.opinion),
    ]
    if opinion.legal_basis:
        sections.append(Section("三、法律依据", opinion.legal_basis))
    return OpinionDocument(
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
        issuer=f"签发人：{opinion.issued_by_name}",
        issued=f"签发日期：{cn_date(opinion.issued_on)}",
    )
