"""The public aggregate page and the open-data CSV: figures, published replies, no
personal data, formula guard, rate limits."""

import csv
import io
from datetime import datetime

from freezegun import freeze_time

from portal.suggestions.oversight.export import OPEN_DATA_COLUMNS
from tests.suggestions.oversight_support import known_data_set, make_suggestion

TODAY = "2026-12-06 04:00:00"
PHONE = "13912345678"
ID_NUMBER = "420102199001011234"
NAME = "欧阳娜娜"


def _published(world, **fields):
    values = {
        "status": "closed",
        "accepted_at": datetime(2026, 10, 8, 2, 0),
        "published_reply": "经核查，已责令整改并退还罚款。",
        "reply_published_at": datetime(2026, 11, 20, 2, 0),
        "contact_name": NAME,
        "place": "东湖路 12 号 王记商店",
        "description": f"我的电话 {PHONE}，身份证 {ID_NUMBER}，被乱罚款。",
    }
    values.update(fields)
    return make_suggestion(world.agency, PHONE, **values)


@freeze_time(TODAY)
def test_open_page_shows_figures_and_published_replies_without_personal_data(
    app, world, client
):
    """Does the public page (no login) show the figures of accepted items and the
    published replies, with no phone, name, ID or place?"""
    known_data_set(world)
    item = _published(world)
    unpublished = make_suggestion(
        world.agency, "13811112222", description="未公开的内容"
    )
    response = client.get("/suggestions/open?from=2026-01-01&to=2026-12-06")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert item.number in html
    assert "经核查，已责令整改并退还罚款。" in html
    assert "139****5678" in html  # the phone in the text, masked
    for secret in (PHONE, ID_NUMBER, NAME, "王记商店", "13900000001", "张三丰"):
        assert secret not in html, secret
    assert unpublished.number not in html
    assert "未公开的内容" not in html
    # Received: 10 of the data set + the published one + the unpublished one.
    assert 'data-testid="received">12<' in html
    # Accepted only: A B C D E + the published one.
    assert 'data-testid="total">6<' in html


@freeze_time(TODAY)
def test_open_page_escapes_text(app, world, client):
    """Is markup in a description or reply shown as text on the public page?"""
    _published(
        world,
        description="<script>alert('d')</script> 有问题",
        published_reply="<img src=x onerror=alert(1)>",
    )
    html = client.get("/suggestions/open").get_data(as_text=True)
    assert "<script>alert('d')</script>" not in html
    assert "&lt;script&gt;" in html
    assert "<img src=x onerror" not in html


@freeze_time(TODAY)
def test_open_page_paginates(app, world, client):
    """Are published items shown 20 per page?"""
    for day in range(1, 23):
        _published(world, reply_published_at=datetime(2026, 11, day, 2, 0))
    first = client.get("/suggestions/open").get_data(as_text=True)
    second = client.get("/suggestions/open?page=2").get_data(as_text=True)
    assert first.count('data-testid="published-item"') == 20
    assert second.count('data-testid="published-item"') == 2


@freeze_time(TODAY)
def test_open_data_csv_has_stable_columns_bom_and_no_personal_data(app, world, client):
    """Is the CSV UTF-8 with BOM, with the documented columns, published items
    only, free text masked and no contact data or place?"""
    item = _published(world)
    make_suggestion(world.agency, "13811112222")  # not published
    response = client.get("/suggestions/open/data.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith("\ufeff".encode())
    text = response.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [name for name, _ in OPEN_DATA_COLUMNS]
    assert rows[0] == [
        "number", "category", "category_label", "agency", "region",
        "submitted_on", "status", "status_label", "reply_published_on",
        "description", "reply",
    ]  # fmt: skip
    assert len(rows) == 2
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["number"] == item.number
    assert record["agency"] == "甲区城管局"
    assert record["region"] == "甲区"
    assert record["submitted_on"] == "2026-10-01"
    assert record["reply_published_on"] == "2026-11-20"
    assert "139****5678" in record["description"]
    for secret in (PHONE, ID_NUMBER, NAME, "王记商店"):
        assert secret not in text, secret


@freeze_time(TODAY)
def test_open_data_csv_neutralises_formulas(app, world, client):
    """Does text that a spreadsheet would evaluate start with a quote in the CSV?"""
    _published(
        world,
        description='=HYPERLINK("http://evil","点我")',
        published_reply="+1+cmd|' /C calc'!A0",
    )
    text = client.get("/suggestions/open/data.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["description"].startswith("'=HYPERLINK")
    assert record["reply"].startswith("'+1+cmd")
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)


def test_open_page_rate_limit_answers_429(app, client):
    """Is the public page limited per IP (429 with the Chinese message)?"""
    app.config["SUGGESTION_OPEN_RATE_LIMIT"] = "3 per minute"
    for _ in range(3):
        assert client.get("/suggestions/open").status_code == 200
    response = client.get("/suggestions/open")
    assert response.status_code == 429
    assert "操作过于频繁" in response.get_data(as_text=True)


def test_open_data_rate_limit_answers_429(app, client):
    """Is the CSV download limited per IP?"""
    app.config["SUGGESTION_OPEN_DATA_RATE_LIMIT"] = "2 per minute"
    for _ in range(2):
        assert client.get("/suggestions/open/data.csv").status_code == 200
    assert client.get("/suggestions/open/data.csv").status_code == 429


def test_open_page_refuses_a_bad_period(app, client):
    """Is a malformed period answered 400 with a Chinese message?"""
    response = client.get("/suggestions/open?from=yesterday")
    assert response.status_code == 400
    assert "日期格式不正确" in response.get_data(as_text=True)
