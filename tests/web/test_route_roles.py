"""The one declared table of route roles (application/access_policy.py's ROUTE_ROLES) covers every API route."""

from __future__ import annotations

from flask import Flask

from application.access_policy import PAGE_ROLES, ROUTE_ROLES
from tests.web.conftest import Api
from web.auth import PUBLIC_ENDPOINTS
from web.route_table import README, gate_block, readme_block


def api_endpoints(app: Flask) -> set[str]:
    """Every endpoint under /api/ that needs a token."""
    return {rule.endpoint for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/api/") and rule.endpoint not in PUBLIC_ENDPOINTS}


def test_every_api_route_is_in_the_declared_table_and_the_table_names_only_routes(api: Api) -> None:
    assert api_endpoints(api.app) == set(ROUTE_ROLES)


def test_each_route_admits_exactly_the_roles_the_table_declares(api: Api) -> None:
    for endpoint in api_endpoints(api.app):
        assert getattr(api.app.view_functions[endpoint], "_jejak_roles", None) == ROUTE_ROLES[endpoint], endpoint


def test_the_readme_route_gates_are_generated_from_the_table(api: Api) -> None:
    assert readme_block(README.read_text()) == gate_block(api.app), "run: python -m web.route_table --write"


def test_every_page_takes_its_roles_from_the_declared_tables(api: Api) -> None:
    """A page admits the roles of the API route(s) it shows, or, without an API twin, its PAGE_ROLES entry."""
    pages = {rule.endpoint for rule in api.app.url_map.iter_rules()
             if rule.endpoint.startswith("pages.") and hasattr(api.app.view_functions[rule.endpoint], "_jejak_roles")}
    admitted = {getattr(api.app.view_functions[e], "_jejak_roles", None) for e in pages}
    assert set(PAGE_ROLES) <= pages
    assert admitted <= {*ROUTE_ROLES.values(), *PAGE_ROLES.values()} | {
        a | b for a in ROUTE_ROLES.values() for b in ROUTE_ROLES.values()}
