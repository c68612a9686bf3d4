"""Promotion routes: propose, assess, decide, replay, drift and the decision history over HTTP."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest

from application.actor import system_actor
from infrastructure.container import Jejak
from tests.promotions import HR, Office
from tests.web.conftest import Api
from web import create_app

PROBLEM = "application/problem+json"
MEMBERS = ["Drs. Bambang (ketua)", "Sri Wahyuni, S.H."]


@pytest.fixture
def office_api(sqlite_jejak: Jejak) -> tuple[Api, Office]:
    """The office (head > Siti > Dewi, with an eligible record) behind the app, with a token per role."""
    office = Office.build(sqlite_jejak)
    office.eligible_record()
    app = create_app({"TESTING": True, "JEJAK": sqlite_jejak})
    access, actor = sqlite_jejak.access, system_actor("test-setup")
    tokens = {
        "hr_admin": access.issue(actor, "hr_admin", "Admin BKPSDM").token,
        "committee": access.issue(actor, "committee", "Tim Penilai Kinerja").token,
        "auditor": access.issue(actor, "auditor", "Inspektorat").token,
        "investigator": access.issue(actor, "investigator", "Investigator").token,
        "employee": access.issue(actor, "employee", "Dewi", office.ids["dewi"]).token,
        "supervisor": access.issue(actor, "employee", "Siti", office.ids["siti"]).token,
    }
    return Api(app, app.test_client(), sqlite_jejak, tokens, dict(office.ids)), office


def propose(api: Api, **overrides: Any) -> Any:
    body = {"candidate_id": str(api.ids["dewi"]), "kind": "rank", "period": "2026-10",
            "reason": "usulan kenaikan pangkat reguler periode Oktober"}
    body.update(overrides)
    return api.call("POST", "/api/promotion-cases", json=body)


def decide(api: Api, case_id: str, outcome: str = "approved", **extra: Any) -> Any:
    body = {"outcome": outcome, "rationale": "memenuhi seluruh syarat", "members_present": MEMBERS, **extra}
    return api.call("POST", f"/api/promotion-cases/{case_id}/decision", role="committee", json=body)


def through_sk(api: Api, case_id: str) -> Any:
    """HR records the Pertek and then the SK (dated today); the rank changes when the TMT has come."""
    today = date.today().isoformat()
    pertek = api.call("POST", f"/api/promotion-cases/{case_id}/pertek", json={"number": "PT-1/BKN/2026",
                                                                                "issued_on": today})
    assert pertek.status_code == 201 and pertek.get_json()["stage"] == "pertek", pertek.get_json()
    sk = api.call("POST", f"/api/promotion-cases/{case_id}/sk", json={
        "number": "SK 823.3/77/2026", "signed_on": today, "signatory": "Bupati Bandung"})
    assert sk.status_code == 201, sk.get_json()
    return sk


def assessed_case(api: Api) -> str:
    case_id: str = propose(api).get_json()["id"]
    assert api.call("POST", f"/api/promotion-cases/{case_id}/assessment").status_code == 201
    return case_id


def test_propose_assess_decide_and_read_the_case(office_api: tuple[Api, Office]) -> None:
    api, _ = office_api
    proposed = propose(api, reason="usulan atasan langsung")
    assert proposed.status_code == 201 and proposed.headers["ETag"] == '"1"'
    case_id = proposed.get_json()["id"]
    assert proposed.get_json()["to_rank"] == "III/b" and proposed.get_json()["status"] == "proposed"

    assessed = api.call("POST", f"/api/promotion-cases/{case_id}/assessment", role="committee")
    assert assessed.status_code == 201
    assessment = assessed.get_json()["assessment"]
    assert assessment["eligible"] and assessment["rule_set_version"] == 1
    assert {c["name"] for c in assessment["criteria"]} == {
        "years_in_rank", "recent_appraisals", "qualification_ceiling", "not_above_supervisor",
        "no_disciplinary_penalty", "ujian_dinas", "training_jp", "no_open_objection"}
    assert {e["type"] for e in assessment["evidence"]} == {"employee", "appraisal", "training", "service_record",
                                                           "supervisor"}

    decided = decide(api, case_id)
    assert decided.status_code == 201
    body = decided.get_json()
    assert body["status"] == "approved" and body["stage"] == "recommended" and not body["rank_applied"]
    assert body["flagged"] is False and body["decision"]["members_present"] == MEMBERS
    through_sk(api, case_id)
    employee = api.call("GET", f"/api/employees/{api.ids['dewi']}").get_json()
    assert employee["rank"] == "III/b"

    for role in ("employee", "supervisor", "auditor", "committee"):
        assert api.call("GET", f"/api/promotion-cases/{case_id}", role=role).status_code == 200
    assert api.call("GET", f"/api/promotion-cases/{case_id}/decision", role="auditor").get_json()["outcome"] == \
        "approved"


def test_replay_and_drift_over_http(office_api: tuple[Api, Office]) -> None:
    api, _ = office_api
    case_id = assessed_case(api)
    decide(api, case_id)
    through_sk(api, case_id)

    replay = api.call("GET", f"/api/promotion-cases/{case_id}/replay", role="auditor")
    drift = api.call("GET", f"/api/promotion-cases/{case_id}/drift", role="auditor")

    assert replay.status_code == 200 and replay.get_json()["consistent"] is True
    assert all(c["agree"] for c in replay.get_json()["criteria"])
    assert drift.status_code == 200
    # the case's own rank change is its consequence, not new evidence (issue 16, defect 4)
    body = drift.get_json()
    employee_input = next(i for i in body["inputs"] if i["type"] == "employee")
    assert employee_input["events_after"] == [] and body["changed_inputs"] == 0
    assert [e["event"] for e in employee_input["consequences"]] == ["Employee.RankChanged"]
    assert employee_input["consequences"][0]["payload"]["cause"] == f"promotion-case:{case_id}"
    assert [(c["type"], c["event"]) for c in body["consequences"]] == [("employee", "Employee.RankChanged")]
    assert body["today"]["under_current_rules"]["eligible"] is True
    assert body["today"]["under_pinned_rules"]["eligible"] is True


def test_a_contrary_decision_needs_a_justification_and_is_flagged_in_lists(office_api: tuple[Api, Office]) -> None:
    api, _ = office_api
    case_id = assessed_case(api)

    refused = decide(api, case_id, "rejected")
    assert refused.status_code == 422 and refused.mimetype == PROBLEM
    assert "justification" in refused.get_json()["errors"]

    assert decide(api, case_id, "rejected", justification="formasi III/b habis tahun ini").status_code == 201
    listed = api.call("GET", "/api/promotion-cases?flagged=true", role="auditor").get_json()["items"]
    history = api.call("GET", "/api/promotion-decisions?flagged=true", role="auditor").get_json()["items"]
    replay = api.call("GET", f"/api/promotion-cases/{case_id}/replay", role="auditor").get_json()
    assert [c["id"] for c in listed] == [case_id] and listed[0]["flagged"] is True
    assert [h["case_id"] for h in history] == [case_id] and history[0]["justification"]
    assert replay["flagged"] is True and replay["consistent"] is False


def test_a_decision_on_stale_evidence_is_a_409_listing_the_changed_inputs(office_api: tuple[Api, Office]) -> None:
    api, office = office_api
    case_id = assessed_case(api)
    appraisal = office.jejak.appraisals.open(HR, office.ids["dewi"], "2026").id  # not pinned, not read
    late = office.training(6, date(2025, 12, 1), number="800/LATE/2025")

    response = decide(api, case_id)

    assert response.status_code == 409 and response.mimetype == PROBLEM
    body = response.get_json()
    assert [c["id"] for c in body["changed_inputs"]] == [str(late)]
    assert body["errors"]["evidence"][0].startswith(f"training {late}: new since the assessment")
    assert str(appraisal) not in response.get_data(as_text=True)


def test_decision_history_filters_and_pages(office_api: tuple[Api, Office]) -> None:
    api, _ = office_api
    decided = []
    for period in ("2026-10", "2027-04", "2027-10"):
        case_id = propose(api, period=period).get_json()["id"]
        api.call("POST", f"/api/promotion-cases/{case_id}/assessment")
        decide(api, case_id, "deferred")
        decided.append(case_id)

    first = api.call("GET", "/api/promotion-decisions?limit=2", role="auditor").get_json()
    second = api.call("GET", f"/api/promotion-decisions?limit=2&cursor={first['next_cursor']}",
                      role="auditor").get_json()
    by_year = api.call("GET", "/api/promotion-decisions?period=2027&unit=BKPSDM&outcome=deferred",
                       role="auditor").get_json()

    assert [r["case_id"] for r in first["items"] + second["items"]] == decided[::-1]
    assert second["next_cursor"] is None
    assert {r["period"] for r in by_year["items"]} == {"2027-04", "2027-10"}
    assert api.call("GET", "/api/promotion-decisions?unit=DINKES", role="auditor").get_json()["items"] == []


def test_employees_list_only_their_own_and_their_reports_cases(office_api: tuple[Api, Office]) -> None:
    api, _ = office_api
    case_id = propose(api).get_json()["id"]

    for role in ("employee", "supervisor", "hr_admin"):
        items = api.call("GET", "/api/promotion-cases", role=role).get_json()["items"]
        assert [i["id"] for i in items] == [case_id]
    assert api.call("GET", "/api/promotion-cases", role="investigator").status_code == 403


@pytest.mark.parametrize(("body", "field"), [
    ({"period": "2026-13"}, "period"),
    ({"period": "2026"}, "period"),
    ({"kind": "demotion"}, "kind"),
    ({"reason": ""}, "reason"),
    ({"candidate_id": "not-a-uuid"}, "candidate_id"),
    ({"candidate_id": str(UUID(int=1))}, "candidate_id"),
    ({"kind": "position"}, "position"),
    ({"position": "Kepala Seksi"}, "position"),
    ({"extra": 1}, "extra"),
])
def test_bad_proposals_are_422_naming_the_field(office_api: tuple[Api, Office], body: dict[str, Any],
                                                 field: str) -> None:
    api, _ = office_api
    head = api.jejak.projections.head()

    response = propose(api, **body)

    assert response.status_code == 422 and response.mimetype == PROBLEM
    assert field in response.get_json()["errors"]
    assert api.jejak.projections.head() == head


@pytest.mark.parametrize(("body", "field"), [
    ({"outcome": "maybe"}, "outcome"),
    ({"members_present": []}, "members_present"),
    ({"members_present": ["A", "A"]}, "members_present"),
    ({"rationale": ""}, "rationale"),
    ({"members_present": "Ketua"}, "members_present"),
])
def test_bad_decisions_are_422_naming_the_field(office_api: tuple[Api, Office], body: dict[str, Any],
                                                field: str) -> None:
    api, _ = office_api
    case_id = assessed_case(api)

    response = decide(api, case_id, **body)

    assert response.status_code == 422 and field in response.get_json()["errors"]


def test_unknown_cases_are_404_and_stale_if_match_is_412(office_api: tuple[Api, Office]) -> None:
    api, _ = office_api
    assert api.call("GET", f"/api/promotion-cases/{uuid4()}").status_code == 404
    assert api.call("GET", "/api/promotion-cases/nope").status_code == 404
    assert api.call("POST", f"/api/promotion-cases/{uuid4()}/assessment").status_code == 404
    case_id = propose(api).get_json()["id"]

    stale = api.call("POST", f"/api/promotion-cases/{case_id}/assessment", **{"If-Match": '"7"'})
    assert stale.status_code == 412 and stale.mimetype == PROBLEM
    assert api.call("GET", f"/api/promotion-cases/{case_id}/replay", role="auditor").status_code == 409
    assert api.call("GET", f"/api/promotion-cases/{case_id}/decision", role="auditor").status_code == 404


def test_deciding_twice_without_a_new_assessment_is_a_409(office_api: tuple[Api, Office]) -> None:
    api, _ = office_api
    case_id = assessed_case(api)
    assert decide(api, case_id, "deferred").status_code == 201

    again = decide(api, case_id, "approved")

    assert again.status_code == 409 and again.mimetype == PROBLEM


def test_bad_query_parameters_are_422(office_api: tuple[Api, Office]) -> None:
    api, _ = office_api
    for path in ("/api/promotion-cases?flagged=perhaps", "/api/promotion-decisions?period=26",
                 "/api/promotion-decisions?outcome=won", "/api/promotion-cases?limit=0"):
        assert api.call("GET", path, role="auditor").status_code == 422, path
    bad_cursor = api.call("GET", "/api/promotion-decisions?cursor=abc", role="auditor")
    assert bad_cursor.status_code == 400 and bad_cursor.mimetype == PROBLEM


def test_an_unknown_decision_number_is_a_404_on_replay_and_drift(office_api: tuple[Api, Office]) -> None:
    api, _ = office_api
    case_id = assessed_case(api)
    decide(api, case_id, "rejected", justification="formasi penuh")

    for route in ("replay", "drift"):
        response = api.call("GET", f"/api/promotion-cases/{case_id}/{route}?decision=7", role="auditor")
        assert response.status_code == 404 and response.mimetype == PROBLEM, (route, response.get_json())
        assert "decision 7" in response.get_json()["detail"]
        assert api.call("GET", f"/api/promotion-cases/{case_id}/{route}?decision=1",
                        role="auditor").status_code == 200


def test_decision_history_rows_carry_flagged(office_api: tuple[Api, Office]) -> None:
    api, _ = office_api
    flagged = assessed_case(api)
    decide(api, flagged, "rejected", justification="formasi penuh")

    rows = api.call("GET", "/api/promotion-decisions", role="auditor").get_json()["items"]

    assert [(r["case_id"], r["flagged"], r["contrary"]) for r in rows] == [(flagged, True, True)]


def test_pertek_and_sk_are_recorded_in_that_order_and_the_stage_follows(office_api: tuple[Api, Office]) -> None:
    api, _ = office_api
    case_id = assessed_case(api)
    today = date.today().isoformat()
    before = api.call("POST", f"/api/promotion-cases/{case_id}/pertek", json={"number": "PT-1", "issued_on": today})
    assert before.status_code == 409  # nothing approved yet
    decide(api, case_id)
    sk_first = api.call("POST", f"/api/promotion-cases/{case_id}/sk",
                        json={"number": "SK 1", "signed_on": today, "signatory": "Bupati"})
    assert sk_first.status_code == 409 and "Pertek" in sk_first.get_json()["detail"]
    future = api.call("POST", f"/api/promotion-cases/{case_id}/pertek",
                      json={"number": "PT-1", "issued_on": "2099-01-01"})
    assert future.status_code == 422 and "issued_on" in future.get_json()["errors"]
    assert api.call("POST", f"/api/promotion-cases/{case_id}/pertek", role="committee",
                    json={"number": "PT-1", "issued_on": today}).status_code == 403

    sk = through_sk(api, case_id).get_json()

    assert (sk["stage"], sk["rank_applied"], sk["pertek"]["number"], sk["sk"]["signatory"]) == (
        "effective", True, "PT-1/BKN/2026", "Bupati Bandung")
    again = api.call("POST", f"/api/promotion-cases/{case_id}/pertek", json={"number": "PT-2", "issued_on": today})
    assert again.status_code == 409


def test_a_rank_case_in_an_odd_month_is_a_422_naming_period_and_listing_the_months(
        office_api: tuple[Api, Office]) -> None:
    api, _ = office_api
    refused = propose(api, period="2027-03")
    assert refused.status_code == 422 and refused.mimetype == PROBLEM
    message = " ".join(refused.get_json()["errors"]["period"])
    assert all(f"({m})" in message for m in ("02", "04", "06", "08", "10", "12"))
    pilihan = propose(api, period="2027-04", rank_kind="pilihan")
    assert pilihan.status_code == 201 and pilihan.get_json()["rank_kind"] == "pilihan"


def test_the_case_list_carries_the_promotion_kind_and_the_stage(office_api: tuple[Api, Office]) -> None:
    api, _ = office_api
    case_id = assessed_case(api)
    decide(api, case_id)
    listed = api.call("GET", "/api/promotion-cases", role="auditor").get_json()["items"]
    assert [(c["rank_kind"], c["stage"]) for c in listed] == [("reguler", "recommended")]

    through_sk(api, case_id)

    listed = api.call("GET", "/api/promotion-cases", role="auditor").get_json()["items"]
    assert [(c["rank_kind"], c["stage"]) for c in listed] == [("reguler", "effective")]


def test_members_present_may_be_named_by_person_id_and_are_shown_by_name(office_api: tuple[Api, Office]) -> None:
    api, _ = office_api
    chair = api.jejak.persons.register(HR, "Drs. Bambang Sutrisno", ["committee"])
    case_id = assessed_case(api)

    unknown = decide(api, case_id, members_present=[], member_ids=[str(uuid4())])
    decided = decide(api, case_id, members_present=["Ir. Joko (tamu)"], member_ids=[str(chair.id)])

    assert unknown.status_code == 422 and "member_ids" in unknown.get_json()["errors"]
    assert decided.status_code == 201, decided.get_json()
    decision = decided.get_json()["decision"]
    assert decision["members_present"] == ["Ir. Joko (tamu)", "Drs. Bambang Sutrisno"]
    assert decision["member_ids"] == [str(chair.id)]
