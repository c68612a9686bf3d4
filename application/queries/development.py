"""HR's per-unit development view: needs by BerAKHLAK value and by source, IDP coverage (who has none), and each
person's planned JP against their verified JP of the year; the basis of the unit's training plan."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from typing import Any, Protocol
from uuid import UUID

from application.access_policy import AccessPolicy, require
from application.actor import Actor
from application.queries.people import PeopleQueries
from application.queries.standing import NeedsReadModel, PlansReadModel
from application.queries.trainings import readable, readable_record
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



class DevelopmentRecordsReadModel(Protocol):
    """The development read models' single rows and lists: needs, plans, award proposals, dialogues."""

    def needs(self, employee_id: UUID | None, status: str | None, source: str | None, limit: int,
              visible_to: AbstractSet[UUID] | None = None, unit: str | None = None) -> list[dict[str, Any]]:
        """Needs, latest first."""

    def need(self, need_id: UUID) -> dict[str, Any] | None:
        """One need."""


class PlanRowsReadModel(Protocol):
    """The development plan read model's list and single plan."""

    def plans(self, employee_id: UUID | None, year: int | None, status: str | None, limit: int,
              visible_to: AbstractSet[UUID] | None = None, unit: str | None = None) -> list[dict[str, Any]]:
        """Plans, latest year first."""

    def plan(self, plan_id: UUID) -> dict[str, Any] | None:
        """One plan with its goals."""


class ProposalRowsReadModel(Protocol):
    """The award proposal read model's list and single proposal."""

    def proposals(self, employee_id: UUID | None, status: str | None, limit: int,
                  visible_to: AbstractSet[UUID] | None = None) -> list[dict[str, Any]]:
        """Proposals, latest first."""

    def proposal(self, proposal_id: UUID) -> dict[str, Any] | None:
        """One proposal."""


class DialogueRowsReadModel(Protocol):
    """The performance dialogue read model's list, single dialogue and open actions."""

    def dialogues(self, employee_id: UUID | None, limit: int, visible_to: AbstractSet[UUID] | None = None,
                  viewer: UUID | None = None) -> list[dict[str, Any]]:
        """Dialogues, latest first, each with its actions."""

    def dialogue(self, dialogue_id: UUID) -> dict[str, Any] | None:
        """One dialogue with its actions."""

    def open_actions(self, party_id: UUID) -> list[dict[str, Any]]:
        """Open actions of the dialogues where the party is the employee or the supervisor."""


class DevelopmentRecordQueries:
    """Needs, plans, award proposals and dialogues as the actor may read them (AccessPolicy.record_scope,
    may_read_record, may_read_dialogue)."""

    def __init__(self, needs: DevelopmentRecordsReadModel, plans: PlanRowsReadModel,
                 proposals: ProposalRowsReadModel, dialogues: DialogueRowsReadModel, policy: AccessPolicy):
        self.need_view = needs
        self.plan_view = plans
        self.proposal_view = proposals
        self.dialogue_view = dialogues
        self.policy = policy

    def needs(self, actor: Actor, employee_id: UUID | None, status: str | None, source: str | None,
              limit: int) -> list[dict[str, Any]]:
        """Needs of those whose record the actor reads, latest first."""
        return self.need_view.needs(employee_id, status, source, limit, visible_to=self.policy.record_scope(actor))

    def need(self, actor: Actor, need_id: UUID) -> dict[str, Any]:
        """A need the actor may read (404 unknown, 403 someone else's)."""
        return readable_record(self.policy, actor, self.need_view.need(need_id), f"no development need {need_id}",
                               "development needs")

    def plans(self, actor: Actor, employee_id: UUID | None, year: int | None, status: str | None,
              limit: int) -> list[dict[str, Any]]:
        """Plans of those whose record the actor reads, latest year first."""
        return self.plan_view.plans(employee_id, year, status, limit, visible_to=self.policy.record_scope(actor))

    def plan(self, actor: Actor, plan_id: UUID) -> dict[str, Any]:
        """A plan the actor may read (404 unknown, 403 someone else's)."""
        return readable_record(self.policy, actor, self.plan_view.plan(plan_id), f"no development plan {plan_id}",
                               "development plans")

    def proposals(self, actor: Actor, employee_id: UUID | None, status: str | None,
                  limit: int) -> list[dict[str, Any]]:
        """Award proposals of those whose record the actor reads, latest first."""
        return self.proposal_view.proposals(employee_id, status, limit, visible_to=self.policy.record_scope(actor))

    def proposal(self, actor: Actor, proposal_id: UUID) -> dict[str, Any]:
        """An award proposal the actor may read (404 unknown, 403 someone else's)."""
        return readable_record(self.policy, actor, self.proposal_view.proposal(proposal_id),
                               f"no award proposal {proposal_id}", "award proposals")

    def dialogues(self, actor: Actor, employee_id: UUID | None, limit: int) -> list[dict[str, Any]]:
        """Dialogues the actor held as supervisor or of those whose record they read, latest first."""
        return self.dialogue_view.dialogues(employee_id, limit, visible_to=self.policy.record_scope(actor),
                                            viewer=actor.employee_id)

    def dialogue(self, actor: Actor, dialogue_id: UUID) -> dict[str, Any]:
        """A dialogue for its two parties and whoever reads the employee's record (404 unknown, else 403)."""
        return readable(self.dialogue_view.dialogue(dialogue_id), f"no performance dialogue {dialogue_id}",
                        lambda row: self.policy.may_read_dialogue(actor, row["employee_id"], row["supervisor_id"]),
                        "a dialogue is for its two parties, the employee's supervisors, HR and auditors")

    def open_actions(self, actor: Actor) -> list[dict[str, Any]]:
        """Open actions of the dialogues the actor took part in, as the employee or the supervisor."""
        return self.dialogue_view.open_actions(actor.employee_id) if actor.employee_id is not None else []
