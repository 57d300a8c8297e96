"""The case page (metadata form, highlighted text, findings, similar cases, the
review panel), rendered by the case views and, with a label error, by the
review views: the shared part lives here so that no view imports another's."""

from decimal import Decimal

from flask import g, render_template
from flask_login import current_user
from wtforms import SelectChoice

from casebank.cases import queries
from casebank.cases.forms import CaseMetadataForm, CsrfOnlyForm
from casebank.cases.highlight import KINDS, highlight, spans_from_review
from casebank.reviews.queries import case_panel
from portal.auth.roles import SUPERVISION_MANAGERS
from portal.masking import mask_pii


def metadata_form(case, agencies, formdata=None):
    form = CaseMetadataForm(
        formdata=formdata, obj=None if formdata is not None else case
    )
    form.agency_id.choices = [SelectChoice(a.id, a.name) for a in agencies]
    if case.agency_id not in {a.id for a in agencies}:
        form.agency_id.choices.insert(0, SelectChoice(case.agency_id, case.agency.name))
    if formdata is None:
        form.party_type.data = case.party_type or ""
        form.fine_yuan.data = (
            Decimal(str(case.fine_yuan)) if case.fine_yuan is not None else None
        )
    return form


def render_case(case, form, status=200, read_only=False):
    from casebank.consistency.peers_view import peer_group
    from casebank.reviews.precision import demoted_codes
    from casebank.supervision.progress import case_progress
    from casebank.supervision.similar import similar_cases

    spans = spans_from_review(case.text, case.review, case.findings)
    similar = similar_cases(current_user, case)
    return (
        render_template(
            "casebank/case_show.html",
            case=case,
            form=form,
            button=CsrfOnlyForm(),
            marked_text=highlight(mask_pii(case.text), spans),
            kinds=KINDS,
            position=queries.fine_position(case),
            read_only=read_only,
            similar=similar,
            similar_positions={
                s.case.id: queries.fine_position(s.case) for s in similar
            },
            review_panel=case_panel(case, current_user, g.get("label_error")),
            peer_group=peer_group(current_user, case),
            demoted=demoted_codes(case),
            # Where the case stands between the steps, for the staff who run them.
            review_progress=(
                case_progress(case)
                if not read_only and current_user.has_role(*SUPERVISION_MANAGERS)
                else None
            ),
        ),
        status,
    )


def render_case_page(case, status=200):
    """The case page as ``show_case`` renders it (for other packages' errors)."""
    agencies = queries.agencies_for(current_user)
    read_only = queries.visible_case(current_user, case.id) is None
    return render_case(case, metadata_form(case, agencies), status, read_only=read_only)
