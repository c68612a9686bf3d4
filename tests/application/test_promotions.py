"""Promotion cases end to end on the real stores: assessment pins evidence, decisions, replay, drift, rank change."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from uuid import UUID

import pytest

from application.errors import Forbidden
from application.question_book import default_questions
from application.rulebook import default_rules
from domain.employee import Employee
from domain.errors import DomainError
from domain.promotion_case import (
    CaseInvalid,
    NotAssessable,
    NotDecidable,
    PromotionCase,
    RankChangedSinceProposal,
    StaleEvidence,
)
from infrastructure.container import Jejak
from tests.promotions import AUDITOR, COMMITTEE, HR, MEMBERS, Office


@pytest.fixture
def office(jejak: Jejak) -> Office:
    built = Office.build(jejak)
    built.eligible_record()
    return built


def criteria_of(case: PromotionCase) -> dict[str, bool]:
    assert case.assessment is not None
    return {c["name"]: c["met"] for c in case.assessment.criteria}


def test_assessment_records_each_criterion_and_pins_every_input_read(office: Office) -> None:
    case_id = office.propose()

    case = office.jejak.promotions.assess(HR, case_id)

    assert case.assessment is not None and case.assessment.eligible
    # the regular promotion's criteria under the rule set as the regulations write them (PP 99/2000 jo. 12/2002)
    assert criteria_of(case) == {"years_in_rank": True, "recent_appraisals": True, "qualification_ceiling": True,
                                 "not_above_supervisor": True, "no_disciplinary_penalty": True, "ujian_dinas": True,
                                 "training_jp": True, "no_open_objection": True}
    pinned = {(ref.type, ref.period) for ref in case.assessment.evidence}
    assert pinned == {("employee", None), ("appraisal", "2025"), ("appraisal", "2024"), ("training", None),
                      ("service_record", None), ("supervisor", None)}
    assert sum(1 for ref in case.assessment.evidence if ref.type == "training") == 2
    assert case.assessment.rule_set_version == 1
    employee_ref = next(ref for ref in case.assessment.evidence if ref.type == "employee")
    assert employee_ref.version == office.jejak.registry.employee(office.ids["dewi"]).version


def test_a_missing_appraisal_is_pinned_at_version_zero(jejak: Jejak) -> None:
    office = Office.build(jejak)
    office.appraisal("2025", "Baik")
    case = jejak.promotions.assess(HR, office.propose())

    assert case.assessment is not None and not case.assessment.eligible
    missing = [ref for ref in case.assessment.evidence if ref.type == "appraisal" and ref.version == 0]
    assert [ref.period for ref in missing] == ["2024"]


def test_only_hr_or_the_candidates_supervisor_proposes(office: Office) -> None:
    supervisor_case = office.jejak.promotions.propose(office.actor("siti"), office.ids["dewi"], "rank", "2026-10", "x")
    assert supervisor_case.from_rank == "III/a" and supervisor_case.to_rank == "III/b"

    with pytest.raises(Forbidden):
        office.jejak.promotions.propose(office.actor("dewi"), office.ids["dewi"], "rank", "2026-10", "saya layak")
    with pytest.raises(Forbidden):
        office.jejak.promotions.propose(office.actor("head"), office.ids["dewi"], "rank", "2026-10", "atasan tidak langsung")


def test_bad_proposals_name_each_field(office: Office) -> None:
    with pytest.raises(CaseInvalid) as refused:
        office.jejak.promotions.propose(HR, office.ids["dewi"], "lateral", "2026-13", " ")

    assert set(refused.value.errors) == {"kind", "period", "reason"}
    with pytest.raises(CaseInvalid) as no_position:
        office.jejak.promotions.propose(HR, office.ids["dewi"], "position", "2026-10", "pengisian jabatan")
    assert set(no_position.value.errors) == {"position"}
    with pytest.raises(DomainError) as unknown:
        office.jejak.promotions.propose(HR, UUID(int=7), "rank", "2026-10", "x")
    assert unknown.value.field == "candidate_id"


def test_only_the_committee_decides_and_only_on_an_assessment(office: Office) -> None:
    case_id = office.propose()
    with pytest.raises(NotDecidable):
        office.jejak.promotions.decide(COMMITTEE, case_id, "approved", "memenuhi syarat", MEMBERS)
    office.jejak.promotions.assess(HR, case_id)

    with pytest.raises(Forbidden):
        office.jejak.promotions.decide(HR, case_id, "approved", "memenuhi syarat", MEMBERS)
    with pytest.raises(CaseInvalid) as refused:
        office.jejak.promotions.decide(COMMITTEE, case_id, "approved", "", [])
    assert set(refused.value.errors) == {"rationale", "members_present"}


def test_an_approved_rank_case_whose_tmt_passed_changes_the_rank_naming_the_case_once_the_sk_exists(
        office: Office) -> None:
    # Procedure (Peraturan BKN 4/2023): recommended -> Pertek -> SK; the rank changes on the TMT once the SK exists
    case_id = office.decided("approved")
    recommended = office.jejak.promotions.case(HR, case_id)
    assert recommended.stage == "recommended" and office.jejak.registry.employee(office.ids["dewi"]).rank == "III/a"
    office.through_sk(case_id)

    employee = office.jejak.registry.employee(office.ids["dewi"])
    assert (employee.rank, employee.rank_since) == ("III/b", date(2026, 10, 1))
    last = office.jejak.ledger.history(office.ids["dewi"])[-1]
    assert isinstance(last, Employee.RankChanged) and last.cause == f"promotion-case:{case_id}"
    case = office.jejak.promotions.case(HR, case_id)
    assert case.status == "approved" and case.applied_decision == 1 and not case.flagged
    assert case.stage == "effective"


def test_an_approved_case_with_a_future_tmt_changes_the_rank_when_due(office: Office) -> None:
    promotions = office.jejak.promotions
    case_id = office.propose(period="2027-04")
    promotions.assess(HR, case_id)
    promotions.decide(COMMITTEE, case_id, "approved", "memenuhi syarat", MEMBERS, "masa kerja cukup pada TMT")
    office.through_sk(case_id)
    assert office.jejak.registry.employee(office.ids["dewi"]).rank == "III/a"
    assert promotions.apply_if_due(HR, case_id) is False

    promotions.today = lambda: date(2027, 4, 1)
    assert office.jejak.promotion_view.due_rank_changes(date(2027, 4, 1)) == [case_id]
    assert promotions.apply_if_due(HR, case_id) is True

    assert office.jejak.registry.employee(office.ids["dewi"]).rank == "III/b"
    assert office.jejak.promotion_view.due_rank_changes(date(2027, 4, 1)) == []


def test_a_decision_against_the_assessment_needs_a_justification_and_is_flagged(jejak: Jejak) -> None:
    office = Office.build(jejak)
    office.appraisal("2025", "Baik")
    office.appraisal("2024", "Butuh Perbaikan")
    case_id = office.propose()
    jejak.promotions.assess(HR, case_id)

    with pytest.raises(CaseInvalid) as refused:
        jejak.promotions.decide(COMMITTEE, case_id, "approved", "kebutuhan organisasi", MEMBERS)
    assert "justification" in refused.value.errors

    case = jejak.promotions.decide(COMMITTEE, case_id, "approved", "kebutuhan organisasi", MEMBERS,
                                   "satu-satunya analis bersertifikat di unit")
    assert case.flagged and case.decision is not None and case.decision.justification


def test_a_decision_on_stale_evidence_is_refused_listing_the_changed_inputs(office: Office) -> None:
    case_id = office.propose()
    office.jejak.promotions.assess(HR, case_id)
    late = office.training(8, date(2025, 11, 3), number="800/LATE/2025")
    dewi = office.jejak.registry.employee(office.ids["dewi"])
    office.jejak.registry.change_position(HR, dewi.id, "Analis SDM Aparatur", date(2026, 1, 2), "penyetaraan")

    with pytest.raises(StaleEvidence) as refused:
        office.jejak.promotions.decide(COMMITTEE, case_id, "approved", "memenuhi syarat", MEMBERS)

    changed = {(c["type"], c["id"], c["pinned_version"]) for c in refused.value.changed}
    assert changed == {("employee", str(dewi.id), dewi.version), ("training", str(late), None)}
    office.jejak.promotions.assess(HR, case_id)
    decided = office.jejak.promotions.decide(COMMITTEE, case_id, "approved", "memenuhi syarat", MEMBERS)
    assert decided.decision is not None and decided.decision.assessment_number == 2


def test_replay_of_an_honest_decision_is_consistent(office: Office) -> None:
    case_id = office.decided("approved")

    replay = office.jejak.promotions.replay(AUDITOR, case_id).as_dict()

    assert replay["consistent"] and replay["assessment_reproduced"] and replay["decision_follows"]
    assert all(c["agree"] for c in replay["criteria"]) and len(replay["criteria"]) == 8
    assert replay["flagged"] is False


def test_replay_flags_a_decision_that_contradicts_its_assessment(office: Office) -> None:
    case_id = office.decided("rejected", justification="menunggu hasil audit kinerja unit")

    replay = office.jejak.promotions.replay(AUDITOR, case_id).as_dict()

    assert replay["assessment_reproduced"] is True
    assert replay["decision_follows"] is False and replay["flagged"] is True
    assert replay["consistent"] is False


def test_a_rule_set_change_after_the_decision_does_not_change_the_replay(office: Office) -> None:
    case_id = office.decided("approved")
    before = office.jejak.promotions.replay(AUDITOR, case_id).as_dict()
    stricter = copy.deepcopy(default_rules())
    stricter["promotion"]["kinds"]["reguler"]["min_years_in_rank"] = 5
    office.jejak.rules.publish(HR, "Aturan 2026", "PermenPANRB 2026", date(2026, 11, 1), stricter)

    after = office.jejak.promotions.replay(AUDITOR, case_id).as_dict()

    assert after == before and after["rule_set_version"] == 1 and after["consistent"]
    drift = office.jejak.promotions.drift(AUDITOR, case_id)
    assert drift["today"]["under_current_rules"]["rule_set_version"] == 2
    years = drift["today"]["under_current_rules"]["criteria"][0]
    assert years["name"] == "years_in_rank" and years["values"]["required_years"] == 5


def test_drift_shows_an_objection_upheld_after_the_decision(jejak: Jejak) -> None:
    office = Office.build(jejak)
    office.qualification()
    appraisal_2025 = office.appraisal("2025", "Butuh Perbaikan")
    office.appraisal("2024", "Baik")
    office.training(20, date(2025, 6, 3))
    case_id = office.decided("rejected")
    jejak.appraisals.object(office.actor("dewi"), appraisal_2025, "Tugas tambahan tidak dinilai")
    jejak.appraisals.decide(office.actor("head"), appraisal_2025, "upheld", "Baik", "bukti tugas tambahan sah")

    drift = jejak.promotions.drift(AUDITOR, case_id)

    moved = next(i for i in drift["inputs"] if i["id"] == str(appraisal_2025))
    assert [e["event"] for e in moved["events_after"]] == ["Appraisal.ObjectionFiled", "Appraisal.ObjectionDecided"]
    assert all(e["after_decision"] for e in moved["events_after"])
    assert moved["events_after"][1]["payload"]["outcome"] == "upheld"
    assert drift["recorded_eligible"] is False
    assert drift["today"]["under_pinned_rules"]["eligible"] is True
    assert jejak.promotions.replay(AUDITOR, case_id).consistent  # what the committee knew still holds


def test_a_decided_case_is_not_reassessed(office: Office) -> None:
    case_id = office.decided("rejected", justification="kuota formasi habis")

    with pytest.raises(NotAssessable):
        office.jejak.promotions.assess(HR, case_id)


def test_a_deferred_case_can_be_reassessed_and_decided_again(office: Office) -> None:
    case_id = office.decided("deferred")
    office.jejak.promotions.assess(HR, case_id)

    case = office.jejak.promotions.decide(COMMITTEE, case_id, "approved", "memenuhi syarat", MEMBERS)

    assert [d.outcome for d in case.decisions] == ["deferred", "approved"]


def test_readers_the_candidate_their_supervisors_and_audit_roles(office: Office) -> None:
    case_id = office.propose()
    promotions = office.jejak.promotions
    for actor in (HR, COMMITTEE, AUDITOR, office.actor("dewi"), office.actor("siti"), office.actor("head")):
        assert promotions.case(actor, case_id).id == case_id
    other = office.jejak.registry.register_employee(HR, nip="198811172012121003", name="Andi", unit="BKPSDM",
                                                    position="Perawat", rank="III/b", rank_since=date(2016, 10, 1))
    with pytest.raises(Forbidden):
        promotions.case(office.actor("dewi").__class__(id="x", role="employee", name="Andi",
                                                       employee_id=other.id), case_id)
    with pytest.raises(Forbidden):
        promotions.replay(office.actor("dewi"), case_id)


def test_a_rank_changed_by_hand_before_the_tmt_is_not_promoted_again(office: Office) -> None:
    promotions = office.jejak.promotions
    case_id = office.propose(period="2027-04")
    promotions.assess(HR, case_id)
    promotions.decide(COMMITTEE, case_id, "approved", "memenuhi syarat", MEMBERS, "masa kerja cukup pada TMT")
    office.through_sk(case_id)
    office.jejak.registry.change_rank(HR, office.ids["dewi"], "III/b", date(2027, 1, 1), "koreksi manual")
    promotions.today = lambda: date(2027, 4, 1)

    with pytest.raises(RankChangedSinceProposal):
        promotions.apply_if_due(HR, case_id)

    assert office.jejak.registry.employee(office.ids["dewi"]).rank == "III/b"
    assert promotions.case(HR, case_id).applied_decision is None


def test_drift_shows_a_training_rejected_and_a_360_response_superseded_later_without_the_answers(
        office: Office) -> None:
    jejak, dewi = office.jejak, office.ids["dewi"]
    pending = office.training(6, date(2025, 11, 3), verified=False, number="800/PENDING/2025")
    round_id = jejak.feedback.open_round(HR, dewi, "2025-Q4", date.today() + timedelta(days=7)).id
    jejak.feedback.add(HR, round_id, office.ids["siti"], "supervisor")
    ratings = {q["id"]: 3 for q in default_questions()["questions"] if q["kind"] == "rating"}
    jejak.feedback.submit(office.actor("siti"), round_id, ratings, {"strengths": "teliti"})
    case_id = office.decided("approved")
    jejak.trainings.decide(HR, pending, "rejected", "sertifikat tidak sah")
    jejak.feedback.submit(office.actor("siti"), round_id, {k: 5 for k in ratings}, {"strengths": "rahasia"})

    drift = jejak.promotions.drift(AUDITOR, case_id)

    by_id = {i["id"]: i for i in drift["inputs"]}
    assert [e["event"] for e in by_id[str(pending)]["events_after"]] == ["Training.Rejected"]
    superseded = by_id[str(round_id)]["events_after"]
    assert [e["event"] for e in superseded] == ["FeedbackRound.ResponseSubmitted"]
    assert superseded[0]["payload"]["supersedes"] is not None
    assert "ratings" not in superseded[0]["payload"] and "rahasia" not in str(drift)
