"""Statistics for supervision staff: known data set → known figures, scope, period
filter, the Excel export (formula guard, audit)."""

import io
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from freezegun import freeze_time
from openpyxl import load_workbook

from portal.audit.models import AuditLog
from portal.auth.models import Role
from portal.extensions import db
from portal.suggestions.oversight import stats
from portal.suggestions.oversight.stats import Item, compute, phone_repeat_ids
from tests.suggestions.oversight_support import known_data_set, make_suggestion

TODAY = "2026-12-06 04:00:00"  # 12:00 in China
PERIOD = "?from=2026-01-01&to=2026-12-06"


def _figures(condition=None, date_from=date(2026, 1, 1), date_to=date(2026, 12, 6)):
    return stats.load_figures(
        sa.true() if condition is None else condition,
        date(2026, 12, 6),
        date_from,
        date_to,
    )


# Pure figures ---------------------------------------------------------------------


def test_compute_on_time_counts_replied_or_overdue_only():
    """Is the on-time rate taken over items with a deadline that are replied or
    overdue, with the China date of the reply compared to the deadline?"""
    items = [
        Item(1, "fines", "closed", None, due_on=date(2026, 5, 1),
             replied_at=datetime(2026, 5, 1, 15, 59)),  # 23:59 China: on time
        Item(2, "fines", "closed", None, due_on=date(2026, 5, 1),
             replied_at=datetime(2026, 5, 1, 16, 0)),  # 00:00 on 5-2: late
        Item(3, "fines", "processing", None, due_on=date(2026, 5, 1)),  # overdue
        Item(4, "fines", "processing", None, due_on=date(2026, 5, 2)),  # due today
        Item(5, "fines", "pending", None),  # no deadline
    ]  # fmt: skip
    figures = compute(items, date(2026, 5, 2), set(), {}, {})
    assert (figures.on_time.numerator, figures.on_time.denominator) == (1, 3)
    assert figures.on_time.percent == "33.3%"


def test_compute_with_nothing_counted_gives_no_rate():
    """Does an empty period show “—” rather than dividing by zero?"""
    figures = compute([], date(2026, 5, 2), set(), {}, {})
    assert figures.on_time.rate is None
    assert figures.replied.percent == "—"
    assert figures.mean_rating is None


def test_phone_repeat_window_and_keys():
    """Is an item a repeat only for the same phone, agency and category within
    180 days of an earlier item?"""
    rows = [
        (1, "p", 7, "fines", datetime(2026, 1, 1)),
        (2, "p", 7, "fines", datetime(2026, 6, 30)),  # 180 days later: repeat
        (3, "p", 7, "fines", datetime(2027, 1, 1)),  # 185 days after #2: not
        (4, "p", 8, "fines", datetime(2026, 1, 2)),  # other agency
        (5, "p", 7, "fees", datetime(2026, 1, 3)),  # other category
        (6, "q", 7, "fines", datetime(2026, 1, 4)),  # other phone
        (7, "p", None, "fines", datetime(2026, 1, 5)),  # no agency
        (8, "p", None, "fines", datetime(2026, 1, 6)),
    ]
    assert phone_repeat_ids(rows) == {2}


# The known data set ----------------------------------------------------------------


@freeze_time(TODAY)
def test_known_data_set_gives_known_figures(app, world):
    """Do the figures of a data set worked out by hand come out exactly?"""
    known_data_set(world)
    figures = _figures()
    assert figures.total == 10
    # A on time, B one day late (China date), C overdue, E on time; D not yet due.
    assert (figures.on_time.numerator, figures.on_time.denominator) == (2, 4)
    # Accepted A B C D E, approved replies A B E.
    assert (figures.replied.numerator, figures.replied.denominator) == (3, 5)
    assert figures.rated == 3
    assert figures.mean_rating == pytest.approx(11 / 3)
    assert (figures.satisfied.numerator, figures.satisfied.denominator) == (2, 3)
    # F merged; H repeats A; L repeats M (M is before the period).
    assert (figures.repeats, figures.merged, figures.phone_repeats) == (3, 1, 2)
    assert dict(figures.by_category) == {"乱罚款": 6, "乱收费": 3, "乱检查": 1}
    assert dict(figures.by_agency) == {"甲区城管局": 8, "乙县市场监管局": 2}
    assert dict(figures.by_region) == {"甲区": 8, "乙县": 2}
    assert dict(figures.by_status) == {
        "受理中": 4,
        "已合并处理": 1,
        "办理中": 2,
        "已答复": 1,
        "已办结": 2,
    }


