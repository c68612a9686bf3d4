"""HTTP conventions: versions as ETags, If-Match, request ids, documents, health, directory paging, rule sets, audit."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import pytest

from application.actor import system_actor
from tests.web.conftest import Api

PROBLEM = "application/problem+json"

EXTRA_EMPLOYEES: list[tuple[str, str, str, str]] = [
    # (NIP, name, unit, rank); names chosen so "budi" matches in several cases and positions
    ("198001012005031001", "Budi Santoso", "BKPSDM", "III/c"),
    ("198002022005032002", "Rina Wulandari", "BKPSDM", "III/b"),
    ("198003032005031003", "Ahmad BUDIMAN", "DINKES", "III/c"),
    ("198004042005032004", "Sri Handayani", "DINKES", "II/d"),
    ("198005052005031005", "Agus Setiawan", "BKPSDM", "IV/a"),
    ("198006062005032006", "Nur Aini", "DINKES", "III/a"),
    ("198007072005031007", "budiarto wibowo", "BKPSDM", "III/c"),
    ("198008082005032008", "Maya Sari", "DINKES", "III/d"),
    ("198009092005031009", "Eko Prasetyo", "BKPSDM", "II/c"),
    ("198010102005032010", "Fitri Ramadhani", "DINKES", "III/b"),
    ("198011112005031011", "Hendra Gunawan", "BKPSDM", "III/a"),
    ("198012122005032012", "Yuni Astuti", "DINKES", "IV/b"),
]


def new_employee(**overrides: Any) -> dict[str, Any]:
    body = {"nip": "198503152010011001", "name": "Budi Santoso", "unit": "DINKES", "position": "Dokter",
            "rank": "III/b", "rank_since": "2014-04-01"}
    body.update(overrides)
    return body


def change(**fields: Any) -> dict[str, Any]:
    return {"effective": "2024-04-01", "reason": "kenaikan pangkat reguler", **fields}


def rank_change(api: Api, employee: UUID, rank: str = "III/b", **headers: str) -> Any:
    return api.call("POST", f"/api/employees/{employee}/rank-changes", json=change(rank=rank), **headers)


def q(path: str, **params: Any) -> str:
    """A path with a properly encoded query string (timestamps carry '+')."""
    return f"{path}?{urlencode({k: str(v) for k, v in params.items() if v is not None})}"


@pytest.fixture
def directory(api: Api) -> dict[UUID, dict[str, str]]:
    """The fixture's three employees plus twelve more; half report to the supervisor."""
    actor = system_actor("directory")
    for i, (nip, name, unit, rank) in enumerate(EXTRA_EMPLOYEES):
        api.jejak.registry.register_employee(
            actor, nip=nip, name=name, unit=unit, position="Pelaksana", rank=rank, rank_since=date(2010, 1, 1),
            supervisor_id=api.ids["supervisor"] if i % 2 == 0 else None,
        )
    items = api.call("GET", "/api/employees?limit=200").get_json()["items"]
    assert len(items) == 15
    return {UUID(item["id"]): item for item in items}


def walk(api: Api, **params: Any) -> list[dict[str, Any]]:
    """Every item of the directory, following next_cursor to the end."""
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(100):
        page = api.call("GET", q("/api/employees", cursor=cursor, **params)).get_json()
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("pagination did not end")


def audit_events(api: Api, **params: Any) -> dict[str, Any]:
    response = api.call("GET", q("/api/audit/events", **params), role="auditor")
    assert response.status_code == 200, response.get_data(as_text=True)
    page: dict[str, Any] = response.get_json()
    return page


def history(api: Api, aggregate: UUID) -> list[dict[str, Any]]:
    response = api.call("GET", f"/api/audit/aggregates/{aggregate}/events?reason=audit", role="auditor")
    assert response.status_code == 200
    events: list[dict[str, Any]] = response.get_json()
    return events


# --- versions as ETags ----------------------------------------------------------------------------------------------


def test_registered_unit_carries_version_1_as_etag(api: Api) -> None:
    response = api.call("POST", "/api/units", json={"code": "BAPPEDA", "name": "Badan Perencanaan"})

    assert response.status_code == 201
    assert response.headers["ETag"] == '"1"'
    assert response.get_json()["version"] == 1


