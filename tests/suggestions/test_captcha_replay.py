"""A solved (or failed) captcha cannot be used again by replaying the old
session cookie: its nonce is recorded server-side."""

import sqlalchemy as sa

from portal.extensions import db
from portal.oneshot import OneShotToken
from portal.suggestions.models import Suggestion
from tests.suggestions.support import form_data, form_token


def _items():
    return db.session.scalars(sa.select(Suggestion)).all()


def _cookie(app, client):
    return client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value


def _restore(app, client, value):
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], value)


def test_replayed_cookie_with_solved_captcha_is_refused(app, client):
    data = form_data(client)
    old = _cookie(app, client)  # holds the solved challenge
    assert client.post("/suggestions/", data=data).status_code == 302
    assert len(_items()) == 1
    # Replay: the old cookie, a new form, the same right answer.
    _restore(app, client, old)
    again = {**data, "form_token": form_token(client)}
    _restore(app, client, old)
    response = client.post("/suggestions/", data=again)
    assert response.status_code == 400
    assert "验证码已使用过" in response.get_data(as_text=True)
    assert len(_items()) == 1


def test_replayed_cookie_after_a_failed_check_is_refused(app, client):
    data = form_data(client)
    old = _cookie(app, client)
    wrong = {**data, "captcha": str(int(data["captcha"]) + 1)}
    assert client.post("/suggestions/", data=wrong).status_code == 400
    _restore(app, client, old)
    response = client.post("/suggestions/", data=data)
    assert response.status_code == 400
    assert "验证码已使用过" in response.get_data(as_text=True)
    assert _items() == []


def test_expired_nonces_are_pruned(app, client):
    from datetime import datetime

    db.session.add(OneShotToken(nonce="captcha:old", expires_at=datetime(2020, 1, 1)))
    db.session.commit()
    client.post("/suggestions/", data=form_data(client))
    db.session.expire_all()
    nonces = list(db.session.scalars(sa.select(OneShotToken.nonce)))
    assert "captcha:old" not in nonces
    assert len([n for n in nonces if n.startswith("captcha:")]) == 1
