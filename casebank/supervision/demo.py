"""Demo supervision data for ``flask seed demo``: the invited supervisor
``inspector`` (特邀监督员，东湖区) gets two 东湖区城市管理局 cases to review and has
declared an interest in 东湖区市场监督管理局. Idempotent: nothing is added when the
inspector already has an assignment or a declaration."""

import sqlalchemy as sa

from casebank.cases.models import CaseFile
from casebank.supervision import services
from casebank.supervision.models import InterestDeclaration, ReviewAssignment
from portal.auth.models import User

DEMO_REVIEWER = "inspector"
DEMO_AGENCY = "JC-DH-CG"
DEMO_DECLARED = "JC-DH-SJ"


def load_demo_supervision(orgs: dict, actor) -> int:
    """Assign two demo cases to the demo inspector and file one declaration.

    :param orgs: demo organisations by code.
    :return: how many assignments were made.
    """
    from portal.extensions import db

    inspector = db.session.scalar(sa.select(User).where(User.username == DEMO_REVIEWER))
    agency, declared = orgs.get(DEMO_AGENCY), orgs.get(DEMO_DECLARED)
    if inspector is None or agency is None or declared is None:
        return 0
    done = db.session.scalar(
        sa.select(ReviewAssignment.id).where(
            ReviewAssignment.assignee_id == inspector.id
        )
    ) or db.session.scalar(
        sa.select(InterestDeclaration.id).where(
            InterestDeclaration.user_id == inspector.id
        )
    )
    if done:
        return 0
    services.declare_interest(
        inspector, declared, "近亲属在该局担任执法人员（演示数据）", actor
    )
    cases = db.session.scalars(
        sa.select(CaseFile)
        .where(CaseFile.agency_id == agency.id)
        .order_by(CaseFile.id)
        .limit(2)
    ).all()
    for case in cases:
        services.assign_case(case, inspector, actor)
    return len(cases)