def test_renamed_unit_carries_version_2_as_etag(api: Api) -> None:
    response = api.call("PATCH", "/api/units/BKPSDM", json={"name": "Badan Kepegawaian Daerah", "reason": "Perda"})

    assert response.status_code == 200
    assert response.headers["ETag"] == '"2"'
    assert api.call("GET", "/api/units/BKPSDM").headers["ETag"] == '"2"'


def test_registered_employee_carries_version_1_as_etag(api: Api) -> None:
    response = api.call("POST", "/api/employees", json=new_employee())

    assert response.status_code == 201
    assert response.headers["ETag"] == '"1"'
    assert api.call("GET", f"/api/employees/{response.get_json()['id']}").headers["ETag"] == '"1"'


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        ("rank-changes", change(rank="III/b")),
        ("unit-changes", change(unit="DINKES")),
        ("position-changes", change(position="Analis SDM Aparatur")),
        ("supervisor-changes", change(supervisor_id=None)),
    ],
)
def test_each_career_change_moves_the_employee_etag_to_version_2(api: Api, kind: str, body: dict[str, Any]) -> None:
    response = api.call("POST", f"/api/employees/{api.ids['staff']}/{kind}", json=body)

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["ETag"] == '"2"'
    assert response.get_json()["version"] == 2
    assert api.call("GET", f"/api/employees/{api.ids['staff']}").headers["ETag"] == '"2"'


def test_if_match_with_the_current_version_succeeds(api: Api) -> None:
    response = rank_change(api, api.ids["staff"], **{"If-Match": '"1"'})

    assert response.status_code == 200
    assert response.headers["ETag"] == '"2"'


def test_if_match_with_a_stale_version_is_412_and_writes_nothing(api: Api) -> None:
    assert rank_change(api, api.ids["staff"]).status_code == 200
    head = api.jejak.projections.head()

    response = rank_change(api, api.ids["staff"], rank="III/c", **{"If-Match": '"1"'})

    assert response.status_code == 412
    assert response.mimetype == PROBLEM
    assert response.get_json()["current_version"] == 2
    assert response.headers["ETag"] == '"2"'
    assert api.jejak.projections.head() == head
    assert api.call("GET", f"/api/employees/{api.ids['staff']}").get_json()["rank"] == "III/b"


def test_if_match_with_a_stale_version_on_a_unit_rename_is_412(api: Api) -> None:
    head = api.jejak.projections.head()

    response = api.call("PATCH", "/api/units/BKPSDM", json={"name": "Baru", "reason": "r"}, **{"If-Match": '"7"'})

    assert response.status_code == 412
    assert api.jejak.projections.head() == head


def test_if_match_star_and_weak_tags_are_accepted(api: Api) -> None:
    assert rank_change(api, api.ids["staff"], "III/b", **{"If-Match": "*"}).status_code == 200
    assert rank_change(api, api.ids["staff"], "III/c", **{"If-Match": 'W/"2"'}).status_code == 200


# --- request ids ----------------------------------------------------------------------------------------------------


def test_client_request_id_is_echoed(api: Api) -> None:
    response = api.call("GET", "/api/me", **{"X-Request-ID": "req-2024.abc:42"})

    assert response.headers["X-Request-ID"] == "req-2024.abc:42"


def test_client_request_id_becomes_the_correlation_id_of_the_event(api: Api) -> None:
    staff = api.ids["staff"]
    assert rank_change(api, staff, **{"X-Request-ID": "req-kp-0042"}).status_code == 200

    latest = audit_events(api, aggregate_id=staff)["items"][-1]

    assert latest["topic"].endswith("Employee.RankChanged")
    assert latest["correlation_id"] == "req-kp-0042"
    assert api.jejak.ledger.history(staff)[-1].meta["correlation_id"] == "req-kp-0042"  # type: ignore[attr-defined]


def test_request_id_is_generated_when_absent(api: Api) -> None:
    response = rank_change(api, api.ids["staff"])

    generated = response.headers["X-Request-ID"]
    assert UUID(generated)
    assert api.jejak.ledger.history(api.ids["staff"])[-1].meta["correlation_id"] == generated  # type: ignore[attr-defined]


@pytest.mark.parametrize("given", ["has spaces", "x" * 129, "semi;colon", "<script>"])
def test_unsafe_request_id_is_replaced_by_a_generated_one(api: Api, given: str) -> None:
    response = api.call("GET", "/api/me", **{"X-Request-ID": given})

    assert UUID(response.headers["X-Request-ID"])


