"""The demo shows consistency supervision at work (issue #13): ``seed demo`` files a
peer group of ten CG-002 一般 decisions of 江城市, and once checked the two fines at
the ends of the tier without a stated reason are flagged 同案不同罚 while the two
explained by stated facts are not; the case page shows the peer chart and the
finding's Chinese label."""

import re

import sqlalchemy as sa

from casebank.cases.models import CaseFile, CaseFinding
from portal.extensions import db


def test_demo_peer_group_flags_its_two_unexplained_outliers(app):
    from casebank.cases.checks import enqueue_pending
    from portal.seed import DEMO_PASSWORD, seed_demo

    seed_demo(users=8)
    db.session.commit()
    enqueue_pending()  # inline without Redis, as `flask seed demo` does
    db.session.expire_all()
    flagged = db.session.scalars(
        sa.select(CaseFile.original_filename)
        .join(CaseFinding, CaseFinding.case_id == CaseFile.id)
        .where(
            CaseFinding.code == "INCONSISTENT_WITH_SIMILAR",
            CaseFinding.closed_at.is_(None),
        )
        .order_by(CaseFile.original_filename)
    ).all()
    # 05: 8,000 元 at the top of 3,000–8,000 with no reason; 07: 2,000 元 below the
    # group with no reason; 08/09 sit at the ends with stated facts.
    assert flagged == ["g01-05.txt", "g01-07.txt"]

    outlier = db.session.scalar(
        sa.select(CaseFile).where(CaseFile.original_filename == "g01-05.txt")
    )
    client = app.test_client()
    signed_in = client.post(
        "/login", data={"login": "supervisor", "password": DEMO_PASSWORD}
    )
    assert signed_in.status_code == 302
    page = client.get(f"/casebank/cases/{outlier.id}").get_data(as_text=True)
    assert "同类案件罚款比对" in page
    assert "与同类案件处罚明显不一致" in page  # the finding's Chinese label
    visible = re.sub(r"<[^>]+>", " ", page)
    assert "INCONSISTENT_WITH_SIMILAR" not in visible  # no English code shown
