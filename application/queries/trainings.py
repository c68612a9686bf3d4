"""Career-record reads for a unit: who is below the yearly JP minimum, the 9-box grid."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol
from uuid import UUID

from application.access_policy import AccessPolicy
from application.actor import Actor
from application.queries.people import PeopleQueries
from application.trainings import TrainingService
from domain.employment import PPPK


class TrainingReadModel(Protocol):
    """The training read model's unit totals."""

    def unit_training_totals(self, unit: str, year: int, visible_to: set[UUID] | None = None
                             ) -> list[dict[str, Any]]:
        """Verified JP per employee of a unit in a year."""


class TalentReadModel(Protocol):
    """The talent read model's 9-box grid."""

    def talent_grid(self, unit: str, visible_to: set[UUID] | None = None,
                    talent: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """A unit's 9-box grid (numbered, with meanings and follow-ups, by the rule set's talent section)."""


class CareerQueries:
    """A unit's career figures as the actor may see them (AccessPolicy.record_scope)."""

    def __init__(self, training_view: TrainingReadModel, talent_view: TalentReadModel, trainings: TrainingService,
                 people: PeopleQueries, policy: AccessPolicy):
        self.training_view = training_view
        self.talent_view = talent_view
        self.trainings = trainings
        self.people = people
        self.policy = policy

    def shortfall(self, actor: Actor, code: str, year: int | None) -> dict[str, Any]:
        """Who in the unit the actor may see has fewer verified JP than the year's minimum (404 for no unit)."""
        unit = self.people.unit(code)
        year = year or self.trainings.today().year
        minimum = self.trainings.yearly_minimum(year)
        counted = self.training_view.unit_training_totals(unit["code"], year, visible_to=self.policy.record_scope(actor))
        # the yearly minimum is a right of PNS and CPNS; a PPPK has a maximum instead, so is never short of it
        below = [{**row, "shortfall_jp": minimum.minimum_jp - row["verified_jp"]}
                 for row in counted if row["verified_jp"] < minimum.minimum_jp and row.get("status") != PPPK]
        return {"unit": unit["code"], "year": year, "minimum_jp": minimum.minimum_jp,
                "rule_set_version": minimum.rule_set_version, "rules_at": minimum.rules_at,
                "employees": len(counted), "below_count": len(below), "below": below}

    def talent_grid(self, actor: Actor, code: str) -> dict[str, Any]:
        """The unit's 9-box as the actor may see it (supervisors: their own reports only; 404 for no unit)."""
        unit = self.people.unit(code)
        rule_set = self.trainings.rules.in_effect(self.trainings.today())
        grid = self.talent_view.talent_grid(unit["code"], visible_to=self.policy.record_scope(actor),
                                     talent=rule_set.rules.get("talent"))
        return {**grid, "rule_set_version": rule_set.version}
