"""Grievance routes: filing, assignment, the investigator's scope, conclusion and the case file over HTTP."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode
from uuid import uuid4

import pytest

from application.actor import Actor, system_actor
from infrastructure.container import Jejak
from tests.promotions import Office
from tests.web.conftest import Api
from web import create_app

PROBLEM = "application/problem+json"
HR_ACTOR = Actor(id="hr-1", role="hr_admin", name="Admin BKPSDM")


@pytest.fixture
def setting(sqlite_jejak: Jejak) -> tuple[Api, str]:
    """The office behind the app with Dewi's rejected case; tokens per role, and a second investigator."""
    office = Office.build(sqlite_jejak)
    office.appraisal("2025", "Baik")
    office.appraisal("2024", "Butuh Perbaikan")
    office.training(20, date(2025, 6, 3))
    case_id = office.decided("rejected")
    app = create_app({"TESTING": True, "JEJAK": sqlite_jejak})
    access, actor = sqlite_jejak.access, system_actor("test-setup")
    tokens: dict[str, str] = {}
    grants: dict[str, str] = {}
    for key, role, name in (("hr_admin", "hr_admin", "Admin BKPSDM"), ("committee", "committee", "Tim Penilai"),
                            ("auditor", "auditor", "Inspektorat"), ("investigator", "investigator", "Investigator"),
                            ("other_investigator", "investigator", "Investigator Dua")):
        grant = access.issue(actor, role, name)
        tokens[key], grants[key] = grant.token, str(grant.grant_id)
    tokens["employee"] = access.issue(actor, "employee", "Dewi", office.ids["dewi"]).token
    tokens["supervisor"] = access.issue(actor, "employee", "Siti", office.ids["siti"]).token
    ids = {**office.ids, **{f"grant_{k}": v for k, v in grants.items()}}
    return Api(app, app.test_client(), sqlite_jejak, tokens, ids), str(case_id)  # type: ignore[arg-type]


def file(api: Api, case_id: str, **overrides: Any) -> Any:
    body = {"subject": "promotion_decision", "subject_id": case_id, "grounds": "nilai 2024 belum diperhitungkan"}
    body.update(overrides)
    return api.call("POST", "/api/grievances", role="employee", json=body)


def assign(api: Api, grievance_id: str, who: str = "investigator") -> Any:
    return api.call("POST", f"/api/grievances/{grievance_id}/investigator",
                    json={"investigator_grant_id": api.ids[f"grant_{who}"]})


def test_the_grievant_files_and_reads_status_and_outcome(setting: tuple[Api, str]) -> None:
    api, case_id = setting
    filed = file(api, case_id)
    assert filed.status_code == 201 and filed.headers["ETag"] == '"1"'
    grievance_id = filed.get_json()["id"]
    assert filed.get_json()["status"] == "filed" and filed.get_json()["outcome"] is None

    assert assign(api, grievance_id).get_json()["status"] == "investigating"
    concluded = api.call("POST", f"/api/grievances/{grievance_id}/conclusion", role="investigator", json={
        "outcome": "dismissed", "findings": "syarat diterapkan dengan benar", "reasons": "predikat 2024 final"})
    assert concluded.status_code == 200 and concluded.get_json()["outcome"] == "dismissed"

    mine = api.call("GET", f"/api/grievances/{grievance_id}", role="employee").get_json()
    assert (mine["status"], mine["outcome"], mine["reasons"]) == ("dismissed", "dismissed", "predikat 2024 final")
    assert [g["id"] for g in api.call("GET", "/api/grievances", role="employee").get_json()] == [grievance_id]
    assert api.call("GET", f"/api/grievances/{grievance_id}", role="supervisor").status_code == 403


def test_the_investigator_is_scoped_to_their_open_case(setting: tuple[Api, str]) -> None:
    api, case_id = setting
    grievance_id = file(api, case_id).get_json()["id"]
    assign(api, grievance_id)
    elsewhere = api.call("POST", "/api/promotion-cases", json={
        "candidate_id": str(api.ids["siti"]), "kind": "rank", "period": "2027-04", "reason": "usulan"}).get_json()

    for path in (f"/api/promotion-cases/{case_id}", f"/api/promotion-cases/{case_id}/replay",
                 f"/api/promotion-cases/{case_id}/drift", f"/api/grievances/{grievance_id}",
                 f"/api/grievances/{grievance_id}/case-file"):
        assert api.call("GET", path, role="investigator").status_code == 200, path
        refused = api.call("GET", path, role="other_investigator")
        assert refused.status_code == 403 and refused.mimetype == PROBLEM, path
    assert api.call("GET", f"/api/promotion-cases/{elsewhere['id']}", role="investigator").status_code == 403
    listed = api.call("GET", "/api/grievances", role="investigator").get_json()
    assert [g["id"] for g in listed] == [grievance_id]
    assert api.call("GET", "/api/grievances", role="other_investigator").get_json() == []


