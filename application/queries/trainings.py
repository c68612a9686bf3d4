"""Career-record reads for a unit: who is below the yearly JP minimum, the 9-box grid."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from datetime import date
from typing import Any, Protocol
from uuid import UUID

from application.access_policy import AccessPolicy, require
from application.actor import Actor
from application.errors import NotFound
from application.queries.filters import TrainingFilter
from application.queries.people import PeopleQueries
from application.trainings import TrainingService
from domain.employment import PPPK
from domain.talent_grid import PERFORMANCE_BY_PREDICATE, box_cells, boxes_of, place


class TrainingReadModel(Protocol):
    """The training read model: completions, an employee's year and yearly totals."""

    def year_totals(self, year: int, employee_ids: Iterable[UUID]) -> dict[UUID, tuple[int, int]]:
        """Verified and unverified JP of each given employee in a year."""

    def trainings(self, flt: TrainingFilter, limit: int, visible_to: AbstractSet[UUID] | None = None,
                  cursor: str | None = None) -> Any:
        """Completions, latest end date first (with a ``cursor``: one Page)."""

    def training(self, training_id: UUID) -> dict[str, Any] | None:
        """One completion."""

    def training_hours(self, employee_id: UUID, year: int) -> dict[str, Any]:
        """JP of the year's completions by status and the completions themselves."""


class TalentReadModel(Protocol):
    """The talent read model's latest potential assessments."""

    def latest_potentials(self, employee_ids: Iterable[UUID]) -> dict[UUID, dict[str, Any]]:
        """Each given employee's latest potential assessment."""


class PredicateReadModel(Protocol):
    """The appraisal read model's latest annual predicates."""

    def latest_annual_predicates(self, employee_ids: Iterable[UUID]) -> dict[UUID, str]:
        """Each given employee's latest final annual predicate."""


