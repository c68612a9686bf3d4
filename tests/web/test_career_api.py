"""The career record through HTTP: training completions and yearly JP, potential assessments and the talent grid,
mentoring and awards — who may read and write what, and how bad input, stale versions and duplicates are answered.

The office: Siti (IV/a) heads BKPSDM; Dewi (III/a) and Budi (III/a) report to her; Eko (II/c) reports to Budi, so
he is Siti's indirect report; Andi (III/b) works in DINKES. Each person has an employee token of their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from flask import Flask

from application.actor import Actor
from infrastructure.container import Jejak
from tests.web.conftest import Api, Template, add_office_staff, api_on_copy, build_template, module_app

PROBLEM = "application/problem+json"
YEAR = 2025
HR_ACTOR = Actor(id="career-hr", role="hr_admin", name="Admin BKPSDM")


def days_from_today(days: int) -> str:
    """The ISO date ``days`` from today, asked when the test runs (the services ask for today on each call; a date
    taken when the module was imported is yesterday's in a run that crosses midnight)."""
    return (date.today() + timedelta(days=days)).isoformat()


def on_the_day(values: dict[str, Any]) -> dict[str, Any]:
    """Parameters with each date given as a function (``lambda: days_from_today(1)``) asked now."""
    return {k: v() if callable(v) else v for k, v in values.items()}


@dataclass
class Office:
    """The app with a token per person; ``who`` is a person key or a non-employee role."""

    api: Api
    ids: dict[str, UUID]
    tokens: dict[str, str]

    @property
    def jejak(self) -> Jejak:
        return self.api.jejak

    def call(self, method: str, path: str, who: str = "hr_admin", json: Any = None, **headers: str) -> Any:
        headers["Authorization"] = f"Bearer {self.tokens[who]}"
        return self.api.client.open(path, method=method, json=json, headers=headers)

    def head(self) -> int:
        return self.jejak.projections.head()

    def as_(self, who: str, role: str = "employee") -> Actor:
        return Actor(id=f"emp-{who}", role=role, name=who, employee_id=self.ids[who])

    # --- trainings

    def record(self, person: str = "dewi", who: str | None = None, **overrides: Any) -> Any:
        body = {"employee_id": str(self.ids[person]), "course": "Pelatihan Analis Kebijakan",
                "provider": "BPSDM Provinsi", "jp": 16, "start_date": f"{YEAR}-05-05", "end_date": f"{YEAR}-05-06",
                "certificate_number": f"800/{uuid4().hex[:8]}/{YEAR}"}
        body.update(overrides)
        return self.call("POST", "/api/trainings", who or person, body)

    def recorded(self, person: str = "dewi", **overrides: Any) -> dict[str, Any]:
        response = self.record(person, "hr_admin", **overrides)
        assert response.status_code == 201, response.get_json()
        body: dict[str, Any] = response.get_json()
        return body

    def decide(self, training_id: str, outcome: str = "verified", reason: str = "sertifikat asli diperiksa",
               **headers: str) -> Any:
        return self.call("POST", f"/api/trainings/{training_id}/verification", "hr_admin",
                         {"outcome": outcome, "reason": reason}, **headers)

    def verified(self, person: str = "dewi", jp: int = 16, **overrides: Any) -> dict[str, Any]:
        training = self.recorded(person, jp=jp, **overrides)
        assert self.decide(training["id"]).status_code == 200
        return training

    def hours(self, person: str = "dewi", who: str = "hr_admin", year: int | None = YEAR) -> Any:
        query = f"?year={year}" if year is not None else ""
        return self.call("GET", f"/api/employees/{self.ids[person]}/training-hours{query}", who)

    # --- mentoring

    def assign(self, mentor: str = "siti", mentee: str = "dewi", who: str = "hr_admin", **overrides: Any) -> Any:
        body = {"mentor_id": str(self.ids[mentor]), "mentee_id": str(self.ids[mentee]),
                "goals": ["menyusun kajian kebijakan", "memimpin rapat koordinasi"],
                "starts_on": days_from_today(-30)}
        body.update(overrides)
        return self.call("POST", "/api/mentoring", who, body)

    def assigned(self, mentor: str = "siti", mentee: str = "dewi") -> dict[str, Any]:
        response = self.assign(mentor, mentee)
        assert response.status_code == 201, response.get_json()
        body: dict[str, Any] = response.get_json()
        return body

    def session(self, mid: str, who: str, held_on: date | None = None, note: str = "membahas draf",
                if_match: str | None = None) -> Any:
        headers = {"If-Match": if_match} if if_match else {}
        held = (held_on or date.today()).isoformat()
        return self.call("POST", f"/api/mentoring/{mid}/sessions", who, {"held_on": held, "note": note}, **headers)


def problem_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body: dict[str, Any] = response.get_json()
    return body


def build_office(api: Api) -> tuple[dict[str, UUID], dict[str, str]]:
    ids = {"siti": api.ids["supervisor"], "dewi": api.ids["staff"], "andi": api.ids["other"]}
    return ids, add_office_staff(api, ids, "career-tests")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """The seeded office, built once on SQLite and closed; each test works on a copy of its files."""
    return build_template(tmp_path_factory, "career-template", build_office)


@pytest.fixture(scope="module")
def app(template: Template, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One app for the module; each test swaps in its own system."""
    yield from module_app(template, tmp_path_factory)


@pytest.fixture
def office(app: Flask, template: Template, tmp_path: Path) -> Iterator[Office]:
    """The office on a fresh copy of the template database, in the module's app."""
    with api_on_copy(template, tmp_path / "var", app) as api:
        yield Office(api, dict(template[1]), template[2])


# --- recording a training -----------------------------------------------------------------------------------------


def test_an_employee_records_their_own_training_unverified(office: Office) -> None:
    response = office.record("dewi", certificate_number="Sert 001/BPSDM")

    assert response.status_code == 201
    body = response.get_json()
    assert (body["employee_name"], body["unit"], body["jp"], body["year"], body["status"]) == (
        "Dewi Lestari", "BKPSDM", 16, YEAR, "unverified")
    assert body["certificate_number"] == "Sert 001/BPSDM"
    assert response.headers["ETag"] == '"1"'


@pytest.mark.parametrize(("who", "person"), [("dewi", "budi"), ("siti", "dewi"), ("andi", "dewi")])
def test_nobody_records_anyone_elses_training_but_hr(office: Office, who: str, person: str) -> None:
    head = office.head()

    problem = problem_of(office.record(person, who), 403)

    assert "own" in problem["detail"]
    assert office.head() == head


@pytest.mark.parametrize(("who", "status"), [("committee", 403), ("auditor", 403), ("investigator", 403)])
def test_non_employee_roles_other_than_hr_record_nothing(office: Office, who: str, status: int) -> None:
    problem_of(office.record("dewi", who), status)


def test_more_jp_than_the_dates_allow_is_422_naming_jp(office: Office) -> None:
    problem = problem_of(office.record(jp=21, start_date=f"{YEAR}-05-05", end_date=f"{YEAR}-05-06"), 422)

    assert problem["errors"] == {"jp": ["at most 20 JP for 2 days (10 JP of 45 minutes a day)"]}


def test_the_most_jp_the_dates_allow_is_accepted(office: Office) -> None:
    assert office.record(jp=10, start_date=f"{YEAR}-05-05", end_date=f"{YEAR}-05-05").status_code == 201


@pytest.mark.parametrize(("overrides", "field"), [
    ({"jp": 0}, "jp"),
    ({"jp": 2.5}, "jp"),
    ({"jp": "8"}, "jp"),
    ({"start_date": f"{YEAR}-05-07"}, "end_date"),
    ({"start_date": lambda: days_from_today(0), "end_date": lambda: days_from_today(1)}, "end_date"),
    ({"end_date": "2025-02-30"}, "end_date"),
    ({"course": ""}, "course"),
    ({"certificate_number": "   "}, "certificate_number"),
    ({"employee_id": "not-a-uuid"}, "employee_id"),
    ({"grade": "A"}, "grade"),
])
def test_bad_input_is_422_naming_the_field(office: Office, overrides: dict[str, Any], field: str) -> None:
    head = office.head()

    problem = problem_of(office.record("dewi", "hr_admin", **on_the_day(overrides)), 422)

    assert field in problem["errors"]
    assert office.head() == head


def test_missing_fields_are_each_named(office: Office) -> None:
    problem = problem_of(office.call("POST", "/api/trainings", "hr_admin", {"course": "Latsar"}), 422)

    assert set(problem["errors"]) == {"employee_id", "provider", "jp", "start_date", "end_date",
                                      "certificate_number"}


def test_training_for_an_unknown_employee_is_422_naming_employee_id(office: Office) -> None:
    office.ids["ghost"] = UUID(int=5)

    assert "employee_id" in problem_of(office.record("ghost", "hr_admin"), 422)["errors"]


def test_a_duplicate_certificate_is_409_naming_it_however_it_is_written(office: Office) -> None:
    office.recorded("dewi", certificate_number="800/12/BPSDM/2025")
    head = office.head()

    problem = problem_of(office.record("budi", "hr_admin", certificate_number=" 800/12/bpsdm/2025"), 409)

    assert "certificate_number" in problem["errors"]
    assert office.head() == head


def test_a_rejected_completions_certificate_may_be_recorded_again(office: Office) -> None:
    first = office.recorded("dewi", certificate_number="SERT-9")
    assert office.decide(first["id"], "rejected", "JP tidak sesuai sertifikat").status_code == 200

    assert office.record("dewi", certificate_number="sert-9", jp=12).status_code == 201


# --- verification -------------------------------------------------------------------------------------------------


def test_hr_verifies_with_a_reason_and_the_version_moves(office: Office) -> None:
    training = office.recorded()

    response = office.decide(training["id"], **{"If-Match": '"1"'})

    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["decision_reason"]) == ("verified", "sertifikat asli diperiksa")
    assert body["decided_at"] is not None
    assert response.headers["ETag"] == '"2"'


def test_a_stale_if_match_is_412_and_nothing_is_decided(office: Office) -> None:
    training = office.recorded()
    head = office.head()

    problem_of(office.decide(training["id"], **{"If-Match": '"2"'}), 412)

    assert office.head() == head
    assert office.call("GET", f"/api/trainings/{training['id']}").get_json()["status"] == "unverified"


def test_a_second_decision_is_409(office: Office) -> None:
    training = office.verified()

    assert "outcome" in problem_of(office.decide(training["id"], "rejected", "salah"), 409)["errors"]


@pytest.mark.parametrize(("body", "field"), [({"outcome": "approved", "reason": "ok"}, "outcome"),
                                             ({"outcome": "rejected"}, "reason"),
                                             ({"outcome": "rejected", "reason": ""}, "reason")])
def test_a_decision_needs_a_known_outcome_and_a_reason(office: Office, body: dict[str, str], field: str) -> None:
    training = office.recorded()

    response = office.call("POST", f"/api/trainings/{training['id']}/verification", "hr_admin", body)

    assert field in problem_of(response, 422)["errors"]


def test_deciding_an_unknown_training_is_404(office: Office) -> None:
    problem_of(office.decide(str(uuid4())), 404)
    problem_of(office.decide("not-an-id"), 404)


# --- reading trainings --------------------------------------------------------------------------------------------


def test_employees_list_only_their_own_and_supervisors_also_their_reports(office: Office) -> None:
    for person in ("dewi", "budi", "eko", "andi"):
        office.recorded(person)

    def names(who: str) -> set[str]:
        return {t["employee_name"] for t in office.call("GET", "/api/trainings", who).get_json()}

    assert names("dewi") == {"Dewi Lestari"}
    assert names("budi") == {"Budi Santoso", "Eko Prasetyo"}
    assert names("siti") == {"Dewi Lestari", "Budi Santoso", "Eko Prasetyo"}
    assert len(names("hr_admin")) == len(names("auditor")) == 4


def test_the_list_filters_by_employee_unit_year_and_status(office: Office) -> None:
    kept = office.verified("dewi")
    office.recorded("dewi")
    office.verified("dewi", start_date="2024-03-01", end_date="2024-03-01", jp=8)
    office.verified("andi")

    query = f"/api/trainings?employee_id={office.ids['dewi']}&unit=BKPSDM&year={YEAR}&status=verified"
    listed = office.call("GET", query).get_json()

    assert [t["id"] for t in listed] == [kept["id"]]
    assert {t["employee_name"] for t in office.call("GET", "/api/trainings?unit=DINKES").get_json()} == {
        "Andi Pratama"}


@pytest.mark.parametrize("query", ["status=approved", "year=1800", "limit=0", "colour=red"])
def test_bad_list_filters_are_422(office: Office, query: str) -> None:
    problem_of(office.call("GET", f"/api/trainings?{query}"), 422)


@pytest.mark.parametrize(("who", "status"), [("dewi", 200), ("siti", 200), ("auditor", 200), ("budi", 403),
                                             ("andi", 403), ("committee", 403)])
def test_one_training_is_read_by_its_employee_their_supervisors_hr_and_auditors(
        office: Office, who: str, status: int) -> None:
    training = office.recorded("dewi")

    response = office.call("GET", f"/api/trainings/{training['id']}", who)

    assert response.status_code == status
    if status == 200:
        assert response.headers["ETag"] == '"1"'


def test_an_unknown_training_is_404(office: Office) -> None:
    problem_of(office.call("GET", f"/api/trainings/{uuid4()}"), 404)


# --- yearly JP ----------------------------------------------------------------------------------------------------


def test_only_verified_jp_count_towards_the_yearly_minimum(office: Office) -> None:
    office.verified(jp=10, start_date=f"{YEAR}-02-03", end_date=f"{YEAR}-02-03")
    office.recorded(jp=8)  # unverified
    rejected = office.recorded(jp=20)
    office.decide(rejected["id"], "rejected", "sertifikat palsu")
    office.verified(jp=10, start_date=f"{YEAR - 1}-02-03", end_date=f"{YEAR - 1}-02-03")

    body = office.hours().get_json()

    assert (body["verified_jp"], body["unverified_jp"], body["rejected_jp"]) == (10, 8, 20)
    assert (body["minimum_jp"], body["shortfall_jp"], body["meets_minimum"]) == (20, 10, False)
    assert (body["rule_set_version"], body["rules_at"]) == (1, f"{YEAR}-12-31")
    assert len(body["trainings"]) == 3


def test_the_minimum_is_met_at_exactly_twenty_verified_jp(office: Office) -> None:
    office.verified(jp=12)
    office.verified(jp=8, start_date=f"{YEAR}-08-01", end_date=f"{YEAR}-08-01")

    body = office.hours().get_json()

    assert (body["verified_jp"], body["shortfall_jp"], body["meets_minimum"]) == (20, 0, True)


def test_the_year_defaults_to_this_year(office: Office) -> None:
    today = date.today()
    office.verified(jp=8, start_date=today.isoformat(), end_date=today.isoformat())

    body = office.hours(year=None).get_json()

    assert (body["year"], body["verified_jp"], body["rules_at"]) == (today.year, 8, today.isoformat())


def test_a_year_before_any_rule_set_is_422_naming_year(office: Office) -> None:
    assert "year" in problem_of(office.hours(year=2019), 422)["errors"]


@pytest.mark.parametrize(("who", "person", "status"), [
    ("dewi", "dewi", 200), ("siti", "dewi", 200), ("siti", "eko", 200), ("budi", "eko", 200),
    ("auditor", "andi", 200), ("dewi", "andi", 403), ("budi", "dewi", 403), ("andi", "dewi", 403),
    ("committee", "dewi", 403), ("investigator", "dewi", 403)])
def test_yearly_jp_are_read_by_the_employee_their_supervisors_hr_and_auditors(
        office: Office, who: str, person: str, status: int) -> None:
    assert office.hours(person, who).status_code == status


def test_yearly_jp_of_an_unknown_employee_is_404(office: Office) -> None:
    problem_of(office.call("GET", f"/api/employees/{uuid4()}/training-hours"), 404)


def test_the_unit_shortfall_lists_who_is_below_the_minimum(office: Office) -> None:
    office.verified("dewi", jp=20)
    office.verified("budi", jp=12)
    office.recorded("eko", jp=16)  # unverified: still below

    body = office.call("GET", f"/api/units/BKPSDM/training-shortfall?year={YEAR}").get_json()

    assert (body["minimum_jp"], body["employees"], body["below_count"]) == (20, 4, 3)
    assert [(b["name"], b["verified_jp"], b["shortfall_jp"]) for b in body["below"]] == [
        ("Eko Prasetyo", 0, 20), ("Siti Rahmawati", 0, 20), ("Budi Santoso", 12, 8)]
    assert body["below"][0]["unverified_jp"] == 16


def test_a_supervisor_sees_the_shortfall_of_their_own_people_only(office: Office) -> None:
    body = office.call("GET", f"/api/units/BKPSDM/training-shortfall?year={YEAR}", "budi").get_json()

    assert [b["name"] for b in body["below"]] == ["Budi Santoso", "Eko Prasetyo"]


def test_the_shortfall_of_an_unknown_unit_is_404(office: Office) -> None:
    problem_of(office.call("GET", "/api/units/NOPE/training-shortfall"), 404)


# --- potential and the talent grid --------------------------------------------------------------------------------


def assess(office: Office, person: str, level: str = "high", who: str = "siti", **extra: Any) -> Any:
    return office.call("POST", "/api/potential-assessments", who,
                       {"employee_id": str(office.ids[person]), "level": level, "basis": "uji kompetensi", **extra})


def test_the_supervisor_assesses_potential_as_the_assessor(office: Office) -> None:
    response = assess(office, "dewi", "high", assessed_on=days_from_today(-3))

    assert response.status_code == 201
    body = response.get_json()
    assert (body["level"], body["assessor_id"], body["assessed_on"]) == (
        "high", str(office.ids["siti"]), days_from_today(-3))
    assert office.call("GET", f"/api/potential-assessments/{body['id']}", "dewi").status_code == 200
    assert office.call("GET", f"/api/potential-assessments/{body['id']}", "andi").status_code == 403


@pytest.mark.parametrize(("who", "person"), [("siti", "eko"), ("budi", "dewi"), ("siti", "andi")])
def test_only_the_direct_supervisor_or_hr_assesses_potential(office: Office, who: str, person: str) -> None:
    problem = problem_of(assess(office, person, who=who), 403)

    assert "supervisor" in problem["detail"]


@pytest.mark.parametrize(("extra", "field"), [({"level": "very high"}, "level"), ({"basis": ""}, "basis"),
                                              ({"assessed_on": lambda: days_from_today(1)},
                                               "assessed_on")])
def test_a_faulty_potential_assessment_is_422_naming_the_field(office: Office, extra: dict[str, str],
                                                                field: str) -> None:
    body = {"employee_id": str(office.ids["dewi"]), "level": "high", "basis": "uji", **on_the_day(extra)}

    response = office.call("POST", "/api/potential-assessments", "hr_admin", body)

    assert field in problem_of(response, 422)["errors"]


def final_appraisal(office: Office, person: str, work: str, behaviour: str) -> None:
    """A final 2025 appraisal assessed by the person's supervisor (set up through the appraisal service)."""
    service = office.jejak.appraisals
    employee = office.jejak.registry.employee(office.ids[person])
    assessor = Actor(id="assessor", role="supervisor", name="assessor", employee_id=employee.supervisor_id)
    aid = service.open(HR_ACTOR, office.ids[person], "2025").id
    service.agree_target(assessor, aid, "Menyelesaikan usulan mutasi", "usulan selesai tepat waktu")
    service.assess(assessor, aid, work, behaviour)
    service.finalise(assessor, aid)


def test_the_talent_grid_shows_nine_boxes_with_members_and_the_unplaced(office: Office) -> None:
    final_appraisal(office, "dewi", "above", "above")  # Sangat Baik
    final_appraisal(office, "budi", "as_expected", "as_expected")  # Baik
    final_appraisal(office, "eko", "below", "below")  # Sangat Kurang, but no potential assessed
    assert assess(office, "dewi", "high").status_code == 201
    assert assess(office, "budi", "low").status_code == 201

    body = office.call("GET", "/api/units/BKPSDM/talent-grid").get_json()

    boxes = {b["box"]: b for b in body["boxes"]}
    assert [b["box"] for b in body["boxes"]] == list(range(9, 0, -1))
    assert (boxes[9]["performance"], boxes[9]["potential"]) == ("above", "high")
    assert [(m["name"], m["predicate"]) for m in boxes[9]["members"]] == [("Dewi Lestari", "Sangat Baik")]
    assert [m["name"] for m in boxes[2]["members"]] == ["Budi Santoso"]  # as expected x low (DOMAIN.md)
    assert boxes[9]["talent_pool"] and not boxes[2]["talent_pool"] and body["rule_set_version"] == 1
    assert boxes[1]["meaning"] and boxes[1]["follow_up"].startswith("Bimbingan kinerja")
    assert sum(b["count"] for b in body["boxes"]) == body["placed"] == 2
    assert {m["name"]: m["missing"] for m in body["unplaced"]} == {
        "Eko Prasetyo": ["potential"], "Siti Rahmawati": ["performance", "potential"]}
    assert body["performance_by_predicate"]["Butuh Perbaikan"] == "below"


def test_a_supervisor_sees_the_grid_of_their_own_people_only(office: Office) -> None:
    body = office.call("GET", "/api/units/BKPSDM/talent-grid", "budi").get_json()

    assert sorted(m["name"] for m in body["unplaced"]) == ["Budi Santoso", "Eko Prasetyo"]


@pytest.mark.parametrize(("who", "status"), [("hr_admin", 200), ("auditor", 200), ("siti", 200), ("dewi", 403),
                                             ("committee", 403)])
def test_the_talent_grid_is_for_hr_auditors_and_supervisors(office: Office, who: str, status: int) -> None:
    assert office.call("GET", "/api/units/BKPSDM/talent-grid", who).status_code == status


def test_the_talent_grid_of_an_unknown_unit_is_404(office: Office) -> None:
    problem_of(office.call("GET", "/api/units/NOPE/talent-grid"), 404)


# --- mentoring ----------------------------------------------------------------------------------------------------


def test_a_mentoring_assignment_runs_from_goals_through_sessions_to_a_summary(office: Office) -> None:
    mentoring = office.assigned("siti", "dewi")
    mid = mentoring["id"]
    assert (mentoring["mentor_rank"], mentoring["mentee_rank"], mentoring["status"]) == ("IV/a", "III/a", "active")

    today = date.today()
    assert office.session(mid, "siti", today - timedelta(days=20), if_match='"1"').status_code == 201
    assert office.session(mid, "dewi", today - timedelta(days=5)).status_code == 201
    problem_of(office.session(mid, "dewi", if_match='"1"'), 412)
    problem_of(office.call("POST", f"/api/mentoring/{mid}/end", "dewi", {"summary": "selesai"}), 403)
    ended = office.call("POST", f"/api/mentoring/{mid}/end", "siti", {"summary": "kajian selesai"})

    assert ended.status_code == 200
    body = ended.get_json()
    assert (body["status"], body["summary"], body["sessions"], body["ended_on"]) == (
        "ended", "kajian selesai", 2, today.isoformat())
    assert [s["logged_by"] for s in body["session_log"]] == ["mentor", "mentee"]
    assert ended.headers["ETag"] == '"4"'
    assert "mentoring" in problem_of(office.session(mid, "siti"), 409)["errors"]


def test_a_mentor_of_the_same_rank_is_422_naming_mentor_id(office: Office) -> None:
    assert "mentor_id" in problem_of(office.assign("budi", "dewi"), 422)["errors"]


@pytest.mark.parametrize(("who", "mentee", "status"), [("siti", "dewi", 201), ("siti", "eko", 403),
                                                       ("budi", "eko", 201), ("dewi", "dewi", 403)])
def test_the_mentees_supervisor_or_hr_assigns(office: Office, who: str, mentee: str, status: int) -> None:
    mentor = "andi" if mentee == "eko" else "siti"  # III/b above II/c, IV/a above III/a

    assert office.assign(mentor, mentee, who).status_code == status


@pytest.mark.parametrize(("field", "value"), [("goals", []), ("goals", [""]), ("mentor_id", "x"),
                                              ("starts_on", "soon")])
def test_a_faulty_assignment_is_422_naming_the_field(office: Office, field: str, value: Any) -> None:
    errors = problem_of(office.assign(**{field: value}), 422)["errors"]

    assert any(name.split(".")[0] == field for name in errors), errors


def test_a_session_before_the_start_or_in_the_future_is_422_naming_held_on(office: Office) -> None:
    mid = office.assigned()["id"]

    for day in (date.today() - timedelta(days=31), date.today() + timedelta(days=1)):
        assert "held_on" in problem_of(office.session(mid, "siti", day), 422)["errors"]


def test_a_mentor_outside_the_mentees_line_reads_the_assignment(office: Office) -> None:
    mid = office.assigned("andi", "eko")["id"]

    def status(who: str) -> int:
        return int(office.call("GET", f"/api/mentoring/{mid}", who).status_code)

    assert {who: status(who) for who in ("andi", "eko", "budi", "siti", "dewi", "auditor")} == {
        "andi": 200, "eko": 200, "budi": 200, "siti": 200, "dewi": 403, "auditor": 200}
    assert [m["id"] for m in office.call("GET", "/api/mentoring", "andi").get_json()] == [mid]
    assert office.call("GET", "/api/mentoring", "dewi").get_json() == []


def test_an_unknown_mentoring_is_404(office: Office) -> None:
    problem_of(office.call("GET", f"/api/mentoring/{uuid4()}"), 404)
    problem_of(office.session(str(uuid4()), "hr_admin"), 404)


# --- awards -------------------------------------------------------------------------------------------------------


def grant(office: Office, person: str, who: str = "siti", **extra: Any) -> Any:
    body = {"employee_id": str(office.ids[person]), "category": "innovation", "title": "Inovasi Layanan",
            "reason": "antrean daring mengurangi waktu tunggu", **extra}
    return office.call("POST", "/api/awards", who, body)


def test_the_supervisor_grants_an_award_listed_for_the_employee(office: Office) -> None:
    response = grant(office, "dewi", awarded_on="2026-01-10")

    assert response.status_code == 201
    award = response.get_json()
    assert (award["category"], award["granted_by_id"], award["awarded_on"]) == (
        "innovation", str(office.ids["siti"]), "2026-01-10")
    listed = office.call("GET", f"/api/awards?employee_id={office.ids['dewi']}", "dewi").get_json()
    assert [a["id"] for a in listed] == [award["id"]]
    assert office.call("GET", f"/api/awards?employee_id={office.ids['dewi']}", "andi").get_json() == []
    assert office.call("GET", f"/api/awards/{award['id']}", "andi").status_code == 403


@pytest.mark.parametrize(("who", "person"), [("siti", "eko"), ("budi", "dewi")])
def test_only_the_direct_supervisor_or_hr_grants_an_award(office: Office, who: str, person: str) -> None:
    problem_of(grant(office, person, who), 403)


def test_hr_grants_an_award_to_anyone(office: Office) -> None:
    assert grant(office, "andi", "hr_admin", category="loyalty", title="Satyalancana Karya Satya X").status_code == 201


@pytest.mark.parametrize(("extra", "field"), [({"category": "bravery"}, "category"), ({"reason": ""}, "reason"),
                                              ({"awarded_on": lambda: days_from_today(1)},
                                               "awarded_on")])
def test_a_faulty_award_is_422_naming_the_field(office: Office, extra: dict[str, str], field: str) -> None:
    assert field in problem_of(grant(office, "dewi", **on_the_day(extra)), 422)["errors"]
