"""The arrows allowed between the parts of the code (docs/architecture.md).

Every ``import`` in portal/, exams/, casebank/ and nlp/ (module-level and inside
functions) is read with :mod:`ast`; each test names the imports that break one
rule, so a failure says which line to change.
"""

import ast
import functools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("portal", "exams", "casebank", "nlp")
#: Modules that assemble the application: they may import any feature.
# Composition roots wire the features together: the factory, the CLI, the demo seed,
# the dashboards (portal.main) and the workplace's notifications and due dates
# (portal.notifications), which gather every feature's events.
COMPOSITION_ROOTS = (
    "portal",
    "portal.cli",
    "portal.seed",
    "portal.main",
    "portal.notifications",
)
# Known edges from a helper into a feature, each with its reason (to be removed).
# None left: the captcha and its one-shot nonces moved to portal/ (captcha.py,
# oneshot.py), used by the login form and the suggestion form alike.
ALLOWED_HELPER_EDGES = set()
#: Feature packages (everything else under portal/ is the shell and its helpers).
FEATURES = ("exams", "casebank", "portal.suggestions")
#: What the framework-free nlp package must never import.
NLP_FORBIDDEN = (
    "flask",
    "flask_login",
    "flask_wtf",
    "flask_sqlalchemy",
    "sqlalchemy",
    "wtforms",
    "werkzeug",
    "portal",
    "exams",
    "casebank",
)


@functools.cache
def imports():
    """(importer module, is __init__, imported module, imported name, where).

    Read on first use, not at import: every pytest-xdist worker imports this
    module to collect it, only the one that runs it needs the scan."""
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            is_init = parts[-1] == "__init__"
            module = ".".join(parts[:-1] if is_init else parts)
            where = f"{path.relative_to(ROOT)}:"
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    for alias in node.names:
                        found.append(
                            (
                                module,
                                is_init,
                                node.module,
                                alias.name,
                                f"{where}{node.lineno}",
                            )
                        )
                elif isinstance(node, ast.Import):
                    for alias in node.names:
                        found.append(
                            (module, is_init, alias.name, None, f"{where}{node.lineno}")
                        )
    return found


def _top(module):
    return module.split(".")[0]


def _within(module, prefix):
    return module == prefix or module.startswith(prefix + ".")


def feature_of(module):
    """The part a module belongs to: a feature, a composition root, ``nlp``, or
    ``portal.<helper>`` for the shell and its cross-cutting helpers."""
    for root in sorted(COMPOSITION_ROOTS, key=len, reverse=True):
        if module == root or (root != "portal" and _within(module, root)):
            return root
    for feature in FEATURES:
        if _within(module, feature):
            return feature
    if _top(module) == "portal":
        return ".".join(module.split(".")[:2])
    return _top(module)


def _targets(imported, name):
    """The module an import names, and the submodule when ``name`` is one."""
    targets = [imported]
    if name and name != "*":
        targets.append(f"{imported}.{name}")
    return targets


def _is_views(module):
    last = module.split(".")[-1]
    return last == "views" or last.endswith("_views")


def _module_exists(module):
    path = ROOT.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def test_the_scan_sees_the_code():
    importers = {row[0] for row in imports()}
    assert {"nlp.matching", "exams.formats.xlsx", "casebank.cases.views"} <= importers
    assert len(imports()) > 1000


def test_nlp_imports_no_framework_and_no_portal_code():
    bad = [
        f"{where} {imported}"
        for module, _, imported, _, where in imports()
        if _top(module) == "nlp" and _top(imported) in NLP_FORBIDDEN
    ]
    assert bad == [], "nlp/ must stay framework-free:\n" + "\n".join(bad)


def test_the_shell_and_its_helpers_import_no_feature():
    """portal/ helpers (masking, spreadsheets, pdf, numbering, laws …) are used by
    the features and never import them; only the composition roots do."""
    bad = [
        f"{where} {imported}"
        for module, _, imported, _, where in imports()
        if _top(module) == "portal"
        and feature_of(module) not in COMPOSITION_ROOTS + FEATURES
        and feature_of(imported) in FEATURES
        and (module, imported) not in ALLOWED_HELPER_EDGES
    ]
    assert bad == [], "portal helpers import a feature:\n" + "\n".join(bad)


