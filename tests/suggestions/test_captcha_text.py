"""The accessible captcha: the same sum asked as text (WCAG 2.1 1.1.1), offline,
with the same session slot, one-shot nonce and rate limit as the image."""

import re

import sqlalchemy as sa

from portal import captcha
from portal.extensions import db
from portal.suggestions.models import Suggestion
from tests.suggestions.support import answer_from_session, form_data

NUMERALS = {d: i for i, d in enumerate(captcha.DIGITS)}


def _value(words):
    """Parse 0-99 in Chinese numerals (the inverse of captcha.chinese_number)."""
    if "十" not in words:
        return NUMERALS[words]
    tens, _, ones = words.partition("十")
    return (NUMERALS[tens] if tens else 1) * 10 + (NUMERALS[ones] if ones else 0)


def _question(page):
    match = re.search(r'data-testid="captcha-question">文字题：(.+?)等于多少？', page)
    assert match, "no text question on the page"
    left, op, right = re.fullmatch(r"(.+?)([加减])(.+)", match.group(1)).groups()
    return _value(left) + (_value(right) if op == "加" else -_value(right))


def test_chinese_numerals():
    assert [captcha.chinese_number(n) for n in (0, 7, 10, 13, 20, 47, 99)] == [
        "零",
        "七",
        "十",
        "十三",
        "二十",
        "四十七",
        "九十九",
    ]


def test_image_form_links_to_the_text_question(app, client):
    page = client.get("/suggestions/").get_data(as_text=True)
    assert 'data-testid="captcha-image"' in page
    assert 'href="/suggestions/?captcha=text"' in page
    assert 'data-testid="captcha-question"' not in page


def test_text_question_is_answered_and_submits(app, client):
    data = form_data(client)  # fills the form fields (and an image challenge)
    response = client.get("/suggestions/?captcha=text")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-testid="captcha-image"' not in page
    assert 'href="/suggestions/"' in page  # back to the picture
    answer = _question(page)
    # The question shown is the session's challenge (the image one was replaced).
    assert str(answer) == answer_from_session(client)
    data["captcha"] = str(answer)
    response = client.post("/suggestions/?captcha=text", data=data)
    assert response.status_code == 302
    assert len(db.session.scalars(sa.select(Suggestion)).all()) == 1


def test_wrong_text_answer_keeps_text_mode_and_asks_anew(app, client):
    data = form_data(client)
    page = client.get("/suggestions/?captcha=text").get_data(as_text=True)
    answer = _question(page)
    data["captcha"] = str(answer + 1)
    response = client.post("/suggestions/?captcha=text", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "验证码不正确" in page
    assert data["description"] in page  # nothing typed is lost
    # A new text question, which the old answer no longer passes (one-shot).
    fresh = _question(page)
    assert str(fresh) == answer_from_session(client)
    assert db.session.scalars(sa.select(Suggestion)).all() == []


def test_text_questions_share_the_captcha_rate_limit(app, client):
    app.config["SUGGESTION_CAPTCHA_RATE_LIMIT"] = "3 per minute"
    assert client.get("/suggestions/captcha.png").status_code == 200
    assert client.get("/suggestions/?captcha=text").status_code == 200
    assert client.get("/suggestions/?captcha=text").status_code == 200
    assert client.get("/suggestions/?captcha=text").status_code == 429
    assert client.get("/suggestions/captcha.png").status_code == 429
    # The plain form (image mode) makes no challenge and is not limited by it.
    assert client.get("/suggestions/").status_code == 200
