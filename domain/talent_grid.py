"""The talent-management 9-box: performance (below / as expected / above) x potential (low / middle / high).

Everything here is data and pure functions; the read side feeds it the latest final annual predicate and the
latest potential assessment of each employee.

Box numbers follow ASN talent management as its tools number it (PermenPANRB 3/2020, DOMAIN.md "Talent 9-box");
the numbering, each box's meaning and its recommended follow-up are rule-set data (the ``talent`` section), with
this table as the default::

    potential \\ performance   below   as_expected   above
    high                        6          8           9
    middle                      3          5           7
    low                         1          2           4

Boxes 7, 8 and 9 form the talent pool; box 1 needs performance guidance.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

POTENTIALS: tuple[str, ...] = ("low", "middle", "high")

# The performance axis comes from the latest final annual predicate (PermenPANRB 6/2022): only "Sangat Baik"
# is above expectations and "Baik" is as expected; "Butuh Perbaikan", "Kurang" and "Sangat Kurang" are below.
PERFORMANCE_BY_PREDICATE: dict[str, str] = {
    "Sangat Baik": "above",
    "Baik": "as_expected",
    "Butuh Perbaikan": "below",
    "Kurang": "below",
    "Sangat Kurang": "below",
}

BOXES: dict[tuple[str, str], int] = {
    ("below", "low"): 1,
    ("as_expected", "low"): 2,
    ("below", "middle"): 3,
    ("above", "low"): 4,
    ("as_expected", "middle"): 5,
    ("below", "high"): 6,
    ("above", "middle"): 7,
    ("as_expected", "high"): 8,
    ("above", "high"): 9,
}
TALENT_POOL: tuple[int, ...] = (7, 8, 9)


def boxes_of(talent: Mapping[str, Any] | None) -> dict[tuple[str, str], int]:
    """The cell -> box numbering of a rule set's talent section (the default table when it has none)."""
    if not talent:
        return dict(BOXES)
    return {(b["performance"], b["potential"]): int(b["box"]) for b in talent["boxes"]}


@dataclass(frozen=True)
class Placement:
    """Where one employee lands, or what is missing to place them (``box`` is None then)."""

    performance: str | None
    potential: str | None
    box: int | None
    missing: tuple[str, ...]


def performance_for(predicate: str | None) -> str | None:
    """The performance axis value of a predicate (None when there is no predicate or it is unknown)."""
    return PERFORMANCE_BY_PREDICATE.get(predicate) if predicate else None


def box_for(performance: str, potential: str, boxes: Mapping[tuple[str, str], int] | None = None) -> int:
    """The box number of a performance and a potential."""
    try:
        return (boxes or BOXES)[(performance, potential)]
    except KeyError:
        raise ValueError(f"no box for performance {performance!r} and potential {potential!r}") from None


def place(predicate: str | None, potential: str | None,
          boxes: Mapping[tuple[str, str], int] | None = None) -> Placement:
    """Place an employee from their latest final annual predicate and latest potential level."""
    performance = performance_for(predicate)
    level = potential if potential in POTENTIALS else None
    missing = tuple(name for name, value in (("performance", performance), ("potential", level)) if value is None)
    if missing:
        return Placement(performance, level, None, missing)
    assert performance is not None and level is not None
    return Placement(performance, level, box_for(performance, level, boxes), ())


def box_cells(talent: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """The nine cells from box 9 down to box 1, each with its axes, meaning, follow-up and whether it belongs to
    the talent pool (for an empty grid to fill)."""
    if talent:
        pool = set(talent.get("talent_pool", TALENT_POOL))
        cells = [{"box": int(b["box"]), "performance": b["performance"], "potential": b["potential"],
                  "meaning": b["meaning"], "follow_up": b["follow_up"]} for b in talent["boxes"]]
    else:
        pool = set(TALENT_POOL)
        cells = [{"box": box, "performance": perf, "potential": pot, "meaning": None, "follow_up": None}
                 for (perf, pot), box in BOXES.items()]
    return [{**cell, "talent_pool": cell["box"] in pool} for cell in sorted(cells, key=lambda c: -c["box"])]