def test_error_responses_also_carry_the_request_id(api: Api) -> None:
    response = api.call("GET", "/api/employees/nope", **{"X-Request-ID": "req-404"})

    assert response.status_code == 404
    assert response.headers["X-Request-ID"] == "req-404"


# --- documents and health -------------------------------------------------------------------------------------------


def test_openapi_document_is_json_listing_the_main_paths(api: Api) -> None:
    response = api.call("GET", "/api/openapi.json", role=None)

    assert response.status_code == 200
    document = json.loads(response.get_data(as_text=True))
    assert document["openapi"].startswith("3.")
    assert {"/api/employees", "/api/units", "/api/rule-sets", "/api/audit/events"} <= set(document["paths"])


def test_openapi_document_read_first_by_two_requests_at_once_is_whole_for_both(api: Api) -> None:
    # the routes are documented when the document is first read, not when the app is built
    from concurrent.futures import ThreadPoolExecutor

    def read() -> set[str]:
        return set(api.app.test_client().get("/api/openapi.json").get_json()["paths"])

    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(lambda _: read(), range(2))

    assert len(first) > 100 and first == second == read()


def test_openapi_document_declares_bearer_security(api: Api) -> None:
    document = api.call("GET", "/api/openapi.json", role=None).get_json()

    assert document["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}


@pytest.mark.parametrize("path", ["/api/employees/{employee_id}/timeline", "/api/audit/aggregates/{aggregate_id}/events",
                                  "/api/audit/employees/{employee_id}/state",
                                  "/api/audit/feedback-rounds/{round_id}/responses",
                                  "/api/grievances/{grievance_id}/case-file"])
def test_openapi_document_explains_the_reason_of_a_recorded_read(api: Api, path: str) -> None:
    document = api.call("GET", "/api/openapi.json", role=None).get_json()

    params = {p["name"]: p for p in document["paths"][path]["get"]["parameters"] if p["in"] == "query"}

    assert "recorded read" in params["reason"]["description"]
    assert "access logs" in params["reason"]["description"]


def test_docs_page_is_html(api: Api) -> None:
    response = api.call("GET", "/api/docs", role=None)

    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "/api/openapi.json" in response.get_data(as_text=True)


def test_health_answers_without_a_token_with_no_projection_lag(api: Api) -> None:
    response = api.call("GET", "/api/health", role=None)

    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["database"]) == ("ok", "ok")
    assert {"directory", "access", "audit_index"} <= {p["name"] for p in body["projections"]}
    assert all(p["lag"] == 0 and p["position"] == p["head"] for p in body["projections"])


def test_health_shows_no_lag_right_after_a_write(api: Api) -> None:
    assert rank_change(api, api.ids["staff"]).status_code == 200

    body = api.call("GET", "/api/health", role=None).get_json()

    assert all(p["lag"] == 0 for p in body["projections"])
    assert body["projections"][0]["head"] == api.jejak.projections.head()


def test_api_responses_are_not_cached(api: Api) -> None:
    assert api.call("GET", "/api/units").headers["Cache-Control"] == "no-store"


# --- the directory --------------------------------------------------------------------------------------------------


def test_cursor_pagination_visits_every_employee_exactly_once_in_name_order(
    api: Api, directory: dict[UUID, dict[str, str]]
) -> None:
    items = walk(api, limit=4)

    ids = [UUID(item["id"]) for item in items]
    assert len(ids) == len(set(ids)) == 15
    assert set(ids) == set(directory)
    assert [item["name"] for item in items] == sorted(item["name"] for item in items)


def test_last_page_has_no_next_cursor(api: Api, directory: dict[UUID, dict[str, str]]) -> None:
    page = api.call("GET", "/api/employees?limit=15").get_json()

    assert len(page["items"]) == 15
    assert page["next_cursor"] is None


def test_unit_filter_returns_exactly_that_units_employees(api: Api, directory: dict[UUID, dict[str, str]]) -> None:
    items = walk(api, unit="DINKES", limit=3)

    expected = {i for i, row in directory.items() if row["unit"] == "DINKES"}
    assert {UUID(item["id"]) for item in items} == expected
    assert len(items) == len(expected) == 7


def test_rank_filter_returns_exactly_that_ranks_employees(api: Api, directory: dict[UUID, dict[str, str]]) -> None:
    items = walk(api, rank="III/c")

    assert sorted(item["name"] for item in items) == ["Ahmad BUDIMAN", "Budi Santoso", "budiarto wibowo"]


