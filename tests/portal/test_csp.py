"""Content-Security-Policy (issue #16): a nonce-based policy on every response,
a fresh nonce per request, the nonce on the inline blocks that remain, and no
inline event handler in any template."""

import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
NONCE = re.compile(r"'nonce-([A-Za-z0-9_-]+)'")


def _policy(response):
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no CSP on {response.request.path}"
    return dict(
        (part.split(" ", 1) + [""])[:2]
        for part in (p.strip() for p in header.split(";"))
    )


def test_policy_directives(app, client):
    policy = _policy(client.get("/login"))
    nonce = NONCE.search(policy["script-src"]).group(1)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == f"'self' 'nonce-{nonce}'"
    assert policy["style-src"] == f"'self' 'nonce-{nonce}'"
    assert "unsafe-inline" not in policy["script-src"] + policy["style-src"]
    assert "unsafe-eval" not in policy["script-src"]
    assert policy["img-src"] == "'self' data:"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'self'"
    assert policy["form-action"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"


@pytest.mark.parametrize(
    "path",
    ["/login", "/suggestions/", "/suggestions/track", "/no-such-page", "/dashboard"],
)
def test_every_page_has_the_header_and_a_fresh_nonce(app, client, path):
    first = NONCE.search(_policy(client.get(path))["script-src"]).group(1)
    second = NONCE.search(_policy(client.get(path))["script-src"]).group(1)
    assert len(first) >= 22
    assert first != second


def test_signed_in_pages_carry_the_nonce_on_their_inline_blocks(
    app, client, world, auth
):
    assert auth.login("supervision_staff").status_code == 302
    for path in ("/dashboard", "/casebank/dashboard"):
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.get_data(as_text=True)
        nonce = NONCE.search(_policy(response)["script-src"]).group(1)
        for tag in re.findall(r"<(?:script|style)\b[^>]*>", page):
            if "src=" not in tag:
                assert f'nonce="{nonce}"' in tag, (path, tag)
        assert not HANDLER.search(page), path


def test_no_inline_event_handler_or_javascript_url_in_templates():
    offenders = []
    for template in ROOT.glob("**/templates/**/*.html"):
        if "node_modules" in template.parts or ".venv" in template.parts:
            continue
        text = template.read_text(encoding="utf-8")
        for match in HANDLER.finditer(text):
            offenders.append(f"{template.relative_to(ROOT)}: {match.group(0)[-40:]}")
        if "javascript:" in text.lower():
            offenders.append(f"{template.relative_to(ROOT)}: javascript: URL")
    assert not offenders, "\n".join(offenders)


def test_no_inline_script_without_nonce_in_templates():
    offenders = []
    for template in ROOT.glob("**/templates/**/*.html"):
        if "node_modules" in template.parts or ".venv" in template.parts:
            continue
        for tag in re.findall(
            r"<(?:script|style)\b[^>]*>", template.read_text("utf-8")
        ):
            if "src=" not in tag and "csp_nonce()" not in tag:
                offenders.append(f"{template.relative_to(ROOT)}: {tag}")
    assert not offenders, "\n".join(offenders)


def test_admin_filter_fields_have_accessible_names(client, auth, world):
    """The walk with axe found the user-list and audit filters unnamed (select-name,
    label-title-only): every filter field now has an accessible name."""
    import re

    auth.login("sys_admin")
    for path in ("/admin/users", "/admin/audit/"):
        page = client.get(path).get_data(as_text=True)
        form = page[page.index('<form method="get"') :]
        form = form[: form.index("</form>")]
        fields = re.findall(r"<(select|input)\b[^>]*>", form)
        assert fields, path
        for tag in re.finditer(r"<(?:select|input)\b([^>]*)>", form):
            attrs = tag.group(1)
            if 'type="hidden"' in attrs or 'type="submit"' in attrs:
                continue
            assert (
                "aria-label=" in attrs
                or "id=" in attrs
                and re.search(
                    r'<label[^>]*for="' + re.search(r'id="([^"]+)"', attrs).group(1),
                    form,
                )
            ), (path, attrs)
