"""The distribution curve: a unit's predicates checked against the caps of its own organisation rating (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domain.rules import CAP_KEYS, PREDICATES

OVER_CAP, UNDER_MINIMUM = "over_cap", "under_minimum"


@dataclass(frozen=True)
class Share:
    """How many final appraisals carry a predicate, and their share of the unit (percent, None when empty)."""

    predicate: str
    count: int
    percent: float | None


@dataclass(frozen=True)
class CapCheck:
    """One bound of one constraint, the figures it was checked on, and the flag when it is broken."""

    predicates: tuple[str, ...]
    bound: str
    limit: int
    count: int
    percent: float | None
    flag: str | None

    @property
    def ok(self) -> bool:
        """True when the bound holds."""
        return self.flag is None


@dataclass(frozen=True)
class Distribution:
    """A unit's predicate distribution and the checks against its caps."""

    total: int
    shares: list[Share]
    checks: list[CapCheck]

    @property
    def flagged(self) -> bool:
        """True when any bound is broken."""
        return any(not c.ok for c in self.checks)


def count_predicates(predicates: Iterable[str]) -> dict[str, int]:
    """Count each of the five predicates (all present, zero when absent)."""
    counts = dict.fromkeys(PREDICATES, 0)
    for predicate in predicates:
        counts[predicate] += 1
    return counts


def check_distribution(counts: Mapping[str, int], constraints: Sequence[Mapping[str, Any]]) -> Distribution:
    """Shares of each predicate and every bound of ``constraints`` (rule-set data: ``predicates`` plus any of
    min_percent, more_than_percent, max_percent, min_count, max_count) checked on them; over a maximum is
    ``over_cap``, under a minimum (or not above ``more_than_percent``) ``under_minimum``. Percent bounds compare exactly (count * 100 against limit * total)."""
    total = sum(counts.get(p, 0) for p in PREDICATES)
    shares = [Share(p, counts.get(p, 0), _percent(counts.get(p, 0), total)) for p in PREDICATES]
    checks: list[CapCheck] = []
    for constraint in constraints:
        group = tuple(constraint["predicates"])
        count = sum(counts.get(p, 0) for p in group)
        for bound in CAP_KEYS:
            if bound in constraint:
                limit = int(constraint[bound])
                checks.append(CapCheck(group, bound, limit, count, _percent(count, total),
                                       _flag(bound, limit, count, total)))
    return Distribution(total, shares, checks)


def _flag(bound: str, limit: int, count: int, total: int) -> str | None:
    if bound == "max_count":
        return OVER_CAP if count > limit else None
    if bound == "min_count":
        return UNDER_MINIMUM if count < limit else None
    if bound == "max_percent":
        return OVER_CAP if count * 100 > limit * total else None
    if bound == "more_than_percent":  # "most": strictly more than the limit (nothing to bound in an empty unit)
        return UNDER_MINIMUM if total and count * 100 <= limit * total else None
    return UNDER_MINIMUM if count * 100 < limit * total else None


def _percent(count: int, total: int) -> float | None:
    return round(count * 100 / total, 1) if total else None