def test_name_filter_is_a_case_insensitive_substring(api: Api, directory: dict[UUID, dict[str, str]]) -> None:
    items = walk(api, name="BuDi", limit=2)

    assert sorted(item["name"] for item in items) == ["Ahmad BUDIMAN", "Budi Santoso", "budiarto wibowo"]


def test_name_filter_treats_wildcards_literally(api: Api, directory: dict[UUID, dict[str, str]]) -> None:
    assert walk(api, name="%") == []
    assert walk(api, name="_") == []


def test_supervisor_filter_returns_that_supervisors_direct_reports(
    api: Api, directory: dict[UUID, dict[str, str]]
) -> None:
    sup = api.ids["supervisor"]

    items = walk(api, supervisor_id=sup, limit=2)

    assert {UUID(item["id"]) for item in items} == {i for i, r in directory.items() if r["supervisor_id"] == str(sup)}
    assert len(items) == 7  # the fixture's staff member and six of the extra employees


def test_filters_combine(api: Api, directory: dict[UUID, dict[str, str]]) -> None:
    items = walk(api, unit="BKPSDM", rank="III/c", name="budi")

    assert sorted(item["name"] for item in items) == ["Budi Santoso", "budiarto wibowo"]


def test_reports_lists_the_direct_reports(api: Api, directory: dict[UUID, dict[str, str]]) -> None:
    sup = api.ids["supervisor"]

    response = api.call("GET", f"/api/employees/{sup}/reports")

    assert response.status_code == 200
    reports = response.get_json()
    assert {UUID(r["id"]) for r in reports} == {i for i, r in directory.items() if r["supervisor_id"] == str(sup)}
    assert [r["name"] for r in reports] == sorted(r["name"] for r in reports)


def test_reports_excludes_indirect_reports(api: Api) -> None:
    api.jejak.registry.change_supervisor(system_actor(), api.ids["other"], api.ids["staff"], date(2024, 1, 1), "reorg")

    reports = api.call("GET", f"/api/employees/{api.ids['supervisor']}/reports").get_json()

    assert [UUID(r["id"]) for r in reports] == [api.ids["staff"]]


def test_reports_of_someone_with_none_is_empty(api: Api) -> None:
    assert api.call("GET", f"/api/employees/{api.ids['other']}/reports").get_json() == []


# --- rule sets ------------------------------------------------------------------------------------------------------


def publish_second(api: Api, effective_from: str = "2027-01-01") -> Any:
    current = api.call("GET", "/api/rule-sets/1").get_json()
    rules = current["rules"]
    rules["training"]["yearly_min_jp"] = 24
    return api.call("POST", "/api/rule-sets", json={
        "title": "Rules 2027", "legal_basis": "PermenPANRB 6/2022 as amended", "effective_from": effective_from,
        "rules": rules,
    })


def test_no_rule_set_in_effect_before_the_first_is_422_naming_at(api: Api) -> None:
    response = api.call("GET", "/api/rule-sets/in-effect?at=2020-01-01")

    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    assert "at" in response.get_json()["errors"]


def test_default_rule_set_is_in_effect_in_2025(api: Api) -> None:
    response = api.call("GET", "/api/rule-sets/in-effect?at=2025-06-01")

    assert response.status_code == 200
    assert response.get_json()["version"] == 1
    assert response.get_json()["effective_from"] == "2023-01-01"


def test_publishing_a_rule_set_returns_it_as_the_next_version(api: Api) -> None:
    response = publish_second(api)

    assert response.status_code == 201
    assert response.get_json()["version"] == 2
    assert [rs["version"] for rs in api.call("GET", "/api/rule-sets").get_json()] == [1, 2]


def test_in_effect_picks_the_rule_set_by_date(api: Api) -> None:
    assert publish_second(api, "2027-01-01").status_code == 201

    def version_on(day: str) -> int:
        return int(api.call("GET", f"/api/rule-sets/in-effect?at={day}").get_json()["version"])

    assert version_on("2026-12-31") == 1
    assert version_on("2027-01-01") == 2
    assert version_on("2030-01-01") == 2