@pytest.mark.parametrize(
    ("one", "other"), [("exams", "casebank"), ("casebank", "exams")]
)
def test_exams_and_casebank_do_not_import_each_other(one, other):
    bad = [
        f"{where} {imported}"
        for module, _, imported, _, where in imports()
        if _top(module) == one and _top(imported) == other
    ]
    assert bad == [], f"{one} imports {other}:\n" + "\n".join(bad)


def test_no_feature_imports_another_features_views():
    bad = []
    for module, _, imported, name, where in imports():
        for target in _targets(imported, name):
            if (
                _top(target) in PACKAGES
                and _is_views(target)
                and _module_exists(target)
                and feature_of(target) != feature_of(module)
                and feature_of(module) not in COMPOSITION_ROOTS
            ):
                bad.append(f"{where} {target}")
    assert bad == [], "views imported across features:\n" + "\n".join(bad)


def test_no_feature_imports_another_features_private_names():
    bad = [
        f"{where} {imported}.{name}"
        for module, _, imported, name, where in imports()
        if name
        and name.startswith("_")
        and _top(imported) in PACKAGES
        and feature_of(imported) != feature_of(module)
    ]
    assert bad == [], "private names imported across features:\n" + "\n".join(bad)


def test_casebank_sub_packages_do_not_import_each_others_views():
    """Shared parts of two screens go to services, queries or a page module
    (e.g. casebank/cases/page.py), never to another sub-package's views."""

    def sub(module):
        return ".".join(module.split(".")[:2])

    bad = []
    for module, is_init, imported, name, where in imports():
        if _top(module) != "casebank" or (is_init and module == "casebank"):
            continue
        for target in _targets(imported, name):
            if (
                _top(target) == "casebank"
                and _is_views(target)
                and target != "casebank.views"  # the blueprint's home
                and _module_exists(target)
                and sub(target) != sub(module)
            ):
                bad.append(f"{where} {target}")
    assert bad == [], "casebank views imported across sub-packages:\n" + "\n".join(bad)


def test_only_cli_modules_and_registration_import_a_cli_module():
    """Jobs, services and views take what they share with the CLI from a service
    module (e.g. casebank/reviewer.py builds the checker for both)."""
    bad = [
        f"{where} {imported}"
        for module, is_init, imported, _, where in imports()
        if _top(imported) in PACKAGES
        and imported.split(".")[-1] == "cli"
        and module.split(".")[-1] != "cli"
        and not is_init
        and feature_of(module) not in COMPOSITION_ROOTS
    ]
    assert bad == [], "a non-CLI module imports a CLI module:\n" + "\n".join(bad)


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("nlp.matching", "nlp"),
        ("portal.masking", "portal.masking"),
        ("portal.laws.services", "portal.laws"),
        ("portal.suggestions.handling.views", "portal.suggestions"),
        ("portal.main.dashboard", "portal.main"),
        ("portal", "portal"),
        ("exams.certs.pdf", "exams"),
        ("casebank.reviews.views", "casebank"),
    ],
)
def test_feature_of(module, expected):
    assert feature_of(module) == expected


def _role_literals(node):
    """The ``Role.X`` attributes of a tuple/list/set or of a call's arguments."""
    items = node.elts if isinstance(node, ast.Tuple | ast.List | ast.Set) else node.args
    return [
        item
        for item in items
        if isinstance(item, ast.Attribute)
        and isinstance(item.value, ast.Name)
        and item.value.id == "Role"
    ]


def test_role_groups_are_named_once():
    """Two or more roles spelled together (a tuple, a set, ``has_role(A, B)``,
    ``roles_required(A, B)``) belong in portal/auth/roles.py as a named group."""
    allowed = {ROOT / "portal/auth/roles.py", ROOT / "portal/auth/models.py"}
    bad = []
    for package in ("portal", "exams", "casebank"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path in allowed:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Tuple | ast.List | ast.Set | ast.Call):
                    if len(_role_literals(node)) >= 2:
                        bad.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert bad == [], "role groups spelled out:\n" + "\n".join(bad)
