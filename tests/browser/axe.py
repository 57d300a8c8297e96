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

A page state is audited once per test process: the guard fingerprints the state
(URL, viewport, colour-scheme and reduced-motion media, and the serialised DOM
with the per-response CSRF tokens and CSP nonces blanked out) and, for a state it
has audited before, reports the violations found then instead of running axe
again. axe's result is a function of exactly that (the DOM and the portal's
static CSS at that viewport), so every state is still audited and every test
still fails on the violations of the states it shows; only the repeated runs on
identical states (the login page, a list seen again after a round trip) are saved.
"""

import os
import time

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

# The state's fingerprint: what axe's result depends on (see the module text).
FINGERPRINT = """() => {
    const root = document.documentElement.cloneNode(true);
    for (const el of root.querySelectorAll('[nonce]')) el.removeAttribute('nonce');
    for (const el of root.querySelectorAll('input[name="csrf_token"]')) {
        el.removeAttribute('value');
    }
    for (const el of root.querySelectorAll('[data-csrf]')) {
        el.removeAttribute('data-csrf');
    }
    for (const el of root.querySelectorAll('meta[name="csrf-token"]')) {
        el.removeAttribute('content');
    }
    const media = ['(prefers-reduced-motion: reduce)', '(prefers-color-scheme: dark)']
        .map(q => matchMedia(q).matches ? '1' : '0').join('');
    const text = root.outerHTML;
    // cyrb53: a 53-bit string hash (only the digest crosses to Python).
    let h1 = 0xdeadbeef, h2 = 0x41c6ce57;
    for (let i = 0; i < text.length; i++) {
        const ch = text.charCodeAt(i);
        h1 = Math.imul(h1 ^ ch, 2654435761);
        h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    const digest = 4294967296 * (2097151 & h2) + (h1 >>> 0);
    return [location.href, innerWidth, innerHeight, devicePixelRatio, media,
            text.length, digest].join(' ');
}"""

#: fingerprint -> violations, for this test process (see the module text).
_RESULTS = {}
#: audits run and audits answered from ``_RESULTS``, with axe's time in seconds.
STATS = {"run": 0, "reused": 0, "seconds": 0.0}


def axe_source():
    global _axe_source
    if _axe_source is None:
        if not os.path.exists(AXE_PATH):
            pytest.fail(f"{AXE_PATH} missing: run `npm ci` at the repository root")
        with open(AXE_PATH, encoding="utf-8") as handle:
            _axe_source = handle.read()
    return _axe_source


def audit_state(page):
    """:func:`run_axe` once per distinct page state of this test process."""
    key = page.evaluate(FINGERPRINT)
    if key in _RESULTS:
        STATS["reused"] += 1
        return _RESULTS[key]
    started = time.perf_counter()
    violations = run_axe(page)
    STATS["seconds"] += time.perf_counter() - started
    STATS["run"] += 1
    # The page may have changed while axe ran: keep the result only when the
    # state is still the one fingerprinted (a navigation since then: not kept,
    # but this audit's violations still count).
    try:
        unchanged = page.evaluate(FINGERPRINT) == key
    except Exception:  # noqa: BLE001 - the page navigated on or closed
        unchanged = False
    if unchanged:
        _RESULTS[key] = violations
    return violations


def run_axe(page):
    """The critical/serious WCAG 2.1 A/AA violations of ``page`` as it is now.

    A violation must persist to count: when the first run finds one, axe runs
    again once the page's animations have finished and 300 ms have passed, and
    that second result is the answer. An audit that meets the page mid-render
    (stylesheets or a transition not yet applied: colour contrast then fails on
    unstyled elements) is not a finding; a real violation is found twice."""
    violations = _run_axe_once(page)
    if violations:
        page.evaluate(
            "() => Promise.all(document.getAnimations()"
            ".map(a => a.finished.catch(() => null)))"
        )
        page.wait_for_timeout(300)
        violations = _run_axe_once(page)
    return violations


def _run_axe_once(page):
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
            violations = audit_state(page)
        except Exception as error:  # the test navigated on before axe finished
            message = str(error)
            if "context was destroyed" in message or "closed" in message:
                self.interrupted += 1
                return
            raise
        if page.url != url:
            # The test navigated on between axe's steps: the later steps ran on the
            # next document while it was still loading (unstyled elements fail
            # colour contrast). Not this page's result; the next document is
            # audited on its own load event and at the end of the test.
            self.interrupted += 1
            return
        self.audited.append(url)
        if violations:
            self.problems.append(describe(url, violations))

    def check(self, pages):
        """Audit the final state of ``pages`` and fail on anything collected."""
        for page in pages:
            if not page.is_closed():
                self._audit(page)
        assert not self.problems, "\n".join(self.problems)
