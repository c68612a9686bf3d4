"""Authentication reads a grant once while nothing it depends on is stored: a repeated request with the same token
reads no read model, and an event the security read models read (a revocation, a new report) makes the next request
read them again."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import event

from application.actor import system_actor
from tests.promotions import HR
from tests.web.conftest import Api


def statements_of(api: Api, method: str, path: str, role: str) -> tuple[int, Any]:
    """How many read-model statements one request ran, and its response."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(api.jejak.engine, "before_cursor_execute", count)
    try:
        response = api.call(method, path, role=role)
    finally:
        event.remove(api.jejak.engine, "before_cursor_execute", count)
    return len(seen), response


def test_a_repeated_token_is_not_read_again_while_nothing_is_stored(api: Api) -> None:
    first, answer = statements_of(api, "GET", "/api/me", "auditor")
    again, same = statements_of(api, "GET", "/api/me", "auditor")

    assert answer.status_code == same.status_code == 200
    assert same.get_json() == answer.get_json()
    assert again < first  # the grant and the read models' standing were not read again


def test_a_revocation_stored_after_a_cached_answer_refuses_the_token_at_once(api: Api) -> None:
    grant = api.call("GET", "/api/me", role="auditor").get_json()["grant_id"]
    assert api.call("GET", "/api/me", role="auditor").status_code == 200  # answered from the cache

    api.jejak.access.revoke(system_actor("t"), UUID(grant), "left the office")

    assert api.call("GET", "/api/me", role="auditor").status_code == 401


def test_an_employee_who_gains_a_report_acts_as_supervisor_on_the_next_request(api: Api) -> None:
    assert api.call("GET", "/api/me", role="employee").get_json()["role"] == "employee"
    assert api.call("GET", "/api/me", role="employee").get_json()["role"] == "employee"  # from the cache

    api.jejak.registry.change_supervisor(system_actor("t"), api.ids["other"], api.ids["staff"], date(2024, 1, 1),
                                         "reorganisation")

    assert api.call("GET", "/api/me", role="employee").get_json()["role"] == "supervisor"


def test_an_event_the_security_read_models_do_not_read_keeps_the_answer(api: Api) -> None:
    first, _ = statements_of(api, "GET", "/api/me", "auditor")
    api.jejak.trainings.record(HR, employee_id=api.ids["staff"], course="Analisis Jabatan",
                               provider="BKN", jp=24, start_date=date(2024, 2, 5), end_date=date(2024, 2, 7),
                               certificate_number="CERT-AUTH-1")

    after, answer = statements_of(api, "GET", "/api/me", "auditor")

    assert answer.status_code == 200
    assert after < first  # a training is no grant, account or reporting line: nothing was read again