@freeze_time(TODAY)
def test_period_filter_uses_china_dates(app, world):
    """Does the period count by the China date of submission (an item sent at
    16:30 UTC on the last day falls into the next China day)?"""
    known_data_set(world)
    make_suggestion(world.agency, submitted_at=datetime(2026, 10, 31, 16, 30))
    october = _figures(date_from=date(2026, 10, 1), date_to=date(2026, 10, 31))
    # A B C E F H I J (Oct 1–22); 16:30 UTC on Oct 31 is Nov 1 in China.
    assert october.total == 8
    november = _figures(date_from=date(2026, 11, 1), date_to=date(2026, 11, 30))
    assert november.total == 2  # D and the late-night item


@freeze_time(TODAY)
def test_staff_page_shows_the_figures_of_their_region(app, world, factories, auth):
    """Does a district's supervision staff member see only the district's items,
    and city staff all of them?"""
    known_data_set(world)
    factories.user(
        username="district-staff",
        role=Role.SUPERVISION_STAFF,
        scope=world.district,
        organisation=world.agency,
    )
    auth.login("district-staff")
    page = auth._client.get("/suggestions/manage/stats" + PERIOD)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-testid="total">8<' in html
    assert "乙县市场监管局" not in html
    # A B C on-time base; E is in 乙县.
    assert 'data-testid="on-time">33.3%<' in html

    auth.logout()
    auth.login("supervision_staff")
    html = auth._client.get("/suggestions/manage/stats" + PERIOD).get_data(as_text=True)
    assert 'data-testid="total">10<' in html
    assert 'data-testid="on-time">50.0%<' in html
    assert 'data-testid="reply-rate">60.0%<' in html
    assert 'data-testid="satisfied">66.7%<' in html
    assert 'data-testid="repeats">3<' in html
    assert 'data-testid="mean-rating">3.67<' in html
    assert "13900000001" not in html


@freeze_time(TODAY)
def test_bad_period_is_refused_in_chinese(app, world, auth):
    """Is a malformed or reversed period answered 400 with a Chinese message?"""
    auth.login("supervision_staff")
    response = auth._client.get("/suggestions/manage/stats?from=2026-13-01&to=")
    assert response.status_code == 400
    assert "日期格式不正确" in response.get_data(as_text=True)
    response = auth._client.get(
        "/suggestions/manage/stats?from=2026-12-01&to=2026-01-01"
    )
    assert response.status_code == 400
    assert "开始日期不能晚于结束日期" in response.get_data(as_text=True)


@freeze_time(TODAY)
def test_excel_export_has_the_figures_and_neutralises_formulas(
    app, world, factories, auth
):
    """Does the .xlsx carry the figures, show an agency named like a formula as
    text, and leave one audit entry?"""
    known_data_set(world)
    evil = factories.org('=HYPERLINK("http://x")', "agency", world.district)
    make_suggestion(evil, submitted_at=datetime(2026, 11, 1, 2, 0))
    auth.login("supervision_staff")
    response = auth._client.get("/suggestions/manage/stats.xlsx" + PERIOD)
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if row}
    assert rows["件数合计"][0] == 11
    assert rows["按期答复率"][:2] == ("50.0%", "2/4")
    assert rows["重复投诉"][0] == 3
    assert '\'=HYPERLINK("http://x")' in rows
    assert not any(
        isinstance(cell, str) and cell.startswith("=")
        for row in sheet.iter_rows(values_only=True)
        for cell in row
    )
    entry = db.session.scalar(
        sa.select(AuditLog).where(AuditLog.action == "suggestion_stats_exported")
    )
    assert entry is not None
    assert "2026-01-01" in entry.after
