"""Where an employee stands ("where do I stand"): predicates, this year's JP, the 9-box and the next promotion.

The next promotion is evaluated by the promotion assessment's own functions on the inputs an assessment would pin
today (``PromotionService.reads_for`` and ``domain.eligibility.evaluate``), so the standing of a kind on its date
is what an assessment of a case for that kind and date would record now.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol
from uuid import UUID

from application.access_policy import AccessPolicy, require
from application.actor import Actor
from application.promotion_evidence import facts_from
from application.promotions import PromotionService
from application.queries.people import PeopleQueries
from application.trainings import TrainingService
from domain.eligibility import evaluate
from domain.employee import Employee
from domain.employment import CPNS, PPPK
from domain.rules import development
from domain.standing import KindStanding, earliest_date, kind_standing, kinds_of, next_promotion
from domain.talent_grid import box_cells, boxes_of, place


class HistoryReadModel(Protocol):
    """What the standing reads from the appraisal read model."""

    def predicate_history(self, employee_id: UUID) -> list[dict[str, Any]]:
        """Annual appraisals, latest first."""

    def latest_annual_predicates(self, employee_ids: Iterable[UUID]) -> dict[UUID, str]:
        """Each given employee's latest final annual predicate."""


class HoursReadModel(Protocol):
    """What the standing reads from the training read model."""

    def training_hours(self, employee_id: UUID, year: int) -> dict[str, Any]:
        """A year's JP by status."""


class PotentialReadModel(Protocol):
    """What the standing reads from the talent read model."""

    def latest_potentials(self, employee_ids: Iterable[UUID]) -> dict[UUID, dict[str, Any]]:
        """Each given employee's latest potential assessment."""

    def mentee_sessions(self, employee_id: UUID, year: int) -> int:
        """Mentoring sessions the employee had as the mentee in a year."""


class NeedsReadModel(Protocol):
    """What the standing reads of the development needs."""

    def needs(self, employee_id: UUID | None, status: str | None, source: str | None, limit: int,
              visible_to: AbstractSet[UUID] | None = None, unit: str | None = None) -> list[dict[str, Any]]:
        """Needs, latest first."""


class PlansReadModel(Protocol):
    """What the standing reads of the development plans."""

    def plans(self, employee_id: UUID | None, year: int | None, status: str | None, limit: int,
              visible_to: AbstractSet[UUID] | None = None, unit: str | None = None) -> list[dict[str, Any]]:
        """Plans, latest year first."""

    def goals_of(self, plan_ids: list[UUID]) -> dict[UUID, list[dict[str, Any]]]:
        """The goals of some plans."""


class DialoguesReadModel(Protocol):
    """What the standing reads of the performance dialogues."""

    def dialogues(self, employee_id: UUID | None, limit: int, visible_to: AbstractSet[UUID] | None = None,
                  viewer: UUID | None = None) -> list[dict[str, Any]]:
        """Dialogues, latest first, with their actions."""


class CoachingNotesReadModel(Protocol):
    """What the standing reads of the coaching notes on the employee's appraisals."""

    def notes(self, employee_id: UUID, limit: int) -> list[dict[str, Any]]:
        """Coaching notes, latest first."""


class UpwardReader(Protocol):
    """The upward feedback a supervisor received (read from the event store under the anonymity rule)."""

    def report(self, actor: Actor, supervisor_id: UUID, period: str) -> dict[str, Any]:
        """A supervisor's upward feedback of a period."""


class AwardProposalsReadModel(Protocol):
    """What the standing reads of the awards proposed from performance."""

    def proposals(self, employee_id: UUID | None, status: str | None, limit: int,
                  visible_to: AbstractSet[UUID] | None = None) -> list[dict[str, Any]]:
        """Proposals, latest first."""


