"""The audit of the browser tests can fail: a page with a low-contrast text, an
unlabelled select and an inline script under the portal's CSP is reported."""

import pytest

from portal.security_headers import policy
from tests.browser.axe import PageGuard, assert_accessible

pytestmark = pytest.mark.browser

BAD_PAGE = """<!doctype html><html lang="zh-CN"><head><title>坏页面</title></head>
<body><main><p style="color:#aaa;background:#fff">浅灰色文字</p>
<select name="x"><option>甲</option></select>
<script>document.title = "内联脚本";</script></main></body></html>"""


def test_guard_reports_axe_and_csp_violations(chromium):
    guard = PageGuard()
    context = guard.watch_context(chromium.new_context())
    page = context.new_page()
    page.route(
        "http://portal.test/bad",
        lambda route: route.fulfill(
            status=200,
            content_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": policy("abc123")},
            body=BAD_PAGE,
        ),
    )
    try:
        page.goto("http://portal.test/bad")
        assert page.title() == "坏页面"  # the inline script was blocked
        with pytest.raises(AssertionError) as failure:
            assert_accessible(page)
        assert "color-contrast" in str(failure.value)
        assert "select-name" in str(failure.value)
        with pytest.raises(AssertionError) as failure:
            guard.check([page])
        text = str(failure.value)
        assert "CSP violation" in text
        assert "script-src" in text
        assert "color-contrast" in text
    finally:
        context.close()