def test_earlier_rule_set_stays_readable_unchanged(api: Api) -> None:
    assert publish_second(api).status_code == 201

    first = api.call("GET", "/api/rule-sets/1").get_json()

    assert first["rules"]["training"]["yearly_min_jp"] == 20


def test_unknown_rule_set_version_is_404(api: Api) -> None:
    response = api.call("GET", "/api/rule-sets/2")

    assert response.status_code == 404
    assert response.mimetype == PROBLEM


# --- audit ----------------------------------------------------------------------------------------------------------


def test_audit_log_filters_by_aggregate(api: Api) -> None:
    staff = api.ids["staff"]
    assert rank_change(api, staff).status_code == 200

    items = audit_events(api, aggregate_id=staff)["items"]

    assert {item["aggregate_id"] for item in items} == {str(staff)}
    assert [item["version"] for item in items] == [1, 2]


def test_audit_log_filters_by_actor(api: Api) -> None:
    hr_grant = api.call("GET", "/api/me").get_json()["grant_id"]
    assert rank_change(api, api.ids["staff"]).status_code == 200
    assert api.call("PATCH", "/api/units/DINKES", json={"name": "Dinas Kesehatan Daerah", "reason": "r"}).status_code == 200

    items = audit_events(api, actor=hr_grant)["items"]

    assert [item["topic"].rsplit(".", 1)[-1] for item in items] == ["RankChanged", "Renamed"]
    person = {"id": api.call("GET", "/api/me").get_json()["person_id"], "name": "Admin BKPSDM"}
    assert all(item["actor"] == {"id": hr_grant, "role": "hr_admin", "name": "Admin BKPSDM", "person": person}
               for item in items)  # the token the events name, and the person behind it


def test_audit_log_filters_by_full_topic(api: Api) -> None:
    assert api.call("POST", f"/api/employees/{api.ids['staff']}/unit-changes", json=change(unit="DINKES")).status_code == 200

    items = audit_events(api, topic="domain.employee:Employee.Moved")["items"]

    assert [(item["aggregate_id"], item["payload"]["unit"]) for item in items] == [(str(api.ids["staff"]), "DINKES")]


def test_audit_log_filters_by_topic_tail(api: Api) -> None:
    assert api.call("POST", f"/api/employees/{api.ids['staff']}/unit-changes", json=change(unit="DINKES")).status_code == 200

    items = audit_events(api, topic="Employee.Moved")["items"]

    assert [item["aggregate_id"] for item in items] == [str(api.ids["staff"])]


def test_audit_log_filters_by_time_range(api: Api) -> None:
    assert rank_change(api, api.ids["staff"]).status_code == 200
    assert rank_change(api, api.ids["other"], "III/c").status_code == 200
    everything = audit_events(api, limit=500)["items"]
    first_change, second_change = everything[-2], everything[-1]

    since = audit_events(api, since=first_change["timestamp"], limit=500)["items"]
    until = audit_events(api, until=first_change["timestamp"], limit=500)["items"]
    between = audit_events(api, since=first_change["timestamp"], until=first_change["timestamp"])["items"]

    assert [e["position"] for e in since] == [first_change["position"], second_change["position"]]
    assert [e["position"] for e in until] == [e["position"] for e in everything[:-1]]
    assert [e["position"] for e in between] == [first_change["position"]]


def test_audit_log_pages_through_every_event_once_with_next_after(api: Api) -> None:
    head = api.jejak.projections.head()
    positions: list[int] = []
    after = 0
    for _ in range(100):
        page = audit_events(api, after=after, limit=5)
        assert len(page["items"]) <= 5
        positions.extend(item["position"] for item in page["items"])
        if page["next_after"] is None:
            break
        after = page["next_after"]

    assert positions == list(range(1, head + 1))


def test_audit_log_items_carry_actor_reason_and_payload(api: Api) -> None:
    assert rank_change(api, api.ids["staff"]).status_code == 200

    latest = audit_events(api, aggregate_id=api.ids["staff"])["items"][-1]

    assert latest["actor"]["role"] == "hr_admin"
    assert latest["reason"] == "kenaikan pangkat reguler"
    assert latest["payload"]["rank"] == "III/b"
    assert latest["payload"]["effective"] == "2024-04-01"


