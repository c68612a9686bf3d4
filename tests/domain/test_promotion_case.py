"""PromotionCase: proposals, assessments pinning evidence, decisions (contrary ones justified), staleness, reopening."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.promotion_case import (
    AtTopRank,
    CaseInvalid,
    EvidenceRef,
    NotAssessable,
    NotDecidable,
    NothingToApply,
    NotReopenable,
    PromotionCase,
    RankChangedSinceProposal,
    StaleEvidence,
    changed_inputs,
    effective_date,
)

TODAY = date(2026, 9, 20)
EMPLOYEE = EvidenceRef("employee", UUID(int=1), 5)
APPRAISAL = EvidenceRef("appraisal", UUID(int=2), 4, "2025")
MISSING = EvidenceRef("appraisal", UUID(int=3), 0, "2024")
PINNED = [EMPLOYEE, APPRAISAL, MISSING]


def proposed(**overrides: Any) -> PromotionCase:
    fields: dict[str, Any] = {"candidate_id": uuid4(), "kind": "rank", "period": "2026-10", "reason": "usulan",
                              "unit": "BKPSDM", "rank": "III/a"}
    fields.update(overrides)
    return PromotionCase.propose(**fields)


def assessed(eligible: bool = True) -> PromotionCase:
    case = proposed()
    case.record_assessment(1, [{"name": "years_in_rank", "met": eligible, "values": {}}], eligible, PINNED)
    return case


def decide(case: PromotionCase, outcome: str = "approved", justification: str | None = None,
           current: list[EvidenceRef] | None = None) -> Any:
    return case.decide(outcome, "sesuai sidang", ["Ketua", "Anggota"], justification, TODAY,
                       PINNED if current is None else current)


def test_a_rank_case_goes_to_the_next_rank_from_the_first_day_of_its_period() -> None:
    case = proposed()

    assert (case.from_rank, case.to_rank, case.effective, case.status) == ("III/a", "III/b", date(2026, 10, 1),
                                                                            "proposed")
    assert effective_date("2027-04") == date(2027, 4, 1)


def test_a_position_case_names_its_position_and_has_no_next_rank() -> None:
    case = proposed(kind="position", position="Kepala Subbagian Umum")

    assert case.position == "Kepala Subbagian Umum" and case.to_rank is None


def test_the_top_rank_has_no_rank_promotion() -> None:
    with pytest.raises(AtTopRank):
        proposed(rank="IV/e")


def test_an_assessment_pins_its_evidence_and_rule_set_version() -> None:
    case = assessed()

    assert case.status == "assessed" and case.assessment is not None
    assert case.assessment.evidence == PINNED and case.assessment.rule_set_version == 1
    assert case.assessment.reference_date == date(2026, 10, 1)


def test_a_decision_rests_on_the_latest_assessment_and_follows_it() -> None:
    case = assessed()

    decision = decide(case)

    assert (decision.outcome, decision.assessment_number, decision.contrary, decision.decided_on) == (
        "approved", 1, False, TODAY)
    assert case.status == "approved" and not case.flagged


def test_approving_an_ineligible_candidate_needs_a_justification_and_is_flagged() -> None:
    case = assessed(eligible=False)
    with pytest.raises(CaseInvalid) as refused:
        decide(case, "approved")
    assert "justification" in refused.value.errors

    decide(case, "approved", "kebutuhan organisasi yang mendesak")

    assert case.flagged and case.decision is not None and case.decision.justification


def test_rejecting_an_eligible_candidate_is_contrary_too_and_deferring_never_is() -> None:
    with pytest.raises(CaseInvalid):
        decide(assessed(eligible=True), "rejected")
    assert not decide(assessed(eligible=True), "deferred").contrary


def test_a_decision_on_changed_or_added_inputs_is_stale() -> None:
    added = EvidenceRef("training", UUID(int=9), 2)
    moved = EvidenceRef("appraisal", UUID(int=2), 6, "2025")
    case = assessed()

    with pytest.raises(StaleEvidence) as refused:
        decide(case, current=[EMPLOYEE, moved, MISSING, added])

    assert refused.value.changed == [
        {"type": "appraisal", "id": str(UUID(int=2)), "pinned_version": 4, "current_version": 6},
        {"type": "training", "id": str(UUID(int=9)), "pinned_version": None, "current_version": 2}]
    assert case.status == "assessed" and case.decision is None


def test_an_appraisal_that_appeared_after_the_assessment_is_a_change() -> None:
    appeared = EvidenceRef("appraisal", UUID(int=3), 1, "2024")

    assert changed_inputs(PINNED, [EMPLOYEE, APPRAISAL, appeared]) == [
        {"type": "appraisal", "id": str(UUID(int=3)), "pinned_version": 0, "current_version": 1}]


def test_no_decision_without_a_fresh_assessment() -> None:
    case = proposed()
    with pytest.raises(NotDecidable):
        decide(case)
    case = assessed()
    decide(case, "deferred")
    with pytest.raises(NotDecidable):
        decide(case)


def test_a_decided_case_is_reassessed_only_after_a_grievance_reopens_it() -> None:
    case = assessed()
    decide(case, "rejected", "formasi penuh")
    with pytest.raises(NotAssessable):
        case.check_assessable("III/a")

    case.reopen(uuid4(), "nilai ulang")

    case.check_assessable("III/a")
    assert case.status == "reopened"
    with pytest.raises(NotDecidable):
        decide(case)


def test_only_a_decided_case_is_reopened_with_a_remedy() -> None:
    with pytest.raises(NotReopenable):
        assessed().reopen(uuid4(), "nilai ulang")
    case = assessed()
    decide(case)
    with pytest.raises(CaseInvalid):
        case.reopen(uuid4(), " ")


def test_a_rank_that_moved_since_the_proposal_is_not_assessed() -> None:
    with pytest.raises(RankChangedSinceProposal):
        proposed().check_assessable("III/b")


def test_the_rank_change_is_due_on_the_tmt_once_approved_and_only_once() -> None:
    case = assessed()
    decide(case)
    assert not case.rank_change_due(date(2026, 9, 30))
    assert case.rank_change_due(date(2026, 10, 1))

    case.apply_rank(case.candidate_id, date(2026, 10, 1))

    assert not case.rank_change_due(date(2026, 10, 2))
    with pytest.raises(NothingToApply):
        case.apply_rank(case.candidate_id, date(2026, 10, 2))
    assert case.cause == f"promotion-case:{case.id}"


@pytest.mark.parametrize(("field", "value"), [("kind", "mutasi"), ("period", "2026-00"), ("period", "2026"),
                                              ("reason", "")])
def test_bad_proposals_name_the_field(field: str, value: str) -> None:
    with pytest.raises(CaseInvalid) as refused:
        proposed(**{field: value})
    assert field in refused.value.errors


def test_members_present_are_named_once_each() -> None:
    for members in ([], ["A", "A"], ["A", " "]):
        with pytest.raises(CaseInvalid) as refused:
            assessed().decide("approved", "x", members, None, TODAY, PINNED)
        assert "members_present" in refused.value.errors


def test_a_commands_copy_of_a_case_changes_nothing_in_the_original() -> None:
    import copy

    case = assessed()
    decide(case)
    case.collect_events()
    copied = copy.deepcopy(case)
    copied.reopen(uuid4(), "keberatan dikabulkan")
    copied.record_assessment(1, [{"name": "years_in_rank", "met": False, "values": {}}], False, PINNED)

    assert (case.status, len(case.assessments), len(case.decisions), case.reopenings) == ("approved", 1, 1, [])
    assert case.version == copied.version - 2 and case.collect_events() == []
    assert copied.assessments[0] is case.assessments[0]  # the frozen records are shared, not walked
