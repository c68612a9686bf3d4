"""The talent-management 9-box: performance (below / as expected / above) x potential (low / middle / high).

Everything here is data and pure functions; the read side feeds it the latest final annual predicate and the
latest potential assessment of each employee.

Box numbers follow the numbering of the ASN talent-management guidance (PermenPANRB 3/2020), which is the
common 9-box numbering: the numbers rise along the diagonals from the bottom-left corner, so box 1 is below
expectations with low potential and box 9 is above expectations with high potential::

    potential \\ performance   below   as_expected   above
    high                        4          7           9
    middle                      2          5           8
    low                         1          3           6
"""

from __future__ import annotations

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
    ("below", "middle"): 2,
    ("as_expected", "low"): 3,
    ("below", "high"): 4,
    ("as_expected", "middle"): 5,
    ("above", "low"): 6,
    ("as_expected", "high"): 7,
    ("above", "middle"): 8,
    ("above", "high"): 9,
}


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


def box_for(performance: str, potential: str) -> int:
    """The box number of a performance and a potential."""
    try:
        return BOXES[(performance, potential)]
    except KeyError:
        raise ValueError(f"no box for performance {performance!r} and potential {potential!r}") from None


def place(predicate: str | None, potential: str | None) -> Placement:
    """Place an employee from their latest final annual predicate and latest potential level."""
    performance = performance_for(predicate)
    level = potential if potential in POTENTIALS else None
    missing = tuple(name for name, value in (("performance", performance), ("potential", level)) if value is None)
    if missing:
        return Placement(performance, level, None, missing)
    assert performance is not None and level is not None
    return Placement(performance, level, box_for(performance, level), ())


def box_cells() -> list[dict[str, Any]]:
    """The nine cells from box 9 down to box 1, each with its axes (for an empty grid to fill)."""
    ordered = sorted(BOXES.items(), key=lambda item: -item[1])
    return [{"box": box, "performance": perf, "potential": pot} for (perf, pot), box in ordered]
