"""No text that a database or a reader could choke on is ever stored: NUL and other control characters, unpaired
surrogates and bidirectional overrides are refused with 422 naming the field, by every schema, before anything is
stored; and authentication is refused (503) rather than served from a read model that has parked an event."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from application.actor import system_actor
from domain.employee import Employee
from tests.conftest import _make
from tests.infrastructure.test_parking import store_bypassing_the_text_rule
from tests.web.conftest import Api, seeded_api
from tests.web.pages import Site, build_site, open_round_with_reviewers, post_form
from tests.web.test_bad_input import new_employee, problem, writes_nothing

REFUSED = ["Diklat\x00X", "a\x07b", "a\x1bb", "a\x7fb", "a\x85b", "x\ud800", "\udc00x", "abc\u202egpj.exe", "a\u2066b"]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Api]:
    for system in _make(request.param, tmp_path):
        yield seeded_api(system)


def training(api: Api, **overrides: Any) -> dict[str, Any]:
    return {"employee_id": str(api.ids["staff"]), "course": "Diklat PIM", "provider": "BPSDM", "jp": 8,
            "start_date": "2026-03-02", "end_date": "2026-03-02", "certificate_number": f"C-{uuid4().hex[:8]}",
            **overrides}


@pytest.mark.parametrize("text", REFUSED, ids=lambda t: f"U+{ord(next(c for c in t if not c.isalnum())):04X}")
def test_a_training_course_with_a_refused_character_is_422_naming_course_and_stores_nothing(
        any_api: Api, text: str) -> None:
    with writes_nothing(any_api):
        body = problem(any_api.call("POST", "/api/trainings", role="employee", json=training(any_api, course=text)),
                       422)
    assert list(body["errors"]) == ["course"]
    assert "control characters" in body["errors"]["course"][0]


def test_nul_in_an_employee_name_is_422_naming_name(any_api: Api) -> None:
    with writes_nothing(any_api):
        body = problem(any_api.call("POST", "/api/employees", json=new_employee(name="Budi\x00")), 422)
    assert list(body["errors"]) == ["name"] and "U+0000" in body["errors"]["name"][0]


def test_a_unit_named_with_a_lone_surrogate_is_422_not_500(api: Api) -> None:
    with writes_nothing(api):
        body = problem(api.call("POST", "/api/units", json={"code": "BAPPEDA", "name": "x\ud800"}), 422)
    assert list(body["errors"]) == ["name"]


def test_a_refused_character_in_a_nested_field_names_its_path(api: Api) -> None:
    rules = {"effective_from": "2031-01-01", "rules": {"predicate_matrix": {"above\x00": {}}}}
    with writes_nothing(api):
        body = problem(api.call("POST", "/api/rule-sets", json=rules), 422)
    assert list(body["errors"]) == ["rules.predicate_matrix"]


def test_a_refused_character_in_a_query_parameter_is_422_naming_it(api: Api) -> None:
    body = problem(api.call("GET", "/api/employees?name=Dewi%00"), 422)
    assert list(body["errors"]) == ["name"]


def test_tab_and_newline_stay_allowed_in_free_text(api: Api) -> None:
    response = api.call("POST", "/api/trainings", role="employee",
                        json=training(api, course="Diklat\tPIM", provider="BPSDM\nJawa Barat"))
    assert response.status_code == 201, response.get_json()


def test_every_write_operation_refuses_nul_in_every_text_field_and_stores_nothing(api: Api) -> None:
    """Walk the OpenAPI document: a body whose every string holds NUL is never accepted, whoever sends it."""
    document = api.call("GET", "/api/openapi.json").get_json()
    checked = refused = 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in ("post", "put", "patch"):
                continue
            schema = (operation.get("requestBody", {}).get("content", {}).get("application/json", {})
                      .get("schema"))
            if schema is None:
                continue
            body = poisoned(resolve(document, schema), document)
            url = path.replace("{", "").replace("}", "")  # ids of nobody: the body is refused before any lookup
            url = "/".join(str(uuid4()) if part.endswith("_id") or part == "id" else part for part in url.split("/"))
            statuses = set()
            with writes_nothing(api):
                for role in api.tokens:
                    response = api.call(method.upper(), url, role=role, json=body)
                    statuses.add(response.status_code)
                    assert response.status_code < 500, (method, path, role, response.get_json())
                    assert response.status_code not in (200, 201, 204), (method, path, role)
            assert 422 in statuses or statuses <= {403, 404, 409}, (method, path, statuses)
            checked += 1
            refused += 422 in statuses
    assert checked >= 38 and refused >= checked - 3, (checked, refused)


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return dict(document["components"]["schemas"][name])
    return schema


def poisoned(schema: dict[str, Any], document: dict[str, Any]) -> Any:
    """A value of the schema's shape whose every string holds a NUL."""
    schema = resolve(document, schema)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {name: poisoned(sub, document) for name, sub in schema.get("properties", {}).items()
                if not sub.get("readOnly")}
    if kind == "array":
        return [poisoned(schema.get("items", {}), document)]
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return True
    return "x\x00"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from build_site(tmp_path)


def test_a_page_form_with_nul_is_422_naming_the_field_and_stores_nothing(site: Site) -> None:
    round_id = open_round_with_reviewers(site)
    client = site.client("hr_admin")
    head = site.jejak.projections.head()

    response = post_form(client, f"/rounds/{round_id}/close", {"reason": "ditutup\x00 lebih awal"},
                         token_from=f"/rounds/{round_id}")

    assert response.status_code == 422
    assert "reason" in response.get_data(as_text=True)
    assert site.jejak.projections.head() == head


# --- authentication never from a read model that has parked an event ----------------------------------------------


def park_a_directory_event(api: Api) -> None:
    bad = Employee.register(nip="198503152010011001", name="Budi\x00", unit="DINKES", position="Dokter",
                            rank="III/b", rank_since=__import__("datetime").date(2014, 4, 1))
    store_bypassing_the_text_rule(api.jejak, bad.collect_events()[0])
    api.jejak.projections.catch_up()


@pytest.mark.postgres
def test_tokens_are_refused_with_503_while_a_security_read_model_has_parked_events(tmp_path: Path) -> None:
    for system in _make("postgres", tmp_path):
        api = seeded_api(system)
        assert api.call("GET", "/api/me").status_code == 200
        park_a_directory_event(api)

        refused = api.call("GET", "/api/me")
        ready = api.call("GET", "/api/ready", role=None)
        health = api.call("GET", "/api/health", role=None)

        assert refused.status_code == 503 and refused.headers["Retry-After"]
        assert ready.status_code == 503 and ready.get_json()["status"] == "parked-events"
        assert health.status_code == 200 and health.get_json()["status"] == "degraded"
        assert {p["name"]: p["parked"] for p in ready.get_json()["projections"]}["directory"] == 1


def test_a_revocation_the_access_read_model_missed_never_leaves_the_token_working(api: Api) -> None:
    """The read model lags (as if its catch-up had failed): authentication catches it up first or refuses."""
    grant = api.call("GET", "/api/me", role="auditor").get_json()["grant_id"]
    api.jejak.ledger.after_record.clear()  # writes no longer catch the read models up
    api.jejak.access.revoke(system_actor("t"), __import__("uuid").UUID(grant), "left the office")

    assert api.call("GET", "/api/me", role="auditor").status_code == 401


def test_ready_answers_200_when_nothing_is_parked(api: Api) -> None:
    body = api.call("GET", "/api/ready", role=None).get_json()
    assert body["status"] == "ok" and all(p["parked"] == 0 for p in body["projections"])