def test_the_case_file_over_http(setting: tuple[Api, str]) -> None:
    api, case_id = setting
    grievance_id = file(api, case_id).get_json()["id"]
    assign(api, grievance_id)

    body = api.call("GET", f"/api/grievances/{grievance_id}/case-file?reason=pemeriksaan", role="investigator")

    assert body.status_code == 200
    file_ = body.get_json()
    assert file_["grievance"]["id"] == grievance_id and file_["case_id"] == case_id
    assert file_["decision_event"]["payload"]["outcome"] == "rejected"
    assert {e["type"] for e in file_["evidence"]} == {"employee", "appraisal", "training", "service_record",
                                                      "supervisor"}
    assert file_["replay"]["consistent"] and file_["rule_set"]["version"] == 1
    assert any(e.get("read", {}).get("subject") == "grievance.case_file" for e in file_["trail"])


def test_an_upheld_grievance_reopens_the_case(setting: tuple[Api, str]) -> None:
    api, case_id = setting
    grievance_id = file(api, case_id).get_json()["id"]
    assign(api, grievance_id)

    upheld = api.call("POST", f"/api/grievances/{grievance_id}/conclusion", role="investigator", json={
        "outcome": "upheld", "findings": "bukti tidak dipertimbangkan", "reasons": "prosedur sidang cacat",
        "remedy": "nilai ulang dan putuskan kembali"})

    assert upheld.status_code == 200 and upheld.get_json()["remedy"] == "nilai ulang dan putuskan kembali"
    case = api.call("GET", f"/api/promotion-cases/{case_id}").get_json()
    assert case["status"] == "reopened" and case["reopenings"][0]["grievance_id"] == grievance_id
    assert api.call("POST", f"/api/promotion-cases/{case_id}/assessment").status_code == 201


@pytest.mark.parametrize(("body", "field"), [
    ({"subject": "salary"}, "subject"),
    ({"subject_id": "nope"}, "subject_id"),
    ({"grounds": ""}, "grounds"),
    ({"extra": True}, "extra"),
])
def test_bad_grievances_are_422_naming_the_field(setting: tuple[Api, str], body: dict[str, Any], field: str) -> None:
    api, case_id = setting

    response = file(api, case_id, **body)

    assert response.status_code == 422 and response.mimetype == PROBLEM
    assert field in response.get_json()["errors"]


def test_grievance_refusals(setting: tuple[Api, str]) -> None:
    api, case_id = setting
    unknown = file(api, str(uuid4()))
    assert unknown.status_code == 422 and "subject_id" in unknown.get_json()["errors"]
    grievance_id = file(api, case_id).get_json()["id"]
    assert file(api, case_id).status_code == 409
    assert api.call("GET", f"/api/grievances/{uuid4()}").status_code == 404
    premature = api.call("POST", f"/api/grievances/{grievance_id}/conclusion", role="investigator",
                         json={"outcome": "dismissed", "findings": "x", "reasons": "y"})
    assert premature.status_code == 409 and premature.mimetype == PROBLEM
    not_an_investigator = api.call("POST", f"/api/grievances/{grievance_id}/investigator",
                                   json={"investigator_grant_id": api.ids["grant_auditor"]})
    assert not_an_investigator.status_code == 422
    assert "investigator_id" in not_an_investigator.get_json()["errors"]
    assign(api, grievance_id)
    stale = api.call("POST", f"/api/grievances/{grievance_id}/investigator", **{"If-Match": '"1"'},
                     json={"investigator_grant_id": api.ids["grant_other_investigator"]})
    assert stale.status_code == 412
    by_other = api.call("POST", f"/api/grievances/{grievance_id}/conclusion", role="other_investigator",
                        json={"outcome": "dismissed", "findings": "x", "reasons": "y"})
    assert by_other.status_code == 403