@dataclass(frozen=True)
class StandingSources:
    """The read models a standing is composed from, each reached through its Protocol."""

    appraisals: HistoryReadModel
    trainings: HoursReadModel
    talent: PotentialReadModel
    needs: NeedsReadModel
    plans: PlansReadModel
    dialogues: DialoguesReadModel
    upward: UpwardReader
    award_proposals: AwardProposalsReadModel
    coaching_notes: CoachingNotesReadModel


class StandingQueries:
    """One employee's standing as the actor may see it (AccessPolicy.may_read_standing, may_see_talent_box)."""

    def __init__(self, sources: StandingSources, promotions: PromotionService, trainings: TrainingService,
                 people: PeopleQueries, policy: AccessPolicy):
        self.sources = sources
        self.promotions = promotions
        self.trainings = trainings
        self.people = people
        self.policy = policy

    def standing(self, actor: Actor, employee_id: UUID) -> dict[str, Any]:
        """The employee's standing today (404 for no such employee, 403 for those who may not read it)."""
        entry = self.people.entry(employee_id)
        require(self.policy.may_read_standing(actor, employee_id),
                "a standing is for the employee, their supervisors, HR and auditors")
        today = self.promotions.today()
        rule_set = self.promotions.rules.in_effect(today)
        rules = rule_set.rules
        employee = self.promotions.ledger.load(Employee, employee_id)
        shown = self.policy.may_see_talent_box(actor, employee_id,
                                               bool(development(rules).get("employee_sees_talent_box", False)))
        return {
            "employee": {"id": employee_id, "name": entry["name"], "unit": employee.unit,
                         "position": employee.position, "rank": employee.rank, "rank_since": employee.rank_since,
                         "status": employee.status},
            "today": today, "rule_set_version": rule_set.version,
            "predicates": self.sources.appraisals.predicate_history(employee_id),
            "training": self.training(employee_id, employee.status, today.year, rules),
            "talent": {"shown": True, **self.placement(employee_id, rules.get("talent"))} if shown else {"shown": False},
            "promotion": self.promotion(employee, rules, today),
            "needs": self.sources.needs.needs(employee_id, None, None, 200),
            "may_decide_needs": self.policy.may_assess_talent(actor, employee.supervisor_id),
            "plans": self.plans_of(actor, employee),
            "dialogues": [{**d, "party": self.policy.dialogue_party(actor, employee_id, d["supervisor_id"])}
                          for d in self.sources.dialogues.dialogues(employee_id, 20)],
            "dialogue_party": self.policy.dialogue_party(actor, employee_id, employee.supervisor_id),
            # part of the dialogue history, read-only: whoever reads the standing reads the appraisals they came from
            "coaching_notes": self.sources.coaching_notes.notes(employee_id, 50),
            "upward": self.upward(actor, employee, today),
            "award_proposals": self.sources.award_proposals.proposals(employee_id, None, 20),
            "may_decide_awards": self.policy.hr(actor),
        }

    def upward(self, actor: Actor, employee: Employee, today: date) -> dict[str, Any]:
        """The upward feedback part: the last finished quarter's report where the actor reads it, and the running
        quarter in which the employee, looking at their own standing, gives their supervisor feedback."""
        quarter = (today.month - 1) // 3 + 1
        running = f"{today.year}-Q{quarter}"
        last = f"{today.year}-Q{quarter - 1}" if quarter > 1 else f"{today.year - 1}-Q4"
        report = (self.sources.upward.report(actor, employee.id, last)
                  if self.policy.may_read_upward_feedback(actor, employee.id) else None)
        gives = self.policy.is_self(actor, employee.id) and employee.supervisor_id is not None
        return {"received": report, "give_to": employee.supervisor_id if gives else None, "period": running}

    def plans_of(self, actor: Actor, employee: Employee) -> list[dict[str, Any]]:
        """The employee's development plans, latest year first, each with its goals and whether the actor signs
        it now (a draft with goals the actor's party has not signed)."""
        rows = self.sources.plans.plans(employee.id, None, None, 20)
        goals = self.sources.plans.goals_of([r["id"] for r in rows])
        out = []
        for row in rows:
            party = self.policy.plan_party(actor, employee.id, row["supervisor_id"])
            signed = row["employee_signed_at"] if party == "employee" else row["supervisor_signed_at"]
            out.append({**row, "goal_list": goals[row["id"]], "signs_as": party,
                        "may_sign": party is not None and row["status"] == "draft" and row["goals"] > 0
                        and signed is None})
        return out

    def placement(self, employee_id: UUID, talent: Mapping[str, Any] | None) -> dict[str, Any]:
        """The employee's 9-box cell as the unit grid places them (domain.talent_grid), or what is missing."""
        predicate = self.sources.appraisals.latest_annual_predicates([employee_id]).get(employee_id)
        potential = self.sources.talent.latest_potentials([employee_id]).get(employee_id)
        spot = place(predicate, potential["level"] if potential else None, boxes_of(talent))
        cell = next((c for c in box_cells(talent) if c["box"] == spot.box), None)
        return {"predicate": predicate, "performance": spot.performance, "potential": spot.potential,
                "box": spot.box, "missing": list(spot.missing),
                "meaning": cell["meaning"] if cell else None, "follow_up": cell["follow_up"] if cell else None,
                "talent_pool": bool(cell and cell["talent_pool"]),
                "potential_assessed_on": potential["assessed_on"] if potential else None}

    def training(self, employee_id: UUID, status: str, year: int, rules: Mapping[str, Any]) -> dict[str, Any]:
        """This year's verified JP against the entitlement (a PNS at least the minimum; a PPPK at most the cap), and
        the JP credit of mentoring sessions as the mentee (development outside the classroom: the rule set's
        ``development.mentoring_jp_per_session`` each), shown beside the verified JP, not added to it."""
        hours = self.sources.trainings.training_hours(employee_id, year)
        minimum = self.trainings.yearly_minimum(year)
        pppk = status == PPPK
        entitlement = minimum.pppk_max_jp if pppk and minimum.pppk_max_jp is not None else minimum.minimum_jp
        verified = int(hours["verified_jp"])
        sessions = self.sources.talent.mentee_sessions(employee_id, year)
        per_session = int(development(rules).get("mentoring_jp_per_session", 0))
        return {"year": year, "verified_jp": verified, "unverified_jp": int(hours["unverified_jp"]),
                "entitlement_jp": entitlement, "entitlement": "at_most" if pppk else "at_least",
                "remaining_jp": max(entitlement - verified, 0), "rule_set_version": minimum.rule_set_version,
                "mentoring_sessions": sessions, "mentoring_jp": sessions * per_session}

    def promotion(self, employee: Employee, rules: Mapping[str, Any], today: date) -> dict[str, Any]:
        """Each rank-promotion kind at its earliest possible TMT, and the one to show as next."""
        if employee.status in (PPPK, CPNS):
            return {"applies": False, "reason": employee.status, "next": None, "kinds": []}
        kinds = [self.kind(employee, kind, rules, today) for kind in kinds_of(rules)]
        upcoming = next_promotion(kinds)
        return {"applies": True, "reason": None, "next": upcoming.as_dict() if upcoming else None,
                "kinds": [k.as_dict() for k in kinds]}

    def kind(self, employee: Employee, rank_kind: str, rules: Mapping[str, Any], today: date) -> KindStanding:
        """One kind evaluated, on today's inputs, at its earliest possible TMT."""
        effective = earliest_date(rank_kind, employee.rank_since, employee.position_since, rules, today)
        reads = self.promotions.reads_for(employee.id, "rank", rank_kind, effective, rules)
        result = evaluate("rank", facts_from(reads), rules, effective, rank_kind)
        return kind_standing(rank_kind, effective, result.as_dicts(), result.eligible, employee.rank_since, rules,
                             today)
