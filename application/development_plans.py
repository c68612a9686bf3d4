"""Individual development plans: drafted by the employee, their supervisor or HR; goals tied to the employee's
development needs; signed by the employee and by the supervisor; progress; training completions linked to the goal
they serve; closed with an outcome by the supervisor or HR."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from application.access_policy import AccessPolicy, require
from application.actor import Actor
from application.errors import Forbidden, NotFound
from application.ledger import Ledger
from application.trainings import employee_named
from domain.development import DevelopmentNeed
from domain.development_plan import DevelopmentPlan, Goal, PlanInvalid, PlanState, plan_id
from domain.employee import Employee
from domain.training import Training


class DevelopmentPlanService:
    """Commands on development plans; needs and trainings are read from the event store."""

    def __init__(self, ledger: Ledger, policy: AccessPolicy, today: Callable[[], date] = date.today):
        self.ledger = ledger
        self.policy = policy
        self.today = today

    def plan(self, plan_id_: UUID) -> DevelopmentPlan:
        """One plan's current state."""
        return self.ledger.load(DevelopmentPlan, plan_id_)

    def draft(self, actor: Actor, employee_id: UUID, year: int) -> DevelopmentPlan:
        """Start the year's plan (the employee, their supervisor or HR); one per employee and year (409)."""
        employee = employee_named(self.ledger, employee_id)
        require(self.policy.may_plan_development(actor, employee_id, employee.supervisor_id),
                "the employee, their supervisor or HR drafts a development plan")
        if self.ledger.exists(plan_id(employee_id, year)):
            raise PlanState(f"the employee already has a development plan for {year}")
        plan = DevelopmentPlan.draft(employee_id, year, employee.supervisor_id)
        self.ledger.record(actor, plan)
        return plan

    def add_goal(self, actor: Actor, plan_id_: UUID, title: str, need_ids: list[UUID],
                 activities: list[dict[str, Any]], expected_version: int | None = None) -> Goal:
        """Add a goal tied to the employee's needs (not dismissed ones) with planned activities."""
        plan = self._as_party(actor, plan_id_, expected_version)
        for need_id in need_ids:
            need = self._need(need_id)
            if need is None or need.employee_id != plan.employee_id or need.status == "dismissed":
                raise PlanInvalid({"need_ids": [f"{need_id} is not an open development need of the employee"]})
        goal = plan.add_goal(title, need_ids, activities)
        self.ledger.record(actor, plan)
        return goal

    def sign(self, actor: Actor, plan_id_: UUID, expected_version: int | None = None) -> DevelopmentPlan:
        """The employee signs as the employee, the plan's supervisor as the supervisor."""
        plan = self.ledger.load(DevelopmentPlan, plan_id_, expected_version)
        party = self.policy.plan_party(actor, plan.employee_id, plan.supervisor_id)
        if party is None:
            raise Forbidden("only the employee and the plan's supervisor sign a development plan")
        plan.sign(party, actor.employee_id)
        self.ledger.record(actor, plan, reason=f"signed by the {party}")
        return plan

    def record_progress(self, actor: Actor, plan_id_: UUID, goal_id: UUID, progress: int, note: str,
                        expected_version: int | None = None) -> DevelopmentPlan:
        """The employee or the supervisor records a goal's progress."""
        plan = self._as_party(actor, plan_id_, expected_version)
        plan.record_progress(goal_id, progress, note)
        self.ledger.record(actor, plan)
        return plan

    def link_training(self, actor: Actor, plan_id_: UUID, goal_id: UUID, training_id: UUID,
                      expected_version: int | None = None) -> DevelopmentPlan:
        """Name a training completion of the employee as serving a goal (pinned at its version)."""
        plan = self._as_party(actor, plan_id_, expected_version)
        try:
            training = self.ledger.load(Training, training_id)
        except NotFound:
            raise PlanInvalid({"training_id": [f"no training completion {training_id}"]}) from None
        plan.link_training(goal_id, training.id, training.version, training.jp, training.employee_id)
        self.ledger.record(actor, plan)
        return plan

    def close(self, actor: Actor, plan_id_: UUID, outcome: str, summary: str,
              expected_version: int | None = None) -> DevelopmentPlan:
        """The supervisor or HR closes the agreed plan with its outcome."""
        plan = self.ledger.load(DevelopmentPlan, plan_id_, expected_version)
        employee = self.ledger.load(Employee, plan.employee_id)
        require(self.policy.may_assess_talent(actor, employee.supervisor_id),
                "the employee's supervisor or HR closes a development plan")
        plan.close(outcome, summary, self.today())
        self.ledger.record(actor, plan, reason=summary.strip())
        return plan

    def _as_party(self, actor: Actor, plan_id_: UUID, expected_version: int | None) -> DevelopmentPlan:
        plan = self.ledger.load(DevelopmentPlan, plan_id_, expected_version)
        employee = self.ledger.load(Employee, plan.employee_id)
        require(self.policy.may_plan_development(actor, plan.employee_id, employee.supervisor_id),
                "the employee, their supervisor or HR works on a development plan")
        return plan

    def _need(self, need_id: UUID) -> DevelopmentNeed | None:
        try:
            return self.ledger.load(DevelopmentNeed, need_id)
        except NotFound:
            return None