def test_aggregate_history_lists_every_event_with_its_log_position(api: Api) -> None:
    staff = api.ids["staff"]
    assert rank_change(api, staff).status_code == 200
    assert api.call("POST", f"/api/employees/{staff}/unit-changes", json=change(unit="DINKES")).status_code == 200

    events = history(api, staff)

    assert [e["version"] for e in events] == [1, 2, 3]
    assert [e["topic"].rsplit(".", 1)[-1] for e in events] == ["Registered", "RankChanged", "Moved"]
    positions = [e["position"] for e in events]
    assert all(isinstance(p, int) for p in positions)
    assert positions == sorted(positions)
    assert positions[-1] == api.jejak.projections.head() - 1  # the read itself was recorded last


def test_aggregate_history_positions_match_the_log(api: Api) -> None:
    staff = api.ids["staff"]
    assert rank_change(api, staff).status_code == 200

    in_log = {e["position"]: e["version"] for e in audit_events(api, aggregate_id=staff)["items"]}

    assert {e["position"]: e["version"] for e in history(api, staff)} == in_log


def test_employee_state_at_version_1_shows_the_rank_before_a_change(api: Api) -> None:
    staff = api.ids["staff"]
    assert rank_change(api, staff).status_code == 200

    response = api.call("GET", f"/api/audit/employees/{staff}/state?version=1&reason=audit", role="auditor")

    assert response.status_code == 200
    assert response.get_json()["rank"] == "III/a"
    assert response.get_json()["as_of_version"] == 1


def test_employee_state_at_a_moment_before_the_change_shows_the_earlier_rank(api: Api) -> None:
    staff = api.ids["staff"]
    registered_at = history(api, staff)[0]["timestamp"]
    assert rank_change(api, staff).status_code == 200

    response = api.call("GET", q(f"/api/audit/employees/{staff}/state", reason="audit", at=registered_at), role="auditor")

    assert response.status_code == 200
    assert (response.get_json()["rank"], response.get_json()["as_of_version"]) == ("III/a", 1)


def test_employee_state_now_shows_the_changed_rank(api: Api) -> None:
    staff = api.ids["staff"]
    assert rank_change(api, staff).status_code == 200
    now = datetime.now().astimezone().isoformat()

    response = api.call("GET", q(f"/api/audit/employees/{staff}/state", reason="audit", at=now), role="auditor")

    assert (response.get_json()["rank"], response.get_json()["as_of_version"]) == ("III/b", 2)


def test_employee_state_names_the_employee_and_its_version(api: Api) -> None:
    staff = api.ids["staff"]

    body = api.call("GET", f"/api/audit/employees/{staff}/state?version=1&reason=audit", role="auditor").get_json()

    assert (body.get("id"), body.get("version")) == (str(staff), 1)


@pytest.mark.parametrize("query", ["?reason=audit", "?version=1&at=2024-01-01T00:00:00Z&reason=audit"])
def test_employee_state_needs_exactly_one_of_version_or_at(api: Api, query: str) -> None:
    response = api.call("GET", f"/api/audit/employees/{api.ids['staff']}/state{query}", role="auditor")

    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    assert response.get_json()["errors"] == {"version": ["give exactly one of version or at"]}


def test_employee_state_at_a_version_that_does_not_exist_is_404(api: Api) -> None:
    response = api.call("GET", f"/api/audit/employees/{api.ids['staff']}/state?version=5&reason=audit", role="auditor")

    assert response.status_code == 404


def test_employee_state_before_registration_is_404(api: Api) -> None:
    path = q(f"/api/audit/employees/{api.ids['staff']}/state", reason="audit", at="2000-01-01T00:00:00+00:00")

    assert api.call("GET", path, role="auditor").status_code == 404


def test_reading_an_employees_past_state_needs_a_reason_and_is_recorded(api: Api) -> None:
    staff = api.ids["staff"]
    refused = api.call("GET", f"/api/audit/employees/{staff}/state?version=1", role="auditor")
    assert refused.status_code == 422 and "reason" in refused.get_json()["errors"]
    read = api.call("GET", f"/api/audit/employees/{staff}/state?version=1&reason=grievance+G-7&case_id=G-7",
                    role="auditor")
    assert read.status_code == 200
    [recorded] = api.call("GET", "/api/audit/events?topic=SensitiveRead.Recorded", role="auditor").get_json()["items"]
    assert recorded["payload"]["subject_id"] == str(staff) and recorded["payload"]["reason"] == "grievance G-7"
    assert recorded["payload"]["case_id"] == "G-7" and recorded["actor"]["role"] == "auditor"
