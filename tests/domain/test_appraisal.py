"""Appraisal (SKP) aggregate: planning, coaching, assessment by the predicate matrix, finalisation and objection."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from application.rulebook import default_rules
from domain.appraisal import (
    Appraisal,
    AppraisalFinal,
    AssessorIsAppraisee,
    EvidenceRefused,
    EvidenceRoundOpen,
    InvalidRating,
    NoPendingObjection,
    NoTargets,
    NotAssessed,
    NotFinal,
    ObjectionAlreadyFiled,
    ObjectionNotHeard,
    ObjectionWindowClosed,
    RoundEvidence,
    TextRequired,
    period_bounds,
    supervisor_on,
)
from domain.employee import Employee
from domain.errors import DomainError, StateConflict
from domain.feedback_round import InvalidPeriod

RULES = default_rules()
EMPLOYEE, ASSESSOR, SUPERIOR = uuid4(), uuid4(), uuid4()
FINALISED_ON = date(2027, 1, 20)


def opened(period: str = "2026") -> Appraisal:
    return Appraisal.open(employee_id=EMPLOYEE, period=period, unit="BKPSDM", assessor_id=ASSESSOR)


def planned() -> Appraisal:
    appraisal = opened()
    appraisal.agree_target("Menyelesaikan 40 usulan kenaikan pangkat", "usulan selesai per triwulan")
    return appraisal


def assessed(work: str = "as_expected", behaviour: str = "as_expected", rules: dict[str, Any] = RULES,
             rule_set_version: int = 1) -> Appraisal:
    appraisal = planned()
    appraisal.assess(work, behaviour, rule_set_version, rules)
    return appraisal


def final(work: str = "as_expected", behaviour: str = "as_expected") -> Appraisal:
    appraisal = assessed(work, behaviour)
    appraisal.finalise(FINALISED_ON, "BKPSDM")
    return appraisal


def objected() -> Appraisal:
    appraisal = final()
    appraisal.file_objection("Target triwulan IV terhambat mutasi di luar kendali saya", FINALISED_ON, SUPERIOR)
    return appraisal


def closed_round(**overrides: Any) -> RoundEvidence:
    values: dict[str, Any] = dict(round_id=uuid4(), version=9, reviewee_id=EMPLOYEE, period="2026", closed=True)
    values.update(overrides)
    return RoundEvidence(**values)


# --- the predicate matrix (PermenPANRB 6/2022), read from the rule set ------------------------------------------

MATRIX = [
    ("above", "above", "Sangat Baik"),
    ("above", "as_expected", "Baik"),
    ("above", "below", "Kurang"),
    ("as_expected", "above", "Baik"),
    ("as_expected", "as_expected", "Baik"),
    ("as_expected", "below", "Kurang"),
    ("below", "above", "Butuh Perbaikan"),
    ("below", "as_expected", "Butuh Perbaikan"),
    ("below", "below", "Sangat Kurang"),
]


@pytest.mark.parametrize(("work_results", "behaviour", "predicate"), MATRIX)
def test_assessment_gives_the_predicate_of_the_matrix_cell(work_results: str, behaviour: str, predicate: str) -> None:
    appraisal = assessed(work_results, behaviour)

    assert appraisal.predicate == predicate
    assert appraisal.assessment is not None
    assert (appraisal.assessment.work_results, appraisal.assessment.behaviour) == (work_results, behaviour)


def test_matrix_covers_all_nine_cells() -> None:
    assert len({(w, b) for w, b, _ in MATRIX}) == 9


def test_predicate_comes_from_the_rule_set_given_and_the_version_is_pinned() -> None:
    rules = default_rules()
    rules["predicate_matrix"]["as_expected"]["above"] = "Sangat Baik"

    appraisal = assessed("as_expected", "above", rules=rules, rule_set_version=2)

    assert appraisal.predicate == "Sangat Baik"
    assert appraisal.assessment is not None and appraisal.assessment.rule_set_version == 2


def test_assessment_pins_the_objection_window_of_its_rule_set() -> None:
    rules = default_rules()
    rules["appraisal"]["objection_window_days"] = 21

    appraisal = assessed(rules=rules)
    appraisal.finalise(FINALISED_ON, "BKPSDM")

    assert appraisal.objection_deadline == FINALISED_ON + timedelta(days=21)


@pytest.mark.parametrize(("field", "work_results", "behaviour"), [
    ("work_results", "excellent", "above"), ("behaviour", "above", "ABOVE"), ("behaviour", "above", None)])
def test_rating_outside_the_three_values_is_refused_naming_the_field(field: str, work_results: Any,
                                                                    behaviour: Any) -> None:
    with pytest.raises(InvalidRating) as refused:
        planned().assess(work_results, behaviour, 1, RULES)

    assert set(refused.value.errors) == {field}


def test_reassessment_before_finalising_supersedes_and_keeps_the_earlier_one() -> None:
    appraisal = assessed("below", "below")

    appraisal.assess("above", "above", 1, RULES)

    assert appraisal.predicate == "Sangat Baik"
    assert [a.predicate for a in appraisal.assessments] == ["Sangat Kurang", "Sangat Baik"]


# --- planning, coaching and the order of the stages --------------------------------------------------------------

def test_opening_gives_one_deterministic_id_per_employee_and_period() -> None:
    assert opened("2026").id == Appraisal.id_for(EMPLOYEE, "2026") == opened("2026").id
    assert opened("2026-Q1").id != opened("2026").id


@pytest.mark.parametrize("period", ["26", "2026-Q5", "2026Q1", "2026-q1", "", "1899"])
def test_opening_refuses_a_period_that_is_neither_a_year_nor_a_quarter(period: str) -> None:
    with pytest.raises(InvalidPeriod):
        opened(period)


def test_the_employee_cannot_be_their_own_assessor() -> None:
    with pytest.raises(AssessorIsAppraisee):
        Appraisal.open(employee_id=EMPLOYEE, period="2026", unit="BKPSDM", assessor_id=EMPLOYEE)


def test_targets_and_notes_are_recorded_in_order() -> None:
    appraisal = planned()
    appraisal.agree_target("Menyusun peta jabatan", "dokumen disahkan")
    appraisal.record_note("Progres usulan triwulan I sesuai rencana", ASSESSOR)

    assert [t.indicator for t in appraisal.targets] == ["usulan selesai per triwulan", "dokumen disahkan"]
    assert [(n.text, n.noted_by) for n in appraisal.notes] == [("Progres usulan triwulan I sesuai rencana", ASSESSOR)]
    assert appraisal.status == "planning"


@pytest.mark.parametrize(("target", "indicator", "field"), [("", "x", "target"), ("x", "  ", "indicator"),
                                                             ("x" * 2001, "x", "target")])
def test_a_target_needs_text_and_an_indicator(target: str, indicator: str, field: str) -> None:
    with pytest.raises(TextRequired) as refused:
        opened().agree_target(target, indicator)

    assert set(refused.value.errors) == {field}


def test_assessment_without_agreed_targets_is_refused() -> None:
    with pytest.raises(NoTargets):
        opened().assess("above", "above", 1, RULES)


def test_finalising_without_an_assessment_is_refused() -> None:
    with pytest.raises(NotAssessed):
        planned().finalise(FINALISED_ON, "BKPSDM")


def test_finalising_records_the_day_the_unit_and_the_predicate() -> None:
    appraisal = assessed("above", "above")

    appraisal.finalise(FINALISED_ON, "DINKES")

    assert (appraisal.status, appraisal.finalised_on, appraisal.unit) == ("final", FINALISED_ON, "DINKES")
    finalised = appraisal.collect_events()[-1]
    assert isinstance(finalised, Appraisal.Finalised) and finalised.predicate == "Sangat Baik"


@pytest.mark.parametrize("step", [
    lambda a: a.agree_target("Target baru", "indikator"),
    lambda a: a.record_note("Catatan setelah final", ASSESSOR),
    lambda a: a.assess("above", "above", 1, RULES),
    lambda a: a.finalise(FINALISED_ON, "BKPSDM"),
], ids=["target", "note", "assessment", "finalisation"])
def test_finalised_appraisal_is_locked(step: Any) -> None:
    appraisal = final()

    with pytest.raises(AppraisalFinal):
        step(appraisal)

    assert appraisal.predicate == "Baik"


# --- a closed 360 round as evidence -------------------------------------------------------------------------------

def test_behaviour_may_cite_a_closed_round_of_the_same_person_and_period_and_pins_its_version() -> None:
    evidence = closed_round()

    appraisal = planned()
    appraisal.assess("as_expected", "above", 1, RULES, evidence)

    assert appraisal.assessment is not None
    assert (appraisal.assessment.feedback_round_id, appraisal.assessment.feedback_round_version) == (
        evidence.round_id, 9)


def test_citing_an_open_360_round_is_refused() -> None:
    with pytest.raises(EvidenceRoundOpen) as refused:
        planned().assess("as_expected", "above", 1, RULES, closed_round(closed=False))

    assert set(refused.value.errors) == {"feedback_round_id"}


@pytest.mark.parametrize("overrides", [{"reviewee_id": uuid4()}, {"period": "2026-Q4"}, {"period": "2025"}],
                         ids=["another person", "a quarter of the year", "another year"])
def test_citing_a_round_of_another_person_or_period_is_refused(overrides: dict[str, Any]) -> None:
    with pytest.raises(EvidenceRefused) as refused:
        planned().assess("as_expected", "above", 1, RULES, closed_round(**overrides))

    assert not isinstance(refused.value, StateConflict)
    assert set(refused.value.errors) == {"feedback_round_id"}


# --- objection (keberatan) ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("days", [0, 1, 13, 14])
def test_objection_within_the_window_is_accepted_up_to_day_14(days: int) -> None:
    appraisal = final()

    appraisal.file_objection("Penilaian tidak mempertimbangkan tugas tambahan", FINALISED_ON + timedelta(days=days),
                             SUPERIOR)

    assert appraisal.objection is not None
    assert (appraisal.objection.status, appraisal.objection.decider_id) == ("pending", SUPERIOR)


@pytest.mark.parametrize("days", [15, 16, 400])
def test_objection_from_day_15_is_refused(days: int) -> None:
    appraisal = final()

    with pytest.raises(ObjectionWindowClosed) as refused:
        appraisal.file_objection("Terlambat", FINALISED_ON + timedelta(days=days), SUPERIOR)

    assert "2027-02-03" in refused.value.message
    assert appraisal.objection is None


def test_objection_before_finalisation_is_refused() -> None:
    with pytest.raises(NotFinal):
        assessed().file_objection("Belum final", FINALISED_ON, SUPERIOR)


def test_objection_needs_reasons() -> None:
    with pytest.raises(TextRequired) as refused:
        final().file_objection("   ", FINALISED_ON, SUPERIOR)

    assert set(refused.value.errors) == {"reasons"}


def test_only_one_objection_per_appraisal() -> None:
    appraisal = objected()

    with pytest.raises(ObjectionAlreadyFiled):
        appraisal.file_objection("Sekali lagi", FINALISED_ON, SUPERIOR)


@pytest.mark.parametrize("decider", [None, EMPLOYEE], ids=["nobody above the assessor", "the objector"])
def test_objection_needs_a_superior_of_the_assessor_other_than_the_objector(decider: UUID | None) -> None:
    with pytest.raises(ObjectionNotHeard):
        final().file_objection("Keberatan", FINALISED_ON, decider)


def test_upheld_objection_changes_the_predicate_and_keeps_the_original() -> None:
    appraisal = objected()

    appraisal.decide_objection("upheld", "Sangat Baik", "Bukti tugas tambahan diterima", FINALISED_ON, SUPERIOR)

    assert appraisal.predicate == "Sangat Baik"
    assert appraisal.original_predicate == "Baik"
    assert appraisal.objection is not None
    assert (appraisal.objection.status, appraisal.objection.objected_predicate) == ("upheld", "Baik")
    decided = appraisal.collect_events()[-1]
    assert isinstance(decided, Appraisal.ObjectionDecided)
    assert (decided.previous_predicate, decided.predicate, decided.decided_by) == ("Baik", "Sangat Baik", SUPERIOR)


def test_rejected_objection_keeps_the_predicate() -> None:
    appraisal = objected()

    appraisal.decide_objection("rejected", None, "Penilaian sudah sesuai bukti", FINALISED_ON, SUPERIOR)

    assert appraisal.predicate == appraisal.original_predicate == "Baik"
    assert appraisal.objection is not None and appraisal.objection.status == "rejected"


def test_the_decision_is_final() -> None:
    appraisal = objected()
    appraisal.decide_objection("rejected", None, "Penilaian sudah sesuai bukti", FINALISED_ON, SUPERIOR)

    with pytest.raises(NoPendingObjection):
        appraisal.decide_objection("upheld", "Sangat Baik", "Berubah pikiran", FINALISED_ON, SUPERIOR)


def test_a_decision_without_an_objection_is_refused() -> None:
    with pytest.raises(NoPendingObjection):
        final().decide_objection("rejected", None, "Tidak ada keberatan", FINALISED_ON, SUPERIOR)


@pytest.mark.parametrize(("outcome", "predicate", "field"), [
    ("upheld", None, "predicate"), ("upheld", "Baik", "predicate"), ("upheld", "Luar Biasa", "predicate"),
    ("rejected", "Sangat Baik", "predicate"), ("granted", None, "outcome")])
def test_decision_must_be_consistent(outcome: str, predicate: str | None, field: str) -> None:
    with pytest.raises(DomainError) as refused:
        objected().decide_objection(outcome, predicate, "Alasan", FINALISED_ON, SUPERIOR)

    assert set(refused.value.errors) == {field}


# --- periods and the default assessor -----------------------------------------------------------------------------

@pytest.mark.parametrize(("period", "start", "end"), [
    ("2026", date(2026, 1, 1), date(2026, 12, 31)),
    ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
    ("2026-Q2", date(2026, 4, 1), date(2026, 6, 30)),
    ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
])
def test_period_bounds(period: str, start: date, end: date) -> None:
    assert period_bounds(period) == (start, end)


def test_default_assessor_is_the_supervisor_in_post_by_tmt_on_the_first_day_of_the_period() -> None:
    first, second, third = uuid4(), uuid4(), uuid4()
    employee = Employee.register(nip="199001012015032001", name="Dewi Lestari", unit="BKPSDM", position="Analis",
                                 rank="III/a", rank_since=date(2015, 3, 1), supervisor_id=first)
    employee.change_supervisor(second, date(2025, 7, 1), "mutasi atasan")
    employee.change_supervisor(third, date(2026, 1, 2), "reorganisasi")  # recorded now, effective later
    events = employee.collect_events()

    assert supervisor_on(events, date(2025, 6, 30)) == first
    assert supervisor_on(events, date(2026, 1, 1)) == second
    assert supervisor_on(events, date(2026, 1, 2)) == third
    assert supervisor_on(events, date(2010, 1, 1)) == first  # before any change: the registered supervisor
