"""Targets of the authorization-matrix entries for case supervision (issue #6):
cases, draws, assignments and declarations made per request where the request
changes state, so that earlier principals cannot change later outcomes."""

import hashlib
import itertools
from datetime import date

_serial = itertools.count(1)


def _case(ctx, severity=3):
    """A fresh checked case of world.agency (in every case role's scope)."""
    from casebank.cases.models import CaseFile
    from portal.extensions import db

    n = next(_serial)
    case = CaseFile(
        agency_id=ctx.world.agency.id,
        source_kind="paste",
        sha256=hashlib.sha256(f"matrix-supervision-{n}".encode()).hexdigest(),
        text=f"行政处罚决定书\n测罚〔2026〕{n}号\n罚款100元。",
        doc_number=f"矩阵评查〔2026〕{n}号",
        decision_date=date(2026, 3, 1 + n % 28),
        check_status="checked",
        finding_count=1 if severity else 0,
        max_severity_rank=severity,
    )
    db.session.add(case)
    db.session.commit()
    return case


def draw_url(ctx):
    """A sample draw of world.agency (made once per test)."""
    from casebank.supervision.services import draw_sample
    from portal.actor import Actor
    from portal.extensions import db

    if not hasattr(ctx, "sample_draw"):
        _case(ctx, severity=0)
        draw = draw_sample(ctx.world.agency, "2026-03", Actor.system(), rate=1.0)
        db.session.commit()
        ctx.sample_draw = draw.id
    return f"/casebank/supervision/samples/{ctx.sample_draw}"


def assign_url(ctx):
    if not hasattr(ctx, "supervision_case"):
        ctx.supervision_case = _case(ctx).id
    return f"/casebank/supervision/cases/{ctx.supervision_case}/assign"


def _assignment(ctx, assignee):
    from casebank.supervision.models import ReviewAssignment
    from portal.extensions import db

    assignment = ReviewAssignment(case_id=_case(ctx).id, assignee_id=assignee.id)
    db.session.add(assignment)
    db.session.commit()
    return assignment.id


def cancel_url(ctx):
    """A fresh open assignment (of a throwaway reviewer) per request."""
    return (
        f"/casebank/supervision/assignments/{_assignment(ctx, ctx.throwaway())}/cancel"
    )


def complete_url(ctx):
    """Someone else's open assignment: reviewers get 404, others 403."""
    return f"/casebank/supervision/assignments/{_assignment(ctx, ctx.throwaway())}/complete"


def withdraw_url(ctx):
    """Someone else's declaration: reviewers get 404, others 403."""
    from casebank.supervision.models import InterestDeclaration
    from portal.extensions import db

    declaration = InterestDeclaration(
        user_id=ctx.throwaway().id,
        organisation_id=ctx.world.other_agency.id,
        reason="矩阵测试",
    )
    db.session.add(declaration)
    db.session.commit()
    return f"/casebank/supervision/interests/{declaration.id}/withdraw"
