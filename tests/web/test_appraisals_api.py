"""Performance appraisals (SKP) through HTTP: opening, the assessor's stages, objection and decision, who may read
what, organisation ratings and the unit predicate distribution.

The office: Kepala heads BKPSDM; Siti (supervisor) reports to Kepala and supervises Dewi and Budi; Andi works in
DINKES and supervises nobody. Each person has an employee token of their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from application.actor import system_actor
from tests.web.conftest import Api, Template, api_on_copy, build_template

PROBLEM = "application/problem+json"
PERIOD = "2026"
FINALISED_ON = date(2027, 1, 20)
NOBODY = "00000000-0000-4000-8000-000000000042"  # a well-formed id that names nothing


@dataclass
class Office:
    """The app with a token per person; ``who`` is a person key or a non-employee role."""

    api: Api
    ids: dict[str, UUID]
    tokens: dict[str, str]

    def call(self, method: str, path: str, who: str = "hr_admin", json: Any = None, **extra: str) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[who]}", **extra}
        return self.api.client.open(path, method=method, json=json, headers=headers)

    def head(self) -> int:
        return self.api.jejak.projections.head()

    def on(self, day: date) -> None:
        self.api.jejak.appraisals.today = lambda: day

    def open(self, employee: str = "dewi", who: str = "hr_admin", period: str = PERIOD, **body: Any) -> Any:
        return self.call("POST", "/api/appraisals", who, {"employee_id": str(self.ids[employee]), "period": period,
                                                          **body})

    def opened(self, employee: str = "dewi", **kwargs: Any) -> str:
        response = self.open(employee, **kwargs)
        assert response.status_code == 201, response.get_json()
        return str(response.get_json()["id"])

    def step(self, aid: str, step: str, who: str = "siti", json: Any = None, **extra: str) -> Any:
        return self.call("POST", f"/api/appraisals/{aid}/{step}", who, json, **extra)

    def ok(self, aid: str, step: str, who: str = "siti", json: Any = None) -> dict[str, Any]:
        response = self.step(aid, step, who, json)
        assert response.status_code in (200, 201), response.get_json()
        body: dict[str, Any] = response.get_json()
        return body

    def final(self, employee: str = "dewi", work: str = "as_expected", behaviour: str = "as_expected") -> str:
        aid = self.opened(employee)
        self.ok(aid, "targets", json={"target": "Menyelesaikan 40 usulan mutasi", "indicator": "usulan selesai"})
        self.ok(aid, "assessment", json={"work_results": work, "behaviour": behaviour})
        self.ok(aid, "finalisation")
        return aid


def build_office(api: Api) -> tuple[dict[str, UUID], dict[str, str]]:
    actor = system_actor("appraisal-tests")
    reg = api.jejak.registry
    ids = {"siti": api.ids["supervisor"], "dewi": api.ids["staff"], "andi": api.ids["other"]}
    ids["kepala"] = reg.register_employee(actor, nip="196805121990031001", name="Kepala Badan", unit="BKPSDM",
                                          position="Kepala Badan", rank="IV/c", rank_since=date(2018, 4, 1)).id
    reg.change_supervisor(actor, ids["siti"], ids["kepala"], date(2020, 1, 1), "struktur organisasi")
    ids["budi"] = reg.register_employee(actor, nip="199105102016031001", name="Budi Santoso", unit="BKPSDM",
                                        position="Analis Kepegawaian", rank="III/a", rank_since=date(2020, 4, 1),
                                        supervisor_id=ids["siti"]).id
    tokens = {role: token for role, token in api.tokens.items() if role not in ("supervisor", "employee")}
    tokens.update(siti=api.tokens["supervisor"], dewi=api.tokens["employee"])
    for key in ("andi", "kepala", "budi"):
        tokens[key] = api.jejak.access.issue(actor, "employee", key, ids[key]).token
    return ids, tokens


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """The seeded app plus the office, built once."""
    return build_template(tmp_path_factory, "appraisal-template", build_office)


@pytest.fixture
def office(template: Template, tmp_path: Path) -> Iterator[Office]:
    """The office on a fresh copy of the template database, in an app of its own, on the finalisation day."""
    with api_on_copy(template, tmp_path / "var") as api:
        office = Office(api, dict(template[1]), template[2])
        office.on(FINALISED_ON)
        yield office


def problem_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body: dict[str, Any] = response.get_json()
    return body


# --- opening ----------------------------------------------------------------------------------------------------


def test_the_supervisor_opens_an_appraisal_assessed_by_themself(office: Office) -> None:
    response = office.open(who="siti")

    assert response.status_code == 201
    body = response.get_json()
    assert (body["employee_name"], body["period"], body["unit"], body["status"]) == (
        "Dewi Lestari", PERIOD, "BKPSDM", "planning")
    assert (body["assessor_name"], body["assessor_basis"], body["predicate"]) == ("Siti Rahmawati", "supervisor", None)
    assert (body["targets"], body["notes"], body["assessments"], body["objection"]) == ([], [], [], None)
    assert response.headers["ETag"] == f'"{body["version"]}"'


def test_one_appraisal_per_employee_and_period(office: Office) -> None:
    office.opened()

    assert "period" in problem_of(office.open(who="siti"), 409)["errors"]
    assert office.open(period="2026-Q1").status_code == 201


@pytest.mark.parametrize(("who", "employee"), [("dewi", "dewi"), ("budi", "dewi"), ("andi", "dewi"),
                                               ("siti", "andi")])
def test_nobody_but_hr_and_the_supervisor_opens(office: Office, who: str, employee: str) -> None:
    head = office.head()

    problem_of(office.open(employee, who=who), 403)

    assert office.head() == head


def test_hr_may_name_another_assessor_and_the_supervisor_may_not(office: Office) -> None:
    problem_of(office.open(who="siti", assessor_id=str(office.ids["budi"])), 403)

    body = office.open(assessor_id=str(office.ids["budi"])).get_json()

    assert (body["assessor_id"], body["assessor_basis"]) == (str(office.ids["budi"]), "named")


@pytest.mark.parametrize(("body", "field"), [
    ({"period": "2026-Q5"}, "period"), ({"period": "Q1-2026"}, "period"), ({"employee_id": "nobody"}, "employee_id"),
    ({"employee_id": NOBODY}, "employee_id"), ({"assessor_id": NOBODY}, "assessor_id"),
    ({"unknown": 1}, "unknown")])
def test_bad_opening_input_is_422_naming_the_field(office: Office, body: dict[str, Any], field: str) -> None:
    payload = {"employee_id": str(office.ids["dewi"]), "period": PERIOD, **body}

    assert field in problem_of(office.call("POST", "/api/appraisals", json=payload), 422)["errors"]


# --- the assessor's stages ----------------------------------------------------------------------------------------


def test_the_assessor_plans_coaches_assesses_and_finalises(office: Office) -> None:
    aid = office.opened()
    office.ok(aid, "targets", json={"target": "Menyelesaikan 40 usulan mutasi", "indicator": "usulan selesai"})
    noted = office.ok(aid, "notes", json={"text": "Triwulan I sesuai rencana"})
    assessed = office.ok(aid, "assessment", json={"work_results": "above", "behaviour": "as_expected"})
    final = office.ok(aid, "finalisation")

    assert [(t["target"], t["indicator"]) for t in noted["targets"]] == [
        ("Menyelesaikan 40 usulan mutasi", "usulan selesai")]
    assert [n["text"] for n in noted["notes"]] == ["Triwulan I sesuai rencana"]
    assert (assessed["status"], assessed["predicate"], assessed["rule_set_version"]) == ("assessed", "Baik", 1)
    assert (final["status"], final["finalised_on"], final["objection_deadline"]) == (
        "final", "2027-01-20", "2027-02-03")


@pytest.mark.parametrize("who", ["dewi", "budi", "kepala", "andi"])
def test_only_the_assessor_records_targets(office: Office, who: str) -> None:
    aid = office.opened()

    problem_of(office.step(aid, "targets", who, {"target": "x", "indicator": "y"}), 403)


def test_hr_may_not_assess(office: Office) -> None:
    aid = office.opened()

    problem = problem_of(office.step(aid, "assessment", "hr_admin", {"work_results": "above", "behaviour": "above"}),
                         403)

    assert problem["detail"].startswith("role hr_admin may not")


def test_finalised_appraisal_is_locked(office: Office) -> None:
    aid = office.final()
    head = office.head()

    for step, body in (("targets", {"target": "x", "indicator": "y"}), ("notes", {"text": "z"}),
                       ("assessment", {"work_results": "above", "behaviour": "above"}), ("finalisation", None)):
        assert "appraisal" in problem_of(office.step(aid, step, json=body), 409)["errors"], step
    assert office.head() == head


@pytest.mark.parametrize(("step", "body", "field"), [
    ("targets", {"target": "x"}, "indicator"), ("targets", {"target": "", "indicator": "y"}, "target"),
    ("notes", {"text": "x" * 2001}, "text"), ("assessment", {"work_results": "great", "behaviour": "above"},
                                              "work_results"),
    ("assessment", {"work_results": "above"}, "behaviour"),
    ("assessment", {"work_results": "above", "behaviour": "above", "feedback_round_id": NOBODY},
     "feedback_round_id")])
def test_bad_stage_input_is_422_naming_the_field(office: Office, step: str, body: dict[str, Any], field: str) -> None:
    aid = office.opened()
    office.ok(aid, "targets", json={"target": "Target", "indicator": "Indikator"})

    assert field in problem_of(office.step(aid, step, json=body), 422)["errors"]


def test_assessing_before_any_target_is_agreed_is_a_conflict(office: Office) -> None:
    aid = office.opened()

    assert "targets" in problem_of(office.step(aid, "assessment", json={"work_results": "above",
                                                                        "behaviour": "above"}), 409)["errors"]


def test_citing_an_open_360_round_is_refused_and_a_closed_one_is_pinned(office: Office) -> None:
    aid = office.opened()
    office.ok(aid, "targets", json={"target": "Target", "indicator": "Indikator"})
    closes = (date.today() + timedelta(days=10)).isoformat()
    rid = office.call("POST", "/api/feedback-rounds", json={"reviewee_id": str(office.ids["dewi"]),
                                                            "period": PERIOD, "closes_on": closes}).get_json()["id"]
    body = {"work_results": "as_expected", "behaviour": "above", "feedback_round_id": rid}

    assert "feedback_round_id" in problem_of(office.step(aid, "assessment", json=body), 409)["errors"]
    office.call("POST", f"/api/feedback-rounds/{rid}/close", json={"reason": "selesai"})
    assessed = office.ok(aid, "assessment", json=body)

    assert assessed["assessments"][-1]["feedback_round_id"] == rid
    assert assessed["assessments"][-1]["feedback_round_version"] == 2


def test_stale_if_match_is_412_and_a_current_one_passes(office: Office) -> None:
    aid = office.opened()
    body = {"target": "Target", "indicator": "Indikator"}

    problem_of(office.step(aid, "targets", json=body, **{"If-Match": '"7"'}), 412)
    assert office.step(aid, "targets", json=body, **{"If-Match": '"1"'}).status_code == 201


@pytest.mark.parametrize("aid", [NOBODY, "not-an-id"])
def test_unknown_appraisal_is_404(office: Office, aid: str) -> None:
    problem_of(office.call("GET", f"/api/appraisals/{aid}"), 404)
    problem_of(office.step(aid, "notes", json={"text": "x"}), 404)


# --- objection ----------------------------------------------------------------------------------------------------


def test_objection_on_day_14_is_accepted_and_goes_to_the_assessors_superior(office: Office) -> None:
    aid = office.final()
    office.on(FINALISED_ON + timedelta(days=14))

    objected = office.ok(aid, "objection", "dewi", {"reasons": "Tugas tambahan satgas tidak dinilai"})

    assert objected["objection"]["status"] == "pending"
    assert objected["objection"]["decider_id"] == str(office.ids["kepala"])
    assert objected["objection"]["filed_on"] == "2027-02-03"


def test_objection_on_day_15_is_refused(office: Office) -> None:
    aid = office.final()
    office.on(FINALISED_ON + timedelta(days=15))

    problem = problem_of(office.step(aid, "objection", "dewi", {"reasons": "Terlambat"}), 409)

    assert "objection" in problem["errors"] and "2027-02-03" in problem["detail"]


@pytest.mark.parametrize("who", ["siti", "budi", "kepala"])
def test_only_the_appraised_employee_objects(office: Office, who: str) -> None:
    aid = office.final()

    problem_of(office.step(aid, "objection", who, {"reasons": "Atas nama pegawai"}), 403)


@pytest.mark.parametrize("who", ["siti", "dewi", "budi", "andi"])
def test_the_objection_is_decided_by_the_assessors_superior_only(office: Office, who: str) -> None:
    aid = office.final()
    office.ok(aid, "objection", "dewi", {"reasons": "Tugas tambahan tidak dinilai"})
    head = office.head()

    problem_of(office.step(aid, "objection/decision", who, {"outcome": "rejected", "reason": "Sudah sesuai"}), 403)

    assert office.head() == head


def test_upheld_objection_changes_the_predicate_and_keeps_the_original_in_history(office: Office) -> None:
    aid = office.final()
    office.ok(aid, "objection", "dewi", {"reasons": "Tugas tambahan satgas tidak dinilai"})

    decided = office.ok(aid, "objection/decision", "kepala",
                        {"outcome": "upheld", "predicate": "Sangat Baik", "reason": "Bukti tugas tambahan diterima"})

    assert (decided["predicate"], decided["original_predicate"]) == ("Sangat Baik", "Baik")
    assert [a["predicate"] for a in decided["assessments"]] == ["Baik"]
    assert (decided["objection"]["status"], decided["objection"]["objected_predicate"]) == ("upheld", "Baik")
    history = office.api.jejak.ledger.history(UUID(aid))
    assert [type(e).__name__ for e in history][-3:] == ["Finalised", "ObjectionFiled", "ObjectionDecided"]
    listed = office.call("GET", f"/api/appraisals?employee_id={office.ids['dewi']}").get_json()
    assert [(a["predicate"], a["original_predicate"], a["objection"]) for a in listed] == [
        ("Sangat Baik", "Baik", "upheld")]


def test_the_decision_is_final_and_must_be_consistent(office: Office) -> None:
    aid = office.final()
    office.ok(aid, "objection", "dewi", {"reasons": "Tugas tambahan tidak dinilai"})
    path = "objection/decision"

    assert "predicate" in problem_of(office.step(aid, path, "kepala", {"outcome": "upheld", "reason": "x"}),
                                     422)["errors"]
    assert "outcome" in problem_of(office.step(aid, path, "kepala", {"outcome": "maybe", "reason": "x"}),
                                   422)["errors"]
    office.ok(aid, path, "kepala", {"outcome": "rejected", "reason": "Penilaian sesuai bukti"})
    assert "objection" in problem_of(office.step(aid, path, "kepala", {"outcome": "rejected", "reason": "lagi"}),
                                     409)["errors"]


# --- who reads what -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [("dewi", 200), ("siti", 200), ("kepala", 200), ("hr_admin", 200),
                                             ("auditor", 200), ("budi", 403), ("andi", 403), ("committee", 403),
                                             ("investigator", 403)])
def test_who_reads_an_appraisal(office: Office, who: str, status: int) -> None:
    aid = office.opened()

    assert office.call("GET", f"/api/appraisals/{aid}", who).status_code == status


def test_lists_show_each_caller_what_they_may_read(office: Office) -> None:
    dewi, budi = office.opened("dewi"), office.opened("budi")
    andi = office.opened("andi", assessor_id=str(office.ids["budi"]))

    def listed(who: str, query: str = "") -> set[str]:
        response = office.call("GET", f"/api/appraisals{query}", who)
        assert response.status_code == 200, response.get_json()
        return {a["id"] for a in response.get_json()}

    assert listed("dewi") == {dewi}
    assert listed("budi") == {budi, andi}  # their own, and the one they assess
    assert listed("andi") == {andi}
    assert listed("siti") == listed("kepala") == {dewi, budi}
    assert listed("hr_admin") == listed("auditor") == {dewi, budi, andi}
    assert listed("hr_admin", "?unit=DINKES") == {andi}
    assert listed("hr_admin", f"?employee_id={office.ids['budi']}&period=2026") == {budi}
    assert listed("hr_admin", "?status=final") == set()
    assert "period" in problem_of(office.call("GET", "/api/appraisals?period=2026-Q9"), 422)["errors"]


# --- organisation ratings and the distribution --------------------------------------------------------------------


def test_hr_records_then_revises_a_units_organisation_rating(office: Office) -> None:
    path = f"/api/units/BKPSDM/organisation-ratings/{PERIOD}"

    created = office.call("PUT", path, json={"rating": "Baik", "reason": "SK Bupati 800/1/2027"})
    revised = office.call("PUT", path, json={"rating": "Istimewa", "reason": "Koreksi evaluasi"},
                          **{"If-Match": created.headers["ETag"]})

    assert created.status_code == 201 and created.get_json()["rule_set_version"] == 1
    assert revised.status_code == 200 and revised.get_json()["rating"] == "Istimewa"
    assert revised.headers["ETag"] == '"2"'
    problem_of(office.call("PUT", path, json={"rating": "Baik", "reason": "x"}, **{"If-Match": '"1"'}), 412)
    assert "rating" in problem_of(office.call("PUT", path, json={"rating": "Sangat Baik", "reason": "x"}),
                                  422)["errors"]
    assert "period" in problem_of(office.call("PUT", "/api/units/BKPSDM/organisation-ratings/2026-Q7",
                                              json={"rating": "Baik", "reason": "x"}), 422)["errors"]
    problem_of(office.call("PUT", f"/api/units/NOPE/organisation-ratings/{PERIOD}",
                           json={"rating": "Baik", "reason": "x"}), 404)
    problem_of(office.call("PUT", "/api/units/BKPSDM/organisation-ratings/2026-Q1",
                           json={"rating": "Baik", "reason": "x"}, **{"If-Match": '"1"'}), 412)


def test_distribution_flags_over_cap_predicates(office: Office) -> None:
    office.final("dewi", "above", "above")
    office.final("budi", "above", "above")
    office.opened("siti")  # not final: not counted
    office.call("PUT", f"/api/units/BKPSDM/organisation-ratings/{PERIOD}",
                json={"rating": "Istimewa", "reason": "SK Bupati"})

    body = office.call("GET", f"/api/units/BKPSDM/predicate-distribution?period={PERIOD}", "auditor").get_json()

    assert (body["total"], body["flagged"], body["organisation_rating"]["rating"]) == (2, True, "Istimewa")
    assert body["predicates"][0] == {"predicate": "Sangat Baik", "count": 2, "percent": 100.0}
    # Istimewa: most (more than half) and at most 70% Sangat Baik (DOMAIN.md "Distribution curve")
    assert body["checks"] == [{"predicates": ["Sangat Baik"], "bound": "more_than_percent", "limit": 50, "count": 2,
                               "percent": 100.0, "ok": True, "flag": None},
                              {"predicates": ["Sangat Baik"], "bound": "max_percent", "limit": 70, "count": 2,
                               "percent": 100.0, "ok": False, "flag": "over_cap"}]


def test_distribution_without_an_organisation_rating_gives_counts_only(office: Office) -> None:
    office.final("dewi", "below", "below")

    body = office.call("GET", f"/api/units/BKPSDM/predicate-distribution?period={PERIOD}").get_json()

    assert (body["total"], body["organisation_rating"], body["checks"], body["flagged"]) == (1, None, [], False)
    assert {p["predicate"]: p["count"] for p in body["predicates"]}["Sangat Kurang"] == 1


def test_distribution_input_is_checked(office: Office) -> None:
    path = "/api/units/BKPSDM/predicate-distribution"

    assert "period" in problem_of(office.call("GET", path), 422)["errors"]
    assert "period" in problem_of(office.call("GET", f"{path}?period=2026-Q0"), 422)["errors"]
    problem_of(office.call("GET", f"/api/units/NOPE/predicate-distribution?period={PERIOD}"), 404)
