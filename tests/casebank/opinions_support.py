"""Helpers for the 监督意见书 tests: cases, opinions issued through the service,
files made in the test, signing in."""

import io
import secrets
from datetime import date

from PIL import Image

from casebank.cases.models import CaseFile
from casebank.opinions import services
from portal.actor import Actor
from portal.extensions import db
from portal.workdays.services import load_bundled_year
from tests.factories import signed_in
from tests.suggestions.support import pdf_bytes as suggestion_pdf_bytes

PROBLEMS = "一、未告知当事人陈述申辩权利；二、罚款数额超出裁量基准。"
OPINION = "请在期限内重新审查该案，纠正违法行为，并建立法制审核台账。"


def make_case(agency, doc_number="测城管罚〔2026〕5号"):
    """A checked case file of ``agency`` (no stored original)."""
    case = CaseFile(
        agency_id=agency.id,
        source_kind="paste",
        sha256=secrets.token_hex(32),
        text=f"{agency.name}\n行政处罚决定书\n{doc_number}\n当事人：王某。罚款500元。",
        doc_number=doc_number,
        decision_date=date(2026, 9, 1),
        check_status="checked",
    )
    db.session.add(case)
    db.session.commit()
    return case


def issue(case, user, today=None, workdays=15, token=None, **fields):
    """Issue an opinion as ``user`` and commit; return it."""
    draft = services.Draft(
        form_token=token or secrets.token_urlsafe(24),
        problems=fields.pop("problems", PROBLEMS),
        opinion=fields.pop("opinion", OPINION),
        legal_basis=fields.pop("legal_basis", "《中华人民共和国行政处罚法》第四十四条"),
        deadline_workdays=workdays,
        review_id=fields.pop("review_id", None),
    )
    opinion = services.issue_opinion(case, draft, Actor(user=user), today=today)
    db.session.commit()
    return opinion


def load_2026():
    load_bundled_year(2026, Actor.system())
    db.session.commit()


login = signed_in  # signs ``client`` in as ``username``


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_bytes(extra=b""):
    """A small well-formed PDF (optionally carrying ``extra`` in an object): every
    PDF upload is parsed by the PDF check, so the sample has an xref table."""
    return suggestion_pdf_bytes(extra)


def reply_data(opinion, text="已重新审查并撤销原处罚决定，整改完毕。", files=()):
    return {
        "version": str(opinion.version),
        "text": text,
        "attachments": [(io.BytesIO(content), name) for name, content in files],
    }
