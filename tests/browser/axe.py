"""Accessibility (axe-core, WCAG 2.1 A/AA) and Content-Security-Policy checks.

axe-core is a test tool: npm installs it (pinned in package.json /
package-lock.json, ``npm ci``) into ``node_modules/`` at the repository root;
it is never served by the portal.  It is added to every page as a
Playwright init script (``page.evaluate`` when missing); DevTools evaluation is
not subject to the page's CSP.

``assert_accessible(page)`` audits the current page state and fails on any
critical or serious violation.  :class:`PageGuard` (used by the ``browser``
fixture in ``conftest.py``) audits every page on each ``load`` event and
collects Content-Security-Policy violations reported by Chromium, so that each
browser test asserts both for every page it visits.
"""

import os

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
AXE_PATH = os.path.join(ROOT, "node_modules", "axe-core", "axe.min.js")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = ("critical", "serious")
CSP_MARKER = "CSP-VIOLATION"

# Registered before any page script: report every CSP violation on the console.
CSP_LISTENER = (
    "document.addEventListener('securitypolicyviolation', function (e) {"
    f"  console.error('{CSP_MARKER} ' + e.violatedDirective + ' ' + e.blockedURI"
    "    + ' ' + (e.sourceFile || '') + ':' + (e.lineNumber || 0));"
    "}, true);"
)

_axe_source = None


def axe_source():
    global _axe_source
    if _axe_source is None:
        if not os.path.exists(AXE_PATH):
            pytest.fail(f"{AXE_PATH} missing: run `npm ci` at the repository root")
        with open(AXE_PATH, encoding="utf-8") as handle:
            _axe_source = handle.read()
    return _axe_source


def run_axe(page):
    """The critical/serious WCAG 2.1 A/AA violations of ``page`` as it is now."""
    if not page.evaluate("() => !!window.axe"):
        page.evaluate(axe_source())
    result = page.evaluate(
        """async (tags) => {
            // One run at a time per page (a load audit and a final audit may meet).
            const previous = window.__axeQueue || Promise.resolve();
            const run = previous.catch(() => null).then(() => axe.run(document, {
                runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']}));
            window.__axeQueue = run;
            const r = await run;
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')).slice(0, 10),
            }));
        }""",
        WCAG_TAGS,
    )
    return [v for v in result if v["impact"] in FAILING_IMPACTS]


def describe(url, violations):
    lines = [f"axe: {len(violations)} critical/serious violation(s) on {url}"]
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']}")
        lines.extend(f"      {t}" for t in v["targets"])
    return "\n".join(lines)


def assert_accessible(page):
    """Fail when the current state of ``page`` has a critical/serious violation."""
    page.wait_for_load_state("load")
    violations = run_axe(page)
    assert not violations, describe(page.url, violations)


class PageGuard:
    """Audits every page of the contexts it watches; collects the problems."""

    def __init__(self):
        self.problems = []
        self.audited = []
        self.interrupted = 0

    def watch_context(self, context):
        context.add_init_script(CSP_LISTENER)
        # axe is in every page from the start: an audit on load need not send
        # the library first, so fewer are cut short by the test navigating on.
        context.add_init_script(axe_source())
        context.on("page", self.watch_page)
        return context

    def watch_page(self, page):
        page.on("console", lambda message: self._console(page, message))
        page.on("load", lambda: self._audit(page))

    def _console(self, page, message):
        text = message.text
        if CSP_MARKER in text or "Content Security Policy" in text:
            self.problems.append(f"CSP violation on {page.url}: {text}")

    def _audit(self, page):
        url = page.url
        if not url.startswith("http"):
            return
        try:
            violations = run_axe(page)
        except Exception as error:  # the test navigated on before axe finished
            message = str(error)
            if "context was destroyed" in message or "closed" in message:
                self.interrupted += 1
                return
            raise
        self.audited.append(url)
        if violations:
            self.problems.append(describe(url, violations))

    def check(self, pages):
        """Audit the final state of ``pages`` and fail on anything collected."""
        for page in pages:
            if not page.is_closed():
                self._audit(page)
        assert not self.problems, "\n".join(self.problems)
