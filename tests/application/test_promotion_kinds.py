"""Each promotion kind end to end on the real stores (SQLite and PostgreSQL): the assessment reads the service
record, the supervisor and the awards from the event store, pins them, and judges by the kind's criteria; replay
reproduces every criterion."""

from __future__ import annotations

from datetime import date

import pytest

from domain.promotion_case import PromotionCase, StaleEvidence
from infrastructure.container import Jejak
from tests.promotions import AUDITOR, COMMITTEE, HR, MEMBERS, Office


@pytest.fixture
def office(jejak: Jejak) -> Office:
    built = Office.build(jejak)
    built.eligible_record()  # an S1 degree, Baik 2025, Sangat Baik 2024; III/a since 1 October 2022
    return built


def assessed(office: Office, rank_kind: str = "reguler", period: str = "2026-10") -> PromotionCase:
    case_id = office.jejak.promotions.propose(HR, office.ids["dewi"], "rank", period, "usulan", None, rank_kind).id
    return office.jejak.promotions.assess(HR, case_id)


def unmet(case: PromotionCase) -> list[str]:
    assert case.assessment is not None
    return [c["name"] for c in case.assessment.criteria if not c["met"]]


def pinned_types(case: PromotionCase) -> set[str]:
    assert case.assessment is not None
    return {ref.type for ref in case.assessment.evidence}


def test_a_regular_promotion_pins_the_service_record_and_the_supervisor(office: Office) -> None:
    case = assessed(office)
    assert unmet(case) == [] and {"service_record", "supervisor"} <= pinned_types(case)
    assert office.jejak.promotions.replay(AUDITOR, case.id).assessment_reproduced


def test_a_penalty_in_force_on_the_tmt_blocks_and_a_later_one_is_new_evidence(office: Office) -> None:
    office.jejak.service_records.impose_penalty(HR, office.ids["dewi"], "medium", date(2026, 6, 1),
                                                date(2027, 5, 31), "800/HD/07/2026")
    case = assessed(office)
    assert unmet(case) == ["no_disciplinary_penalty"]
    office.jejak.service_records.record_exam(HR, office.ids["dewi"], "tingkat_II", date(2014, 11, 20), "UD/1")
    with pytest.raises(StaleEvidence) as stale:
        office.jejak.promotions.decide(COMMITTEE, case.id, "rejected", "sedang menjalani hukuman", MEMBERS)
    assert [c["type"] for c in stale.value.changed] == ["service_record"]


def test_the_qualification_ceiling_refuses_a_rank_above_it(office: Office) -> None:
    office.jejak.registry.change_rank(HR, office.ids["dewi"], "III/d", date(2022, 10, 1), "koreksi data")
    case = assessed(office)
    assert unmet(case) == ["qualification_ceiling"]
    assert case.assessment is not None
    values = next(c["values"] for c in case.assessment.criteria if c["name"] == "qualification_ceiling")
    assert (values["qualification"], values["ceiling"], values["to_rank"]) == ("S1", "III/d", "IV/a")


def test_not_above_the_supervisors_rank(office: Office) -> None:
    office.jejak.registry.change_rank(HR, office.ids["siti"], "III/a", date(2023, 1, 1), "koreksi data")
    assert unmet(assessed(office)) == ["not_above_supervisor"]


def test_promotion_by_position_is_not_bound_by_the_supervisors_rank(office: Office) -> None:
    office.jejak.registry.change_rank(HR, office.ids["siti"], "III/a", date(2023, 1, 1), "koreksi data")
    case = assessed(office, "pilihan")
    assert unmet(case) == [] and case.rank_kind == "pilihan"


def test_qualification_adjustment_needs_a_new_degree_in_the_current_rank(office: Office) -> None:
    assert unmet(assessed(office, "penyesuaian_ijazah", "2026-08")) == ["new_qualification"]
    office.qualification("S2", date(2025, 2, 14))
    assert unmet(assessed(office, "penyesuaian_ijazah", "2026-12")) == []


def test_outstanding_achievement_reads_the_awards_and_needs_sangat_baik(office: Office) -> None:
    office.jejak.recognition.grant(HR, office.ids["dewi"], "innovation", "Inovasi layanan kepegawaian",
                                   "antrean daring", awarded_on=date(2025, 8, 17))
    office.jejak.projections.catch_up()
    case = assessed(office, "prestasi_luar_biasa")
    assert "award" in pinned_types(case)
    assert unmet(case) == ["recent_appraisals"]  # 2025 was Baik; the kind asks Sangat Baik
    assert office.jejak.promotions.replay(AUDITOR, case.id).assessment_reproduced


def test_crossing_into_iii_a_needs_the_civil_service_exam(jejak: Jejak) -> None:
    office = Office.build(jejak, rank_since=date(2022, 10, 1))
    jejak.registry.change_rank(HR, office.ids["dewi"], "II/d", date(2022, 10, 1), "koreksi data")
    office.eligible_record()
    assert unmet(assessed(office)) == ["ujian_dinas"]
    jejak.service_records.record_exam(HR, office.ids["dewi"], "tingkat_II", date(2025, 11, 20), "UD-II/2025/3")
    assert unmet(assessed(office, period="2026-12")) == []
