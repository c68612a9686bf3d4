"""Training completions: record (the employee or HR), verify or reject (HR), and the yearly JP minimum in effect."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from application.access_policy import AccessPolicy, require
from application.actor import Actor
from application.errors import NotFound
from application.ledger import Ledger
from application.rulebook import RuleBookService
from domain.certificate_claim import CertificateClaim
from domain.development_plan import DevelopmentPlan, PlanInvalid, plan_id
from domain.employee import Employee
from domain.errors import DomainError
from domain.rulebook import NoRuleSetInEffect
from domain.training import Training


class UnknownEmployee(DomainError):
    """An employee named in a request body does not exist (422 naming the field)."""

    def __init__(self, employee_id: UUID, field: str = "employee_id"):
        super().__init__(f"no employee {employee_id}", field=field)


def require_employee(ledger: Ledger, employee_id: UUID, field: str = "employee_id") -> None:
    """A body field names an existing employee; 422 on that field when not (nothing is copied: only checked)."""
    try:
        ledger.peek(Employee, employee_id)
    except NotFound:
        raise UnknownEmployee(employee_id, field) from None


def employee_named(ledger: Ledger, employee_id: UUID, field: str = "employee_id") -> Employee:
    """The employee a body field names, from the event store; 422 on that field when there is none."""
    try:
        return ledger.load(Employee, employee_id)
    except NotFound:
        raise UnknownEmployee(employee_id, field) from None


@dataclass(frozen=True)
class YearlyMinimum:
    """The yearly JP minimum of a year and where it comes from."""

    year: int
    minimum_jp: int
    rule_set_version: int
    rules_at: date
    pppk_max_jp: int | None = None  # a PPPK's entitlement is at most this (PP 49/2018 art. 40); None: not in the set


class TrainingService:
    """Commands on training completions; the certificate number is claimed in the same atomic write."""

    def __init__(self, ledger: Ledger, rules: RuleBookService, today: Callable[[], date] = date.today):
        self.ledger = ledger
        self.rules = rules
        self.today = today

    def training(self, training_id: UUID) -> Training:
        """A completion's current state from the event store."""
        return self.ledger.load(Training, training_id)

    def record(self, actor: Actor, *, employee_id: UUID, course: str, provider: str, jp: int, start_date: date,
               end_date: date, certificate_number: str, idp_goal_id: UUID | None = None) -> Training:
        """Record a completion (employees for themselves, HR for anyone); a live duplicate certificate is a 409.
        Naming the goal of the employee's agreed development plan it served links it there in the same write."""
        require(AccessPolicy.may_record_training(actor, employee_id),
                "employees record their own training; HR records anyone's")
        require_employee(self.ledger, employee_id)
        training = Training.record(employee_id=employee_id, course=course, provider=provider, jp=jp,
                                   start_date=start_date, end_date=end_date, certificate_number=certificate_number,
                                   today=self.today())
        claim_id = CertificateClaim.id_for(training.certificate_key)
        if self.ledger.exists(claim_id):
            claim = self.ledger.load(CertificateClaim, claim_id)
            claim.take(training.id)
        else:
            claim = CertificateClaim.claim(training.certificate_key, training.id)
        plan = self._serving(training, idp_goal_id) if idp_goal_id is not None else None
        self.ledger.record(actor, training, claim, plan)
        return training

    def _serving(self, training: Training, goal_id: UUID) -> DevelopmentPlan:
        """The employee's plan of the training's year with the training linked to the goal."""
        found = plan_id(training.employee_id, training.end_date.year)
        if not self.ledger.exists(found):
            raise DomainError(f"the employee has no development plan for {training.end_date.year}",
                              field="idp_goal_id")
        plan = self.ledger.load(DevelopmentPlan, found)
        try:
            plan.link_training(goal_id, training.id, training.version, training.jp, training.employee_id)
        except PlanInvalid as e:
            raise DomainError(f"the plan has no goal {goal_id}", field="idp_goal_id") from e
        return plan

    def decide(self, actor: Actor, training_id: UUID, outcome: str, reason: str,
               expected_version: int | None = None) -> Training:
        """HR verifies or rejects a completion with a reason; a rejection frees its certificate number."""
        require(AccessPolicy.may_verify_training(actor), "only HR verifies or rejects training completions")
        training = self.ledger.load(Training, training_id, expected_version)
        training.decide(outcome, reason)
        claim = None
        if training.status == "rejected":
            claim = self.ledger.load(CertificateClaim, CertificateClaim.id_for(training.certificate_key))
            claim.release(training.id)
        self.ledger.record(actor, training, claim, reason=reason.strip())
        return training

    def yearly_minimum(self, year: int) -> YearlyMinimum:
        """The minimum of the rule set in effect at the end of the year, or today while the year is running."""
        rules_at = min(date(year, 12, 31), self.today())
        try:
            rule_set = self.rules.in_effect(rules_at)
        except NoRuleSetInEffect:
            raise DomainError(f"no rule set was in effect on {rules_at.isoformat()}, so {year} has no yearly "
                              f"JP minimum", field="year", code="no_rules_for_year",
                              params={"at": rules_at, "year": year}) from None
        training = rule_set.rules["training"]
        pppk_max = training.get("pppk_yearly_max_jp")
        return YearlyMinimum(year, int(training["yearly_min_jp"]), rule_set.version, rules_at,
                             int(pppk_max) if pppk_max is not None else None)
