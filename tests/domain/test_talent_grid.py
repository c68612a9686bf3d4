"""The 9-box: every cell from a predicate and a potential level, the predicate mapping, the unplaced, and what a
potential assessment must carry."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import pytest

from domain.potential import PotentialAssessment, PotentialInvalid
from domain.rules import PREDICATES
from domain.talent_grid import BOXES, PERFORMANCE_BY_PREDICATE, box_cells, place

TODAY = date(2026, 6, 15)

# (latest final annual predicate, potential) -> box, written out from the table in DOMAIN.md "Talent 9-box"
# (PermenPANRB 3/2020 as ASN talent tools number it)
CELLS = [
    ("Sangat Baik", "high", 9),
    ("Baik", "high", 8),
    ("Sangat Baik", "middle", 7),
    ("Butuh Perbaikan", "high", 6),
    ("Baik", "middle", 5),
    ("Sangat Baik", "low", 4),
    ("Kurang", "middle", 3),
    ("Baik", "low", 2),
    ("Sangat Kurang", "low", 1),
]


@pytest.mark.parametrize(("predicate", "potential", "box"), CELLS, ids=[f"box {c[2]}" for c in CELLS])
def test_each_of_the_nine_cells(predicate: str, potential: str, box: int) -> None:
    placement = place(predicate, potential)

    assert placement.box == box
    assert placement.missing == ()


def test_the_nine_cells_use_each_box_number_once() -> None:
    assert sorted(BOXES.values()) == list(range(1, 10))
    assert sorted(c[2] for c in CELLS) == list(range(1, 10))


def test_box_nine_is_above_expectations_with_high_potential_and_box_one_below_with_low() -> None:
    assert BOXES[("above", "high")] == 9
    assert BOXES[("below", "low")] == 1


@pytest.mark.parametrize(("predicate", "performance"), [
    ("Sangat Baik", "above"),
    ("Baik", "as_expected"),
    ("Butuh Perbaikan", "below"),
    ("Kurang", "below"),
    ("Sangat Kurang", "below"),
])
def test_each_predicate_maps_to_a_performance(predicate: str, performance: str) -> None:
    assert place(predicate, "middle").performance == performance


def test_the_mapping_covers_every_predicate_of_the_rules() -> None:
    assert set(PERFORMANCE_BY_PREDICATE) == set(PREDICATES)


@pytest.mark.parametrize(("predicate", "potential", "missing"), [
    (None, "high", ("performance",)),
    ("Baik", None, ("potential",)),
    (None, None, ("performance", "potential")),
])
def test_without_both_inputs_an_employee_is_unplaced_saying_what_is_missing(
        predicate: str | None, potential: str | None, missing: tuple[str, ...]) -> None:
    placement = place(predicate, potential)

    assert placement.box is None
    assert placement.missing == missing


def test_the_grid_lists_the_boxes_from_nine_down_to_one() -> None:
    cells = box_cells()

    assert [c["box"] for c in cells] == list(range(9, 0, -1))
    assert cells[0] == {"box": 9, "performance": "above", "potential": "high", "meaning": None, "follow_up": None,
                        "talent_pool": True}


# --- potential assessments ----------------------------------------------------------------------------------------


def assess(**overrides: Any) -> PotentialAssessment:
    fields: dict[str, Any] = {"employee_id": uuid4(), "level": "high", "basis": "Laporan assessment center 2026",
                              "assessed_on": TODAY, "assessor_id": uuid4(), "assessor_name": "Siti", "today": TODAY}
    fields.update(overrides)
    return PotentialAssessment.assess(**fields)


def test_an_assessment_records_level_basis_and_assessor() -> None:
    assessor = uuid4()
    assessment = assess(assessor_id=assessor, basis="  uji kompetensi manajerial ")

    assert (assessment.level, assessment.basis, assessment.assessor_id) == (
        "high", "uji kompetensi manajerial", assessor)


@pytest.mark.parametrize(("overrides", "field"), [
    ({"level": "very high"}, "level"),
    ({"basis": "  "}, "basis"),
    ({"assessed_on": TODAY + timedelta(days=1)}, "assessed_on"),
])
def test_a_faulty_assessment_is_refused_naming_the_field(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(PotentialInvalid) as refused:
        assess(**overrides)

    assert set(refused.value.errors) == {field}


def test_nobody_assesses_their_own_potential() -> None:
    me = uuid4()

    with pytest.raises(PotentialInvalid) as refused:
        assess(employee_id=me, assessor_id=me)

    assert set(refused.value.errors) == {"employee_id"}
