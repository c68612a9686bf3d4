"""The dependency rule: arrows point inward only (web -> application -> domain)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(package: str) -> dict[str, set[str]]:
    """Module file -> top-level names of everything it imports."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[str(path.relative_to(ROOT))] = names
    return found


def test_domain_imports_only_the_standard_library_and_eventsourcing_domain() -> None:
    offenders = {
        path: sorted(
            name
            for name in names
            if name.split(".")[0] not in sys.stdlib_module_names
            and name != "eventsourcing.domain"
            and name.split(".")[0] != "domain"
        )
        for path, names in imported_modules("domain").items()
    }
    assert {p: n for p, n in offenders.items() if n} == {}


@pytest.mark.parametrize("package,forbidden", [
    ("application", ("web", "infrastructure", "flask", "sqlalchemy", "marshmallow")),
    ("domain", ("application", "web", "infrastructure")),
    ("infrastructure", ("web", "flask", "marshmallow")),
])
def test_layers_do_not_import_outer_layers(package: str, forbidden: tuple[str, ...]) -> None:
    offenders = {
        path: sorted(n for n in names if n.split(".")[0] in forbidden)
        for path, names in imported_modules(package).items()
    }
    assert {p: n for p, n in offenders.items() if n} == {}


def test_wsgi_module_only_creates_the_app() -> None:
    tree = ast.parse((ROOT / "wsgi.py").read_text())
    statements = [n for n in tree.body if not isinstance(n, ast.Expr)]
    assert [type(n).__name__ for n in statements] == ["ImportFrom", "Assign"]


API_ROUTE_MODULES = {f"web.{p.stem}" for p in (ROOT / "web").glob("*.py")
                     if "Blueprint(" in p.read_text() and p.stem != "__init__"}


def test_pages_do_not_import_api_route_modules() -> None:
    """Pages read through application/queries and name the API route they mirror by endpoint, so a page never
    reaches into a route module (or decides visibility on its own)."""
    offenders = {}
    for path in sorted((ROOT / "web" / "pages").rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "web":
                names.update(f"web.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
        found = sorted(names & API_ROUTE_MODULES)
        if found:
            offenders[str(path.relative_to(ROOT))] = found
    assert API_ROUTE_MODULES  # the rule would pass vacuously if no route module were found
    assert offenders == {}


def test_web_does_not_import_read_models() -> None:
    """Routes and pages read through the query objects in application/queries, never a read model's module."""
    offenders = {
        path: sorted(n for n in names if n.startswith("infrastructure.read_models"))
        for path, names in imported_modules("web").items()
    }
    assert {p: n for p, n in offenders.items() if n} == {}


READ_MODELS = sorted(f"infrastructure.read_models.{p.stem}" for p in (ROOT / "infrastructure" / "read_models").glob("*.py")
                     if p.stem != "__init__")


def test_read_models_do_not_import_each_other() -> None:
    """A read model reads only its own tables: what it needs of another comes through its own projection of the
    events or through the application, never another model's tables or queries."""
    models = imported_modules("infrastructure/read_models")
    offenders = {
        path: sorted(n for n in names if n.startswith("infrastructure.read_models") and n != own)
        for path, names in models.items()
        for own in [path.removesuffix(".py").replace("/", ".")]
    }
    assert len(READ_MODELS) >= 10  # the rule would pass vacuously if the package moved
    assert {p: n for p, n in offenders.items() if n} == {}


def test_only_the_composition_root_and_tools_import_read_models() -> None:
    """Outside the read models themselves, only the container (and bench/tests) wires them; the application uses
    them through Protocols."""
    offenders = {
        path: sorted(n for n in names if n.startswith("infrastructure.read_models"))
        for package in ("application", "domain", "infrastructure")
        for path, names in imported_modules(package).items()
        if not path.startswith("infrastructure/read_models/") and path != "infrastructure/container.py"
    }
    assert {p: n for p, n in offenders.items() if n} == {}


def container_read_models() -> set[str]:
    """The container's attributes that hold a read model: ``self.x = SomeView(...)`` of a class imported from
    infrastructure/read_models."""
    tree = ast.parse((ROOT / "infrastructure" / "container.py").read_text())
    classes = {alias.asname or alias.name for node in ast.walk(tree)
               if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("infrastructure.read_models")
               for alias in node.names}
    return {target.attr for node in ast.walk(tree) if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name)
            and node.value.func.id in classes
            for target in node.targets if isinstance(target, ast.Attribute)}


# Authentication (a token, or a page session's account or person) resolves who the caller is before there is an
# actor to ask a query object with: it reads the person behind it, and whether an employee has reports, straight from
# those read models.
READ_MODEL_USE_ALLOWED = {"web/auth.py": {"person_view", "directory"},
                          "web/pages/access.py": {"person_view", "account_view"}}


def test_routes_and_pages_read_through_query_objects_not_read_models() -> None:
    """Routes and pages (``jejak()`` in a request) never reach a read model on the container: they call a query
    object in application/queries, which asks the access policy, so no route or page decides visibility itself."""
    read_models = container_read_models()
    offenders: dict[str, set[str]] = {}
    for path in sorted((ROOT / "web").rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        reached = {node.attr for node in ast.walk(tree)
                   if isinstance(node, ast.Attribute) and node.attr in read_models
                   and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name)
                   and node.value.func.id == "jejak"}
        name = str(path.relative_to(ROOT))
        reached -= READ_MODEL_USE_ALLOWED.get(name, set())
        if reached:
            offenders[name] = reached
    assert {"training_view", "talent_view", "feedback_view", "grants", "directory"} <= read_models  # not vacuous
    assert offenders == {}


def test_web_does_not_decide_record_visibility() -> None:
    """Whose career record a caller reads is AccessPolicy.record_scope's answer, asked by the query objects; web/
    neither defines nor calls it."""
    users = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "web").rglob("*.py") if "record_scope" in p.read_text())
    assert users == []
