"""The career timeline through HTTP: date order, event references an auditor can follow into the log, filters by
date range and kind, and who may read whose timeline (an auditor's read needs a reason and is recorded).

The office (see tests/infrastructure/test_timeline_projection.py for Dewi's career): the head of BKPSDM supervises
Siti, who supervises Dewi and Budi; Eko reports to Budi, so he is Siti's indirect report; Andi works in DINKES.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from uuid import UUID, uuid4

import pytest
from flask import Flask

from application.queries.timeline import KINDS
from infrastructure.container import Jejak
from tests.infrastructure.test_timeline_projection import DEWI_TIMELINE, record_career
from tests.web.conftest import Api, Template, add_office_staff, api_on_copy, build_template, module_app

PROBLEM = "application/problem+json"


@dataclass
class Office:
    """The app with a token per person (siti, dewi, andi, budi, eko) or non-employee role."""

    api: Api
    ids: dict[str, UUID]
    tokens: dict[str, str]

    @property
    def jejak(self) -> Jejak:
        return self.api.jejak

    def call(self, path: str, who: str = "hr_admin") -> Any:
        return self.api.client.get(path, headers={"Authorization": f"Bearer {self.tokens[who]}"})

    def timeline(self, person: str = "dewi", who: str = "hr_admin", **query: Any) -> Any:
        suffix = f"?{urlencode(query, doseq=True)}" if query else ""
        return self.call(f"/api/employees/{self.ids[person]}/timeline{suffix}", who)

    def items(self, person: str = "dewi", who: str = "hr_admin", **query: Any) -> list[dict[str, Any]]:
        response = self.timeline(person, who, **query)
        assert response.status_code == 200, response.get_data(as_text=True)
        items: list[dict[str, Any]] = response.get_json()["items"]
        return items


def build_office(api: Api) -> tuple[dict[str, UUID], dict[str, str]]:
    ids = {"siti": api.ids["supervisor"], "dewi": api.ids["staff"], "andi": api.ids["other"]}
    record_career(api.jejak, ids)
    return ids, add_office_staff(api, ids, "timeline-tests")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """The office with Dewi's career, built once on SQLite and closed; each test works on a copy of its files."""
    return build_template(tmp_path_factory, "timeline-template", build_office)


