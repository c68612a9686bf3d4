"""Employment status through HTTP: a PPPK with an NI PPPK and a grade, the status filter, status changes, and the
409 for a PPPK promotion case."""

from __future__ import annotations

from tests.web.conftest import Api

NI_PPPK = "198902252024211013"
PPPK = {"nip": NI_PPPK, "name": "Rudi Hartono", "unit": "DINKES", "position": "Perawat Ahli Pertama",
        "status": "PPPK", "status_since": "2024-03-01", "grade": "IX", "rank_since": "2024-03-01"}


def test_hr_registers_a_pppk_with_a_grade_and_the_directory_shows_the_status(api: Api) -> None:
    created = api.call("POST", "/api/employees", json=PPPK)

    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["status"], body["status_since"], body["grade"], body["rank"], body["rank_name"]) == (
        "PPPK", "2024-03-01", "IX", None, None)
    listed = api.call("GET", "/api/employees?status=PPPK").get_json()["items"]
    assert [e["name"] for e in listed] == ["Rudi Hartono"]
    pns = api.call("GET", "/api/employees?status=PNS").get_json()["items"]
    assert {e["status"] for e in pns} == {"PNS"} and len(pns) == 3


def test_an_ni_pppk_for_a_pns_is_a_422_naming_nip(api: Api) -> None:
    body = {**PPPK, "status": "PNS", "rank": "III/a"}
    body.pop("grade")
    refused = api.call("POST", "/api/employees", json=body)
    assert refused.status_code == 422
    assert "nip" in str(refused.get_json()) and "21" in str(refused.get_json())


def test_a_pppk_sends_a_grade_not_a_pangkat(api: Api) -> None:
    body = {**PPPK, "rank": "III/a"}
    body.pop("grade")
    refused = api.call("POST", "/api/employees", json=body)
    assert refused.status_code == 422 and "rank" in str(refused.get_json())


def test_a_pppk_promotion_case_is_a_409_saying_why(api: Api) -> None:
    rudi = api.call("POST", "/api/employees", json=PPPK).get_json()["id"]
    refused = api.call("POST", "/api/promotion-cases", json={
        "candidate_id": rudi, "kind": "rank", "period": "2026-10", "reason": "usulan"})
    assert refused.status_code == 409
    assert "PPPK" in refused.get_json()["detail"]


def test_a_cpns_is_appointed_pns_and_a_pns_cannot_become_pppk(api: Api) -> None:
    cpns = api.call("POST", "/api/employees", json={
        "nip": "199801012024031001", "name": "Andi", "unit": "DINKES", "position": "Dokter", "status": "CPNS",
        "rank": "III/b", "rank_since": "2024-03-01"}).get_json()
    assert cpns["status"] == "CPNS"

    appointed = api.call("POST", f"/api/employees/{cpns['id']}/status-changes",
                         json={"status": "PNS", "effective": "2025-03-01", "reason": "SK pengangkatan PNS"})
    refused = api.call("POST", f"/api/employees/{api.ids['staff']}/status-changes",
                       json={"status": "PPPK", "effective": "2025-03-01", "reason": "keliru"})

    assert appointed.status_code == 200 and appointed.get_json()["status"] == "PNS"
    assert refused.status_code == 409 and "PNS" in refused.get_json()["detail"]


def test_a_pppk_has_an_entitlement_of_at_most_24_jp_and_is_never_short_of_the_pns_minimum(api: Api) -> None:
    rudi = api.call("POST", "/api/employees", json=PPPK).get_json()["id"]
    year = 2025

    hours = api.call("GET", f"/api/employees/{rudi}/training-hours?year={year}").get_json()
    pns = api.call("GET", f"/api/employees/{api.ids['other']}/training-hours?year={year}").get_json()

    assert (hours["status"], hours["entitlement"], hours["entitlement_jp"]) == ("PPPK", "at_most", 24)
    assert hours["meets_minimum"] is True and hours["over_entitlement_jp"] == 0
    assert (pns["entitlement"], pns["entitlement_jp"], pns["meets_minimum"]) == ("at_least", 20, False)
    shortfall = api.call("GET", f"/api/units/DINKES/training-shortfall?year={year}").get_json()
    assert [b["name"] for b in shortfall["below"]] == ["Andi Pratama"] and shortfall["employees"] == 2
