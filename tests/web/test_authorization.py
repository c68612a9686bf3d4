"""Authorization: every route makes an explicit role decision, and the matrix of who may call what holds."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID, uuid4

import pytest

from application.actor import system_actor
from application.rulebook import default_rules
from tests.conftest import _make
from tests.web.conftest import OTHER_NIP, STAFF_NIP, SUPERVISOR_NIP, Api, seeded_api

PROBLEM = "application/problem+json"
PERSONAL = ("nip", "birth_date", "sex", "service_start")
NEW_NIP = "198503152010011001"

# The callers of the matrix: each role with a token, and None for a request without one.
ROLES = ("hr_admin", "supervisor", "employee", "committee", "auditor", "investigator")
CALLERS: tuple[str | None, ...] = (*ROLES, None)

# Expected role sets, written out from the route definitions in web/*.py (not read from the views).
PUBLIC = frozenset({*ROLES, None})
EVERYONE = frozenset(ROLES)
READERS = frozenset({"hr_admin", "supervisor", "employee", "committee", "auditor"})  # no investigator
GRANT_READERS = frozenset({"hr_admin", "auditor"})
HR = frozenset({"hr_admin"})
AUDITOR = frozenset({"auditor"})

ROUTES: list[tuple[str, str, frozenset[str | None]]] = [
    ("GET", "/api/health", PUBLIC),
    ("GET", "/api/openapi.json", PUBLIC),
    ("GET", "/api/docs", PUBLIC),
    ("GET", "/api/docs/static/swagger-ui.css", PUBLIC),
    ("GET", "/api/me", EVERYONE),
    ("GET", "/api/access-grants", GRANT_READERS),
    ("POST", "/api/access-grants", HR),
    ("POST", "/api/access-grants/{grant}/revocation", HR),
    ("GET", "/api/units", EVERYONE),
    ("POST", "/api/units", HR),
    ("GET", "/api/units/BKPSDM", EVERYONE),
    ("PATCH", "/api/units/BKPSDM", HR),
    ("GET", "/api/employees", READERS),
    ("POST", "/api/employees", HR),
    ("GET", "/api/employees/{staff}", READERS),
    ("GET", "/api/employees/{supervisor}/reports", READERS),
    ("POST", "/api/employees/{staff}/unit-changes", HR),
    ("POST", "/api/employees/{staff}/position-changes", HR),
    ("POST", "/api/employees/{staff}/supervisor-changes", HR),
    ("POST", "/api/employees/{staff}/rank-changes", HR),
    ("GET", "/api/rule-sets", EVERYONE),
    ("POST", "/api/rule-sets", HR),
    ("GET", "/api/rule-sets/in-effect", EVERYONE),
    ("GET", "/api/rule-sets/1", EVERYONE),
    ("GET", "/api/audit/events", AUDITOR),
    ("GET", "/api/audit/aggregates/{staff}/events", AUDITOR),
    ("GET", "/api/audit/employees/{staff}/state?version=1", AUDITOR),
]

# Valid bodies, so that an allowed call succeeds (2xx) rather than failing validation.
BODIES: dict[tuple[str, str], Callable[[dict[str, str]], dict[str, Any]]] = {
    ("POST", "/api/access-grants"): lambda ids: {"role": "auditor", "name": "Inspektorat Daerah"},
    ("POST", "/api/access-grants/{grant}/revocation"): lambda ids: {"reason": "left the inspectorate"},
    ("POST", "/api/units"): lambda ids: {"code": "BAPPEDA", "name": "Badan Perencanaan Pembangunan Daerah"},
    ("PATCH", "/api/units/BKPSDM"): lambda ids: {"name": "Badan Kepegawaian Daerah", "reason": "Perda 5/2024"},
    ("POST", "/api/employees"): lambda ids: {
        "nip": NEW_NIP, "name": "Budi Santoso", "unit": "DINKES", "position": "Dokter",
        "rank": "III/b", "rank_since": "2014-04-01", "supervisor_id": ids["other"],
    },
    ("POST", "/api/employees/{staff}/unit-changes"): lambda ids: {
        "unit": "DINKES", "effective": "2024-01-01", "reason": "mutasi antar-OPD"},
    ("POST", "/api/employees/{staff}/position-changes"): lambda ids: {
        "position": "Analis SDM Aparatur Ahli Pertama", "effective": "2024-01-01", "reason": "penyetaraan jabatan"},
    ("POST", "/api/employees/{staff}/supervisor-changes"): lambda ids: {
        "supervisor_id": ids["other"], "effective": "2024-01-01", "reason": "reorganisasi"},
    ("POST", "/api/employees/{staff}/rank-changes"): lambda ids: {
        "rank": "III/b", "effective": "2024-04-01", "reason": "kenaikan pangkat reguler"},
    ("POST", "/api/rule-sets"): lambda ids: {
        "title": "Rules 2027", "legal_basis": "PermenPANRB 6/2022", "effective_from": "2027-01-01",
        "rules": default_rules()},
}

MATRIX: list[tuple[str, str, str | None, bool]] = [
    (method, template, caller, caller in allowed) for method, template, allowed in ROUTES for caller in CALLERS
]


def caller_id(caller: str | None) -> str:
    return caller or "anonymous"


def resolve(api: Api, template: str) -> tuple[str, dict[str, str]]:
    """The concrete path for a template, and the ids the bodies may refer to."""
    ids = {name: str(value) for name, value in api.ids.items()}
    if "{grant}" in template:
        ids["grant"] = str(api.jejak.access.issue(system_actor("matrix"), "committee", "Tim Penilai Lama").grant_id)
    return template.format(**ids), ids


def body_for(method: str, template: str, ids: dict[str, str]) -> Any:
    make = BODIES.get((method, template))
    return make(ids) if make else None


def build_api(tmp_path: Path) -> Iterator[Api]:
    """The `api` fixture's set-up, for read-only checks shared by a module."""
    for system in _make("sqlite", tmp_path):
        yield seeded_api(system)


