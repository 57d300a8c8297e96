"""The peer group of a case for its page (chart + table), scope-filtered."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for

from casebank.cases.models import CaseFile
from casebank.consistency import services
from casebank.consistency.models import SCOPE_LABELS
from casebank.supervision.queries import case_visibility
from nlp.peers import reason_words
from portal.extensions import db
from portal.orgs.models import Organisation

MAX_POINTS = 500  # the chart of a very large group shows the nearest cases


def peer_group(user, case: CaseFile) -> dict | None:
    """The comparison of ``case`` with its peers as the viewer may see it.

    Peers the viewer may open carry their number, agency, date, fine and link;
    the others are anonymised (position only).

    :return: None when the case has no comparison key.
    """
    compared = services.compare_case(case.id)
    if compared is None:
        return None
    verdict, rows = compared
    own = next(r for r in rows if r.case_id == case.id)
    others = [r for r in rows if r.case_id != case.id]
    others.sort(key=lambda r: (abs(r.position - own.position), r.case_id))
    others = others[:MAX_POINTS]
    ids = [r.case_id for r in others]
    visible = {}
    if ids:
        visible = {
            row.id: row
            for row in db.session.execute(
                sa.select(
                    CaseFile.id,
                    CaseFile.doc_number,
                    Organisation.name.label("agency"),
                )
                .join(Organisation, CaseFile.agency_id == Organisation.id)
                .where(CaseFile.id.in_(ids), case_visibility(user))
            ).all()
        }
    rule = services.configured_rule()
    points = [_point(own, case.doc_number or case.title, True, True, case.agency.name)]
    for r in sorted(others, key=lambda r: (r.position, r.case_id)):
        seen = visible.get(r.case_id)
        points.append(
            _point(
                r,
                (seen.doc_number or f"案卷 #{r.case_id}") if seen else "其他单位案件",
                seen is not None,
                False,
                seen.agency if seen else None,
            )
        )
    scope = services.configured_scope()
    return {
        "item_code": own.item_code,
        "tier_level": own.tier_level,
        "scope_label": SCOPE_LABELS[scope],
        "group_size": len(rows),
        "min_group": rule.min_group,
        "enough": len(rows) >= rule.min_group,
        "median": _pct(verdict.median),
        "lower": _pct(verdict.lower),
        "upper": _pct(verdict.upper),
        "position": _pct(own.position),
        "direction": verdict.direction,
        "explained": verdict.explained,
        # The words that carry the stated reason (facts or reasoning), shown when
        # they explain an extreme fine.
        "reason_words": _reason_words(case, verdict.direction),
        "points": points,
        "hidden": len(rows) - 1 - len(others),
    }


def _reason_words(case: CaseFile, direction: str | None) -> list[str]:
    if direction is None:
        return []
    aggravating, mitigating = reason_words(
        case.text or "",
        (case.review or {}).get("factors") or [],
        case.matched_item.violation if case.matched_item is not None else "",
        services.compared_tier(case),
    )
    return (aggravating if direction == "high" else mitigating)[:3]


def _pct(value):
    return None if value is None else round(value * 100, 1)


def _point(row, label, visible, is_self, agency):
    return {
        "label": label,
        "agency": agency if visible else None,
        "date": row.decision_date.isoformat()
        if visible and row.decision_date
        else None,
        "fine": row.fine_yuan if visible else None,
        "position": _pct(row.position),
        "url": url_for("casebank.show_case", case_id=row.case_id)
        if visible and not is_self
        else None,
        "self": is_self,
    }
