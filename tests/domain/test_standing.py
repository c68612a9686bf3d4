"""Where an employee stands: the earliest possible TMT of each promotion kind and what is still missing."""

from __future__ import annotations

from datetime import date

from application.rulebook import default_rules, rules_2023
from domain.eligibility import AppraisalFacts, CandidateFacts, TrainingFacts, evaluate
from domain.standing import (
    earliest_date,
    first_tmt_on_or_after,
    kind_standing,
    kinds_of,
    next_promotion,
    shortfalls,
)

RULES = default_rules()
TODAY = date(2026, 12, 3)


def test_a_tmt_is_the_first_of_an_allowed_month_on_or_after_the_day() -> None:
    assert first_tmt_on_or_after(date(2026, 12, 3), RULES) == date(2027, 2, 1)
    assert first_tmt_on_or_after(date(2026, 10, 1), RULES) == date(2026, 10, 1)
    assert first_tmt_on_or_after(date(2026, 10, 2), RULES) == date(2026, 12, 1)
    # the first rule sets allowed any month
    assert first_tmt_on_or_after(date(2026, 11, 15), rules_2023()) == date(2026, 12, 1)


def test_the_earliest_date_waits_for_the_years_in_rank_and_is_after_today() -> None:
    # III/a since 1 March 2023: four years on 1 March 2027, the next TMT month is April
    assert earliest_date("reguler", date(2023, 3, 1), None, RULES, TODAY) == date(2027, 4, 1)
    # long served: the next TMT after today
    assert earliest_date("reguler", date(2015, 4, 1), None, RULES, TODAY) == date(2027, 2, 1)
    # pilihan also waits for a year in the position
    assert earliest_date("pilihan", date(2015, 4, 1), date(2026, 7, 1), RULES, TODAY) == date(2027, 8, 1)


def test_rule_sets_without_kinds_offer_only_the_regular_promotion() -> None:
    assert kinds_of(rules_2023()) == ("reguler",)
    assert kinds_of(RULES) == ("reguler", "pilihan", "penyesuaian_ijazah", "prestasi_luar_biasa")


def test_a_missing_appraisal_asks_for_a_predicate_in_that_year_and_a_low_final_one_blocks() -> None:
    facts = CandidateFacts("III/a", date(2018, 4, 1), appraisals=(
        AppraisalFacts("2025", final=True, predicate="Butuh Perbaikan"),))
    result = evaluate("rank", facts, rules_2023(), date(2027, 4, 1), "reguler")
    items = shortfalls(result.as_dicts(), TODAY)
    assert {"criterion": "recent_appraisals", "code": "predicate_needed", "attainable": True, "period": "2026",
            "min_predicate": "Baik", "predicate": None} in items
    below = next(i for i in items if i["code"] == "predicate_below")
    assert below["period"] == "2025" and below["predicate"] == "Butuh Perbaikan" and not below["attainable"]


def test_the_years_still_to_serve_lead_the_missing_items() -> None:
    facts = CandidateFacts("III/a", date(2023, 3, 1), appraisals=(
        AppraisalFacts("2026", final=True, predicate="Baik"), AppraisalFacts("2025", final=True, predicate="Baik")),
        trainings=(TrainingFacts(20, date(2026, 5, 8), "verified"),))
    effective = earliest_date("reguler", facts.rank_since, None, rules_2023(), TODAY)
    result = evaluate("rank", facts, rules_2023(), effective, "reguler")
    standing = kind_standing("reguler", effective, result.as_dicts(), result.eligible, facts.rank_since,
                             rules_2023(), TODAY)
    assert standing.eligible and standing.effective == date(2027, 3, 1)
    assert standing.missing == [{"criterion": "years_in_rank", "code": "more_years_in_rank", "attainable": True,
                                 "years": 1, "until": "2027-03-01", "required_years": 4}]


def test_next_is_the_earliest_kind_that_can_still_be_reached() -> None:
    blocked = kind_standing("prestasi_luar_biasa", date(2027, 2, 1), [
        {"name": "outstanding_award", "met": False, "values": {"categories": ["performance"], "awards": []}}],
        False, date(2020, 1, 1), RULES, TODAY)
    later = kind_standing("reguler", date(2027, 4, 1), [], True, date(2020, 1, 1), RULES, TODAY)
    assert not blocked.attainable
    assert next_promotion([later, blocked]) is later
    assert next_promotion([blocked]) is None


def test_the_development_section_is_checked_field_by_field() -> None:
    from domain.rules import validate_rules

    assert validate_rules(RULES) == {}
    bad = default_rules()
    bad["development"] = {**bad["development"], "employee_sees_talent_box": "yes", "self_gap": -1,
                          "need_boxes": [0], "extra": 1}
    del bad["development"]["award_category"]
    assert set(validate_rules(bad)) == {
        "rules.development.employee_sees_talent_box", "rules.development.self_gap", "rules.development.need_boxes",
        "rules.development.extra", "rules.development.award_category"}