def rounds_of_dewi(api: Api) -> tuple[str, str, str]:
    """A closed round of Dewi's among the evidence of her case, an open round of hers and a closed one of Siti's."""
    feedback = api.jejak.feedback
    closes = date.today() + timedelta(days=5)
    in_case = feedback.open_round(HR_ACTOR, api.ids["dewi"], "2025-Q4", closes).id
    still_open = feedback.open_round(HR_ACTOR, api.ids["dewi"], "2026-Q4", closes).id
    elsewhere = feedback.open_round(HR_ACTOR, api.ids["siti"], "2025-Q4", closes).id
    for rid in (in_case, elsewhere):
        feedback.close(HR_ACTOR, rid, "batas waktu internal")
    return str(in_case), str(still_open), str(elsewhere)


def test_an_investigator_without_a_grievance_reads_no_360_report(setting: tuple[Api, str]) -> None:
    api, _case_id = setting
    closed, still_open, _ = rounds_of_dewi(api)

    for rid in (closed, still_open):
        refused = api.call("GET", f"/api/feedback-rounds/{rid}/report", role="investigator")
        assert refused.status_code == 403 and refused.mimetype == PROBLEM, rid
        assert api.call("GET", f"/api/feedback-rounds/{rid}/report", role="auditor").status_code == 200


def test_an_investigator_reads_the_360_reports_of_their_open_grievance_only(setting: tuple[Api, str]) -> None:
    api, _ = setting
    closed, _, elsewhere = rounds_of_dewi(api)
    case_id = api.jejak.promotions.propose(HR_ACTOR, api.ids["dewi"], "rank", "2026-04", "usulan").id
    decided = decided_case_with_round(api, case_id)
    grievance_id = file(api, str(decided)).get_json()["id"]
    assign(api, grievance_id)

    assert api.call("GET", f"/api/feedback-rounds/{closed}/report", role="investigator").status_code == 200
    assert api.call("GET", f"/api/feedback-rounds/{elsewhere}/report", role="investigator").status_code == 403
    assert api.call("GET", f"/api/feedback-rounds/{closed}/report", role="other_investigator").status_code == 403
    api.call("POST", f"/api/grievances/{grievance_id}/conclusion", role="investigator", json={
        "outcome": "dismissed", "findings": "syarat diterapkan dengan benar", "reasons": "predikat final"})
    assert api.call("GET", f"/api/feedback-rounds/{closed}/report", role="investigator").status_code == 403


def decided_case_with_round(api: Api, case_id: Any) -> Any:
    """Assess and decide a case (its evidence includes Dewi's closed 2025 round)."""
    committee = Actor(id="committee-1", role="committee", name="Tim Penilai Kinerja")
    api.jejak.promotions.assess(committee, case_id)
    api.jejak.promotions.decide(committee, case_id, "rejected", "belum memenuhi syarat", ["Ketua", "Anggota"])
    return case_id


def raw(api: Api, rid: str, who: str, case_id: str | None) -> Any:
    params = {"reason": "pemeriksaan keberatan", **({"case_id": case_id} if case_id else {})}
    return api.call("GET", f"/api/audit/feedback-rounds/{rid}/responses?{urlencode(params)}", role=who)


def test_raw_360_responses_are_read_only_under_an_open_grievance_whose_evidence_includes_the_round(
        setting: tuple[Api, str]) -> None:
    api, _ = setting
    closed, _, elsewhere = rounds_of_dewi(api)
    case_id = api.jejak.promotions.propose(HR_ACTOR, api.ids["dewi"], "rank", "2026-04", "usulan").id
    grievance_id = file(api, str(decided_case_with_round(api, case_id))).get_json()["id"]
    assign(api, grievance_id)
    head = api.jejak.projections.head()

    assert raw(api, elsewhere, "investigator", grievance_id).status_code == 403
    assert raw(api, closed, "investigator", str(uuid4())).status_code == 403
    assert raw(api, closed, "investigator", None).status_code == 403
    assert raw(api, closed, "other_investigator", grievance_id).status_code == 403
    assert raw(api, elsewhere, "auditor", grievance_id).status_code == 403
    assert raw(api, closed, "auditor", str(case_id)).status_code == 403  # a case, not a grievance
    assert api.jejak.projections.head() == head
    assert raw(api, closed, "investigator", grievance_id).status_code == 200
    assert raw(api, closed, "auditor", grievance_id).status_code == 200
    assert raw(api, elsewhere, "auditor", None).status_code == 200  # auditors without a case give only a reason
