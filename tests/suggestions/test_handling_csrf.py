"""CSRF protection is really on for the handling forms (TestConfig turns it off
for the other tests)."""

import re

from portal.suggestions.models import Status
from tests.suggestions.handling_support import fresh, login, make_suggestion


def test_handling_form_needs_the_csrf_token(app, world):
    """Is an accept without the token refused (nothing changed) and one with the
    page's token accepted?"""
    suggestion, _ = make_suggestion(world.agency)
    staff = login(app, "supervision_staff")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        url = f"/suggestions/manage/{suggestion.id}/accept"
        response = staff.post(url, data={"version": str(suggestion.version)})
        assert response.status_code == 400
        assert fresh(suggestion.id).status == Status.PENDING
        page = staff.get(f"/suggestions/manage/{suggestion.id}").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        response = staff.post(
            url,
            data={"version": str(fresh(suggestion.id).version), "csrf_token": token[1]},
        )
        assert response.status_code == 302
        assert fresh(suggestion.id).status == Status.ACCEPTED
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
