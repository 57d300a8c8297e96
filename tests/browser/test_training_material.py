"""A 执法辅助人员 studies a material in real Chromium at phone width: the page sends
heartbeats only while visible (the browser clock is driven by Playwright)."""

import json
from datetime import datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def material_id(live_app):
    """A published district course for auxiliary staff with one text material."""
    from exams.training import services
    from portal.actor import Actor
    from portal.extensions import db
    from portal.orgs.models import Organisation

    with live_app.app_context():
        district = db.session.scalar(
            sa.select(Organisation).where(Organisation.code == "C-A")
        )
        course = services.create_course(
            Actor.system(),
            title="浏览器培训课程",
            description="",
            year=2026,
            credit_hours=Decimal(2),
            for_auxiliary=True,
            for_officer=False,
            organisation_id=district.id,
            paper_id=None,
            quiz_minutes=30,
            quiz_attempts=3,
        )
        material = services.add_text_material(
            course,
            Actor.system(),
            title="岗位须知",
            body="<p>执法辅助人员不具有行政执法资格。</p>",
            required_minutes=1,
        )
        services.publish_course(course, Actor.system(), datetime(2026, 1, 1))
        db.session.commit()
        return material.id


def _anchor(live_app, material_id):
    from exams.training.models import MaterialProgress
    from portal.extensions import db

    with live_app.app_context():
        progress = db.session.scalar(
            sa.select(MaterialProgress).where(
                MaterialProgress.material_id == material_id
            )
        )
        anchor = progress.last_beat_at if progress else "missing"
        db.session.remove()
        return anchor


def test_material_page_beats_only_while_visible(
    browser, live_server, live_app, material_id, screenshot
):
    """Does the page send start, then a beat every 30 s while visible, 'hidden'
    when hidden (the server drops its anchor), nothing while hidden, and start
    again when shown?"""
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.clock.install()
    states = []
    page.on(
        "request",
        lambda r: (
            states.append(json.loads(r.post_data)["state"])
            if "heartbeat" in r.url
            else None
        ),
    )

    def is_beat(response):
        return "heartbeat" in response.url

    try:
        sign_in(page, live_server, "auxiliary")
        with page.expect_response(is_beat) as first:
            page.goto(f"{live_server}/training/materials/{material_id}")
        assert first.value.json()["ok"] is True
        assert states == ["start"]
        assert _anchor(live_app, material_id) is not None
        assert page.locator("text=执法辅助人员不具有行政执法资格。").is_visible()
        screenshot(page, "training-material-phone.png")

        with page.expect_response(is_beat):
            page.clock.run_for(31_000)
        assert states == ["start", "beat"]

        with page.expect_response(is_beat):
            page.evaluate(
                "Object.defineProperty(document, 'visibilityState',"
                " {value: 'hidden', configurable: true});"
                "document.dispatchEvent(new Event('visibilitychange'));"
            )
        assert states[-1] == "hidden"
        assert _anchor(live_app, material_id) is None

        page.clock.run_for(120_000)  # a background tab sends nothing
        assert states == ["start", "beat", "hidden"]

        with page.expect_response(is_beat):
            page.evaluate(
                "Object.defineProperty(document, 'visibilityState',"
                " {value: 'visible', configurable: true});"
                "document.dispatchEvent(new Event('visibilitychange'));"
            )
        assert states[-1] == "start"
        assert _anchor(live_app, material_id) is not None
    finally:
        context.close()
