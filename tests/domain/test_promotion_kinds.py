"""The rule set as the regulations write it (DOMAIN.md "Promotion"): each promotion kind's criteria met and not met,
each bound, the qualification ceilings, the supervisor's rank, discipline, the civil-service exam and the TMT months."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import pytest

from application.rulebook import default_rules
from domain.eligibility import (
    AppraisalFacts,
    AwardFacts,
    CandidateFacts,
    Eligibility,
    SupervisorFacts,
    evaluate,
)
from domain.promotion_case import CaseInvalid, PromotionCase
from domain.ranks import RANK_CODES, next_rank
from domain.rules import validate_rules
from domain.service_record import ExamPass, Penalty, Qualification

RULES = default_rules()
TMT = date(2026, 10, 1)
S1 = Qualification("S1", "Universitas Padjadjaran", date(2014, 8, 30))
BOSS = SupervisorFacts(str(uuid4()), "IV/a")


def good(period: str, predicate: str = "Baik") -> AppraisalFacts:
    return AppraisalFacts(period, True, True, predicate)


def facts(**overrides: Any) -> CandidateFacts:
    base: dict[str, Any] = {
        "rank": "III/a", "rank_since": date(2022, 10, 1), "appraisals": (good("2025"), good("2024")),
        "trainings": (), "position": "Analis Kepegawaian Ahli Pertama", "position_since": date(2022, 1, 3),
        "qualifications": (S1,), "penalties": (), "exams": (), "supervisor": BOSS, "awards": ()}
    base.update(overrides)
    return CandidateFacts(**base)


def judged(kind: str = "reguler", rules: dict[str, Any] = RULES, **overrides: Any) -> Eligibility:
    return evaluate("rank", facts(**overrides), rules, TMT, kind)


def met(result: Eligibility, name: str) -> bool:
    return next(c for c in result.criteria if c.name == name).met


def values(result: Eligibility, name: str) -> dict[str, Any]:
    return next(c for c in result.criteria if c.name == name).values


# --- reguler ---------------------------------------------------------------------------------------------------


def test_a_regular_candidate_meeting_every_criterion_is_eligible() -> None:
    result = judged()
    assert result.eligible
    assert [c.name for c in result.criteria] == [
        "years_in_rank", "recent_appraisals", "qualification_ceiling", "not_above_supervisor",
        "no_disciplinary_penalty", "ujian_dinas", "training_jp", "no_open_objection"]


def test_regular_needs_four_full_years_in_rank_on_the_tmt() -> None:
    assert met(judged(rank_since=date(2022, 10, 1)), "years_in_rank")
    assert not met(judged(rank_since=date(2022, 10, 2)), "years_in_rank")


def test_regular_needs_baik_in_each_of_the_last_two_years() -> None:
    assert met(judged(appraisals=(good("2025", "Sangat Baik"), good("2024", "Baik"))), "recent_appraisals")
    assert not met(judged(appraisals=(good("2025"), good("2024", "Butuh Perbaikan"))), "recent_appraisals")
    assert not met(judged(appraisals=(good("2025"),)), "recent_appraisals")


def test_the_20_jp_is_a_right_not_a_promotion_condition() -> None:
    result = judged(trainings=())
    assert met(result, "training_jp") and values(result, "training_jp")["required"] is False
    assert result.eligible


def test_the_20_jp_switch_stays_available_as_data() -> None:
    strict = copy.deepcopy(RULES)
    strict["promotion"]["kinds"]["reguler"]["require_yearly_jp_minimum"] = True
    assert not met(judged(rules=strict), "training_jp")


CEILINGS = [("SD", "II/a"), ("SLTP", "II/c"), ("SLTA", "III/b"), ("D1", "III/b"), ("D2", "III/b"), ("D3", "III/c"),
            ("D4", "III/d"), ("S1", "III/d"), ("S2", "IV/a"), ("S3", "IV/b")]


def below(rank: str) -> str:
    return RANK_CODES[RANK_CODES.index(rank) - 1]


@pytest.mark.parametrize(("level", "ceiling"), CEILINGS, ids=[c[0] for c in CEILINGS])
def test_the_qualification_ceiling_allows_up_to_and_refuses_above(level: str, ceiling: str) -> None:
    degree = Qualification(level, "Sekolah", date(2005, 6, 30))
    boss = SupervisorFacts(str(uuid4()), "IV/e")
    up_to = judged(rank=below(ceiling), qualifications=(degree,), supervisor=boss)
    above = judged(rank=ceiling, qualifications=(degree,), supervisor=boss)

    assert met(up_to, "qualification_ceiling") and values(up_to, "qualification_ceiling")["to_rank"] == ceiling
    assert not met(above, "qualification_ceiling")
    assert values(above, "qualification_ceiling") == {
        "required": True, "to_rank": next_rank(ceiling), "qualification": level, "institution": "Sekolah",
        "graduated_on": "2005-06-30", "ceiling": ceiling}


def test_the_highest_qualification_earned_by_the_tmt_counts() -> None:
    s2_late = Qualification("S2", "Universitas Indonesia", date(2026, 11, 1))
    result = judged(rank="III/d", qualifications=(S1, s2_late), supervisor=SupervisorFacts("x", "IV/c"))
    assert not met(result, "qualification_ceiling") and values(result, "qualification_ceiling")["qualification"] == "S1"
    s2 = Qualification("S2", "Universitas Indonesia", date(2026, 9, 1))
    assert met(judged(rank="III/d", qualifications=(S1, s2), supervisor=SupervisorFacts("x", "IV/c")),
               "qualification_ceiling")


def test_without_a_recorded_qualification_the_ceiling_is_not_met() -> None:
    result = judged(qualifications=())
    assert not met(result, "qualification_ceiling") and values(result, "qualification_ceiling")["ceiling"] is None


def test_regular_promotion_is_not_above_the_direct_supervisors_rank() -> None:
    assert not met(judged(supervisor=SupervisorFacts("s", "III/a")), "not_above_supervisor")
    assert met(judged(supervisor=SupervisorFacts("s", "III/b")), "not_above_supervisor")
    alone = judged(supervisor=None)
    assert met(alone, "not_above_supervisor") and values(alone, "not_above_supervisor")["compared"] is False


def test_the_supervisor_switch_is_off_for_promotion_by_position() -> None:
    result = judged("pilihan", supervisor=SupervisorFacts("s", "III/a"))
    assert met(result, "not_above_supervisor") and values(result, "not_above_supervisor")["required"] is False


@pytest.mark.parametrize(("starts", "ends", "blocks"), [
    (date(2026, 4, 1), date(2026, 9, 30), False),   # ended the day before the TMT
    (date(2026, 4, 1), date(2026, 10, 1), True),    # ends on the TMT: in force
    (date(2026, 10, 1), date(2027, 3, 31), True),   # starts on the TMT
    (date(2026, 10, 2), date(2027, 3, 31), False),  # starts after the TMT
], ids=["ended-before", "ends-on-tmt", "starts-on-tmt", "starts-after"])
def test_no_disciplinary_penalty_in_force_on_the_tmt(starts: date, ends: date, blocks: bool) -> None:
    result = judged(penalties=(Penalty("medium", starts, ends, "800/HD/3/2026"),))
    assert met(result, "no_disciplinary_penalty") is not blocks
    assert len(values(result, "no_disciplinary_penalty")["in_force"]) == int(blocks)


@pytest.mark.parametrize(("rank", "exam"), [("I/d", "tingkat_I"), ("II/d", "tingkat_II")])
def test_crossing_a_golongan_needs_the_civil_service_exam(rank: str, exam: str) -> None:
    boss = SupervisorFacts("s", "IV/a")
    without = judged(rank=rank, supervisor=boss)
    passed = judged(rank=rank, supervisor=boss, exams=(ExamPass(exam, date(2025, 11, 20), "UD/2025/1"),))
    too_late = judged(rank=rank, supervisor=boss, exams=(ExamPass(exam, date(2026, 11, 20), "UD/2026/1"),))
    wrong = judged(rank=rank, supervisor=boss,
                   exams=(ExamPass("tingkat_II" if exam == "tingkat_I" else "tingkat_I", date(2025, 1, 2), "x"),))

    assert not met(without, "ujian_dinas") and values(without, "ujian_dinas")["exam"] == exam
    assert met(passed, "ujian_dinas") and values(passed, "ujian_dinas")["passed_on"] == "2025-11-20"
    assert not met(too_late, "ujian_dinas") and not met(wrong, "ujian_dinas")


def test_other_steps_need_no_civil_service_exam() -> None:
    result = judged(rank="II/a", supervisor=BOSS)
    assert met(result, "ujian_dinas") and values(result, "ujian_dinas")["required"] is False


# --- pilihan, penyesuaian ijazah, prestasi luar biasa ------------------------------------------------------------


def test_promotion_by_position_needs_a_year_in_the_position_and_ignores_the_ceiling() -> None:
    result = judged("pilihan", rank="III/d", qualifications=(S1,), supervisor=SupervisorFacts("s", "III/a"))
    assert result.eligible and "qualification_ceiling" in [c.name for c in result.criteria]
    assert values(result, "qualification_ceiling")["required"] is False
    short = judged("pilihan", position_since=TMT - timedelta(days=200))
    assert not met(short, "years_in_position") and not short.eligible


def test_qualification_adjustment_needs_a_higher_qualification_earned_in_the_current_rank() -> None:
    slta = Qualification("SLTA", "SMA Negeri 3", date(2008, 6, 1))
    s1_new = Qualification("S1", "Universitas Terbuka", date(2025, 2, 14))
    ok = judged("penyesuaian_ijazah", rank="II/c", rank_since=date(2024, 4, 1), qualifications=(slta, s1_new),
                appraisals=(good("2025"),))
    old_only = judged("penyesuaian_ijazah", rank="II/c", rank_since=date(2024, 4, 1), qualifications=(slta,),
                      appraisals=(good("2025"),))

    assert ok.eligible and values(ok, "new_qualification")["previous_qualification"] == "SLTA"
    assert not met(old_only, "new_qualification")
    assert not met(judged("penyesuaian_ijazah", rank="II/c", rank_since=date(2025, 11, 1),
                          qualifications=(slta, s1_new), appraisals=(good("2025"),)), "years_in_rank")


def test_outstanding_achievement_needs_an_award_of_the_right_category_and_sangat_baik() -> None:
    award = AwardFacts("innovation", "Inovasi pelayanan terbaik provinsi", date(2025, 8, 17))
    ok = judged("prestasi_luar_biasa", rank_since=date(2024, 4, 1), awards=(award,),
                appraisals=(good("2025", "Sangat Baik"),))
    loyalty = judged("prestasi_luar_biasa", rank_since=date(2024, 4, 1),
                     awards=(AwardFacts("loyalty", "Satyalancana Karya Satya X", date(2025, 8, 17)),),
                     appraisals=(good("2025", "Sangat Baik"),))
    only_baik = judged("prestasi_luar_biasa", rank_since=date(2024, 4, 1), awards=(award,),
                       appraisals=(good("2025", "Baik"),))

    assert ok.eligible and values(ok, "outstanding_award")["awards"][0]["category"] == "innovation"
    assert not met(loyalty, "outstanding_award")
    assert not met(only_baik, "recent_appraisals")


def test_an_award_before_the_current_rank_does_not_count() -> None:
    old = AwardFacts("performance", "Pegawai berprestasi 2021", date(2021, 8, 17))
    assert not met(judged("prestasi_luar_biasa", rank_since=date(2024, 4, 1), awards=(old,),
                          appraisals=(good("2025", "Sangat Baik"),)), "outstanding_award")


# --- TMT months ---------------------------------------------------------------------------------------------------

MONTHS = RULES["promotion"]["tmt_months"]


def propose(period: str, kind: str = "rank", rank_kind: str | None = None) -> PromotionCase:
    return PromotionCase.propose(candidate_id=uuid4(), kind=kind, period=period, reason="usulan", unit="BKPSDM",
                                 rank="III/a", position="Analis Ahli Muda" if kind == "position" else None,
                                 rank_kind=rank_kind, tmt_months=MONTHS)


@pytest.mark.parametrize("month", [2, 4, 6, 8, 10, 12])
def test_a_rank_promotion_takes_effect_in_an_allowed_month(month: int) -> None:
    case = propose(f"2027-{month:02d}")
    assert case.effective == date(2027, month, 1) and case.rank_kind == "reguler"


@pytest.mark.parametrize("month", [1, 3, 5, 7, 9, 11])
def test_any_other_month_is_refused_naming_period_and_the_allowed_months(month: int) -> None:
    with pytest.raises(CaseInvalid) as refused:
        propose(f"2027-{month:02d}")
    assert set(refused.value.errors) == {"period"}
    message = refused.value.errors["period"][0]
    assert all(f"({m:02d})" in message for m in MONTHS) and "February" in message and "December" in message


def test_a_position_case_may_take_effect_in_any_month() -> None:
    assert propose("2027-03", kind="position").effective == date(2027, 3, 1)


def test_a_rank_kind_is_known_and_only_for_rank_cases() -> None:
    assert propose("2027-04", rank_kind="pilihan").rank_kind == "pilihan"
    with pytest.raises(CaseInvalid) as unknown:
        propose("2027-04", rank_kind="istimewa")
    assert set(unknown.value.errors) == {"rank_kind"}
    with pytest.raises(CaseInvalid) as position:
        propose("2027-04", kind="position", rank_kind="pilihan")
    assert set(position.value.errors) == {"rank_kind"}


# --- the data is checked when published -------------------------------------------------------------------------


def test_the_published_default_is_valid_and_bad_kinds_are_named() -> None:
    assert validate_rules(RULES) == {}
    bad = copy.deepcopy(RULES)
    bad["promotion"]["tmt_months"] = [2, 13]
    del bad["promotion"]["kinds"]["pilihan"]
    bad["promotion"]["kinds"]["reguler"]["not_above_supervisor"] = "ya"
    bad["promotion"]["qualification_ceilings"]["S1"] = "III/z"
    errors = validate_rules(bad)
    assert {"rules.promotion.tmt_months", "rules.promotion.kinds.pilihan",
            "rules.promotion.kinds.reguler.not_above_supervisor",
            "rules.promotion.qualification_ceilings.S1"} <= set(errors)


def test_the_talent_table_is_checked_when_published() -> None:
    bad = copy.deepcopy(RULES)
    bad["talent"]["boxes"][0]["box"] = 9
    assert "rules.talent.boxes" in validate_rules(bad)
