"""Bad input: every kind is refused with a 4xx problem+json that names the field and reason, and writes nothing."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import uuid4

import pytest
from werkzeug.test import TestResponse

from tests.web.conftest import STAFF_NIP, Api

PROBLEM = "application/problem+json"
NEW_NIP = "198503152010011001"


def new_employee(**overrides: Any) -> dict[str, Any]:
    body = {"nip": NEW_NIP, "name": "Budi Santoso", "unit": "DINKES", "position": "Dokter",
            "rank": "III/b", "rank_since": "2014-04-01"}
    body.update(overrides)
    return body


def change(**fields: Any) -> dict[str, Any]:
    return {"effective": "2024-01-01", "reason": "perubahan data", **fields}


def problem(response: TestResponse, status: int) -> dict[str, Any]:
    """The problem body of a response that must have this status."""
    text = response.get_data(as_text=True)
    assert response.status_code == status, text
    assert response.mimetype == PROBLEM
    assert "Traceback" not in text
    body: dict[str, Any] = response.get_json()
    assert body["status"] == status
    assert body["detail"]
    return body


@contextmanager
def writes_nothing(api: Api) -> Iterator[None]:
    head = api.jejak.projections.head()
    yield
    assert api.jejak.projections.head() == head


def send_raw(api: Api, method: str, path: str, data: str | bytes, content_type: str = "application/json") -> TestResponse:
    return api.client.open(path, method=method, data=data,
                           headers=api.headers("hr_admin", **{"Content-Type": content_type}))


# --- the shape of the body ------------------------------------------------------------------------------------------


def test_malformed_json_is_400_saying_the_body_is_not_json(api: Api) -> None:
    with writes_nothing(api):
        body = problem(send_raw(api, "POST", "/api/units", '{"code": "BAPPEDA", "name": '), 400)

    assert "not valid JSON" in body["detail"]
    assert "_body" in body["errors"]


@pytest.mark.parametrize("payload", ["[1, 2]", "null", '"BAPPEDA"'])
def test_json_that_is_not_an_object_is_422_against_the_body(api: Api, payload: str) -> None:
    with writes_nothing(api):
        body = problem(send_raw(api, "POST", "/api/units", payload), 422)

    assert body["errors"]["_body"] == ["Invalid input type."]


def test_number_where_a_string_is_expected_is_422_naming_the_field(api: Api) -> None:
    with writes_nothing(api):
        body = problem(api.call("POST", "/api/employees", json=new_employee(rank=5)), 422)

    assert body["errors"]["rank"] == ["Not a valid string."]


def test_nip_sent_as_a_number_is_422_naming_nip(api: Api) -> None:
    with writes_nothing(api):
        body = problem(api.call("POST", "/api/employees", json=new_employee(nip=int(NEW_NIP))), 422)

    assert "nip" in body["errors"]


def test_rank_outside_the_seventeen_ranks_is_422_naming_rank(api: Api) -> None:
    with writes_nothing(api):
        body = problem(api.call("POST", "/api/employees", json=new_employee(rank="V/a")), 422)

    assert "Must be one of" in body["errors"]["rank"][0]


def test_unknown_field_is_422_naming_that_field(api: Api) -> None:
    with writes_nothing(api):
        body = problem(api.call("POST", "/api/employees", json=new_employee(salary=1_000_000)), 422)

    assert body["errors"] == {"salary": ["Unknown field."]}
    assert "salary" in body["detail"]


def test_unknown_field_in_a_career_change_is_422_naming_that_field(api: Api) -> None:
    path = f"/api/employees/{api.ids['staff']}/rank-changes"
    with writes_nothing(api):
        body = problem(api.call("POST", path, json=change(rank="III/b", approved_by="kepala")), 422)

    assert body["errors"] == {"approved_by": ["Unknown field."]}


def test_missing_required_fields_are_422_each_named(api: Api) -> None:
    with writes_nothing(api):
        body = problem(api.call("POST", "/api/employees", json={"name": "Budi Santoso"}), 422)

    assert set(body["errors"]) == {"nip", "unit", "position", "rank", "rank_since"}
    assert body["errors"]["nip"] == ["Missing data for required field."]


def test_body_larger_than_one_mebibyte_is_413(api: Api) -> None:
    oversize = '{"code": "BAPPEDA", "name": "' + "x" * (1024 * 1024) + '"}'
    with writes_nothing(api):
        body = problem(send_raw(api, "POST", "/api/units", oversize), 413)

    assert body["type"] == "/problems/payload-too-large"


# --- identifiers ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "role", "json", "what"),
    [
        ("GET", "/api/employees/nope", "hr_admin", None, "employee"),
        ("GET", "/api/employees/nope/reports", "hr_admin", None, "employee"),
        ("POST", "/api/employees/nope/rank-changes", "hr_admin", change(rank="III/b"), "employee"),
        ("POST", "/api/employees/nope/unit-changes", "hr_admin", change(unit="DINKES"), "employee"),
        ("POST", "/api/access-grants/nope/revocation", "hr_admin", {"reason": "r"}, "access grant"),
        ("GET", "/api/audit/aggregates/nope/events?reason=audit", "auditor", None, "aggregate"),
        ("GET", "/api/audit/employees/nope/state?version=1&reason=audit", "auditor", None, "employee"),
    ],
)
def test_malformed_uuid_in_the_path_is_404_saying_it_is_not_an_id(
    api: Api, method: str, path: str, role: str, json: Any, what: str
) -> None:
    with writes_nothing(api):
        body = problem(api.call(method, path, role=role, json=json), 404)

    assert body["detail"] == f"'nope' is not a valid {what} id"


def test_well_formed_id_of_nobody_is_404_naming_the_id(api: Api) -> None:
    missing = uuid4()

    body = problem(api.call("GET", f"/api/employees/{missing}"), 404)

    assert str(missing) in body["detail"]


def test_malformed_uuid_in_the_body_is_422_naming_the_field(api: Api) -> None:
    with writes_nothing(api):
        body = problem(api.call("POST", "/api/employees", json=new_employee(supervisor_id="nope")), 422)

    assert body["errors"] == {"supervisor_id": ["Not a valid UUID."]}


def test_malformed_supervisor_id_in_a_supervisor_change_is_422_naming_the_field(api: Api) -> None:
    path = f"/api/employees/{api.ids['staff']}/supervisor-changes"
    with writes_nothing(api):
        body = problem(api.call("POST", path, json=change(supervisor_id="nope")), 422)

    assert body["errors"] == {"supervisor_id": ["Not a valid UUID."]}


def test_supervisor_id_of_nobody_is_422_naming_supervisor_id(api: Api) -> None:
    with writes_nothing(api):
        body = problem(api.call("POST", "/api/employees", json=new_employee(supervisor_id=str(uuid4()))), 422)

    assert "supervisor_id" in body["errors"]


# --- dates ----------------------------------------------------------------------------------------------------------


def test_impossible_calendar_date_is_422_naming_the_field(api: Api) -> None:
    with writes_nothing(api):
        body = problem(api.call("POST", "/api/employees", json=new_employee(rank_since="2024-02-30")), 422)

    assert body["errors"] == {"rank_since": ["Not a valid date."]}


def test_effective_date_written_in_another_format_is_422_naming_it(api: Api) -> None:
    path = f"/api/employees/{api.ids['staff']}/rank-changes"
    with writes_nothing(api):
        body = problem(api.call("POST", path, json=change(rank="III/b", effective="01/04/2024")), 422)

    assert body["errors"] == {"effective": ["Not a valid date."]}


def test_effective_date_before_the_current_value_took_effect_is_422_naming_it(api: Api) -> None:
    path = f"/api/employees/{api.ids['staff']}/rank-changes"
    with writes_nothing(api):
        body = problem(api.call("POST", path, json=change(rank="III/b", effective="2010-01-01")), 422)

    assert "2015-03-01" in body["errors"]["effective"][0]


def test_rank_since_before_the_start_of_service_in_the_nip_is_422_naming_it(api: Api) -> None:
    with writes_nothing(api):
        body = problem(api.call("POST", "/api/employees", json=new_employee(rank_since="2009-12-01")), 422)

    assert "rank_since" in body["errors"]


# --- NIP ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nip", "reason"),
    [
        ("199002302015032001", "birth date"),  # 30 February
        ("199001012015133001", "start of service"),  # month 13
        ("199001012015033001", "sex digit"),  # sex digit 3
        ("199001012015032000", "serial"),  # serial 000
        ("19900101201503200", "18 digits"),  # 17 digits
        ("19900101201503200A", "18 digits"),
        ("200501012015032001", "before age 18"),  # started at ten
    ],
)
def test_invalid_nip_is_422_naming_nip_and_what_is_wrong(api: Api, nip: str, reason: str) -> None:
    with writes_nothing(api):
        body = problem(api.call("POST", "/api/employees", json=new_employee(nip=nip)), 422)

    assert list(body["errors"]) == ["nip"]
    assert reason in body["errors"]["nip"][0]


def test_duplicate_nip_is_409_naming_nip(api: Api) -> None:
    with writes_nothing(api):
        body = problem(api.call("POST", "/api/employees", json=new_employee(nip=STAFF_NIP, rank_since="2016-01-01")), 409)

    assert STAFF_NIP in body["errors"]["nip"][0]


# --- references to other records -------------------------------------------------------------------------------------


def test_unknown_unit_code_on_registration_is_422_naming_unit(api: Api) -> None:
    with writes_nothing(api):
        body = problem(api.call("POST", "/api/employees", json=new_employee(unit="NOPE")), 422)

    assert body["errors"] == {"unit": ["unit 'NOPE' is not registered"]}


def test_unknown_unit_code_on_a_move_is_422_naming_unit(api: Api) -> None:
    path = f"/api/employees/{api.ids['staff']}/unit-changes"
    with writes_nothing(api):
        body = problem(api.call("POST", path, json=change(unit="NOPE")), 422)

    assert "unit" in body["errors"]


def test_malformed_unit_code_is_422_naming_code(api: Api) -> None:
    with writes_nothing(api):
        body = problem(api.call("POST", "/api/units", json={"code": "bad code", "name": "Unit"}), 422)

    assert "code" in body["errors"]


def test_duplicate_unit_code_is_409(api: Api) -> None:
    with writes_nothing(api):
        body = problem(api.call("POST", "/api/units", json={"code": "BKPSDM", "name": "Badan Kepegawaian"}), 409)

    assert "BKPSDM" in body["detail"]


def test_duplicate_unit_code_409_names_code(api: Api) -> None:
    body = problem(api.call("POST", "/api/units", json={"code": "BKPSDM", "name": "Badan Kepegawaian"}), 409)

    assert "code" in body.get("errors", {})


def test_supervisor_cycle_is_422_naming_supervisor_id(api: Api) -> None:
    path = f"/api/employees/{api.ids['supervisor']}/supervisor-changes"
    with writes_nothing(api):
        body = problem(api.call("POST", path, json=change(supervisor_id=str(api.ids["staff"]))), 422)

    assert "cycle" in body["errors"]["supervisor_id"][0]


def test_being_ones_own_supervisor_is_422_naming_supervisor_id(api: Api) -> None:
    path = f"/api/employees/{api.ids['staff']}/supervisor-changes"
    with writes_nothing(api):
        body = problem(api.call("POST", path, json=change(supervisor_id=str(api.ids["staff"]))), 422)

    assert "supervisor_id" in body["errors"]


def test_change_to_the_current_value_is_422_naming_the_field(api: Api) -> None:
    path = f"/api/employees/{api.ids['staff']}/rank-changes"
    with writes_nothing(api):
        body = problem(api.call("POST", path, json=change(rank="III/a")), 422)

    assert "rank" in body["errors"]


def test_blank_reason_is_422_naming_reason(api: Api) -> None:
    path = f"/api/employees/{api.ids['staff']}/position-changes"
    with writes_nothing(api):
        body = problem(api.call("POST", path, json=change(position="Analis", reason="   ")), 422)

    assert "reason" in body["errors"]


def test_employee_grant_without_employee_id_is_422_naming_employee_id(api: Api) -> None:
    with writes_nothing(api):
        body = problem(api.call("POST", "/api/access-grants", json={"role": "employee", "name": "Dewi"}), 422)

    assert "employee_id" in body["errors"]


def test_grant_for_an_employee_id_of_nobody_is_422_naming_employee_id(api: Api) -> None:
    grant = {"role": "employee", "name": "Nobody", "employee_id": str(uuid4())}
    with writes_nothing(api):
        body = problem(api.call("POST", "/api/access-grants", json=grant), 422)

    assert "employee_id" in body["errors"]


# --- rule sets ------------------------------------------------------------------------------------------------------


def default_rule_set(api: Api) -> dict[str, Any]:
    response = api.call("GET", "/api/rule-sets/1")
    assert response.status_code == 200
    current: dict[str, Any] = response.get_json()
    return {"title": "Rules 2027", "legal_basis": current["legal_basis"], "effective_from": "2027-01-01",
            "rules": copy.deepcopy(current["rules"])}


def test_rule_set_with_a_missing_predicate_matrix_cell_is_422_naming_the_cell(api: Api) -> None:
    rule_set = default_rule_set(api)
    del rule_set["rules"]["predicate_matrix"]["above"]["below"]

    with writes_nothing(api):
        body = problem(api.call("POST", "/api/rule-sets", json=rule_set), 422)

    assert body["errors"] == {"rules.predicate_matrix.above.below": ["missing cell"]}


def test_rule_set_with_an_unknown_predicate_is_422_naming_the_cell(api: Api) -> None:
    rule_set = default_rule_set(api)
    rule_set["rules"]["predicate_matrix"]["below"]["below"] = "Buruk"

    with writes_nothing(api):
        body = problem(api.call("POST", "/api/rule-sets", json=rule_set), 422)

    assert list(body["errors"]) == ["rules.predicate_matrix.below.below"]


def test_rule_set_taking_effect_before_the_latest_is_422_naming_effective_from(api: Api) -> None:
    rule_set = default_rule_set(api)
    rule_set["effective_from"] = "2022-12-31"

    with writes_nothing(api):
        body = problem(api.call("POST", "/api/rule-sets", json=rule_set), 422)

    assert "effective_from" in body["errors"]


# --- query strings and headers --------------------------------------------------------------------------------------


@pytest.mark.parametrize("cursor", ["!!!", "bm90LWpzb24", "eyJhIjoxfQ", "WyJhIiwibm9wZSJd"])
def test_cursor_not_made_by_the_api_is_400_naming_cursor(api: Api, cursor: str) -> None:
    body = problem(api.call("GET", f"/api/employees?cursor={cursor}"), 400)

    assert body["errors"] == {"cursor": ["cursor is not valid"]}


@pytest.mark.parametrize(
    ("query", "field"),
    [("limit=0", "limit"), ("limit=201", "limit"), ("rank=V", "rank"), ("supervisor_id=nope", "supervisor_id")],
)
def test_bad_directory_query_parameter_is_422_naming_it(api: Api, query: str, field: str) -> None:
    body = problem(api.call("GET", f"/api/employees?{query}"), 422)

    assert list(body["errors"]) == [field]


def test_unknown_query_parameter_is_422_naming_it(api: Api) -> None:
    body = problem(api.call("GET", "/api/employees?unti=BKPSDM"), 422)

    assert "unti" in body["errors"]


def test_naive_timestamp_in_an_audit_query_is_422_naming_it(api: Api) -> None:
    body = problem(api.call("GET", "/api/audit/events?since=2024-01-01T00:00:00", role="auditor"), 422)

    assert body["errors"] == {"since": ["Not a valid aware datetime."]}


@pytest.mark.parametrize("if_match", ["abc", '"v1"', "-1", '"1.0"'])
def test_non_numeric_if_match_is_400_and_writes_nothing(api: Api, if_match: str) -> None:
    path = f"/api/employees/{api.ids['staff']}/rank-changes"
    with writes_nothing(api):
        body = problem(api.call("POST", path, json=change(rank="III/b"), **{"If-Match": if_match}), 400)

    assert "If-Match" in body["detail"]


def test_non_numeric_if_match_on_a_unit_rename_is_400(api: Api) -> None:
    with writes_nothing(api):
        body = problem(api.call("PATCH", "/api/units/BKPSDM", json={"name": "Baru", "reason": "r"},
                                **{"If-Match": "abc"}), 400)

    assert "If-Match" in body["detail"]


def test_unsupported_method_is_405(api: Api) -> None:
    with writes_nothing(api):
        problem(api.call("DELETE", "/api/units/BKPSDM"), 405)


def test_unsupported_method_405_says_which_methods_are_allowed(api: Api) -> None:
    response = api.call("DELETE", "/api/units/BKPSDM")

    assert {"GET", "PATCH"} <= {m.strip() for m in response.headers.get("Allow", "").split(",")}


def test_unknown_path_under_the_api_is_404_problem(api: Api) -> None:
    problem(api.call("GET", "/api/salaries"), 404)


# --- nothing ever leaks a stack trace -------------------------------------------------------------------------------


def test_no_bad_input_response_contains_a_traceback(api: Api) -> None:
    staff = api.ids["staff"]
    cases: list[TestResponse] = [
        send_raw(api, "POST", "/api/employees", "{"),
        send_raw(api, "POST", "/api/employees", b"\xff\xfe\x00"),
        send_raw(api, "POST", "/api/employees", '{"nip": {"$gt": ""}}'),
        send_raw(api, "POST", "/api/units", "code=X", content_type="text/plain"),
        api.call("POST", "/api/employees", json=new_employee(nip="9" * 18)),
        api.call("POST", "/api/employees", json=new_employee(name="x" * 10_000)),
        api.call("POST", "/api/employees", json=new_employee(rank_since="0000-00-00")),
        api.call("POST", f"/api/employees/{staff}/rank-changes", json=change(rank=None)),
        api.call("POST", f"/api/employees/{staff}/supervisor-changes", json=change(supervisor_id=123)),
        api.call("GET", "/api/employees?cursor=%00"),
        api.call("GET", "/api/employees?limit=abc"),
        api.call("GET", "/api/rule-sets/in-effect?at=yesterday"),
        api.call("GET", "/api/rule-sets/999999999999999999999"),
        api.call("GET", "/api/audit/events?after=-5", role="auditor"),
        api.call("GET", f"/api/audit/employees/{staff}/state?version=0&reason=audit", role="auditor"),
        api.call("PATCH", "/api/units/NOPE", json={"name": "x", "reason": "y"}),
        api.call("POST", "/api/rule-sets", json={"title": "t", "effective_from": "2027-01-01", "rules": []}),
    ]
    for response in cases:
        text = response.get_data(as_text=True)
        assert 400 <= response.status_code < 500, text
        assert response.mimetype == PROBLEM
        assert "Traceback" not in text
