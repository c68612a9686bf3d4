"""HR's per-unit development view: needs by BerAKHLAK value and by source, IDP coverage (who has none), and each
person's planned JP against their verified JP of the year; the basis of the unit's training plan."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any, Protocol
from uuid import UUID

from application.access_policy import AccessPolicy, require
from application.actor import Actor
from application.queries.people import PeopleQueries
from application.queries.standing import NeedsReadModel, PlansReadModel
from domain.development import BERAKHLAK, SOURCES


class YearTotalsReadModel(Protocol):
    """The training read model's yearly totals."""

    def year_totals(self, year: int, employee_ids: Iterable[UUID]) -> dict[UUID, tuple[int, int]]:
        """Verified and unverified JP of each given employee in a year."""


class DevelopmentQueries:
    """The unit development report as HR and auditors read it (AccessPolicy.may_read_unit_development)."""

    def __init__(self, needs: NeedsReadModel, plans: PlansReadModel, trainings: YearTotalsReadModel,
                 people: PeopleQueries, policy: AccessPolicy):
        self.needs = needs
        self.plans = plans
        self.trainings = trainings
        self.people = people
        self.policy = policy

    def unit_report(self, actor: Actor, code: str, year: int) -> dict[str, Any]:
        """Everyone in the unit now: open (not dismissed) needs by value and by source, whose plan of the year is
        missing, and planned vs verified JP per person (404 for no unit)."""
        require(self.policy.may_read_unit_development(actor), "the unit development report is for HR and auditors")
        unit = self.people.unit(code)
        staff = self.people.view.unit_members(unit["code"])
        ids = {p["id"] for p in staff}
        needs = [n for n in self.needs.needs(None, None, None, 100_000, unit=unit["code"])
                 if n["status"] != "dismissed" and n["employee_id"] in ids]
        plans = {p["employee_id"]: p for p in self.plans.plans(None, year, None, 100_000, unit=unit["code"])}
        totals = self.trainings.year_totals(year, ids)
        by_value = Counter(n["value"] for n in needs if n["value"])
        open_needs = Counter(n["employee_id"] for n in needs)
        rows = []
        for person in staff:
            plan = plans.get(person["id"])
            rows.append({"employee_id": person["id"], "name": person["name"], "position": person["position"],
                         "rank": person["rank"], "open_needs": open_needs[person["id"]],
                         "plan_status": plan["status"] if plan else None,
                         "jp_planned": plan["jp_planned"] if plan else 0,
                         "jp_verified": totals.get(person["id"], (0, 0))[0]})
        return {
            "unit": unit["code"], "year": year, "employees": len(staff),
            "needs_by_value": [{"value": v, "count": by_value[v]} for v in BERAKHLAK],
            "needs_by_source": [{"source": s, "count": sum(1 for n in needs if n["source_type"] == s)}
                                for s in SOURCES],
            "needs_by_area": dict(Counter(n["area"] for n in needs)),
            "with_plan": sum(1 for r in rows if r["plan_status"]),
            "without_plan": [{"employee_id": r["employee_id"], "name": r["name"]} for r in rows
                             if not r["plan_status"]],
            "jp_planned": sum(r["jp_planned"] for r in rows), "jp_verified": sum(r["jp_verified"] for r in rows),
            "people": rows,
        }

