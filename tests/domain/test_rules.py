"""Rule sets are data: the predicate matrix and the whole-set validation."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from application.rulebook import default_rules
from domain.rulebook import (
    EffectiveDateBeforeLatest,
    InvalidRuleSet,
    NoRuleSetInEffect,
    RuleBook,
)
from domain.rules import grievance_window_days, predicate_at_least, predicate_for, validate_rules

MATRIX = [
    ("above", "below", "Kurang"),
    ("above", "as_expected", "Baik"),
    ("above", "above", "Sangat Baik"),
    ("as_expected", "below", "Kurang"),
    ("as_expected", "as_expected", "Baik"),
    ("as_expected", "above", "Baik"),
    ("below", "below", "Sangat Kurang"),
    ("below", "as_expected", "Butuh Perbaikan"),
    ("below", "above", "Butuh Perbaikan"),
]


@pytest.mark.parametrize("work,behaviour,predicate", MATRIX)
def test_the_default_matrix_gives_the_predicate_of_permenpanrb_6_2022(work: str, behaviour: str, predicate: str) -> None:
    assert predicate_for(default_rules(), work, behaviour) == predicate


def test_the_default_rule_set_is_valid() -> None:
    assert validate_rules(default_rules()) == {}


def test_a_matrix_missing_a_cell_is_invalid_and_names_the_cell() -> None:
    rules = default_rules()
    del rules["predicate_matrix"]["above"]["below"]
    assert validate_rules(rules) == {"rules.predicate_matrix.above.below": ["missing cell"]}


def test_an_unknown_section_and_a_missing_section_are_both_reported() -> None:
    rules = default_rules()
    rules["bonus"] = {}
    del rules["training"]
    errors = validate_rules(rules)
    assert errors["rules.bonus"] == ["unknown section"] and errors["rules.training"] == ["missing section"]


def test_min_peers_above_max_peers_is_invalid() -> None:
    rules = default_rules()
    rules["feedback"]["min_peers"] = 9
    assert "rules.feedback.min_peers" in validate_rules(rules)


def test_a_distribution_cap_needs_a_bound() -> None:
    rules = default_rules()
    rules["distribution_caps"]["Istimewa"] = [{"predicates": ["Sangat Baik"]}]
    assert "rules.distribution_caps.Istimewa[0]" in validate_rules(rules)


def test_baik_is_at_least_baik_but_butuh_perbaikan_is_not() -> None:
    assert predicate_at_least("Sangat Baik", "Baik") and predicate_at_least("Baik", "Baik")
    assert not predicate_at_least("Butuh Perbaikan", "Baik")


def test_the_rule_book_numbers_versions_and_finds_the_one_in_effect() -> None:
    book = RuleBook.start()
    book.publish("v1", "", date(2023, 1, 1), default_rules())
    changed = copy.deepcopy(default_rules())
    changed["feedback"]["anonymity_threshold"] = 5
    book.publish("v2", "", date(2025, 1, 1), changed)
    assert book.in_effect(date(2024, 12, 31)).version == 1
    assert book.in_effect(date(2025, 1, 1)).rules["feedback"]["anonymity_threshold"] == 5


def test_no_rule_set_is_in_effect_before_the_first() -> None:
    book = RuleBook.start()
    book.publish("v1", "", date(2023, 1, 1), default_rules())
    with pytest.raises(NoRuleSetInEffect):
        book.in_effect(date(2022, 12, 31))


def test_a_version_cannot_take_effect_before_the_latest_one() -> None:
    book = RuleBook.start()
    book.publish("v1", "", date(2023, 1, 1), default_rules())
    with pytest.raises(EffectiveDateBeforeLatest):
        book.publish("v0", "", date(2022, 1, 1), default_rules())


def test_publishing_an_invalid_set_raises_with_every_error() -> None:
    rules = default_rules()
    rules["training"]["yearly_min_jp"] = 0
    with pytest.raises(InvalidRuleSet) as caught:
        RuleBook.start().publish("bad", "", date(2023, 1, 1), rules)
    assert "rules.training.yearly_min_jp" in caught.value.errors


def test_the_grievance_section_is_optional_but_checked_when_present() -> None:
    older = {k: v for k, v in default_rules().items() if k != "grievance"}
    bad = {**default_rules(), "grievance": {"filing_window_days": 0, "appeal": 3}}

    assert validate_rules(older) == {}
    assert grievance_window_days(older) is None and grievance_window_days(default_rules()) == 30
    assert validate_rules(bad) == {"rules.grievance.filing_window_days": ["must be a whole number from 1 to 10000"],
                                   "rules.grievance.appeal": ["unknown field"]}