class CareerQueries:
    """A unit's career figures as the actor may see them (AccessPolicy.record_scope)."""

    def __init__(self, training_view: TrainingReadModel, talent_view: TalentReadModel,
                 appraisal_view: PredicateReadModel, trainings: TrainingService, people: PeopleQueries,
                 policy: AccessPolicy):
        self.training_view = training_view
        self.talent_view = talent_view
        self.appraisal_view = appraisal_view
        self.service = trainings
        self.people = people
        self.policy = policy

    def trainings(self, actor: Actor, flt: TrainingFilter, limit: int, cursor: str) -> Any:
        """Completions the actor may read, latest end date first (one Page after ``cursor``, "" for the first)."""
        return self.training_view.trainings(flt, limit, self.policy.record_scope(actor), cursor)

    def training(self, actor: Actor, training_id: UUID) -> dict[str, Any]:
        """A completion the actor may read (404 unknown, 403 someone else's)."""
        return readable_record(self.policy, actor, self.training_view.training(training_id),
                               f"no training {training_id}", "training")

    def training_hours(self, actor: Actor, employee_id: UUID, year: int | None) -> dict[str, Any]:
        """Verified JP of a year against the yearly minimum of the rule set in effect at the end of that year (or
        today, while it runs), or a PPPK's maximum (404 unknown employee, 403 someone else's)."""
        person = self.people.entry(employee_id)
        require(self.policy.may_read_record(actor, person["id"]), record_refusal("training hours"))
        year = year or self.service.today().year
        minimum = self.service.yearly_minimum(year)
        hours = self.training_view.training_hours(person["id"], year)
        out = {"employee_id": person["id"], "name": person["name"], "year": year, **hours,
               "minimum_jp": minimum.minimum_jp, "shortfall_jp": max(minimum.minimum_jp - hours["verified_jp"], 0),
               "meets_minimum": hours["verified_jp"] >= minimum.minimum_jp, "status": person["status"],
               "entitlement": "at_least", "entitlement_jp": minimum.minimum_jp, "over_entitlement_jp": 0,
               "rule_set_version": minimum.rule_set_version, "rules_at": minimum.rules_at}
        if person["status"] == PPPK:  # no 20 JP right: a PPPK's development is at most the set's maximum a year
            cap = minimum.pppk_max_jp
            out.update(minimum_jp=0, shortfall_jp=0, meets_minimum=True, entitlement="at_most", entitlement_jp=cap,
                       over_entitlement_jp=max(hours["verified_jp"] - cap, 0) if cap is not None else 0)
        return out

    def shortfall(self, actor: Actor, code: str, year: int | None) -> dict[str, Any]:
        """Who in the unit the actor may see has fewer verified JP than the year's minimum (404 for no unit)."""
        unit = self.people.unit(code)
        year = year or self.service.today().year
        minimum = self.service.yearly_minimum(year)
        counted = self.unit_training_totals(unit["code"], year, visible_to=self.policy.record_scope(actor))
        # the yearly minimum is a right of PNS and CPNS; a PPPK has a maximum instead, so is never short of it
        below = [{**row, "shortfall_jp": minimum.minimum_jp - row["verified_jp"]}
                 for row in counted if row["verified_jp"] < minimum.minimum_jp and row.get("status") != PPPK]
        return {"unit": unit["code"], "year": year, "minimum_jp": minimum.minimum_jp,
                "rule_set_version": minimum.rule_set_version, "rules_at": minimum.rules_at,
                "employees": len(counted), "below_count": len(below), "below": below}

    def talent_grid(self, actor: Actor, code: str) -> dict[str, Any]:
        """The unit's 9-box as the actor may see it (supervisors: their own reports only; 404 for no unit)."""
        unit = self.people.unit(code)
        rule_set = self.service.rules.in_effect(self.service.today())
        grid = self.grid(unit["code"], visible_to=self.policy.record_scope(actor), talent=rule_set.rules.get("talent"))
        return {**grid, "rule_set_version": rule_set.version}

    def unit_training_totals(self, unit: str, year: int, visible_to: AbstractSet[UUID] | None = None
                             ) -> list[dict[str, Any]]:
        """Everyone in the unit now who had started service by the end of the year (of ``visible_to``, when given),
        with the year's verified and unverified JP, fewest verified JP first."""
        staff = [p for p in self.people.view.unit_members(unit)
                 if p["service_start"] <= date(year, 12, 31) and (visible_to is None or p["id"] in visible_to)]
        totals = self.training_view.year_totals(year, [p["id"] for p in staff])
        rows = [{"employee_id": p["id"], "name": p["name"], "position": p["position"], "rank": p["rank"],
                 "status": p["status"], "verified_jp": totals.get(p["id"], (0, 0))[0],
                 "unverified_jp": totals.get(p["id"], (0, 0))[1]} for p in staff]
        return sorted(rows, key=lambda r: (r["verified_jp"], r["name"], r["employee_id"]))

    def grid(self, unit: str, visible_to: AbstractSet[UUID] | None = None,
             talent: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The unit's 9-box: each box (9 down to 1) with its members, and the unplaced with what is missing.

        Who is in the unit now comes from the directory, each one's latest potential assessment from the talent
        read model and the latest final annual predicate from the appraisal read model; the placement is the pure
        rule in domain.talent_grid."""
        staff = [p for p in self.people.view.unit_members(unit) if visible_to is None or p["id"] in visible_to]
        ids = [p["id"] for p in staff]
        predicates = self.appraisal_view.latest_annual_predicates(ids)
        latest = self.talent_view.latest_potentials(ids)
        boxes: dict[int, dict[str, Any]] = {cell["box"]: {**cell, "members": []} for cell in box_cells(talent)}
        unplaced: list[dict[str, Any]] = []
        for person in staff:
            potential = latest.get(person["id"])
            predicate = predicates.get(person["id"])
            spot = place(predicate, potential["level"] if potential else None, boxes_of(talent))
            entry = {"employee_id": person["id"], "name": person["name"], "position": person["position"],
                     "rank": person["rank"], "predicate": predicate, "performance": spot.performance,
                     "potential": spot.potential,
                     "potential_assessment_id": potential["id"] if potential else None,
                     "potential_assessed_on": potential["assessed_on"] if potential else None}
            if spot.box is None:
                unplaced.append({**entry, "missing": list(spot.missing)})
            else:
                boxes[spot.box]["members"].append(entry)
        cells = [{**cell, "count": len(cell["members"])} for cell in boxes.values()]
        return {"unit": unit, "employees": len(staff), "placed": len(staff) - len(unplaced),
                "performance_by_predicate": dict(PERFORMANCE_BY_PREDICATE), "boxes": cells, "unplaced": unplaced}


def readable_record(policy: AccessPolicy, actor: Actor, row: dict[str, Any] | None, missing: str,
                    what: str) -> dict[str, Any]:
    """A career-record row the actor may read: 404 (``missing``) for none, 403 for someone else's."""
    return readable(row, missing, lambda found: policy.may_read_record(actor, found["employee_id"]),
                    record_refusal(what))


def record_refusal(what: str) -> str:
    """Why someone else's career record is refused."""
    return f"you may read the {what} of yourself and your reports only"


def readable(row: dict[str, Any] | None, missing: str, may_read: Callable[[dict[str, Any]], bool],
             refusal: str) -> dict[str, Any]:
    """A row the policy lets the actor read: 404 (``missing``) for none, 403 (``refusal``) when ``may_read`` says
    no."""
    if row is None:
        raise NotFound(missing)
    require(may_read(row), refusal)
    return row
