"""The query code never sits in the session cookie: the session holds a random
receipt id, the code waits server-side and is shown once."""

import re

from portal.suggestions.views import RECEIPT_KEY
from tests.suggestions.support import form_data


def test_query_code_is_not_in_the_cookie_and_shown_once(app, client):
    response = client.post("/suggestions/", data=form_data(client))
    assert response.status_code == 302
    with client.session_transaction() as session:
        stored = dict(session[RECEIPT_KEY])
    old = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    assert set(stored) == {"number", "receipt"}
    page = client.get("/suggestions/receipt").get_data(as_text=True)
    code = re.search(r'data-testid="code">([^<]+)<', page).group(1)
    assert code
    assert code not in str(stored)
    # Replaying the old cookie does not show the code a second time.
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], old)
    again = client.get("/suggestions/receipt").get_data(as_text=True)
    assert stored["number"] in again
    assert code not in again
    assert 'data-testid="code"' not in again