@pytest.fixture(scope="module")
def shared_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """One app for the many matrix rows that write nothing (reads, refusals, anonymous calls)."""
    yield from build_api(tmp_path_factory.mktemp("authz"))


def api_rules(api: Api) -> list[Any]:
    return [r for r in api.app.url_map.iter_rules() if r.rule.startswith("/api/")]


# --- every route makes an authorization decision ---------------------------------------------------------------

PUBLIC_DOCUMENT_VIEWS = ("api-docs.openapi_json", "api-docs.openapi_swagger_ui", "swagger_static")


def test_every_api_route_declares_which_roles_may_call_it(api: Api) -> None:
    undeclared = {
        rule.endpoint
        for rule in api_rules(api)
        if not rule.rule.startswith("/api/docs/static/")
        and not hasattr(api.app.view_functions[rule.endpoint], "_jejak_roles")
    }
    assert undeclared == set()


def test_openapi_document_views_are_declared_public(api: Api) -> None:
    for endpoint in PUBLIC_DOCUMENT_VIEWS:
        assert getattr(api.app.view_functions[endpoint], "_jejak_roles", None) == frozenset({"public"}), endpoint


def test_declared_roles_are_known_roles_or_public(api: Api) -> None:
    for rule in api_rules(api):
        roles = getattr(api.app.view_functions[rule.endpoint], "_jejak_roles", frozenset())
        assert roles <= {*ROLES, "public"}, rule.rule


# --- the matrix ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "template", "caller", "allowed"),
    MATRIX,
    ids=[f"{m} {t} as {caller_id(c)}" for m, t, c, _ in MATRIX],
)
def test_route_admits_exactly_its_roles(
    request: pytest.FixtureRequest, method: str, template: str, caller: str | None, allowed: bool
) -> None:
    writes = allowed and method != "GET"
    api: Api = request.getfixturevalue("api" if writes else "shared_api")
    path, ids = resolve(api, template)
    head = api.jejak.projections.head()

    response = api.call(method, path, role=caller, json=body_for(method, template, ids))

    if allowed:
        assert 200 <= response.status_code < 300, response.get_data(as_text=True)
    elif caller is None:
        assert response.status_code == 401
        assert response.mimetype == PROBLEM
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    else:
        assert response.status_code == 403, response.get_data(as_text=True)
        assert response.mimetype == PROBLEM
        assert response.get_json()["status"] == 403
    if not allowed:
        assert api.jejak.projections.head() == head


