"""Eligibility for regular rank promotion (kenaikan pangkat reguler): pure functions of plain facts and a rule set.

The same facts and the same rule-set version always give the same result, which is what lets a decision be
replayed years later. Everything is measured against the case's effective date (TMT): years in rank up to the TMT,
the annual appraisals of the years before the TMT's year, and the verified JP of the year before it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.rules import predicate_at_least

KINDS: tuple[str, ...] = ("rank", "position")


@dataclass(frozen=True)
class AppraisalFacts:
    """What eligibility reads of one annual appraisal (``exists`` False when none was opened)."""

    period: str
    exists: bool = True
    final: bool = False
    predicate: str | None = None
    objection: str | None = None  # pending, upheld, rejected or None


@dataclass(frozen=True)
class TrainingFacts:
    """What eligibility reads of one training completion."""

    jp: int
    end_date: date
    status: str


@dataclass(frozen=True)
class CandidateFacts:
    """The candidate's facts as read from the pinned inputs."""

    rank: str
    rank_since: date
    appraisals: tuple[AppraisalFacts, ...] = ()
    trainings: tuple[TrainingFacts, ...] = ()


@dataclass(frozen=True)
class Criterion:
    """One criterion's outcome with the values it was decided on."""

    name: str
    met: bool
    values: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """A plain, JSON-ready form (stored in events and compared on replay)."""
        return {"name": self.name, "met": self.met, "values": dict(self.values)}


@dataclass(frozen=True)
class Eligibility:
    """Every criterion and the overall outcome (eligible when all are met)."""

    criteria: tuple[Criterion, ...]

    @property
    def eligible(self) -> bool:
        """True when every criterion is met."""
        return all(c.met for c in self.criteria)

    def as_dicts(self) -> list[dict[str, Any]]:
        """The criteria in their plain form."""
        return [c.as_dict() for c in self.criteria]


def appraisal_years(rules: Mapping[str, Any], effective: date) -> list[str]:
    """The annual periods whose appraisals count: the ``recent_annual_appraisals`` years before the TMT's year."""
    count = int(regular(rules)["recent_annual_appraisals"])
    return [str(effective.year - i) for i in range(1, count + 1)]


def training_year(effective: date) -> int:
    """The year whose verified JP must meet the minimum: the last full year before the TMT."""
    return effective.year - 1


def regular(rules: Mapping[str, Any]) -> Mapping[str, Any]:
    """The regular-promotion section of a rule set."""
    section: Mapping[str, Any] = rules["promotion"]["regular"]
    return section


def evaluate(kind: str, facts: CandidateFacts, rules: Mapping[str, Any], effective: date) -> Eligibility:
    """Evaluate every criterion of the rule set for a case of ``kind`` taking effect on ``effective``."""
    criteria: list[Criterion] = []
    if kind == "rank":
        criteria.append(years_in_rank(facts, rules, effective))
    criteria.append(recent_appraisals(facts.appraisals, rules, effective))
    criteria.append(training_jp(facts.trainings, rules, effective))
    criteria.append(no_open_objection(facts.appraisals, rules))
    return Eligibility(tuple(criteria))


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def full_years(start: date, end: date) -> int:
    """Completed years from ``start`` to ``end`` (0 when ``end`` is earlier)."""
    years = end.year - start.year
    if add_years(start, years) > end:
        years -= 1
    return max(years, 0)


def years_in_rank(facts: CandidateFacts, rules: Mapping[str, Any], effective: date) -> Criterion:
    """At least ``min_years_in_rank`` full years in the current rank on the TMT."""
    required = int(regular(rules)["min_years_in_rank"])
    met = add_years(facts.rank_since, required) <= effective
    return Criterion("years_in_rank", met, {
        "rank": facts.rank, "rank_since": facts.rank_since.isoformat(), "reference_date": effective.isoformat(),
        "years": full_years(facts.rank_since, effective), "required_years": required,
        "eligible_from": add_years(facts.rank_since, required).isoformat()})


def recent_appraisals(appraisals: Sequence[AppraisalFacts], rules: Mapping[str, Any], effective: date) -> Criterion:
    """A final annual appraisal with a current predicate at least ``min_predicate`` for each recent year."""
    minimum = str(regular(rules)["min_predicate"])
    by_period = {a.period: a for a in appraisals}
    rows = []
    for period in appraisal_years(rules, effective):
        found = by_period.get(period)
        predicate = found.predicate if found and found.exists and found.final else None
        rows.append({"period": period, "status": _appraisal_status(found), "predicate": predicate,
                     "at_least_minimum": predicate is not None and predicate_at_least(predicate, minimum)})
    return Criterion("recent_appraisals", all(r["at_least_minimum"] for r in rows),
                     {"min_predicate": minimum, "required": len(rows), "appraisals": rows,
                      "qualifying": sum(1 for r in rows if r["at_least_minimum"])})


def _appraisal_status(found: AppraisalFacts | None) -> str:
    if found is None or not found.exists:
        return "missing"
    return "final" if found.final else "not_final"


def training_jp(trainings: Sequence[TrainingFacts], rules: Mapping[str, Any], effective: date) -> Criterion:
    """Verified JP of the year before the TMT at least the yearly minimum (when the rule set requires it)."""
    year = training_year(effective)
    minimum = int(rules["training"]["yearly_min_jp"])
    required = bool(regular(rules)["require_yearly_jp_minimum"])
    counted = [t for t in trainings if t.end_date.year == year]
    verified = sum(t.jp for t in counted if t.status == "verified")
    unverified = sum(t.jp for t in counted if t.status == "unverified")
    return Criterion("training_jp", verified >= minimum or not required, {
        "year": year, "verified_jp": verified, "unverified_jp": unverified, "minimum_jp": minimum,
        "required": required})


def no_open_objection(appraisals: Sequence[AppraisalFacts], rules: Mapping[str, Any]) -> Criterion:
    """No objection against a read appraisal still waits for its decision (when the rule set requires it)."""
    required = bool(regular(rules)["no_open_objection"])
    pending = sorted(a.period for a in appraisals if a.exists and a.objection == "pending")
    return Criterion("no_open_objection", not pending or not required,
                     {"pending_objections": pending, "required": required})


def is_contrary(outcome: str, eligible: bool) -> bool:
    """A decision goes against its assessment when it approves the ineligible or rejects the eligible."""
    return (outcome == "approved" and not eligible) or (outcome == "rejected" and eligible)
