"""Eligibility for regular rank promotion: each criterion at its edges, and determinism."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from application.rulebook import rules_2023
from domain.eligibility import (
    AppraisalFacts,
    CandidateFacts,
    TrainingFacts,
    add_years,
    evaluate,
    full_years,
    is_contrary,
)

TMT = date(2026, 10, 1)
# These specify the first published rule set (regular promotion only, 20 JP required): its decisions must keep
# replaying exactly; the rule set as the regulations write it is specified in test_promotion_kinds.py.
RULES = rules_2023()


def good(period: str, predicate: str = "Baik", objection: str | None = None) -> AppraisalFacts:
    return AppraisalFacts(period, exists=True, final=True, predicate=predicate, objection=objection)


def facts(**overrides: Any) -> CandidateFacts:
    fields: dict[str, Any] = {
        "rank": "III/a", "rank_since": date(2022, 10, 1),
        "appraisals": (good("2025"), good("2024", "Sangat Baik")),
        "trainings": (TrainingFacts(20, date(2025, 5, 6), "verified"),),
    }
    fields.update(overrides)
    return CandidateFacts(**fields)


def criterion(result: Any, name: str) -> Any:
    return next(c for c in result.criteria if c.name == name)


def test_a_candidate_meeting_every_criterion_is_eligible() -> None:
    result = evaluate("rank", facts(), RULES, TMT)

    assert result.eligible
    assert [c.name for c in result.criteria] == ["years_in_rank", "recent_appraisals", "training_jp",
                                                 "no_open_objection"]


def test_exactly_four_years_in_rank_on_the_tmt_is_enough() -> None:
    result = criterion(evaluate("rank", facts(rank_since=date(2022, 10, 1)), RULES, TMT), "years_in_rank")

    assert result.met
    assert result.values["years"] == 4 and result.values["required_years"] == 4
    assert result.values["eligible_from"] == "2026-10-01"


def test_one_day_short_of_four_years_in_rank_is_not_enough() -> None:
    result = criterion(evaluate("rank", facts(rank_since=date(2022, 10, 2)), RULES, TMT), "years_in_rank")

    assert not result.met
    assert result.values["years"] == 3


def test_years_in_rank_count_from_29_february_to_28_february() -> None:
    assert add_years(date(2020, 2, 29), 4) == date(2024, 2, 29)
    assert add_years(date(2020, 2, 29), 1) == date(2021, 2, 28)
    assert full_years(date(2020, 2, 29), date(2021, 2, 28)) == 1


def test_one_baik_and_one_butuh_perbaikan_is_not_enough() -> None:
    result = criterion(evaluate("rank", facts(appraisals=(good("2025"), good("2024", "Butuh Perbaikan"))),
                                RULES, TMT), "recent_appraisals")

    assert not result.met
    assert result.values["qualifying"] == 1 and result.values["required"] == 2
    assert [a["at_least_minimum"] for a in result.values["appraisals"]] == [True, False]


def test_two_baik_years_are_enough_and_they_are_the_two_years_before_the_tmt() -> None:
    result = criterion(evaluate("rank", facts(appraisals=(good("2025"), good("2024"), good("2023", "Kurang"))),
                                RULES, TMT), "recent_appraisals")

    assert result.met
    assert [a["period"] for a in result.values["appraisals"]] == ["2025", "2024"]


def test_a_missing_or_unfinished_appraisal_does_not_count() -> None:
    unfinished = AppraisalFacts("2024", exists=True, final=False, predicate=None)
    result = criterion(evaluate("rank", facts(appraisals=(good("2025"), unfinished)), RULES, TMT), "recent_appraisals")
    missing = criterion(evaluate("rank", facts(appraisals=(good("2025"),)), RULES, TMT), "recent_appraisals")

    assert not result.met and result.values["appraisals"][1]["status"] == "not_final"
    assert not missing.met and missing.values["appraisals"][1]["status"] == "missing"


def test_verified_jp_of_the_year_before_the_tmt_must_reach_the_minimum() -> None:
    exactly = facts(trainings=(TrainingFacts(12, date(2025, 3, 3), "verified"),
                               TrainingFacts(8, date(2025, 9, 1), "verified")))
    short = facts(trainings=(TrainingFacts(19, date(2025, 3, 3), "verified"),
                             TrainingFacts(10, date(2025, 4, 3), "unverified"),
                             TrainingFacts(30, date(2026, 1, 5), "verified")))

    assert criterion(evaluate("rank", exactly, RULES, TMT), "training_jp").met
    result = criterion(evaluate("rank", short, RULES, TMT), "training_jp")
    assert not result.met
    assert result.values == {"year": 2025, "verified_jp": 19, "unverified_jp": 10, "minimum_jp": 20,
                             "required": True}


def test_a_pending_objection_blocks_and_a_decided_one_does_not() -> None:
    pending = facts(appraisals=(good("2025", objection="pending"), good("2024")))
    decided = facts(appraisals=(good("2025", objection="rejected"), good("2024")))

    assert criterion(evaluate("rank", pending, RULES, TMT), "no_open_objection").values["pending_objections"] == ["2025"]
    assert not evaluate("rank", pending, RULES, TMT).eligible
    assert evaluate("rank", decided, RULES, TMT).eligible


def test_criteria_come_from_the_rule_set() -> None:
    rules = copy.deepcopy(RULES)
    rules["promotion"]["regular"].update(min_years_in_rank=2, recent_annual_appraisals=1,
                                         require_yearly_jp_minimum=False)

    result = evaluate("rank", facts(rank_since=date(2024, 10, 1), appraisals=(good("2025"),), trainings=()),
                      rules, TMT)

    assert result.eligible
    assert criterion(result, "training_jp").values["required"] is False


def test_a_position_case_has_no_years_in_rank_criterion() -> None:
    result = evaluate("position", facts(rank_since=date(2026, 1, 1)), RULES, TMT)

    assert "years_in_rank" not in [c.name for c in result.criteria]
    assert result.eligible


def test_the_same_facts_and_rules_give_the_same_result() -> None:
    assert evaluate("rank", facts(), RULES, TMT) == evaluate("rank", facts(), copy.deepcopy(RULES), TMT)


def test_approving_the_ineligible_or_rejecting_the_eligible_is_contrary() -> None:
    assert is_contrary("approved", False) and is_contrary("rejected", True)
    assert not is_contrary("approved", True) and not is_contrary("rejected", False)
    assert not is_contrary("deferred", True) and not is_contrary("deferred", False)