def test_matrix_covers_every_route_and_method_for_every_caller(api: Api) -> None:
    adapter = api.app.url_map.bind("localhost")
    dummy = {"grant": str(uuid4()), **{name: str(value) for name, value in api.ids.items()}}
    covered: dict[tuple[str, str], set[str | None]] = {}
    for method, template, caller, _ in MATRIX:
        path = urlsplit(template.format(**dummy)).path
        rule, _args = adapter.match(path, method=method, return_rule=True)
        covered.setdefault((rule.rule, method), set()).add(caller)
    routes = {
        (rule.rule, method)
        for rule in api_rules(api)
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert set(covered) == routes
    assert all(callers == set(CALLERS) for callers in covered.values())


def test_matrix_gives_a_body_to_every_write() -> None:
    writes = {(method, template) for method, template, _ in ROUTES if method != "GET"}
    assert writes == set(BODIES)


def test_supervisor_role_is_admitted_wherever_employees_are() -> None:
    for method, template, allowed in ROUTES:
        assert ("employee" in allowed) <= ("supervisor" in allowed), template


# --- the role a token acts in ---------------------------------------------------------------------------------------


def test_employee_token_acts_as_supervisor_when_someone_reports_to_them(shared_api: Api) -> None:
    assert shared_api.call("GET", "/api/me", role="supervisor").get_json()["role"] == "supervisor"


def test_employee_token_acts_as_employee_when_nobody_reports_to_them(shared_api: Api) -> None:
    assert shared_api.call("GET", "/api/me", role="employee").get_json()["role"] == "employee"


def test_supervisor_grant_acts_as_employee_when_nobody_reports_to_them(api: Api) -> None:
    token = api.jejak.access.issue(system_actor(), "supervisor", "Andi Pratama", api.ids["other"]).token

    me = api.call("GET", "/api/me", role=None, Authorization=f"Bearer {token}").get_json()

    assert me["role"] == "employee"


def test_employee_becomes_supervisor_once_someone_is_made_to_report_to_them(api: Api) -> None:
    moved = api.call("POST", f"/api/employees/{api.ids['other']}/supervisor-changes",
                     json={"supervisor_id": str(api.ids["staff"]), "effective": "2024-01-01", "reason": "reorganisasi"})
    assert moved.status_code == 200

    assert api.call("GET", "/api/me", role="employee").get_json()["role"] == "supervisor"


# --- tokens -------------------------------------------------------------------------------------------------------


def test_revoked_token_is_refused_with_401(api: Api) -> None:
    issued = api.call("POST", "/api/access-grants", json={"role": "auditor", "name": "Auditor Sementara"}).get_json()
    bearer = f"Bearer {issued['token']}"
    assert api.call("GET", "/api/me", role=None, Authorization=bearer).status_code == 200

    revoked = api.call("POST", f"/api/access-grants/{issued['grant_id']}/revocation", json={"reason": "tugas selesai"})
    assert revoked.status_code == 200
    response = api.call("GET", "/api/me", role=None, Authorization=bearer)

    assert response.status_code == 401
    assert response.mimetype == PROBLEM
    assert "revoked" in response.get_json()["detail"]


def test_expired_token_is_refused_with_401(api: Api) -> None:
    past = datetime.now(UTC) - timedelta(minutes=1)
    token = api.jejak.access.issue(system_actor(), "auditor", "x", None, expires_at=past).token

    response = api.call("GET", "/api/me", role=None, Authorization=f"Bearer {token}")

    assert response.status_code == 401
    assert response.mimetype == PROBLEM
    assert "expired" in response.get_json()["detail"]


def test_token_that_has_not_yet_expired_is_accepted(api: Api) -> None:
    future = datetime.now(UTC) + timedelta(hours=1)
    token = api.jejak.access.issue(system_actor(), "auditor", "x", None, expires_at=future).token

    assert api.call("GET", "/api/me", role=None, Authorization=f"Bearer {token}").status_code == 200


def test_unknown_token_is_refused_with_401(shared_api: Api) -> None:
    response = shared_api.call("GET", "/api/me", role=None, Authorization="Bearer jjk_not-a-token-anyone-was-given")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="jejak"'


@pytest.mark.parametrize("header", ["Basic YWRtaW46YWRtaW4=", "Bearer", "Bearer    ", "Token abc", "jjk_abc", ""])
def test_malformed_authorization_header_gets_401_with_www_authenticate(shared_api: Api, header: str) -> None:
    response = shared_api.call("GET", "/api/units", role=None, Authorization=header)

    assert response.status_code == 401
    assert response.mimetype == PROBLEM
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="jejak"'


def test_bearer_scheme_is_case_insensitive(shared_api: Api) -> None:
    response = shared_api.call("GET", "/api/me", role=None, Authorization=f"bearer {shared_api.tokens['auditor']}")

    assert response.status_code == 200


# --- personal fields ------------------------------------------------------------------------------------------------


def employee_as(api: Api, role: str, who: str) -> dict[str, Any]:
    response = api.call("GET", f"/api/employees/{api.ids[who]}", role=role)
    assert response.status_code == 200
    body: dict[str, Any] = response.get_json()
    return body


def test_employee_does_not_see_personal_fields_of_an_unrelated_colleague(shared_api: Api) -> None:
    body = employee_as(shared_api, "employee", "other")

    assert body["name"] == "Andi Pratama"
    assert not set(PERSONAL) & set(body)


def test_employee_does_not_see_personal_fields_of_their_own_supervisor(shared_api: Api) -> None:
    body = employee_as(shared_api, "employee", "supervisor")

    assert body["name"] == "Siti Rahmawati"
    assert not set(PERSONAL) & set(body)


def test_employee_sees_their_own_personal_fields(shared_api: Api) -> None:
    body = employee_as(shared_api, "employee", "staff")

    assert body["nip"] == STAFF_NIP
    assert (body["birth_date"], body["sex"], body["service_start"]) == ("1990-01-01", "F", "2015-03-01")


def test_supervisor_sees_their_reports_nip(shared_api: Api) -> None:
    assert employee_as(shared_api, "supervisor", "staff")["nip"] == STAFF_NIP


def test_supervisor_does_not_see_personal_fields_outside_their_reports(shared_api: Api) -> None:
    assert not set(PERSONAL) & set(employee_as(shared_api, "supervisor", "other"))


def test_supervisor_sees_personal_fields_of_indirect_reports(api: Api) -> None:
    actor = system_actor()
    api.jejak.registry.change_supervisor(actor, api.ids["other"], api.ids["staff"], date(2024, 1, 1), "reorg")

    assert employee_as(api, "supervisor", "other")["nip"] == OTHER_NIP


@pytest.mark.parametrize("role", ["hr_admin", "committee", "auditor"])
def test_non_employee_readers_see_everyones_personal_fields(shared_api: Api, role: str) -> None:
    body = employee_as(shared_api, role, "other")

    assert body["nip"] == OTHER_NIP
    assert {"birth_date", "sex", "service_start"} <= set(body)


def test_directory_listing_shows_an_employee_personal_fields_only_for_themself(shared_api: Api) -> None:
    items = shared_api.call("GET", "/api/employees", role="employee").get_json()["items"]

    with_nip = {UUID(item["id"]) for item in items if "nip" in item}
    assert len(items) == 3
    assert with_nip == {shared_api.ids["staff"]}


def test_directory_listing_shows_hr_every_nip(shared_api: Api) -> None:
    items = shared_api.call("GET", "/api/employees", role="hr_admin").get_json()["items"]

    assert {item["nip"] for item in items} == {SUPERVISOR_NIP, STAFF_NIP, OTHER_NIP}


def test_reports_listing_shows_the_supervisor_their_reports_nip(shared_api: Api) -> None:
    path = f"/api/employees/{shared_api.ids['supervisor']}/reports"
    items = shared_api.call("GET", path, role="supervisor").get_json()

    assert [item["nip"] for item in items] == [STAFF_NIP]


def test_reports_listing_hides_a_colleagues_personal_fields_from_an_employee(api: Api) -> None:
    api.jejak.registry.change_supervisor(system_actor(), api.ids["other"], api.ids["supervisor"],
                                         date(2024, 1, 1), "reorg")

    items = api.call("GET", f"/api/employees/{api.ids['supervisor']}/reports", role="employee").get_json()

    by_id = {UUID(item["id"]): item for item in items}
    assert by_id[api.ids["staff"]]["nip"] == STAFF_NIP
    assert "nip" not in by_id[api.ids["other"]]
