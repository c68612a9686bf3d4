"""The distribution curve: a unit's predicates against the caps of its own organisation rating (rule-set data)."""

from __future__ import annotations

import pytest

from application.rulebook import default_rules
from domain.distribution import OVER_CAP, UNDER_MINIMUM, check_distribution, count_predicates
from domain.unit_rating import InvalidOrganisationRating, UnitRating

CAPS = default_rules()["distribution_caps"]


def counts(**by_predicate: int) -> dict[str, int]:
    names = {"sb": "Sangat Baik", "b": "Baik", "bp": "Butuh Perbaikan", "k": "Kurang", "sk": "Sangat Kurang"}
    return count_predicates([names[key] for key, n in by_predicate.items() for _ in range(n)])


def flags(org_rating: str, **by_predicate: int) -> list[tuple[tuple[str, ...], str, str | None]]:
    result = check_distribution(counts(**by_predicate), CAPS[org_rating])
    return [(c.predicates, c.bound, c.flag) for c in result.checks]


def test_counts_and_shares_cover_all_five_predicates() -> None:
    result = check_distribution(counts(sb=1, b=2, bp=1), [])

    assert result.total == 4
    assert [(s.predicate, s.count, s.percent) for s in result.shares] == [
        ("Sangat Baik", 1, 25.0), ("Baik", 2, 50.0), ("Butuh Perbaikan", 1, 25.0), ("Kurang", 0, 0.0),
        ("Sangat Kurang", 0, 0.0)]
    assert not result.flagged


def test_distribution_flags_over_cap_sangat_baik_in_an_istimewa_unit() -> None:
    result = check_distribution(counts(sb=8, b=2), CAPS["Istimewa"])

    assert result.flagged
    [most, check] = result.checks  # Istimewa: most (more than 50%) and at most 70% Sangat Baik (DOMAIN.md)
    assert (most.bound, most.flag) == ("more_than_percent", None)
    assert (check.predicates, check.bound, check.limit, check.count, check.percent, check.flag) == (
        ("Sangat Baik",), "max_percent", 70, 8, 80.0, OVER_CAP)


def test_exactly_at_the_cap_is_not_flagged() -> None:
    assert flags("Istimewa", sb=7, b=3) == [(("Sangat Baik",), "more_than_percent", None),
                                            (("Sangat Baik",), "max_percent", None)]


def test_a_baik_unit_needs_at_least_one_butuh_perbaikan_or_kurang() -> None:
    assert flags("Baik", sb=3, b=7) == [
        (("Baik",), "max_percent", None), (("Butuh Perbaikan", "Kurang"), "min_count", UNDER_MINIMUM)]
    assert flags("Baik", sb=2, b=7, k=1) == [
        (("Baik",), "max_percent", None), (("Butuh Perbaikan", "Kurang"), "min_count", None)]


def test_a_baik_unit_with_more_than_70_percent_baik_is_over_cap() -> None:
    assert flags("Baik", b=8, bp=2)[0] == (("Baik",), "max_percent", OVER_CAP)


def test_a_butuh_perbaikan_unit_below_60_percent_butuh_perbaikan_is_under_minimum() -> None:
    assert flags("Butuh Perbaikan", b=5, bp=5) == [
        (("Butuh Perbaikan",), "min_percent", UNDER_MINIMUM), (("Sangat Baik",), "max_percent", None)]


def test_a_kurang_unit_checks_all_three_bounds() -> None:
    assert flags("Kurang", sb=2, k=6, bp=1, b=1) == [
        (("Kurang",), "min_percent", None), (("Butuh Perbaikan",), "min_percent", None),
        (("Sangat Baik",), "max_percent", OVER_CAP)]


def test_a_sangat_kurang_unit_may_have_no_sangat_baik() -> None:
    assert flags("Sangat Kurang", sk=9, sb=1)[-1] == (("Sangat Baik",), "max_count", OVER_CAP)
    assert flags("Sangat Kurang", sk=9, b=1)[-1] == (("Sangat Baik",), "max_count", None)


def test_percent_bounds_compare_exactly_not_on_rounded_shares() -> None:
    # 2 of 3 is 66.67%: under a 70% cap; 7 of 10 is exactly 70%: at it; 5 of 7 is 71.4%: over it
    assert flags("Istimewa", sb=2, b=1)[-1][2] is None
    assert flags("Istimewa", sb=5, b=2)[-1][2] == OVER_CAP


def test_an_empty_unit_has_no_shares_and_only_count_minimums_are_broken() -> None:
    result = check_distribution(counts(), CAPS["Baik"])

    assert result.total == 0
    assert {s.percent for s in result.shares} == {None}
    assert [c.flag for c in result.checks] == [None, UNDER_MINIMUM]


def test_constraints_are_data_any_bound_of_any_group_is_checked() -> None:
    result = check_distribution(counts(sb=1, b=1), [{"predicates": ["Sangat Baik", "Baik"], "min_count": 3,
                                                     "max_percent": 50}])

    assert [(c.bound, c.flag) for c in result.checks] == [("max_percent", OVER_CAP), ("min_count", UNDER_MINIMUM)]


def test_unit_rating_is_one_per_unit_and_period_and_revisions_are_events() -> None:
    rating = UnitRating.record(unit="BKPSDM", period="2026", rating="Baik", rule_set_version=1,
                               reason="Keputusan Bupati 800/12/2027")

    assert rating.id == UnitRating.id_for("BKPSDM", "2026")
    assert rating.revise("Istimewa", 2, "Koreksi hasil evaluasi") is True
    assert rating.revise("Istimewa", 2, "Sama") is False
    assert (rating.rating, rating.rule_set_version, rating.version) == ("Istimewa", 2, 2)


def test_unit_rating_refuses_a_rating_outside_the_five() -> None:
    with pytest.raises(InvalidOrganisationRating) as refused:
        UnitRating.record(unit="BKPSDM", period="2026", rating="Sangat Baik", rule_set_version=1, reason="x")

    assert set(refused.value.errors) == {"rating"}


# --- the bounds DOMAIN.md "Distribution curve" added to the rule set (issue 11) --------------------------------


def test_an_istimewa_unit_needs_most_staff_sangat_baik() -> None:
    # most = more than half; at most 70%
    assert flags("Istimewa", sb=5, b=5)[0] == (("Sangat Baik",), "more_than_percent", UNDER_MINIMUM)
    assert flags("Istimewa", sb=6, b=4) == [(("Sangat Baik",), "more_than_percent", None),
                                            (("Sangat Baik",), "max_percent", None)]
    assert flags("Istimewa", sb=101, b=99)[0][2] is None  # 50.5% is most


def test_an_empty_istimewa_unit_has_no_majority_to_miss() -> None:
    assert flags("Istimewa")[0] == (("Sangat Baik",), "more_than_percent", None)


def test_a_sangat_kurang_unit_needs_ten_percent_kurang_and_or_butuh_perbaikan() -> None:
    bound = (("Kurang", "Butuh Perbaikan"), "min_percent")
    assert flags("Sangat Kurang", sk=10)[1] == (*bound, UNDER_MINIMUM)
    assert flags("Sangat Kurang", sk=9, k=1)[1] == (*bound, None)
    assert flags("Sangat Kurang", sk=9, bp=1)[1] == (*bound, None)
    assert flags("Sangat Kurang", sk=19, bp=1)[1] == (*bound, UNDER_MINIMUM)  # 5%