@pytest.fixture(scope="module")
def app(template: Template, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One app for the module; each test swaps in its own system."""
    yield from module_app(template, tmp_path_factory)


@pytest.fixture
def office(app: Flask, template: Template, tmp_path: Path) -> Iterator[Office]:
    """The office on a fresh copy of the template database, in the module's app."""
    with api_on_copy(template, tmp_path / "var", app) as api:
        yield Office(api, dict(template[1]), template[2])


def problem_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body: dict[str, Any] = response.get_json()
    return body


def recorded_reads(office: Office) -> list[dict[str, Any]]:
    response = office.call("/api/audit/events?topic=SensitiveRead.Recorded", "auditor")
    items: list[dict[str, Any]] = response.get_json()["items"]
    return items


# --- order and event references ---------------------------------------------------------------------------------


def test_the_timeline_lists_the_career_in_date_order(office: Office) -> None:
    body = office.timeline().get_json()

    assert (body["employee_id"], body["name"], body["kinds"]) == (str(office.ids["dewi"]), "Dewi Lestari", [])
    assert [i["kind"] for i in body["items"]] == [kind for kind, _ in DEWI_TIMELINE]
    dates = [i["date"] for i in body["items"]]
    assert dates == sorted(dates) and dates[0] == "2015-03-01"
    assert body["count"] == len(body["items"])


def test_each_item_names_the_event_as_the_audit_log_shows_it(office: Office) -> None:
    items = office.items()

    for item in items:
        ref = item["event"]
        [event] = office.call(ref["href"], "auditor").get_json()["items"]
        assert (event["aggregate_id"], event["version"], event["position"], event["topic"]) == (
            ref["aggregate_id"], ref["version"], ref["position"], ref["topic"])
        assert event["timestamp"] == item["recorded_at"]
    rank = next(i for i in items if i["kind"] == "rank")
    assert rank["event"]["topic"].endswith("Employee.RankChanged")
    assert rank["event"]["aggregate_id"] == str(office.ids["dewi"]) and rank["event"]["version"] == 2


def test_the_timeline_comes_a_page_at_a_time_with_the_whole_count(office: Office) -> None:
    whole = office.timeline().get_json()
    first = office.timeline(limit=4).get_json()
    rest = office.timeline(limit=100, cursor=first["next_cursor"]).get_json()

    assert whole["next_cursor"] is None and whole["count"] == len(whole["items"]) > 4
    assert (len(first["items"]), first["count"]) == (4, whole["count"])
    assert first["items"] + rest["items"] == whole["items"] and rest["next_cursor"] is None
    problem_of(office.timeline(cursor="not-a-cursor"), 400)


# --- filters ---------------------------------------------------------------------------------------------------


def test_since_and_until_are_inclusive_business_dates(office: Office) -> None:
    items = office.items(since="2019-04-01", until="2024-05-06")

    assert [(i["kind"], i["date"]) for i in items] == [
        ("rank", "2019-04-01"), ("position", "2020-01-02"), ("unit", "2021-07-01"), ("training", "2024-05-06")]


@pytest.mark.parametrize("kinds", [["appraisal,objection"], ["appraisal", "objection"], ["objection, appraisal"]])
def test_kinds_may_repeat_or_be_separated_by_commas(office: Office, kinds: list[str]) -> None:
    body = office.timeline(kind=kinds).get_json()

    assert body["kinds"] == ["appraisal", "objection"]
    assert [i["kind"] for i in body["items"]] == ["appraisal", "objection", "objection"]


def test_kind_and_date_filters_combine(office: Office) -> None:
    items = office.items(kind="mentoring", since="2026-01-01")

    assert [i["title"] for i in items] == ["Mentoring by Siti Rahmawati ended"]


def test_an_unknown_kind_is_422_naming_kind_and_the_known_kinds(office: Office) -> None:
    body = problem_of(office.timeline(kind="rank,salary"), 422)

    assert list(body["errors"]) == ["kind"]
    assert "salary" in body["errors"]["kind"][0] and ", ".join(KINDS) in body["errors"]["kind"][0]


@pytest.mark.parametrize(("query", "field"), [
    ({"since": "2024-02-30"}, "since"),
    ({"until": "yesterday"}, "until"),
    ({"since": "2024-01-02", "until": "2024-01-01"}, "until"),
    ({"page": "2"}, "page"),
])
def test_bad_filters_are_422_naming_the_field(office: Office, query: dict[str, str], field: str) -> None:
    assert field in problem_of(office.timeline(**query), 422)["errors"]


def test_an_unknown_or_malformed_employee_is_404(office: Office) -> None:
    problem_of(office.call(f"/api/employees/{uuid4()}/timeline"), 404)
    problem_of(office.call("/api/employees/not-an-id/timeline"), 404)


# --- who reads whose timeline ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "person", "status"), [
    ("dewi", "dewi", 200),  # her own
    ("eko", "eko", 200),
    ("siti", "dewi", 200),  # a direct report
    ("siti", "eko", 200),  # an indirect report (through Budi)
    ("budi", "eko", 200),
    ("siti", "siti", 200),
    ("dewi", "siti", 403),  # her supervisor's
    ("dewi", "andi", 403),  # a colleague elsewhere
    ("budi", "dewi", 403),  # a peer
    ("eko", "budi", 403),
    ("andi", "dewi", 403),
    ("hr_admin", "andi", 200),
    ("committee", "dewi", 403),
    ("investigator", "dewi", 403),
])
def test_employees_read_their_own_supervisors_their_reports_and_hr_everyones(
        office: Office, who: str, person: str, status: int) -> None:
    head = office.jejak.projections.head()

    response = office.timeline(person, who)

    assert response.status_code == status, response.get_data(as_text=True)
    if status == 403:
        assert response.mimetype == PROBLEM
    assert office.jejak.projections.head() == head  # nobody's read but an auditor's is recorded


def test_an_auditor_needs_a_reason_and_nothing_is_read_or_recorded_without_one(office: Office) -> None:
    head = office.jejak.projections.head()

    body = problem_of(office.timeline("dewi", "auditor"), 422)

    assert "reason" in body["errors"]
    assert office.jejak.projections.head() == head


def test_an_auditors_read_is_recorded_with_its_reason_and_case(office: Office) -> None:
    items = office.items("dewi", "auditor", reason="keberatan SKP 2025", case_id="G-12")

    assert [i["kind"] for i in items] == [kind for kind, _ in DEWI_TIMELINE]
    [read] = recorded_reads(office)
    assert read["payload"]["subject"] == "employee.timeline"
    assert read["payload"]["subject_id"] == str(office.ids["dewi"])
    assert (read["payload"]["reason"], read["payload"]["case_id"]) == ("keberatan SKP 2025", "G-12")
    assert read["actor"]["role"] == "auditor"


def test_an_auditors_refused_filter_records_no_read(office: Office) -> None:
    problem_of(office.timeline("dewi", "auditor", reason="audit", kind="nope"), 422)

    assert recorded_reads(office) == []


def test_hr_reads_without_a_reason_and_nothing_is_recorded(office: Office) -> None:
    assert len(office.items("andi")) == 1  # registration only

    assert recorded_reads(office) == []
