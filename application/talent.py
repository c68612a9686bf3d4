"""Potential assessments for the talent grid: recorded by the employee's supervisor or HR."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

from application.access_policy import AccessPolicy, require
from application.actor import Actor
from application.ledger import Ledger
from application.trainings import employee_named
from domain.potential import PotentialAssessment


class TalentService:
    """Commands behind the talent grid (the performance axis comes from final appraisals)."""

    def __init__(self, ledger: Ledger, today: Callable[[], date] = date.today):
        self.ledger = ledger
        self.today = today

    def assessment(self, assessment_id: UUID) -> PotentialAssessment:
        """One potential assessment."""
        return self.ledger.load(PotentialAssessment, assessment_id)

    def assess_potential(self, actor: Actor, employee_id: UUID, level: str, basis: str,
                         assessed_on: date | None = None) -> PotentialAssessment:
        """Record a potential assessment (the employee's direct supervisor or HR); the assessor is the actor."""
        employee = employee_named(self.ledger, employee_id)
        require(AccessPolicy.may_assess_talent(actor, employee.supervisor_id),
                "only the employee's supervisor or HR assesses potential")
        today = self.today()
        assessment = PotentialAssessment.assess(
            employee_id=employee_id, level=level, basis=basis, assessed_on=assessed_on or today,
            assessor_id=actor.employee_id, assessor_name=actor.name, today=today)
        self.ledger.record(actor, assessment)
        return assessment
