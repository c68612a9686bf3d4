"""Development needs: the pure rules per source, and the supervisor's decision on each need."""

from __future__ import annotations

from uuid import uuid4

import pytest

from application.rulebook import default_rules
from domain.development import (
    DevelopmentNeed,
    NeedDecided,
    NeedInvalid,
    ProposedNeed,
    SourceRef,
    needs_from_appraisal,
    needs_from_feedback,
    needs_from_talent,
)

DEVELOPMENT = default_rules()["development"]  # others below 3, self-vs-others gap above 1, boxes 1, 2, 3, 5, 6


def question(value: str, others: float | None, gap: float | None) -> dict:
    return {"id": value.lower(), "value": value, "others": {"mean": others}, "self_vs_others_gap": gap}


def test_a_final_appraisal_proposes_a_need_for_each_rating_below_expectations() -> None:
    assert [n.area for n in needs_from_appraisal("below", "below")] == ["work_results", "behaviour"]
    assert [n.area for n in needs_from_appraisal("as_expected", "below")] == ["behaviour"]
    assert needs_from_appraisal("above", "as_expected") == []


def test_a_round_proposes_values_others_rate_low_and_blind_spots_but_nothing_withheld() -> None:
    proposed = needs_from_feedback([
        question("Akuntabel", 2.67, 0.33),  # others below 3
        question("Harmonis", 3.5, 1.5),  # self-vs-others gap above 1
        question("Loyal", 3.0, 1.0),  # exactly at both thresholds: no need
        question("Adaptif", None, None),  # withheld categories: nothing to read
    ], DEVELOPMENT)
    assert [(n.value, n.figures["others_mean"], n.figures["self_vs_others_gap"]) for n in proposed] == [
        ("Akuntabel", 2.67, 0.33), ("Harmonis", 3.5, 1.5)]
    assert "below 3" in proposed[0].detail and "more than 1" in proposed[1].detail


def test_the_thresholds_are_rule_set_data() -> None:
    strict = {**DEVELOPMENT, "feedback_need_below": 3.5, "self_gap": 0.25}
    assert [n.value for n in needs_from_feedback([question("Loyal", 3.0, 0.5)], strict)] == ["Loyal"]


def test_a_box_the_rule_set_lists_proposes_its_follow_up() -> None:
    [need] = needs_from_talent(1, "Bimbingan kinerja", DEVELOPMENT)
    assert (need.area, need.detail, need.figures["box"]) == ("talent", "Bimbingan kinerja", 1)
    assert needs_from_talent(9, "Siap dipromosikan", DEVELOPMENT) == []
    assert needs_from_talent(None, None, DEVELOPMENT) == []


def test_a_proposed_need_pins_its_source_and_has_one_id_per_source_area_and_value() -> None:
    employee, source = uuid4(), SourceRef("appraisal", uuid4(), 5)
    need = DevelopmentNeed.propose(employee, source, ProposedNeed("behaviour", None, "below", {}), 3)
    again = DevelopmentNeed.propose(employee, source, ProposedNeed("behaviour", None, "below", {}), 3)
    assert need.id == again.id
    assert need.source == {"type": "appraisal", "id": str(source.id), "version": 5}
    with pytest.raises(NeedInvalid):
        DevelopmentNeed.propose(employee, SourceRef("appraisal", uuid4(), None), ProposedNeed("x", None, "", {}), 3)


def test_the_supervisor_confirms_or_dismisses_once_with_a_reason() -> None:
    need = DevelopmentNeed.propose(uuid4(), SourceRef("appraisal", uuid4(), 5),
                                   ProposedNeed("work_results", None, "below", {}), 3)
    with pytest.raises(NeedInvalid):
        need.dismiss("  ", None)
    need.dismiss("target tahun lalu tidak realistis", None)
    assert need.status == "dismissed"
    with pytest.raises(NeedDecided):
        need.confirm("tetap perlu", None)


def test_a_supervisors_own_judgement_is_confirmed_as_recorded_and_names_a_berakhlak_value() -> None:
    supervisor = uuid4()
    need = DevelopmentNeed.judge(uuid4(), "value", "Kolaboratif", "jarang berbagi informasi dengan tim", supervisor)
    assert (need.status, need.decided_by, need.source["type"]) == ("confirmed", supervisor, "supervisor")
    with pytest.raises(NeedInvalid) as refused:
        DevelopmentNeed.judge(uuid4(), "value", None, "", supervisor)
    assert set(refused.value.errors or {}) == {"value", "detail"}
