"""Where an employee stands towards their next rank promotion: pure functions over the eligibility rules.

The standing is not a second copy of the promotion rules. It picks, for each promotion kind the rule set knows, the
earliest TMT on which the time criteria (years in rank, years in position) can be met, and the caller evaluates the
kind at that date with ``domain.eligibility.evaluate`` on the same inputs an assessment would pin. What is left
here is the part an assessment does not need: which dates are possible, and what each unmet criterion still asks
for, in plain items a page can put into words ("1 more year in rank", "predicate Baik in 2026").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from domain.eligibility import add_years, full_years, has_kinds, section_for, tmt_months
from domain.rules import RANK_KINDS

# Unmet criteria that later events can still satisfy before the date (an appraisal not yet final, a year's JP not
# yet over, an exam, a pending objection); the others (a final predicate below the minimum, a ceiling, a penalty,
# no new qualification, no award) stand in the way of that kind.
ATTAINABLE = frozenset({"recent_appraisals", "training_jp", "ujian_dinas", "no_open_objection"})


@dataclass(frozen=True)
class KindStanding:
    """One promotion kind: the earliest possible TMT, the criteria evaluated there and what is still missing."""

    rank_kind: str
    effective: date
    eligible: bool
    criteria: list[dict[str, Any]]
    missing: list[dict[str, Any]] = field(default_factory=list)

    @property
    def attainable(self) -> bool:
        """True when everything still missing can come about before the date."""
        return all(item["attainable"] for item in self.missing)

    def as_dict(self) -> dict[str, Any]:
        """Plain form."""
        return {"rank_kind": self.rank_kind, "effective": self.effective.isoformat(), "eligible": self.eligible,
                "attainable": self.attainable, "criteria": self.criteria, "missing": self.missing}


def kinds_of(rules: Mapping[str, Any]) -> tuple[str, ...]:
    """The rank-promotion kinds a rule set evaluates (only the regular one for sets without kinds)."""
    return RANK_KINDS if has_kinds(rules) else ("reguler",)


def first_tmt_on_or_after(day: date, rules: Mapping[str, Any]) -> date:
    """The first TMT date (the 1st of an allowed month; any month for sets without TMT months) on or after ``day``."""
    months = tmt_months(rules) or list(range(1, 13))
    year, month = day.year, day.month if day.day == 1 else day.month + 1
    while True:
        if month > 12:
            year, month = year + 1, 1
        if month in months:
            return date(year, month, 1)
        month += 1


def earliest_date(rank_kind: str, rank_since: date, position_since: date | None, rules: Mapping[str, Any],
                  today: date) -> date:
    """The earliest TMT after today on which the kind's years in rank (and in position, where it asks) are met."""
    section = section_for(rules, "rank", rank_kind)
    ready = add_years(rank_since, int(section["min_years_in_rank"]))
    if "min_years_in_position" in section and position_since is not None:
        ready = max(ready, add_years(position_since, int(section["min_years_in_position"])))
    return first_tmt_on_or_after(max(ready, today + timedelta(days=1)), rules)


def waiting(rank_kind: str, rank_since: date, rules: Mapping[str, Any], today: date) -> dict[str, Any] | None:
    """How many more full years in rank the kind asks for from today, and from when (None: already served)."""
    required = int(section_for(rules, "rank", rank_kind)["min_years_in_rank"])
    ready = add_years(rank_since, required)
    if ready <= today:
        return None
    return {"criterion": "years_in_rank", "code": "more_years_in_rank", "attainable": True,
            "years": required - full_years(rank_since, today), "until": ready.isoformat(),
            "required_years": required}


def shortfalls(criteria: Sequence[Mapping[str, Any]], today: date) -> list[dict[str, Any]]:
    """What each unmet criterion still asks for, as plain items with a ``code`` and the values behind it."""
    items: list[dict[str, Any]] = []
    for c in criteria:
        if c["met"]:
            continue
        name, values = str(c["name"]), dict(c["values"])
        items.extend(_items(name, values, today))
    return items


def _items(name: str, v: dict[str, Any], today: date) -> list[dict[str, Any]]:
    def item(code: str, attainable: bool, **values: Any) -> dict[str, Any]:
        return {"criterion": name, "code": code, "attainable": attainable, **values}

    if name == "recent_appraisals":
        out = []
        for row in v["appraisals"]:
            if row["at_least_minimum"]:
                continue
            final = row["status"] == "final"
            out.append(item("predicate_below" if final else "predicate_needed", not final,
                            period=row["period"], min_predicate=v["min_predicate"], predicate=row["predicate"]))
        return out
    if name == "training_jp":
        return [item("training_jp", int(v["year"]) >= today.year, year=v["year"],
                     jp=int(v["minimum_jp"]) - int(v["verified_jp"]), minimum_jp=v["minimum_jp"])]
    if name == "years_in_rank":
        return [item("more_years_in_rank", True, years=int(v["required_years"]) - int(v["years"]),
                     until=v["eligible_from"], required_years=v["required_years"])]
    if name == "years_in_position":
        return [item("more_years_in_position", True, years=int(v["required_years"]) - int(v["years"]),
                     required_years=v["required_years"])]
    if name == "no_open_objection":
        return [item("objection_pending", True, periods=list(v["pending_objections"]))]
    if name == "ujian_dinas":
        return [item("exam_needed", True, exam=v["exam"], to_rank=v["to_rank"])]
    if name == "qualification_ceiling":
        return [item("qualification_ceiling", False, ceiling=v["ceiling"], qualification=v["qualification"],
                     to_rank=v["to_rank"])]
    if name == "not_above_supervisor":
        return [item("above_supervisor", False, supervisor_rank=v["supervisor_rank"], to_rank=v["to_rank"])]
    if name == "no_disciplinary_penalty":
        ends = max((p["ends_on"] for p in v["in_force"]), default=None)
        return [item("penalty_in_force", False, ends_on=ends)]
    if name == "new_qualification":
        return [item("new_qualification", False)]
    if name == "outstanding_award":
        return [item("award_needed", False, categories=list(v["categories"]))]
    return [item(name, False)]


def kind_standing(rank_kind: str, effective: date, criteria: list[dict[str, Any]], eligible: bool,
                  rank_since: date, rules: Mapping[str, Any], today: date) -> KindStanding:
    """A kind's standing from its evaluation at ``effective``: the unmet criteria's items, led by the years in rank
    still to serve from today."""
    missing = shortfalls(criteria, today)
    wait = waiting(rank_kind, rank_since, rules, today)
    if wait is not None and not any(m["code"] == "more_years_in_rank" for m in missing):
        missing.insert(0, wait)
    return KindStanding(rank_kind, effective, eligible, criteria, missing)


def next_promotion(kinds: Sequence[KindStanding]) -> KindStanding | None:
    """The kind to show as "next": the earliest one that is, or can still become, eligible (eligible before
    attainable, then the rule set's order of kinds); None when every kind is blocked."""
    open_kinds = [k for k in kinds if k.eligible or k.attainable]
    if not open_kinds:
        return None
    order = {k.rank_kind: i for i, k in enumerate(kinds)}
    return min(open_kinds, key=lambda k: (k.effective, not k.eligible, order[k.rank_kind]))
